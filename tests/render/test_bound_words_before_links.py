"""A word bound to an inline element after it (Polish "i [link](…)", "w **Krakowie**",
"3 *narzędzia*") never breaks the paragraph before it into one word per line in the PDFs.

A generated issue's paragraph came out "…Konstantynopolitańczykowianeczka przedsiębior- /
ców / nowy / mieszkań- / cy dla …": when the link after "i" did not fit at a line's end,
WeasyPrint 70 looked for an earlier break in the text before it (the no-break space binds
"i" to the link, so there was none between them), and cut that text after its first
word, line after line, until the link fitted. The bound word now stands in a span of its
own, which WeasyPrint moves to the next line with the link, as a reader expects.
"""

from __future__ import annotations

import subprocess

from conftest import one_article_issue

from newsletter.load import Project, load_issue
from newsletter.publish import build, choose_editions

# The paragraph of the generated issue (tests/corpus, seed 30) where it was seen.
BODY = ("Zielony m.st. 12 500 zł nowy rok mieszkańcy **Cyfrowy branża** tydzień "
        "Konstantynopolitańczykowianeczka przedsiębiorców nowy mieszkańcy dla inwestycja "
        "urząd tydzień wsparcie publiczny cyfrowy usługi współpraca i "
        "pi.umk@jestemaktywny.krakow.pl platforma transport m.st. wsparcie budżet dla "
        "platforma transport sieć pi.umk@example.org projekt projekt urząd żółć dla jaźń z "
        "edukacja sieć partner usługi cyfrowy miesiąc przestrzeń platforma przestrzeń nauka "
        "i [portal miejski](https://www.krakow.pl) w **Krakowie** oraz 3 *narzędzia* dla firm.")


def test_a_word_bound_to_a_link_moves_with_it_not_the_text_before_it(tmp_path, project: Project):
    issue = load_issue(one_article_issue(tmp_path / "2021-01", BODY, title="Nabór"), project)
    build(issue, project, choose_editions(["pdf"]), tmp_path / "out")
    pdf = tmp_path / "out" / issue.id / f"business-krakow-{issue.id}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    start = text.index("Zielony m.st.")
    lines = [line for line in text[start:].splitlines() if line.strip()]
    paragraph = lines[: next(i for i, line in enumerate(lines) if "dla firm." in line) + 1]
    assert len(paragraph) >= 4
    # Every line but the last holds more than one word, and none ends with a lone "i".
    short = [line for line in paragraph[:-1] if len(line.split()) < 3]
    assert not short, paragraph
    assert not [line for line in paragraph[:-1] if line.split()[-1] in ("i", "w", "z")]
