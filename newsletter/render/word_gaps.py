"""Justified text without holes: a paragraph whose justified lines open word gaps over about
three spaces is set ragged instead, in both PDFs.

Justification spreads a line's spare width over its spaces. When a line can hold only a few
words (a narrow column, a long address that breaks only at its slashes, a word hyphenation
cannot split, a passage in another language or script), the gaps grow to several spaces:
a long two-language issue had 18 mm holes. WeasyPrint has no limit on that spacing, so
after laying out, the paragraphs with such a line are found in the layout itself and set
flush left (ragged) in the next layout: their gaps are then plain spaces. The next layout is
usually one that page fitting needs anyway (render/print.py), so the ragged paragraphs
rarely cost a layout of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newsletter.render.element_styles import add_styles

MAX_GAP = 3.0
"""The widest word gap on a justified line, in normal spaces of its font."""

SPACE_EM = 0.2
"""A normal space of the body font (Source Sans 3: 200 of 1000 units) as a fraction of
the font size; a face with a wider space only makes the limit stricter."""

RAGGED = "text-align: left; text-align-last: left"


def wide_paragraphs(source: Any, document: Any) -> set[int]:
    """The paragraphs of ``source`` (a ``weasyprint.HTML``) laid out in ``document`` with a
    justified line whose gaps pass :data:`MAX_GAP`, as their places in document order.

    Places, not elements: the caller may lay out the same HTML again with a picture
    resized, which changes attributes but never the elements or their order, and a
    paragraph's lines depend only on its text and its column's width, so the same
    paragraphs stay wide and can be set ragged in that next layout at no extra cost."""
    places = {element: index for index, element in enumerate(source.etree_element.iter())}
    wide = _with_their_columns(source.etree_element, set(_wide_paragraphs(document)))
    return {places[element] for element in wide if element in places}


_SET = {"p", "li", "dd", "dt"}
"""What a ragged body sets ragged: its paragraphs, list items and definitions."""


def _with_their_columns(root: Any, wide: set[Any]) -> set[Any]:
    """``wide`` and, when one of them is in a two-column body (``.long``), every paragraph
    of every two-column body of the document: two columns side by side, some paragraphs
    flush left and the rest justified with stretched gaps, read as a mistake (hand-made
    issue 2025-09's interview: answers ragged beside justified questions and answers), and
    so did a ragged two-column article on the page of a justified one (hand-made issue
    2027-06: the two with pictures ragged, the two without justified, both on page 8).
    A body of one column keeps its justified paragraphs: one ragged paragraph among them
    is seldom next to another."""
    from newsletter.render.page_fit import classes_of

    if not wide:  # most layouts: no map of the whole document's parents
        return wide
    parents = {child: parent for parent in root.iter() for child in parent}

    def in_columns(element: Any) -> bool:
        node = parents.get(element)
        while node is not None and not {"article", "long"} <= classes_of(node):
            node = parents.get(node)
        return node is not None

    found = set(wide)
    if any(in_columns(element) for element in wide):
        found.update(e for article in root.iter() if {"article", "long"} <= classes_of(article)
                     for body in article.iter() if "body" in classes_of(body)
                     for e in body.iter() if e.tag in _SET)
    return found


def set_ragged(source: Any, paragraphs: set[int]) -> None:
    """Set the paragraphs at these places of ``source`` ragged (before it is laid out)."""
    add_styles(source, dict.fromkeys(paragraphs, RAGGED))


def wide_gap_count(document: Any) -> int:
    """How many paragraphs have a justified line with gaps over :data:`MAX_GAP`."""
    return len({id(element) for element in _wide_paragraphs(document)})


def _wide_paragraphs(document: Any) -> Iterator[Any]:
    from weasyprint.formatting_structure import boxes

    def visit(box: Any) -> Iterator[Any]:
        if isinstance(box, boxes.LineBox):
            if any(_too_wide(text) for text in _texts(box)):
                yield box.element
            return
        for child in getattr(box, "children", ()):
            yield from visit(child)

    for page in document.pages:
        yield from visit(page._page_box)


def _texts(box: Any) -> Iterator[Any]:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        if isinstance(child, (boxes.TextBox, boxes.InlineBox)):
            yield from _texts(child)


def _too_wide(text: Any) -> bool:
    spacing = text.justification_spacing
    if not spacing:
        return False
    space = SPACE_EM * text.style["font_size"]
    return space + spacing > MAX_GAP * space
