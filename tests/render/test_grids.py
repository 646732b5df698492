"""Figures and cards on paper, measured from the readers' PDF (poppler's word boxes and the
rectangles the page fills): a block is set row by row, so one long value costs only its own
row, and every value stays on one line inside its cell.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from editions import pdf_pages
from pdf_boxes import filled_rects

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

SHORT = ["7", "12", "35", "48", "90"]
LONG = "98 765 432 101 234 567 €"
"""Wider than half the text column even at three quarters of the set size (364 pt of the
column's 505 at 34 pt in the theme's bold): one grid for the block set every value in a
column of its own, six rows for six figures."""


@dataclass(frozen=True)
class Placed:
    """A value as drawn: its box (points from the page's top left) and its page's fills."""

    x0: float
    x1: float
    top: float
    bottom: float
    lines: int
    cells: list[tuple[float, float, float, float]]  # (x0, top, x1, bottom)


def figures_issue(folder: Path, values: list[str]) -> Path:
    folder.mkdir()
    items = "".join(f'          - value: "{value}"\n            label: Label {n} of the figure\n'
                    for n, value in enumerate(values))
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: en\nsections:\n  - kind: past\n    blocks:\n"
        "      - type: figures\n        id: numbers\n        title: In numbers\n"
        f"        items:\n{items}", encoding="utf-8")
    return folder


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"([^<]*)</word>")


def placed_values(pdf: Path, values: list[str]) -> dict[str, Placed]:
    """Each value where the page after the cover draws it in big type (poppler's words,
    taller than 20 pt: not a label, not the contents)."""
    xhtml = subprocess.run(["pdftotext", "-bbox", "-f", "2", "-l", "2", str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
    words = [(float(a), float(b), float(c), float(d), text)
             for a, b, c, d, text in _WORD.findall(xhtml) if float(d) - float(b) > 20]
    with pikepdf.open(pdf) as document:
        page = document.pages[1]
        height = float(page.mediabox[3])
        cells = [(x0, height - y1, x1, height - y0) for x0, y0, x1, y1 in filled_rects(page)]
    found = {}
    for value in values:
        parts = value.split()
        for start in range(len(words) - len(parts) + 1):
            run = words[start : start + len(parts)]
            if [w[4] for w in run] == parts:
                found[value] = Placed(min(w[0] for w in run), max(w[2] for w in run),
                                      min(w[1] for w in run), max(w[3] for w in run),
                                      len({round(w[1]) for w in run}), cells)
                break
    return found


@pytest.fixture(scope="module")
def built(project: Project, tmp_path_factory) -> dict[str, dict[str, Placed]]:
    """The values of a block with one long value, and of the short ones alone."""
    root = tmp_path_factory.mktemp("grids")
    placed = {}
    for name, values in [("mixed", [*SHORT, LONG]), ("short", SHORT)]:
        issue = load_issue(figures_issue(root / name, values), project)
        placed[name] = placed_values(write_download(issue, project, root / name).files[0],
                                     values)
    return placed


def test_one_long_value_costs_only_its_own_row(built):
    mixed = built["mixed"]
    assert set(mixed) == {*SHORT, LONG}, mixed.keys()
    assert len({round(mixed[v].top) for v in SHORT}) == 1  # the five short values abreast
    for value in SHORT:  # at their size without the long one: its row shrinks, not theirs
        assert mixed[value].bottom - mixed[value].top == pytest.approx(
            built["short"][value].bottom - built["short"][value].top, abs=0.5), value


@pytest.mark.parametrize("name", ["mixed", "short"])
def test_every_value_is_on_one_line_inside_its_cell(built, name):
    for value, placed in built[name].items():
        assert placed.lines == 1, value
        middle = ((placed.x0 + placed.x1) / 2, (placed.top + placed.bottom) / 2)
        cells = [c for c in placed.cells if c[0] <= middle[0] <= c[2]
                 and c[1] <= middle[1] <= c[3] and c[2] - c[0] < 510]
        assert cells, f"{value}: no cell around it"
        cell = min(cells, key=lambda c: c[2] - c[0])
        assert cell[0] <= placed.x0 and placed.x1 <= cell[2], (value, cell, placed)


TEXT = ("The city's business support centre answers questions about grants, premises, "
        "permits and partners; it meets entrepreneurs in its offices and online, every "
        "weekday, and helps them find the programme that fits their company. ") * 3
"""A card's text of about 600 characters: beside a portrait, three cards a row are
taller than half a page, one a row is not."""


def cards_issue(folder: Path) -> Path:
    """Three cards, each a tall portrait (1:3) and 600 characters of text."""
    from PIL import Image

    (folder / "images").mkdir(parents=True)
    Image.new("RGB", (600, 1800), (40, 90, 160)).save(folder / "images" / "tall.png")
    cards = "".join(
        f"          - title: Support office {n}\n            text: {TEXT}\n"
        f"            url: https://example.com/{n}\n"
        "            image:\n              file: images/tall.png\n              alt: A tower\n"
        for n in range(3))
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: en\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: link_cards\n        id: offices\n        title: Where to ask\n"
        f"        cards:\n{cards}", encoding="utf-8")
    return folder


def test_no_row_of_cards_is_taller_than_half_a_page(project: Project, tmp_path):
    """A row never breaks, so a row taller than half the text area (255 mm) would leave
    as much blank at a page's foot when it moves over; three such cards abreast were
    175 mm tall."""
    issue = load_issue(cards_issue(tmp_path / "cards"), project)
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    with pikepdf.open(pdf) as document:
        heights = [(y1 - y0) / MM for page in document.pages[1:]
                   for x0, y0, x1, y1 in filled_rects(page)
                   if 40 * MM < x1 - x0 < 510 and y1 - y0 > 20 * MM]  # cards, not rules
    assert len(heights) >= 3, heights
    assert max(heights) <= 255 / 2, heights
    # a card that breaks keeps its picture and title with two lines of its text
    for page in pdf_pages(pdf)[1:]:
        for line in page.lines:
            if line.text.startswith("Support office"):
                below = [other for other in page.lines if other.top > line.bottom - 1
                         and other.x0 < line.x1 and line.x0 < other.x1]
                assert len(below) >= 2, (line.page, line.text)


MM = 72 / 25.4


def test_every_row_of_a_block_sets_its_values_at_one_size(project: Project, tmp_path: Path):
    """Seven figures set 4 + 3: the row of four needs its values smaller (three quarters
    of the set size at least), the row of three did not; both rows now share that size. A
    row at 34.7 pt under one at 45 pt read as two styles in one block (hand-made issue
    2027-06)."""
    values = ["1 250 000 zł", "2019–2026", "ok. 4,5 mln", "21 400", "312", "37 %", "110"]
    issue = load_issue(figures_issue(tmp_path / "seven", values), project)
    placed = placed_values(write_download(issue, project, tmp_path / "out").files[0], values)
    assert set(placed) == set(values), placed.keys()
    rows = sorted({round(p.top) for p in placed.values()})
    assert len(rows) == 2, rows
    heights = {value: round(p.bottom - p.top, 1) for value, p in placed.items()}
    assert max(heights.values()) - min(heights.values()) < 0.6, heights
