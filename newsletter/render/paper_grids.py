"""Figures and cards on paper: one grid per row, each row's columns and value size chosen
from the embedded bold font's real advance widths (issue 17 item 3).

A block of figures or cards is written as rows of its own (``fitted_rows``) rather than one
grid, because WeasyPrint breaks a page between grids but never inside a grid's row: a row
is what moves to the next page, so a row must never be taller than half the page's text
area (a card row estimated by :func:`card_height_mm`) or a whole half page is left blank
above it. A single card taller than that may break inside (``breakable``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from newsletter.load import Project
from newsletter.markdown_checks import tables_in_a_card
from newsletter.model import Card, Figures, LinkCards
from newsletter.placement import MM_PER_CSS_PX, Bounds, shown_width
from newsletter.render.code_values import Code
from newsletter.render.font_metrics import font_measure
from newsletter.render.grid import MIN_VALUE_SCALE, Measure, Row, fitted_rows, text_width
from newsletter.render.heading_words import long_words_spanned
from newsletter.render.page_fit import INTRO_ROW, LAST_ROW
from newsletter.typography import Rules, line_words

MM = 72 / 25.4  # points per mm
TEXT_MM = (178, 297 - 22 - 20)  # A4 less the @page margins in style.css.j2 (print.PAGE_TEXT_MM)
FIGURE_GAP_MM, FIGURE_PADDING_MM = 3, 2  # .figure-grid gap, .figure side padding
CARD_GAP_MM, CARD_PADDING_MM, CARD_RULE_MM = 4, 4, 2  # .card-grid gap, .card padding, border
CARD_PICTURE_MM = 70  # the tallest a card's picture is set (print.SLOTS["card"])
MAX_FIGURES, MAX_CARDS = 5, 3  # cells a row
ROW_SHARE = 0.5
"""The tallest a row of cards may be, as a share of the text area's height: a row that
does not fit a page's foot moves over whole and leaves that much blank at most."""


@dataclass(frozen=True)
class PaperRow:
    """One row as the print templates write it: its items, the grid's inline CSS, the
    values' (or card titles') size, the card pictures' slot and whether its one card may
    break across pages."""

    items: list[Any]
    grid: str
    value: str
    slot: str = ""
    breakable: bool = False
    cell_pt: float = 0.0  # a figure's inner width: its label's words wider than it hyphenate


def _columns(count: int) -> str:
    """Exactly ``count`` equal columns. ``minmax(0, 1fr)``, not ``1fr``: a ``1fr`` track is
    at least its content's min-content width, which WeasyPrint measures by trying every
    break (with ``overflow-wrap: anywhere``, every character): 3.7 of the sample PDF's
    5.2 s once. The columns come from :func:`fitted_rows` anyway."""
    return Code(f"grid-template-columns: repeat({count}, minmax(0, 1fr))")


BROKEN = Code("display: block")
"""A card that may break across pages is a block of its own, not a grid's one cell:
WeasyPrint 70 breaks a grid item whose text fits the page but whose bottom padding does
not into a whole card and an empty strip of panel atop the next page."""


def _size(points: float, row: Row) -> str:
    return Code(f"font-size: {round(points * row.scale, 2):g}pt")


def figure_rows(block: Figures, value_pt: float, measure: Measure) -> list[PaperRow]:
    """A figures block's rows: values never wrap, so each row's widest value decides the
    rows; every row's values are set at one size, the smallest a row needs: a row at 34.7
    pt under one at 45 pt read as two styles in one block (hand-made issue 2027-06). (A
    value too wide for a row of its own at :data:`MIN_VALUE_SCALE` is smaller alone: the
    others do not shrink with it.)"""
    widths = [measure(item.value, value_pt) for item in block.items]
    rows = fitted_rows(widths, TEXT_MM[0] * MM, gap=FIGURE_GAP_MM * MM,
                       padding=2 * FIGURE_PADDING_MM * MM, max_columns=MAX_FIGURES)
    shared = min((row.scale for row in rows if row.scale >= MIN_VALUE_SCALE), default=1.0)
    rows = [replace(row, scale=min(row.scale, shared)) for row in rows]
    return [PaperRow(row.of(block.items), _columns(row.count), _size(value_pt, row),
                     cell_pt=figure_cell_pt(row.count)) for row in rows]


def figure_cell_pt(columns: int) -> float:
    """A figure's inner width (less its padding) in a row of ``columns``, in points."""
    return ((TEXT_MM[0] - (columns - 1) * FIGURE_GAP_MM) / columns - 2 * FIGURE_PADDING_MM) * MM


