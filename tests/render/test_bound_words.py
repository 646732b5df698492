"""Widths decided from "words" count only the spaces a line may break at (issue 16/17).

A column, a card's grid or a title's longest word was measured on ``str.split()``, which
also splits at the no-break spaces the typography puts into ``250 000 zł``, ``5 %`` or a
Polish ``w Krakowie``: the PDF's table then gave the amount a column a third of its width
and the number printed as ``250 00`` / ``0 zł``. Cheap: measured, nothing is laid out.
"""

from __future__ import annotations

from pathlib import Path

from newsletter.render.grid import text_width
from newsletter.render.table_columns import Cell, TableFonts, column_shares
from newsletter.typography import language_rules, line_words

STRINGS = Path(__file__).resolve().parents[2] / "templates" / "_shared" / "strings.yaml"
NBSP = "\u00a0"


def test_line_words_split_only_where_a_line_may_break():
    assert line_words(f"Kwota 250{NBSP}000{NBSP}zł\u200bx\tdalej") == \
        ["Kwota", f"250{NBSP}000{NBSP}zł", "x", "dalej"]
    # typed spaces are bound as every edition binds them: numbers, then the language's rules
    assert line_words("Grant 10 000 zł") == ["Grant", f"10{NBSP}000", "zł"]
    assert line_words("Grant w Krakowie 10 000 zł", language_rules(STRINGS, "pl")) == \
        ["Grant", f"w{NBSP}Krakowie", f"10{NBSP}000{NBSP}zł"]


def _fonts() -> TableFonts:
    return TableFonts(regular=text_width, bold=text_width, size=10, padding=4)


def test_a_table_column_holds_its_bound_number_whole():
    amount = f"250{NBSP}000{NBSP}zł"
    rows = [[Cell("Program", True), Cell("Kwota", True)],
            [Cell("Eksport bez granic " * 40, False), Cell(amount, False)]]
    width = 400.0
    shares = column_shares(rows, width, _fonts())
    assert shares[1] * width >= text_width(amount, 10) + 4
