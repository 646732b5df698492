"""Column widths of the PDFs' Markdown tables, decided from the embedded font's advances.

WeasyPrint's automatic table layout asks every cell for its narrowest and widest
possible width by laying the cell's text out at every break it allows; with
``overflow-wrap: anywhere`` (which keeps a long address inside its cell) that is every
character. On the long test issue that was 2.2 of 11.5 s of a PDF's layout, once per
layout. The PDFs know their font, so the same decision is taken here, once, from the
advance widths (:mod:`font_metrics`), and the table is set with ``table-layout: fixed``
and a ``<col>`` width per column. The rule is CSS 2.1's automatic layout, with a cell's
narrowest width its longest word (not one character): a column is never narrower than
its longest word while the table has room for every column's, so words are broken
inside a cell only when the table cannot hold them otherwise. A row too tall to keep
whole without leaving a page short is marked to break (:data:`LONG_ROW_PT`).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from newsletter.render.grid import Measure
from newsletter.render.paper_grids import MM, TEXT_MM
from newsletter.typography import line_words

_TABLE = re.compile(r'<table class="md-table">(.*?)</table>', re.DOTALL)


@dataclass
class Cell:
    text: str
    header: bool
    bold: str = ""  # the text set bold inside a body cell (**…**), words apart

    def measure(self, fonts: TableFonts) -> Measure:
        """A word's width as the cell sets it: bold in a header, or where the editor made
        it bold. Measured regular, '**Pi.umk@jestemaktywny.krakow.pl science**' got a
        column 6 % too narrow for it and ran 29 pt past the page (generated seed 5210)."""
        if self.header:
            return fonts.bold
        if not self.bold:
            return fonts.regular
        bold = set(line_words(self.bold))

        def measure(word: str, size: float) -> float:  # a word bold in part: as bold
            partly = word in bold or any(piece in word for piece in bold)
            return (fonts.bold if partly else fonts.regular)(word, size)
        return measure


@dataclass(frozen=True)
class TableFonts:
    """How a table's cells are set: header cells bold, the others regular; sizes in pt."""

    regular: Measure
    bold: Measure
    size: float
    padding: float  # left + right padding of a cell


def column_shares(rows: list[list[Cell]], width: float, fonts: TableFonts) -> list[float]:
    """Each column's share of the table's ``width`` (fractions summing to 1)."""
    return distribute(*column_extremes(rows, fonts), width)


def column_extremes(rows: list[list[Cell]], fonts: TableFonts
                    ) -> tuple[list[float], list[float]]:
    """Each column's narrowest width (its longest word's) and widest (its longest text on
    one line), in pt with the cells' padding."""
    columns = max((len(row) for row in rows), default=0)
    narrowest = [0.0] * columns
    widest = [0.0] * columns
    for row in rows:
        for index, cell in enumerate(row):
            measure = cell.measure(fonts)
            words = line_words(cell.text)  # the HTML is bound: split where lines break
            longest = max((measure(word, fonts.size) for word in words), default=0.0)
            whole = sum(measure(word, fonts.size) for word in words) + \
                measure(" ", fonts.size) * max(0, len(words) - 1)
            narrowest[index] = max(narrowest[index], longest + fonts.padding + SLACK_PT)
            widest[index] = max(widest[index], whole + fonts.padding)
    return narrowest, widest


def distribute(narrowest: list[float], widest: list[float], width: float) -> list[float]:
    """CSS 2.1 17.5.2.2: at least every column's minimum; the room left over is shared
    in proportion to what each column would still take to reach its maximum; a table
    whose columns all fit at their maximum spreads the rest in proportion to it."""
    if not narrowest:
        return []
    low, high = sum(narrowest), sum(widest)
    if low <= 0:
        return [1 / len(narrowest)] * len(narrowest)
    if low >= width:  # not every column's longest word fits: the longest give way
        return [w / width for w in _capped(narrowest, width)]
    if high <= width:
        return [w / high for w in widest]
    spare = (width - low) / (high - low)
    widths = [n + (w - n) * spare for n, w in zip(narrowest, widest, strict=True)]
    return [w / width for w in widths]


