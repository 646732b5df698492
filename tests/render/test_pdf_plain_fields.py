"""Acronyms in capitals are never hyphenated in the PDFs' plain fields (issue 17 item 4):
titles, kickers, leads, card titles, figure labels and captions, as in Markdown texts.
Read from the readers' PDF: each acronym is whole on one line wherever it is printed."""

from __future__ import annotations

import re
from pathlib import Path

from editions import pdf_pages

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

ACRONYMS = ["KONSORCJUM", "INWESTYCJE", "MAŁOPOLSKA", "PROGRAMOWY", "INNOWACYJNE",
            "TECHNOLOGIE"]
"""Words in capitals (a programme's name as its office writes it), each narrower than a
figure's label (a fifth of the column): in cards and labels they would be hyphenated
if they could be, and need not break anywhere else."""


def write_issue(folder: Path) -> Path:
    folder.mkdir()
    words = " ".join(ACRONYMS)
    cards = "".join(f"          - title: {' '.join(ACRONYMS[i:] + ACRONYMS[:i])}\n"
                    f"            url: https://example.com/{i}\n" for i in range(3))
    items = "".join(f"          - value: \"{i}\"\n            label: {words}\n" for i in range(5))
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        f"      - type: article\n        id: story\n        kicker: {words}\n"
        f"        title: Programy {words}\n        lead: Nabór {words} i {words}\n"
        "        body: Tekst artykułu.\n"
        "      - type: link_cards\n        id: cards\n        title: Karty\n"
        f"        cards:\n{cards}"
        f"      - type: figures\n        id: numbers\n        items:\n{items}",
        encoding="utf-8")
    return folder


def test_an_acronym_in_a_plain_field_is_never_split_across_lines(project: Project, tmp_path):
    issue = load_issue(write_issue(tmp_path / "acronyms"), project)
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    lines = [line.text for page in pdf_pages(pdf)[1:] for line in page.lines]
    words = [word for line in lines for word in re.findall(r"\w+", line.upper())]
    pieces = [(word, acronym) for word in words for acronym in ACRONYMS if word != acronym
              and len(word) >= 2 and (acronym.startswith(word) or acronym.endswith(word))]
    assert words.count(ACRONYMS[0]) >= 10, lines  # kicker, title, lead ×2, 3 cards, 5 labels
    assert not pieces, pieces
