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


ADDRESS = ("https://www.dlabiznesu.krakow.pl/"
           + "/".join(f"sekcja-{n}{'x' * (n % 5)}-numer-{n * 37}" for n in range(1, 13))
           + "/?etap=8&rok=2021")


def test_an_address_in_a_cell_breaks_only_where_an_address_may(project: Project,
                                                                 tmp_path: Path):
    """An address in a table's cell breaks after / ? & = or before a typed hyphen, never
    after one nor at any letter: WeasyPrint 70 cut a link with ``overflow-wrap: anywhere``
    at a letter even where a <wbr> would do, and a generated issue's cell ended a line
    with '…/company-' ('4685/…' next: read as a hyphenated word) or 'f' / 'uture-1807'.
    Tables whose first column's word grows, so that the address's lines end everywhere."""
    tables = [f"| Nazwa | Adres |\n|---|---|\n| {'Wniosek'[:3] + 'o' * n} | {ADDRESS} |"
              for n in range(0, 40, 3)]
    folder = one_article_issue(tmp_path / "2021-01", "\n\nTekst.\n\n".join(tables))
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    pieces, inside = [], False  # the address's lines: from a table's header to "Tekst."
    lines = [line for page in measured_pages(pdf) for line in page.lines]
    # the first column is made as wide as its word (Wnio…): never hyphenated ('Wnio-' /
    # 'oo' when the column's width, rounded, came out a thousandth of a point short)
    assert not [line.text for line in lines if "\u00ad" in line.text]
    for line in lines:
        inside = (inside or line.text.startswith("Nazwa")) and line.text != "Tekst."
        last = line.text.split()[-1]
        if inside and last in ADDRESS:
            pieces.append(last)
    assert "".join(pieces) == ADDRESS * len(tables), pieces  # copied whole, nothing added
    position = 0
    for piece in pieces:
        position = (position + len(piece)) % len(ADDRESS)
        following = ADDRESS[position:position + 1]
        assert not piece.endswith("-") and (
            position == 0 or piece.endswith(("/", "?", "&", "=")) or following == "-"), \
            f"an address's line ends {piece[-12:]!r}, the next starts {ADDRESS[position:][:8]!r}"


def test_a_table_of_tall_rows_may_leave_one_row_at_a_pages_foot(project: Project,
                                                                  tmp_path: Path):
    """A row of four lines or more is no fragment: it may end a page alone under the
    header (and start one). Kept with the next, a generated issue's title, header and a
    first row of ten lines went overleaf with the second row and left a page at 0.64."""
    cell = " ".join(["Wniosek o dotację na rozwój przedsiębiorstwa w Krakowie"] * 8)
    table = ["| Opis wsparcia | Opis warunków |", "|---|---|"]
    table += [f"| {cell} Wiersz{n}. | {cell} |" for n in range(1, 4)]
    shallow = {}
    for paragraphs in range(10, 22):
        text = [f"{FILLER} Akapit {n}." for n in range(paragraphs)]
        folder = one_article_issue(tmp_path / f"{paragraphs}" / "2021-01",
                                   "\n\n".join([*text, INTRO, "\n".join(table), *text[:8]]))
        pdf = write_download(load_issue(folder, project), project,
                             tmp_path / f"out-{paragraphs}").files[0]
        depths = [round(page.depth, 2) for page in measured_pages(pdf)]
        if any(depth < 0.75 for depth in depths[1:-1]):
            shallow[paragraphs] = depths
    assert not shallow, shallow


@pytest.mark.parametrize("paragraphs", range(13, 18))
def test_a_subheading_and_its_short_paragraph_go_overleaf_with_their_table(
        project: Project, tmp_path, paragraphs):
    """A subheading and a short paragraph introduce the table under them together: "##
    Accounts for payments" and two lines ended a page, the table overleaf (hand-made
    issue 2027-03). The paragraph now keeps with the table (``lead-in``), as one ending in
    a colon does, and the subheading with the paragraph; the page before stays three
    quarters full. More text before them moves them across the page's foot."""
    table = ["| Nagłówek celu | Rachunek | Odbiorca |", "|---|---|---|"]
    table += [f"| Opłata numer {n} za stoisko | PL61 1090 1014 0000 0712 1981 287{n} | Zarząd "
              f"Targowisk Miejskich w Krakowie, ul. Długa {n} |" for n in range(5)]
    text = [f"{FILLER} Akapit {n}." for n in range(paragraphs)]
    article = "\n\n".join([*text, "## Rachunki do wpłat",
                           f"{FILLER} Prosimy wpisać NIP i tytuł przelewu.",
                           "\n".join(table), "Po tabeli dalszy tekst artykułu."])
    folder = one_article_issue(tmp_path / "2021-01", article, language="pl")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    pages = measured_pages(pdf)
    heading = next(p.number for p in pages for line in p.lines if line.text.startswith("Rachunki"))
    header = next(p.number for p in pages for line in p.lines if line.text.startswith("Nagłówek"))
    assert heading == header, [p.depth for p in pages]
    assert all(p.depth >= 0.75 for p in pages[1:-1]), [p.depth for p in pages]