def _capped(narrowest: list[float], width: float) -> list[float]:
    """Widths for columns whose longest words do not all fit ``width``: each column its
    longest word up to one cap, the cap as high as the width allows. Only the columns of
    the longest words break (at their hyphenation points, at worst anywhere); shrunk all
    in proportion, a column of short words lost a little too, and '12 500 zł', 'art. 15
    ust. 2' broke at any letter beside a column of 'Konstantynopolitańczykowianeczka'
    that had to break anyway (generated seeds 5210, 8308)."""
    remaining, count = width, len(narrowest)
    cap = max(narrowest)
    for done, need in enumerate(sorted(narrowest)):
        if need * (count - done) > remaining:
            cap = remaining / (count - done)
            break
        remaining -= need
    return [min(need, cap) for need in narrowest]


SLACK_PT = 0.5
"""Added to a column's narrowest width: a column exactly as wide as its longest word (the
room left shared out to the others) lost the word's last thousandth of a point to the
width's rounding, and WeasyPrint hyphenated 'Wnio-' / 'oo' in a column made for it."""

LONG_ROW_PT = TEXT_MM[1] * MM / 4
"""A row taller than a quarter of the text area may break across pages (markdown.css.j2's
``md-long``): kept whole, a 300-word answer moved to the next page and left its page 62 %
full. Shorter rows are never split."""
LINE_HEIGHT = 1.3  # markdown.css.j2's .md-table
TALL_ROW_LINES = 4
"""A row of this many lines or more is enough of its table for a page's foot or top by
itself (markdown.css.j2 keeps a table's first row with its second and its last with the one
before, so that no page holds one row alone under the header; a row of a few lines is no
fragment). Generated seed 5209: a title, the header and a first row of 10 lines went
overleaf with the second and left a Polish page at 0.64."""


