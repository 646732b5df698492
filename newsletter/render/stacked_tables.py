"""Markdown tables on screens: short values kept whole, wide tables stacked on a phone.

A table's cells may break anywhere (so no table is wider than a phone), which lets a
browser's automatic layout give a column of dates or times a few letters
(``01.04.2021`` as ``01.0 / 4.20 / 21``, seen at 1024 px on the web page) while an
address takes the room. A column whose every cell is one short value (a date, a time,
an amount: at most ``KEEP_CHARACTERS`` characters, no-break spaces included) is kept on
one line, as long as such columns fit a 320 px phone together (``KEEP_BUDGET_PX``).

A table of four or more columns in 320–480 px leaves each cell a few letters wide, and a
date or an amount is broken letter by letter (``01.04.2021`` as ``01 .0 4. 20 21``); so
does one of two or three columns whose longest words do not fit a phone side by side
(:func:`newsletter.render.screen_columns.table_on_phones`). On
screens that narrow (a media query in markdown-screen.css.j2) the e-mail and the web page
set such a table's rows one under the other, each cell after its column's heading, as
the text part already does; wider screens and mail programs without media queries (the
desktop ones) keep the table. The heading is written into each cell, hidden unless the
query shows it, because mail programs cannot generate it (``attr()`` in ``content``).

Such a table whose longest words do not fit side by side in the text column of the
narrowest screen the phone's query leaves it a table on (``STACKED_UNTIL_PX``, at 481 px)
is stacked up to ``WIDE_STACK_SCREEN_PX`` too (``md-stack-wide``), under which the
e-mail's text column is narrower than its widest: an e-mail at 481 and 540 px cut
"Mikroprzedsiębiorstwa" in a three-column table. One whose columns' longest words do not
fit side by side even in the edition's text column on a wide screen (an eight-column
table at 1024 px broke its words over lines) is stacked on every screen (``md-stack-all``,
a media query every screen meets; mail programs without media queries keep the table).
"""

from __future__ import annotations

import html as html_module
import itertools
import re

STACK_COLUMNS = 4
"""Tables with at least this many columns are stacked on phones (fewer, when their longest
words do not fit one side by side)."""
KEEP_CHARACTERS = 14
KEEP_BUDGET_PX = 250
"""What the kept columns of one table may take together: a 320 px phone's text column
(about 290 px) less a little for the others. A character counts as ``CHARACTER_PX``
(0.6 em of the table's 13 px text, rounded up, plus a cell's padding per column)."""
CHARACTER_PX = 8.5
"""A character at the reader's likely width, for every decision here: a table is stacked
on every screen when at this width its longest words do not fit side by side. (Taken at
its narrowest, half an em, a five-column table of IBANs, a phone number and Polish names
was kept a table at 1024 px, and the browser cut "PL61 1090 1014 0000 0712 1981 / 2874"
and "Przedsiębiorczośc / i": hand-made issue 2027-03.)"""
CELL_PADDING_PX = 12
WIDE_STACK_SCREEN_PX = 599
"""Up to this screen width an ``md-stack-wide`` table is stacked (markdown-screen.css.j2's
query): from 600 px the e-mail's text column is its widest (560 px), the web page's wider."""

_TABLE = re.compile(r'<table class="md-table"([^>]*)>(.*?)</table>', re.DOTALL)
_HEAD = re.compile(r"<thead>(.*?)</thead>", re.DOTALL)
_HEADING = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<td\b[^>]*>")
_CELL_TEXT = re.compile(r"<td\b[^>]*>(.*?)</td>", re.DOTALL)
_STYLE = re.compile(r'<td\b(?:([^>]*?) style="([^"]*)")?')
_TAG = re.compile(r"<[^>]+>")


def stacked(page: str, widest_px: float | None = None) -> str:
    """``page`` with short-value columns kept whole and every wide Markdown table marked
    ``md-stack``, its cells labelled; ``md-stack-all`` too when its longest words do not
    fit side by side in ``widest_px`` (the edition's text column on a wide screen), or,
    for a table in a card's text, in a third of it (:data:`CARD_SHARE`)."""
    cards = _card_texts(page)

    def one(table: re.Match[str]) -> str:
        inside = any(start < table.start() < end for start, end in cards)
        return _stacked_table(table, widest_px * CARD_SHARE
                              if inside and widest_px is not None else widest_px)

    return _TABLE.sub(one, page)


