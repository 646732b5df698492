"""Words bound to an inline element after them break as one unit in the PDFs (issue 17).

WeasyPrint 70, when an inline element (an address, a link, emphasis) did not fit at a
line's end and the text before it had no break up to it, cut that text after its first
word, line after line. print.py's _bound_words_apart puts the words bound to the element
in a span of their own; it took only the last ("34"), and a phone number bound to the
address after it ("+48 12 616 12 34 kontakt@…", a number binds to the word it counts in
Polish and its groups bind) left the text before still unbreakable to its end: a
generated issue's cover lead broke "31-156" / "Kra-" / "ków" / "przeciwkonstytucyjnościo-".
Proved on paragraphs whose text before the chain grows a word at a time, so that the
chain meets the line's end at every place, in a body (Markdown) and in a lead (plain).
"""

from __future__ import annotations

from pathlib import Path

from conftest import one_article_issue
from paper import short_lines

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

WORDS = ["budżet", "31-156", "Kraków", "przeciwkonstytucyjnościowy", "żółć", "usługi",
         "partner", "platforma", "badania", "rada", "miasto"]
CHAIN = "tel. +48 12 616 12 34 kontakt@example.org program dla nauki i wsparcia firm"


def test_a_phone_bound_to_an_address_never_leaves_words_alone_on_lines(project: Project,
                                                                        tmp_path: Path):
    paragraphs = [" ".join(["Wstęp", *(WORDS * 3)[:n], CHAIN]) for n in range(4, 34)]
    folder = one_article_issue(tmp_path / "2021-01", "\n\n".join(paragraphs),
                               lead=paragraphs[17])
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    assert short_lines(pdf) == []
