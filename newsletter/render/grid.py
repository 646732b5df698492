"""How many columns a grid of figures or cards gets: chosen by count and by length.

A figure's value (``1 234 567``, ``€2,5 mln``) is never wrapped, so its cell must be as wide
as the value at the size it is set in; a card's longest word must fit its column. Each
edition gives its own widths (e-mail pixels, PDF points) and gets the same rule, so no
template is tuned to one issue's numbers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from newsletter.render.code_values import Code

if TYPE_CHECKING:
    from newsletter.typography import Rules

T = TypeVar("T")
Measure = Callable[[str, float], float]
"""``width(text, font_size)``: :func:`text_width` (estimate) or a font's real advances."""

CHAR_EM = 0.7
"""Advance of a bold digit or lowercase letter in em, the widest of the fonts an edition
may get (Source Sans 3 0.5–0.56, Arial 0.56, DejaVu Sans Bold, a Linux reader's fallback,
0.7 for digits): an overestimate costs a column, an underestimate overflows a cell."""

_WIDTHS = (  # classes of characters whose bold advance differs much from CHAR_EM
    ("MWmw@", 1.0),
    ("ABCDEFGHIJKLNOPQRSTUVXYZĄĆĘŁŃÓŚŹŻ€%&#+=<>~", 0.85),
    (" \u00a0\u2009\u202f.,:;'!|iIjlłt()[]", 0.4),
)


def char_width(char: str) -> float:
    """One character's advance in em, by its class (a table, not a font: the e-mail and
    web page are set in whatever font the reader has)."""
    return next((em for chars, em in _WIDTHS if char in chars), CHAR_EM)


def text_width(text: str, font_size: float) -> float:
    """The width ``text`` needs at ``font_size`` (same unit), estimated per character, so
    capitals, ``€`` or ``%`` widen a value and spaces and points narrow it."""
    return sum(char_width(c) for c in text) * font_size


def phone_size(texts: Sequence[str], font_size: float, room: float) -> float:
    """The largest size up to ``font_size`` (whole pixels) at which each unbreakable word of
    ``texts`` (bound by no-break spaces: :func:`line_words`) fits ``room``, estimated: a
    section's "for\u00a0COOPERATION" at 28 px was cut inside its word on a 320 px phone."""
    from newsletter.typography import line_words

    widest = max((text_width(word, 1) for text in texts for word in line_words(text)),
                 default=0.0)
    return font_size if widest * font_size <= room else max(1, math.floor(room / widest))


def chain_phone_size(texts: Sequence[str], rules: Rules, font_size: float, room: float,
                     smallest: float) -> float:
    """The largest size up to ``font_size`` at which each chain of words that ``rules`` bind
    in ``texts`` ("i\u00a0w\u00a0naukowo-badawczy": one-letter words, a number with what
    it counts, a compound kept whole) fits ``room``, estimated, never below ``smallest``:
    a chain wider than a phone's line is broken after a no-break space, and a title then
    ended a line with its "w" (generated seed 9004). A single word wider than a phone
    breaks anyway (at any letter) and shrinks nothing."""
    from newsletter.typography import NO_BREAK_SPACE, line_words

    chains = [piece for text in texts for piece in line_words(text, rules)
              if NO_BREAK_SPACE in piece]
    return max(min(phone_size(chains, font_size, room), font_size), smallest)


def phone_title_classes(titles: dict[str, tuple[str, float]], rules: Rules, room: float,
                        smallest: float, prefix: str) -> tuple[dict[str, str], dict[str, float]]:
    """Each title that a phone must set smaller than its theme size (``titles``: key →
    (text as set, theme size)) with its class (``prefix`` and the size: one class per
    size), and each class's size (:func:`chain_phone_size`, one title at a time). One size
    for a whole kind of title set every article's title on a phone as small as the
    issue's longest chain needed, and a title lost its rank over the text under it."""
    classes: dict[str, str] = {}
    sizes: dict[str, float] = {}
    for key, (text, size) in titles.items():
        px = chain_phone_size([text], rules, size, room, smallest)
        if px < size:
            name = f"{prefix}{px:g}".replace(".", "-")
            classes[key], sizes[name] = name, px
    return classes, sizes