def _row_height(row: list[Cell], widths: list[float], fonts: TableFonts) -> float:
    """An estimate of a row's height in pt: its tallest cell's lines of text."""
    tallest = 0
    for cell, width in zip(row, widths, strict=False):
        measure = cell.measure(fonts)
        room = max(1.0, width - fonts.padding)
        lines = sum(max(1, -(-measure(" ".join(line_words(part)), fonts.size) // room))
                    for part in cell.text.split("\n") if part.strip())
        tallest = max(tallest, lines)
    return tallest * fonts.size * LINE_HEIGHT


_ROW_START = re.compile(r"<tr\b([^>]*)>")


def _row_classes(height: float, tall: float) -> str:
    """A row's classes by its estimated height in pt: ``md-long`` (may break inside),
    ``md-tall`` (may stand alone at a page's foot or top), both or none."""
    return " ".join([*(["md-long"] if height > LONG_ROW_PT else []),
                     *(["md-tall"] if height >= tall else [])])


def _mark_long_rows(inside: str, rows: list[list[Cell]], widths: list[float],
                    fonts: TableFonts) -> str:
    """The table's HTML with each row taller than :data:`LONG_ROW_PT` marked ``md-long``
    and each of :data:`TALL_ROW_LINES` lines or more ``md-tall``."""
    tall = TALL_ROW_LINES * fonts.size * LINE_HEIGHT
    marks = iter([_row_classes(_row_height(row, widths, fonts), tall) for row in rows])

    def row(match: re.Match[str]) -> str:
        classes = next(marks, "")
        if not classes or "class=" in match.group(1):
            return match.group(0)
        return f'<tr class="{classes}"{match.group(1)}>'

    return _ROW_START.sub(row, inside)


class _Cells(HTMLParser):
    """The text of each row's cells, in order, of one table's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[Cell]] = []
        self._cell: list[str] | None = None
        self._header = False
        self._bold: list[str] = []
        self._strong = 0  # depth of <strong>/<b> inside the cell

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._cell, self._header, self._bold, self._strong = [], tag == "th", [], 0
        elif tag in ("br", "wbr") and self._cell is not None:
            self._cell.append(" ")  # a line may break here: an address breaks at its <wbr>
            self._bold.append(" ")
        elif tag in ("strong", "b") and self._cell is not None:
            self._strong += 1
            self._bold.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(Cell("".join(self._cell), self._header, "".join(self._bold)))
            self._cell = None
        elif tag in ("strong", "b") and self._cell is not None:
            self._strong = max(0, self._strong - 1)
            self._bold.append(" ")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
            if self._strong:
                self._bold.append(data)


_CELL_ADDRESS = re.compile(r'(<(a|span)\b[^>]*class="(?:url|address)"[^>]*>)(.*?)(</\2>)',
                          re.DOTALL)
"""An address in a cell (a link set as its address, a printed address), its text."""
_TAG = re.compile(r"(<[^>]*>)")


def _dots_breakable(match: re.Match[str]) -> str:
    """The address with a ``<wbr>`` after each dot followed by a letter or digit, in its text
    only (not its tags): where LaTeX's url package breaks an address too, after its slashes."""
    parts = _TAG.split(match.group(3))
    parts[::2] = [re.sub(r"\.(?=\w)", ".<wbr>", part) for part in parts[::2]]
    return match.group(1) + "".join(parts) + match.group(4)


_ROW = re.compile(r"<tr\b.*?</tr>", re.DOTALL)
_CELL = re.compile(r"<(td|th)\b[^>]*>.*?</\1>", re.DOTALL)


def _whole_addresses(inside: str, widths: list[float], fonts: TableFonts) -> str:
    """A crowded table's HTML with the class ``whole`` on each address (a link set as its
    address, a printed address), set with ``overflow-wrap: normal`` (markdown.css.j2): it
    breaks at its <wbr>s, and only a piece between them wider than its column, in a
    ``cut`` span, at any letter. With ``anywhere`` on the whole address, which the
    table's long words need, WeasyPrint 70 cut it at any letter though the column held
    its pieces ('dlabiznesu.kr' / 'akow.pl/platf' / 'orm-9413/ser', generated seed 9014
    beside a column of 44-letter words)."""
    def cell(match: re.Match[str], column: int) -> str:
        room = widths[column] - fonts.padding - SLACK_PT if column < len(widths) else 0.0

        def address(found: re.Match[str]) -> str:
            pieces = [piece if fonts.bold(html.unescape(_TAG.sub("", piece)), fonts.size)
                      <= room else f'<span class="cut">{piece}</span>'
                      for piece in re.split(r"<wbr\s*/?>", found.group(3))]
            opening = re.sub(r'class="(url|address)"', r'class="\1 whole"', found.group(1),
                             count=1)
            return opening + "<wbr>".join(pieces) + found.group(4)

        return _CELL_ADDRESS.sub(address, match.group(0))

    def row(match: re.Match[str]) -> str:
        cells = itertools.count()
        return _CELL.sub(lambda found: cell(found, next(cells)), match.group(0))

    return _ROW.sub(row, inside)


@dataclass
class FixedTables:
    """Rewrites every Markdown table of a PDF's HTML to a fixed layout with its columns'
    widths; ``width_at(html, position)`` gives the width of the column of text a table at
    that offset of the HTML is set in (an article's column, a card's inner width), or None
    where it is not known: that table keeps the automatic layout."""

    fonts: TableFonts
    width_at: Callable[[str, int], float | None]

    def __call__(self, html: str) -> str:
        return _TABLE.sub(lambda match: self._fixed(html, match), html)

    def _fixed(self, html: str, match: re.Match[str]) -> str:
        width = self.width_at(html, match.start())
        if width is None:
            return match.group(0)
        inside = match.group(1)
        parser = _Cells()
        parser.feed(inside)
        narrowest, widest = column_extremes(parser.rows, self.fonts)
        if sum(narrowest) > width and _CELL_ADDRESS.search(inside):
            # the columns cannot hold every address's longest piece: its dots may end a
            # line too, before any of its letters ('www.jestemaktywny.kra' / 'kow.pl')
            inside = _CELL_ADDRESS.sub(_dots_breakable, inside)
            parser = _Cells()
            parser.feed(inside)
            narrowest, widest = column_extremes(parser.rows, self.fonts)
        shares = distribute(narrowest, widest, width)
        if not shares:
            return match.group(0)
        cols = "".join(f'<col style="width: {share * 100:.3f}%">' for share in shares)
        widths = [share * width for share in shares]
        inside = _mark_long_rows(inside, parser.rows, widths, self.fonts)
        # Every column holds its longest word (an address's longest piece between <wbr>s):
        # nothing needs breaking at any letter (markdown.css.j2's .whole-words); else each
        # address whose pieces its column holds is marked to break at its <wbr>s only.
        whole = " whole-words" if sum(narrowest) <= width else ""
        if not whole:
            inside = _whole_addresses(inside, widths, self.fonts)
        return (f'<table class="md-table fixed{whole}"><colgroup>{cols}</colgroup>'
                f"{inside}</table>")
