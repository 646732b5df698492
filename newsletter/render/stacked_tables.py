"""Wide Markdown tables on a phone: each row becomes a small card of "heading: value" lines.

A table of four or more columns in 320–480 px leaves each cell a few letters wide, and a
date or an amount is broken letter by letter (``01.04.2021`` as ``01 .0 4. 20 21``). On
screens that narrow (a media query in markdown-screen.css.j2) the e-mail and the web page
set such a table's rows one under the other, each cell after its column's heading, as
the text part already does; wider screens and mail programs without media queries (the
desktop ones) keep the table. The heading is written into each cell, hidden unless the
query shows it, because mail programs cannot generate it (``attr()`` in ``content``).
"""

from __future__ import annotations

import html as html_module
import re

STACK_COLUMNS = 4
"""Tables with at least this many columns are stacked on phones."""

_TABLE = re.compile(r'<table class="md-table"([^>]*)>(.*?)</table>', re.DOTALL)
_HEAD = re.compile(r"<thead>(.*?)</thead>", re.DOTALL)
_HEADING = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<td\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")


def stacked(page: str) -> str:
    """``page`` with every wide Markdown table marked ``md-stack`` and its cells labelled."""
    return _TABLE.sub(_stacked_table, page)


def _stacked_table(table: re.Match[str]) -> str:
    attributes, inside = table.group(1), table.group(2)
    head = _HEAD.search(inside)
    headings = [_plain(h) for h in _HEADING.findall(head.group(1))] if head else []
    if len(headings) < STACK_COLUMNS:
        return table.group(0)
    body_start = head.end() if head else 0
    body = _ROW.sub(lambda row: _labelled_row(row, headings), inside[body_start:])
    return f'<table class="md-table md-stack"{attributes}>{inside[:body_start]}{body}</table>'


def _labelled_row(row: re.Match[str], headings: list[str]) -> str:
    count = iter(range(len(headings) * 2))

    def label(cell: re.Match[str]) -> str:
        index = next(count)
        if index >= len(headings) or not headings[index]:
            return cell.group(0)
        text = html_module.escape(headings[index])
        return (f'{cell.group(0)}<span class="md-label" style="display:none;mso-hide:all">'
                f"{text}: </span>")

    return _CELL.sub(label, row.group(0))


def _plain(cell: str) -> str:
    """A heading cell's text, without its markup (bold, links, <wbr>)."""
    return html_module.unescape(_TAG.sub("", cell)).strip()