@dataclass(frozen=True)
class Grid:
    """Rows of a grid: every row but the last full, rows as even as the count allows."""

    columns: int
    font_size: float

    def rows(self, items: Sequence[T]) -> list[list[T]]:
        return [list(items[i : i + self.columns]) for i in range(0, len(items), self.columns)]

    def even_rows(self, items: Sequence[T]) -> list[list[T]]:
        """As many rows as :meth:`rows`, their counts at most one apart, the fuller first
        (7 figures in 3 columns: 3 + 2 + 2, as on paper, not 3 + 3 + 1): for a template
        that sets each row's cells as wide as the row allows."""
        count = len(items)
        rows = math.ceil(count / self.columns) if count else 0
        sizes = [count // rows + (index < count % rows) for index in range(rows)]
        bounds = itertools.pairwise(itertools.accumulate(sizes, initial=0))
        return [list(items[start:end]) for start, end in bounds]

    @property
    def percent(self) -> float:
        """A column's share of the row, for templates that set widths in %."""
        return round(100 / self.columns, 4)


def fit_grid(
    count: int, widest: float, width: float, *, gap: float = 0, padding: float = 0,
    max_columns: int = 5, font_size: float = 1.0, narrowest: float | None = None,
    min_scale: float = 1.0,
) -> Grid:
    """Columns for ``count`` cells whose widest content needs ``widest`` (at ``font_size``)
    in a row ``width`` wide, ``gap`` between cells and ``padding`` inside each.

    When even one column is too narrow (or the ``narrowest`` slot the grid must also fit,
    a phone's width), the font size shrinks until it fits; it may shrink down to
    ``min_scale`` of its size for one column more (figures: :data:`MIN_VALUE_SCALE`, as on
    paper). Rows are balanced: 7 cells in at most 5 columns give 4 + 3, not 5 + 2.
    """
    slot = min(width, narrowest) if narrowest else width
    scale = min(1.0, (slot - padding) / widest) if widest > 0 else 1.0
    needed = widest * scale + padding
    columns = max(1, min(count, max_columns, math.floor((width + gap) / (needed + gap))))
    if widest > 0 and columns < min(count, max_columns):
        cell = (width - columns * gap) / (columns + 1) - padding  # a column more
        if cell / widest >= min_scale:
            columns, scale = columns + 1, min(scale, cell / widest)
    rows = math.ceil(count / columns)
    columns = math.ceil(count / rows)
    return Grid(columns, round(font_size * scale, 2))


def figure_grid(values: Sequence[str], width: float, font_size: float, *, gap: float,
                padding: float, narrowest: float | None = None, max_columns: int = 5,
                measure: Measure = text_width) -> Grid:
    """The grid of a figures block: values never wrap, so the longest decides (measured
    by ``measure``: the PDFs know their font, screens do not)."""
    widest = max(measure(v, font_size) for v in values)
    return fit_grid(len(values), widest, width, gap=gap, padding=padding,
                    max_columns=max_columns, font_size=font_size, narrowest=narrowest,
                    min_scale=MIN_VALUE_SCALE)


def card_grid(words: Sequence[str], count: int, width: float, font_size: float, *,
              gap: float, padding: float, max_columns: int = 3,
              measure: Measure = text_width) -> Grid:
    """The grid of a card group: the longest word of the titles must fit a column (long
    titles wrap between words; a long word cannot)."""
    widest = max((measure(w, font_size) for w in words), default=0)
    return fit_grid(count, widest, width, gap=gap, padding=padding,
                    max_columns=max_columns, font_size=font_size)


@dataclass(frozen=True)
class GridStyle:
    """Inline CSS for one grid in an HTML edition: the grid's columns and its values' size
    (and ``cell``: each cell's, where the cells wrap: :func:`fluid_rows`)."""

    grid: str
    value: str = ""
    cell: str = ""


def fluid_columns(grid: Grid, cell: float, gap: float) -> GridStyle:
    """Screens of any width: at most ``grid.columns`` columns, none narrower than ``cell``
    px (fewer columns on a phone), never wider than the page."""
    share = f"(100% - {grid.columns - 1} * {gap}px) / {grid.columns}"
    return GridStyle(
        Code(f"grid-template-columns: repeat(auto-fit, minmax(min(100%, max({cell:g}px, "
             f"calc({share}))), 1fr))"),
        Code(f"font-size: {grid.font_size}px"),
    )


def fluid_rows(grid: Grid, cell: float, gap: float) -> GridStyle:
    """Screens of any width, as :func:`fluid_columns`, but the cells wrap in rows and the
    last row's share its width: a screen narrower than the grid rule's columns set seven
    figures 3 + 3 + 1 in a grid of columns, the last beside two empty ones (hand-made
    issue 2029-03 at 1024 px); in rows, a last figure alone spans its row and two share
    it."""
    share = f"(100% - {grid.columns - 1} * {gap}px) / {grid.columns}"
    return GridStyle(
        Code(f"display: flex; flex-wrap: wrap; gap: {gap:g}px"),
        Code(f"font-size: {grid.font_size}px"),
        Code(f"flex: 1 1 max(min(100%, {cell:g}px), calc({share}))"),
    )


MIN_VALUE_SCALE = 0.75
"""How far a row's values (or card titles) may shrink below their set size before the row
gets one column fewer: a figure at three quarters of its size still reads as a key
number, and one column fewer leaves a row of big empty cells."""


@dataclass(frozen=True)
class Row:
    """One row of a grid set on paper: ``count`` cells from ``start`` of the block's items,
    in as many equal columns, their values at ``scale`` of the set size."""

    start: int
    count: int
    scale: float

    def of(self, items: Sequence[T]) -> list[T]:
        return list(items[self.start : self.start + self.count])


RowFits = Callable[[int, int], bool]
"""``fits(start, count)``: whether cells ``start .. start + count`` may share a row (a card
row too tall for half a page may not); a row of one always may."""


def fitted_rows(widths: Sequence[float], width: float, *, gap: float, padding: float,
                max_columns: int, min_scale: float = MIN_VALUE_SCALE,
                fits: RowFits | None = None) -> list[Row]:
    """Rows for cells whose unbreakable content needs ``widths`` (at the set size) in a
    row ``width`` wide, ``gap`` between cells and ``padding`` inside each.

    Row by row, unlike :func:`fit_grid`'s one grid for a block: one long value (``€2,5
    mln``) no longer costs every row a column, and on paper a block of rows can break
    between any two of them (WeasyPrint never breaks inside a grid row). Cells share a
    row when the widest fits its column at ``min_scale`` or more (and ``fits``); of those
    splits the fewest rows, then the most even (7 cells of at most 5 a row: 4 + 3, not
    5 + 2). Values shrink only as much as their row needs; a value wider than the whole
    row alone shrinks further (it must not leave the page)."""

    def scale(start: int, count: int) -> float:
        cell = (width - (count - 1) * gap) / count - padding
        widest = max(widths[start : start + count], default=0)
        return min(1.0, cell / widest) if widest > 0 else 1.0

    def allowed(start: int, count: int) -> bool:
        return count == 1 or (scale(start, count) >= min_scale
                              and (fits is None or fits(start, count)))

    # Fewest rows, then the most even (least sum of squared counts), then the fuller rows
    # first (7 cells: 4 + 3, not 3 + 4): over each cell's possible row ends, from the last.
    best: list[tuple[int, int, tuple[int, ...]]] = [(0, 0, ())] * (len(widths) + 1)
    for start in range(len(widths) - 1, -1, -1):
        best[start] = min(
            (rows + 1, squares + count * count, (-count, *counts))
            for count in range(1, min(max_columns, len(widths) - start) + 1)
            if allowed(start, count)
            for rows, squares, counts in [best[start + count]]
        )
    rows: list[Row] = []
    start = 0
    for count in (-c for c in best[0][2]):
        rows.append(Row(start, count, math.floor(scale(start, count) * 100) / 100))
        start += count
    return rows
