"""Markdown or HTML typed into a field that every edition prints as typed.

A title, a lead, a label or the subject is plain text: an editor used to Markdown writes
``title: "**Granty** 2021"``, a lead with a ``[link](…)``, a figure's ``value: "**5**"`` or a
label with ``<br>``, and every reader saw the stars, brackets and tags while `check` said OK.
Each is a warning at its line, with the text as it would read without the signs (a warning,
not an error: the text is still printed, escaped, exactly as it was typed).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from newsletter.exceptions import Location, Problem
from newsletter.fields import MARKDOWN, PROSE, Node, marked_fields
from newsletter.markdown_checks import markup_in_plain_text
from newsletter.model import Issue


def plain_text_notices(issue: Issue) -> list[Problem]:
    """One warning per plain-text field, in any language of ``issue``, with markup in it."""
    problems: list[Problem] = []
    seen: set[tuple[Location, str]] = set()
    for variant in issue.editions():
        for where, name, text in _plain_texts(variant):
            message = markup_in_plain_text(text, name)
            if message is not None and (where, message) not in seen:
                seen.add((where, message))
                problems.append(Problem(where, message))
    return sorted(problems, key=lambda p: (str(p.location.file), p.location.line or 0))


def _plain_texts(node: Node) -> Iterator[tuple[Location, str, str]]:
    fields = _plain_fields(type(node))
    for name in type(node).model_fields:
        value = getattr(node, name)
        if name in fields and isinstance(value, str):
            yield node.where.text_of(name), name, value
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, Node):
                yield from _plain_texts(child)


@functools.cache
def _plain_fields(model: type[Node]) -> frozenset[str]:
    """The prose a reader reads as typed (titles, leads, labels, alt texts, the subject), a
    figure's value and a picture's credit; never a Markdown field."""
    extra = {"value", "credit"} & set(model.model_fields)
    return (marked_fields(model, PROSE) | extra) - marked_fields(model, MARKDOWN)
