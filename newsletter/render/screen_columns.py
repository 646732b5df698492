"""Column widths of Markdown tables on screens (e-mail and web): every column has room
for its longest word when the table can give it.

A screen table's cells may break anywhere (so no table is wider than a phone), and to a
browser's automatic layout that makes every column's narrowest width one letter: next to
a long cell, a short column was left a letter or two wide, at 320 px as at 1024 px
("Pyt / ani / e", "Wkł / ad"). The reader's font is unknown, so widths are estimated
(``CHARACTER_PX`` a character, as :mod:`stacked_tables` does) and shared out by the rule
the PDFs use (:func:`table_columns.distribute`: each column its longest word, the rest in
proportion to its whole text) for the narrowest screen that shows the table as a table;
the header cells carry the result as percentages, which hold on every wider screen.
A table whose longest words do not fit side by side there is left to the browser (its
percentages would squeeze some columns more than the browser does).
"""

from __future__ import annotations

import html as html_module
import re

from newsletter.render.stacked_tables import CELL_PADDING_PX, CHARACTER_PX, STACK_COLUMNS
from newsletter.render.table_columns import distribute
from newsletter.typography import line_words

PHONE_TABLE_PX = 272
"""A 320 px phone's text column (the e-mail's; the web page's is 288 px): where a table
of fewer than ``STACK_COLUMNS`` columns is set."""
STACKED_UNTIL_PX = 440
"""The text column of the narrowest screen (481 px) on which a wider table is not stacked by
the phone's query; one whose longest words do not fit it is stacked up to 599 px too
(``md-stack-wide``, :mod:`stacked_tables`)."""
WIDE_COLUMN_PX = 560
"""The e-mail's text column from a 600 px screen, where an ``md-stack-wide`` table is a
table again (the web page's is wider)."""
BOLD = 1.2  # a header cell's bold letters are wider (DejaVu Sans Bold, Chromium's default here)

_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<(t[hd])\b[^>]*>(.*?)</t[hd]>", re.DOTALL)
_HEADER_CELL = re.compile(r"<th\b([^>]*)>")
_BREAK = re.compile(r"<(?:wbr|br)\s*/?>")
_TAG = re.compile(r"<[^>]+>")
_ADDRESS = re.compile(r"[/@]|^www\.")
_LABEL = re.compile(r'<span class="md-label".*?</span>', re.DOTALL)


def _words(text: str) -> list[str]:
    """A cell's words as lines break them (its <wbr> and <br> break them too)."""
    return line_words(html_module.unescape(_TAG.sub("", _BREAK.sub(" ", _LABEL.sub("", text)))))


def _width(text: str, header: bool) -> tuple[float, float]:
    """A cell's narrowest width (its longest word) and its widest (all on one line)."""
    words = _words(text)
    scale = CHARACTER_PX * (BOLD if header else 1)
    longest = max((len(word) for word in words), default=0)
    whole = sum(len(word) for word in words) + max(0, len(words) - 1)
    return longest * scale + CELL_PADDING_PX, whole * scale + CELL_PADDING_PX


def _extents(inside: str) -> tuple[list[float], list[float]]:
    """Each column's narrowest width (its longest word) and widest (its longest cell on one
    line), in px."""
    rows = [_CELL.findall(row) for row in _ROW.findall(inside)]
    columns = max((len(row) for row in rows), default=0)
    narrowest, widest = [0.0] * columns, [0.0] * columns
    for row in rows:
        for index, (tag, text) in enumerate(row):
            low, high = _width(text, tag == "th")
            narrowest[index] = max(narrowest[index], low)
            widest[index] = max(widest[index], high)
    return narrowest, widest


def longest_words_px(inside: str, character_px: float) -> float:
    """How wide a table must be for every column's longest word side by side, in px, a
    character taken as ``character_px``. Addresses are left out: they break at their
    slashes and dots anyway."""
    longest: dict[int, float] = {}
    for row in _ROW.findall(inside):
        for index, (tag, text) in enumerate(_CELL.findall(row)):
            words = [word for word in _words(text) if not _ADDRESS.search(word)]
            scale = character_px * (BOLD if tag == "th" else 1)
            width = max((len(word) for word in words), default=0) * scale + CELL_PADDING_PX
            longest[index] = max(longest.get(index, 0.0), width)
    return sum(longest.values())


def table_on_phones(inside: str) -> bool:
    """Whether a table is set as a table on a 320 px phone: fewer than ``STACK_COLUMNS``
    columns whose longest words fit side by side in :data:`PHONE_TABLE_PX`. Any other is
    set row under row there (:mod:`stacked_tables`): a three-column table of long words
    ("Przedsiębiorczość", "Odpowiedzialny") was left to the browser, which cut even
    "Termin" and "marca" over two lines."""
    narrowest, _ = _extents(inside)
    return _fits_phone(narrowest)


def _fits_phone(narrowest: list[float]) -> bool:
    return len(narrowest) < STACK_COLUMNS and sum(narrowest) <= PHONE_TABLE_PX


def sized(inside: str) -> str:
    """A table's inner HTML with its header cells' widths (percentages) set, for the
    narrowest screen that shows it as a table (a phone, or the widest that stacks it)."""
    narrowest, widest = _extents(inside)
    columns = len(narrowest)
    if columns < 2 or not _HEADER_CELL.search(inside):
        return inside
    reference = PHONE_TABLE_PX if _fits_phone(narrowest) else STACKED_UNTIL_PX
    if sum(narrowest) > reference and not _fits_phone(narrowest):
        reference = WIDE_COLUMN_PX  # stacked up to 599 px (md-stack-wide)
    # Longest words wider than the column (as estimated): each column its longest word's
    # share, so that on any screen where the reader's font fits them side by side, each
    # fits its column. Left to the browser, which takes every column's narrowest width as
    # one letter (cells break anywhere), an e-mail at 481 px cut "Mikroprzedsiębiorstwa".
    shares = iter(distribute(narrowest, widest, max(reference, sum(narrowest))))

    def width(cell: re.Match[str]) -> str:
        share = next(shares, None)
        if share is None:
            return cell.group(0)
        attributes, rule = cell.group(1), f"width:{share * 100:.0f}%"
        if ' style="' in attributes:  # an aligned column's cell: one style attribute
            merged = attributes.replace(' style="', ' style="' + rule + ";", 1)
            return f"<th{merged}>"
        return f'<th style="{rule}"{attributes}>'

    head_end = inside.find("</tr>")
    return _HEADER_CELL.sub(width, inside[:head_end]) + inside[head_end:]