@dataclass(frozen=True)
class CardType:
    """The sizes (pt) and measures a card is set with (style.css.j2)."""

    title_pt: float
    text_pt: float
    url_pt: float
    line_height: float
    bold: Measure
    regular: Measure
    credit_pt: float = 0.0  # a picture's credit (.card-credit)


def card_column_mm(columns: int) -> float:
    """A card's inner width (less its padding) in a row of ``columns``, in mm."""
    return (TEXT_MM[0] - (columns - 1) * CARD_GAP_MM) / columns - 2 * CARD_PADDING_MM


def wrapped_lines(text: str, width_pt: float, size: float, measure: Measure) -> int:
    """Lines ``text`` takes when wrapped between words at ``width_pt`` (a word wider than
    the line breaks anywhere: overflow-wrap)."""
    lines, used = 0, width_pt
    space = measure(" ", size)
    for word in text.split():
        advance = measure(word, size)
        if used + space + advance <= width_pt:
            used += space + advance
            continue
        lines += max(1, -(-advance // width_pt))
        used = advance % width_pt if advance > width_pt else advance
    return int(lines)


_MARKUP = re.compile(r"[*_`#>\[\]]|\]\([^)]*\)|<[^>]+>")


def card_height_mm(card: Card, columns: int, kind: CardType) -> float:
    """An estimate of ``card``'s height in a row of ``columns``: its picture at the
    column's width, its title, text (per paragraph), button and printed address, padding
    and rule. Estimated, not laid out: a layout per candidate would cost seconds."""
    inner_mm = card_column_mm(columns)
    height = 2 * CARD_PADDING_MM + CARD_RULE_MM
    if card.image is not None:
        pixels = card.image.pixel_size()
        width = shown_width(pixels, Bounds(inner_mm, CARD_PICTURE_MM, 2, MM_PER_CSS_PX))
        height += width * pixels[1] / max(1, pixels[0]) + 2
    return height + card_text_mm(card, inner_mm, kind)


def card_text_mm(card: Card, width_mm: float, kind: CardType) -> float:
    """An estimate of the height of ``card``'s title, text, button and printed address set
    ``width_mm`` wide (:func:`card_height_mm`)."""
    inner_pt = width_mm * MM
    title_lines = wrapped_lines(card.title, inner_pt, kind.title_pt, kind.bold)
    height = title_lines * kind.title_pt * 1.25 / MM + 2
    for paragraph in re.split(r"\n\s*\n", _MARKUP.sub("", card.text or "")):
        lines = wrapped_lines(paragraph, inner_pt, kind.text_pt, kind.regular)
        height += lines * kind.text_pt * kind.line_height / MM + (2 if lines else 0)
    url_lines = wrapped_lines(card.url, inner_pt, kind.url_pt, kind.regular)
    return height + 2 + (2 + url_lines) * kind.text_pt * kind.line_height / MM


def card_rows(block: LinkCards, kind: CardType, slot: Callable[[int], str],
              rules: Rules | None = None) -> list[PaperRow]:
    """A card group's rows: a card's longest title word must fit its column, no row is
    taller than :data:`ROW_SHARE` of the text area (fewer, wider cards are shorter), and
    a card with a table has a row of its own, across the page, and may break.
    ``slot(columns)`` names the picture slot of a card in a row of ``columns``."""
    cards = block.cards
    tallest = ROW_SHARE * TEXT_MM[1]
    widths = [max((kind.bold(word, kind.title_pt) for word in line_words(card.title, rules)),
                  default=0) for card in cards]

    tables = [bool(card.text and tables_in_a_card(card.text)) for card in cards]

    def fits(start: int, count: int) -> bool:
        return all(card_height_mm(card, count, kind) <= tallest
                   for card in cards[start : start + count]) \
            and (count == 1 or not any(tables[start : start + count]))

    rows = fitted_rows(widths, TEXT_MM[0] * MM, gap=CARD_GAP_MM * MM,
                       padding=2 * CARD_PADDING_MM * MM, max_columns=MAX_CARDS, fits=fits)
    found = []
    for row in rows:
        # a card with a table (which `check` warns of) is set across the page and may
        # break between the table's rows: its height is not estimated (its cells wrap
        # in columns of their own), and one in a row of two ran past a page's foot, the
        # other card's panel continuing alone overleaf (generated seed 9660, print)
        breakable = row.count == 1 and (tables[row.start] or card_height_mm(
            cards[row.start], 1, kind) > tallest)
        found.append(PaperRow(row.of(cards), BROKEN if breakable else _columns(row.count),
                              _size(kind.title_pt, row), slot(row.count), breakable))
    return found


def split_rows(rows: list[PaperRow], split: Callable[[int], bool]) -> list[tuple[int, PaperRow]]:
    """``rows`` each with its index, a row that ``split(index)`` names set as one card per
    row instead (page_fit's ``Split``: a row of cards too tall for a page's foot that
    nothing can shorten). Across the text area each card is shorter, and each may break
    like a single tall card (its picture and title with two lines of its text): the first
    cards fill the gap. A card's picture keeps the row's size (its slot). A row of one card
    too short to break on its own may be named as well: it then breaks like a tall one.

    The rows of cards without pictures after a split row are set one card per row too:
    a block of five text cards read as three cards across the page and then a row of two
    half as wide, three widths in one group (hand-made issue 2029-06, en).

    Not the row's grid breaking inside: WeasyPrint 70 continues every card of a broken
    grid row overleaf, the finished ones as empty panels, and stretches them to the row's
    height whatever ``align-items`` says."""
    found: list[tuple[int, PaperRow]] = []
    after_split = False
    for index, row in enumerate(rows):
        textual = all(card.image is None for card in row.items)
        if split(index) or (after_split and textual):
            # a single card too: it may then break like a tall one
            after_split = True
            found += [(index, replace(row, items=[card], grid=BROKEN, breakable=True))
                      for card in row.items]
        else:
            after_split = False
            found.append((index, row))
    return found


def measures(project: Project) -> tuple[Measure, Measure]:
    """Widths in the bold and regular faces the PDFs embed, from their advance widths;
    the per-class estimate for a face the theme does not give."""
    files = project.theme.fonts.files
    found = [font_measure(project.theme.folder / files[face]) if files.get(face)
             else text_width for face in ("bold", "regular")]
    return found[0], found[1]


def points(px: float) -> float:
    """Theme sizes are e-mail pixels; on A4, 16 px body text reads as 10 pt."""
    return round(px * 0.625, 2)


def paper_grids(project: Project, slot: Callable[[int], str], rules: Rules | None = None,
                split: Callable[[str, int], bool] = lambda block, row: False,
                ) -> dict[str, object]:
    """The print templates' ``figure_rows(block)`` and ``card_rows(block)`` (sizes as in
    style.css.j2: figure values 1.6 × the theme's figure size); a card row is given with
    its index, and the rows ``split(block id, index)`` names are split (:func:`split_rows`);
    ``intro_parts(block or section)``: whether ``split`` names the row above the first;
    ``last_row_parts(block)``: whether it names a figures block's :data:`LAST_ROW`."""
    sizes = project.theme.fonts.sizes
    kind = card_type(project)
    return {
        "figure_rows": lambda block: figure_rows(block, points(sizes.figure) * 1.6, kind.bold),
        # a label is not hyphenated (centred lines of a few words: "w ogro- / dach" where
        # "ogrodach" fitted the next line), but a word wider than its figure is
        "label_words": lambda html, row: Markup(long_words_spanned(
            html, kind.regular, points(sizes.small), row.cell_pt)),
        "card_rows": lambda block: split_rows(card_rows(block, kind, slot, rules),
                                              lambda index: split(block.id, index)),
        # page fitting let the block's (or section's) intro end a page without what
        # follows it (the row above the first)
        "intro_parts": lambda block: split(block.id, INTRO_ROW),
        # page fitting let a block of figures leave its last row alone atop a page
        "last_row_parts": lambda block: split(block.id, LAST_ROW),
    }


def card_type(project: Project) -> CardType:
    """The cards' sizes and faces (style.css.j2's ``.card``), from the theme."""
    sizes = project.theme.fonts.sizes
    bold, regular = measures(project)
    return CardType(points(sizes.card_title), points(sizes.small), points(sizes.caption),
                    project.theme.fonts.line_height - 0.1, bold, regular, points(sizes.tiny))


CREDIT_GAP_MM = 1.0
"""What a credit adds under a card's picture besides its lines: the picture's 2 mm margin
and the credit's -1 mm collapse to 1 mm, and its 2 mm below are the title's gap anyway."""


def credit_mm(text: str, width_mm: float, kind: CardType) -> float:
    """How much taller a card's picture's credit of ``text``, set ``width_mm`` wide, makes
    what stands above the card's title (an estimate from the font's advance widths)."""
    lines = wrapped_lines(_MARKUP.sub("", text), width_mm * MM, kind.credit_pt, kind.regular)
    return CREDIT_GAP_MM + lines * kind.credit_pt * kind.line_height / MM
