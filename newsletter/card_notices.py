"""A table in a card's text: the narrowest place a Markdown text is set.

A card is a third of the page. An editor's table there came out a letter a column in the
e-mail on a computer (the card pushed past its place in the row) and with its numbers split
in the PDFs ("50 000 z" / "ł"). `check` warns at the table's line; the table is still set
(a warning, since the card keeps every word).
"""

from __future__ import annotations

from newsletter.exceptions import Location, Problem
from newsletter.markdown_checks import tables_in_a_card
from newsletter.model import Issue, LinkCards


def card_table_notices(issue: Issue) -> list[Problem]:
    """One warning per table in a card's text, in any language of ``issue``."""
    problems: list[Problem] = []
    for variant in issue.editions():
        for _, block in variant.blocks():
            if not isinstance(block, LinkCards):
                continue
            for card in block.cards:
                if not card.text:
                    continue
                start = card.where.text_of("text")
                for table in tables_in_a_card(card.text):
                    where = Location(start.file, (start.line or 1) + table.line)
                    problem = Problem(where, table.message)
                    if problem not in problems:
                        problems.append(problem)
    return problems
