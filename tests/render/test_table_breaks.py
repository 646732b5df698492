"""Where a table meets a page's foot in the PDFs (issue 17 item 2): never one row alone.

Another editor's issue (tests/data/2021-04) ended its Polish page 2 with a table's header
and first row, its two other rows overleaf under the repeated header; moved whole, the
table left "Wysokość bonu zależy od powierzchni lokalu:", the line that introduces it,
alone at the page's foot. A table now takes at least two rows to a page and leaves at
least two behind, and brings the last lines before it. Proved on one article set with
more and more text before its table, so that a page's foot passes through every row.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import one_article_issue
from page_depth import measured_pages

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

FILLER = ("Miasto wspiera lokalne firmy w okresie ponownego otwarcia lokali, a doradcy "
          "Wydziału pomagają w przygotowaniu wniosków i w rozliczeniu dotacji.")
INTRO = "Wysokość bonu zależy od powierzchni lokalu i od wkładu własnego firmy:"


def body(paragraphs: int, rows: int) -> str:
    table = ["| Nagłówek powierzchni | Kwota bonu | Wkład własny |", "|---|--:|--:|"]
    table += [f"| Wiersz{n:02d} lokalu | {n} 000 zł | {n * 5}% |" for n in range(1, rows + 1)]
    text = [f"{FILLER} Akapit {n}." for n in range(paragraphs)]
    return "\n\n".join([*text, INTRO, "\n".join(table), "Po tabeli dalszy tekst artykułu."])


def rows_by_page(pdf: Path) -> list[tuple[list[str], list[str]]]:
    """For each page holding a part of the table: its rows (by their first word) and the
    text lines above its header on that page."""
    found = []
    for page in measured_pages(pdf):
        texts = [line.text for line in page.lines]
        headers = [i for i, text in enumerate(texts) if text.startswith("Nagłówek")]
        rows = [text.split()[0] for text in texts if text.startswith("Wiersz")]
        if rows:
            found.append((rows, texts[:headers[0]] if headers else texts))
    return found


@pytest.mark.parametrize("rows", [3, 5])
def test_a_table_never_leaves_one_row_alone_nor_its_introduction(project: Project,
                                                                  tmp_path: Path, rows: int):
    split_seen = 0
    for paragraphs in range(14, 26):
        folder = one_article_issue(tmp_path / f"{rows}-{paragraphs}" / "2021-01",
                                   body(paragraphs, rows), title="Bon na otwarcie")
        issue = load_issue(folder, project)
        pdf = write_download(issue, project, tmp_path / f"out-{rows}-{paragraphs}").files[0]
        pages = rows_by_page(pdf)
        assert sum(len(page_rows) for page_rows, _ in pages) == rows, pages
        if len(pages) > 1:
            split_seen += 1
            assert all(len(page_rows) >= 2 for page_rows, _ in pages), \
                f"{paragraphs} paragraphs before: rows by page {[r for r, _ in pages]}"
        _, above = pages[0]
        assert any(line.endswith("firmy:") for line in above), \
            f"{paragraphs} paragraphs before: the table starts a page without its introduction"
    if rows > 3:
        assert split_seen, "no variant put a page's foot inside the table: move the range"
