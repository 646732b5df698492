"""Every language complete: a text a reader reads is never written once for several languages.

In an issue written in several languages (``languages: [en, pl]``) a prose field written
once (``kicker: New``) would print the main language's words in every edition, and the
Polish reader gets English without anyone having decided so. Each prose field (the model's
``Prose`` and Markdown fields: :data:`newsletter.fields.PROSE`) must be given per language
(``{en: …, pl: …}``, or a file per language such as ``article.pl.md``), or marked as the
same in every language on purpose (``heading: !same "Life Science Open Space"``).

Names, addresses, numbers and dates are not prose (the model types them ``Text``, ``Url``,
``Email``…) and stay shared without a mark. The check needs no guess from the text: a
value written once is read, in every edition, from the same file and line.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from newsletter.exceptions import Location, Problem
from newsletter.fields import MARKDOWN, PROSE, Node, marked_fields
from newsletter.model import Issue
from newsletter.source import SAME


@functools.cache
def prose_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` that hold prose (declared in its annotations)."""
    return marked_fields(model, PROSE, MARKDOWN)


def shared_prose(editions: dict[str, Issue]) -> list[Problem]:
    """A problem for each prose value that two or more editions read from one place
    without the editor having given it per language or marked it ``!same``."""
    readers: dict[Location, tuple[str, list[str]]] = {}
    for language, issue in editions.items():
        for node in _nodes(issue):
            for name in prose_fields(type(node)):
                where = node.where
                if getattr(node, name) is None or name in where.decided \
                        or name not in where.fields:
                    continue  # left out (a default), per language, or marked !same
                _, languages = readers.setdefault(where.fields[name], (name, []))
                languages.append(language)
    problems = []
    for location, (name, languages) in readers.items():
        if len(languages) < 2:
            continue
        main, *others = languages
        per_language = ", ".join(f"{code}: …" for code in languages)
        problems.append(Problem(location, (
            f"'{name}' is given once, for every language, so the {', '.join(others)} "
            f"edition{'s' if len(others) > 1 else ''} would print the {main} text: give it "
            f"per language ({per_language}) or mark it as the same in every language with "
            f"'{name}: {SAME} \"…\"'")))
    return problems


def _nodes(node: Any) -> Iterator[Node]:
    """Every model node of an issue edition (not its translations)."""
    if isinstance(node, Node):
        yield node
        for name in type(node).model_fields:
            if name != "translations":
                yield from _nodes(getattr(node, name))
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _nodes(item)