CARD_SHARE = 0.3
"""A card is at most a third of the column a wide screen gives its group, less the gaps:
a table of two or three columns in a card's text at 1024 px on the web page ran 30 px
past the card's edge (generated seed 9282, 'Al. Jana Pawła II 41', 'naukowo-badawczy')."""
_CARD_TEXT = re.compile(r'<div class="card-text">')
_DIV = re.compile(r"<(/?)div\b[^>]*>")


def _card_texts(page: str) -> list[tuple[int, int]]:
    """Where each card's text (``<div class="card-text">`` and the divs inside it: its
    footnotes) starts and ends in ``page``."""
    found = []
    for opening in _CARD_TEXT.finditer(page):
        depth = 0
        for tag in _DIV.finditer(page, opening.start()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                found.append((opening.start(), tag.end()))
                break
    return found


def _stacked_table(table: re.Match[str], widest_px: float | None) -> str:
    # screen_columns imports this module's sizes
    from newsletter.render.screen_columns import (
        STACKED_UNTIL_PX,
        longest_words_px,
        sized,
        table_on_phones,
    )

    attributes, inside = table.group(1), sized(_kept(table.group(2)))
    head = _HEAD.search(inside)
    headings = [_plain(h) for h in _HEADING.findall(head.group(1))] if head else []
    if len(headings) < 2 or table_on_phones(table.group(2)):
        return f'<table class="md-table"{attributes}>{inside}</table>'
    always = widest_px is not None \
        and longest_words_px(table.group(2), CHARACTER_PX) > widest_px
    wide = longest_words_px(table.group(2), CHARACTER_PX) > STACKED_UNTIL_PX
    body_start = head.end() if head else 0
    body = _ROW.sub(lambda row: _labelled_row(row, headings), inside[body_start:])
    classes = " ".join(["md-table", "md-stack", *(["md-stack-wide"] if wide else []),
                        *(["md-stack-all"] if always else [])])
    return f'<table class="{classes}"{attributes}>{inside[:body_start]}{body}</table>'


def _labelled_row(row: re.Match[str], headings: list[str]) -> str:
    count = itertools.count()

    def label(cell: re.Match[str]) -> str:
        index = next(count)
        if index >= len(headings) or not headings[index]:
            return cell.group(0)
        text = html_module.escape(headings[index])
        # white-space: a kept (nowrap) cell's heading may be long: it wraps on a phone
        style = "display:none;mso-hide:all;white-space:normal"
        return f'{cell.group(0)}<span class="md-label" style="{style}">{text}: </span>'

    return _CELL.sub(label, row.group(0))


def _plain(cell: str) -> str:
    """A heading cell's text, without its markup (bold, links, <wbr>)."""
    return html_module.unescape(_TAG.sub("", cell)).strip()


def _kept(inside: str) -> str:
    """The table's rows with the cells of its short-value columns set ``nowrap``."""
    rows = [_CELL_TEXT.findall(row) for row in _ROW.findall(inside)]
    rows = [row for row in rows if row]  # the header row has <th> only
    columns = max((len(row) for row in rows), default=0)
    longest: dict[int, int] = {}
    for index in range(columns):
        values = [_plain(row[index]) for row in rows if index < len(row)]
        if values and all(len(v) <= KEEP_CHARACTERS and " " not in v for v in values):
            longest[index] = max(len(v) for v in values)
    while longest and sum(CHARACTER_PX * n + CELL_PADDING_PX
                          for n in longest.values()) > KEEP_BUDGET_PX:
        del longest[max(longest, key=lambda i: longest[i])]
    if not longest:
        return inside

    def row_kept(row: re.Match[str]) -> str:
        count = itertools.count()

        def cell(match: re.Match[str]) -> str:
            if next(count) not in longest:
                return match.group(0)
            before, style = match.group(1) or "", match.group(2) or ""
            return f'<td{before} style="white-space:nowrap;{style}"'

        return _STYLE.sub(cell, row.group(0))

    return _ROW.sub(row_kept, inside)
