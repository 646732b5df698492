"""The e-mail's text part keeps what an editor typed: hard line breaks, and a language's
bound words inside tables too (issues 16, 17).

An address typed over three lines (two spaces or a backslash at the line ends) came out
of the text part as one line, "Adres biura: ul. Zabłocie 23 30-701 Kraków tel. …"; and
a table's long cell, wrapped as "heading: value" lines, ended lines with Polish "u", "z"
that every paragraph binds to the next word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.markdown import to_text
from newsletter.typography import bind, language_rules

STRINGS = Path(__file__).resolve().parent.parent / "templates" / "_shared" / "strings.yaml"


def test_hard_line_breaks_stay_line_breaks():
    text = "Adres biura:  \nul. Zabłocie 23\\\n30-701 Kraków\n\nDalej."
    assert to_text(text) == "Adres biura:\nul. Zabłocie 23\n30-701 Kraków\n\nDalej."
    assert to_text("> Pierwsza  \n> druga") == "> Pierwsza\n> druga"
    assert to_text("- punkt  \n  ciąg dalszy") == "- punkt\n  ciąg dalszy"


@pytest.mark.parametrize("width", [30, 40, 50])
def test_table_cells_bind_as_paragraphs_do(width):
    rules = language_rules(STRINGS, "pl")
    cell = " ".join(["dotacja w mieście i z biurem u nas o tym a potem"] * 6)
    table = f"| Pytanie | Odpowiedź | Uwagi |\n|---|---|---|\n| Kto? | {cell} | brak |\n"
    text = to_text(table, width, prepare=lambda words: bind(words, rules))
    ends = [line for line in text.splitlines() if line.split()[-1:] in
            (["w"], ["i"], ["z"], ["u"], ["o"], ["a"])]
    assert not ends, ends


def test_a_rule_stays_a_break_and_word_s_break_hints_go():
    """A horizontal rule vanished from the text part (the parts it divides ran together);
    soft hyphens and zero-width spaces pasted from Word stayed in its words, which a mail
    program may show as "Gra-nty"."""
    text = to_text("Gra\u00adnty dla fir\u00adm 2020\u200b.\n\n---\n\nDalej.")
    assert text == "Granty dla firm 2020.\n\n* * *\n\nDalej."
