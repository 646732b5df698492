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
import re
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


_WORD = re.compile(r"[^\W\d_]{4,}")


def worded_values(issue: Issue) -> list[Problem]:
    """A warning for each figure's value that holds a word ("1 250 miejsc", "PLN 3.5
    million") and is given once for several languages: a number is the same in every
    language, its words are not, and the English PDF printed "1 250 miejsc" (hand-made
    issue 2028-05). A warning: "ZOOM" or a name may be meant for all."""
    from newsletter.model import Figure

    editions = {variant.language: variant for variant in issue.editions()}
    if len(editions) < 2:
        return []
    readers: dict[Location, tuple[str, list[str]]] = {}
    for language, variant in editions.items():
        for node in _nodes(variant):
            where = node.where
            if isinstance(node, Figure) and _WORD.search(node.value) \
                    and "value" in where.fields and "value" not in where.decided:
                readers.setdefault(where.fields["value"], (node.value, []))[1].append(language)
    return [Problem(location, (
        f"'value' {value!r} holds words and is given once, so every edition prints it as "
        f"written: give it per language ({', '.join(f'{code}: …' for code in languages)}) "
        f"or mark it the same in every language with 'value: {SAME} \"…\"'"))
        for location, (value, languages) in readers.items() if len(languages) > 1]


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
