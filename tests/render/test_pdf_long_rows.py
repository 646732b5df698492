"""A table row taller than a quarter of a page breaks across pages in the PDFs.

An editor's two-column table (a question, then a 300-word answer) came after half a page
of text: its row, never split, moved whole to the next page and left that page 62 % full
(issue 17 item 1). Rows that short are still kept whole (test_tables_notes); one this
long goes on where it starts, its lines split between pages.
"""

from __future__ import annotations

import random

from conftest import one_article_issue
from page_depth import depths

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

WORDS = ("wniosek", "dotacja", "firma", "konsultacje", "termin", "program", "miasto",
         "zespół", "umowa", "budżet")


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def test_a_long_row_does_not_leave_a_page_short(project: Project, tmp_path):
    rng = random.Random(5)
    body = (f"{_text(rng, 300)}\n\n| Pytanie | Odpowiedź |\n|---|---|\n"
            f"| Kto może złożyć wniosek? | {_text(rng, 500)} |\n| Do kiedy? | Do marca. |\n\n"
            f"{_text(rng, 40)}\n")
    folder = one_article_issue(tmp_path / "rows", body)
    pdf = write_download(load_issue(folder, project), project, tmp_path).files[0]
    inner = depths(pdf)[1:-1]
    assert inner and min(inner) >= 0.75, [round(d, 2) for d in depths(pdf)]
