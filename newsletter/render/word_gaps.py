"""Justified text without holes: a paragraph whose justified lines open word gaps over about
three spaces is set ragged instead, in both PDFs.

Justification spreads a line's spare width over its spaces. When a line can hold only a few
words (a narrow column, a long address that breaks only at its slashes, a word hyphenation
cannot split, a passage in another language or script), the gaps grow to several spaces:
a long two-language issue had 18 mm holes. WeasyPrint has no limit on that spacing, so
after laying out, the paragraphs with such a line are found in the layout itself and laid
out again flush left (ragged): their gaps are then plain spaces. Only documents with such a
paragraph pay the second layout.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_GAP = 3.0
"""The widest word gap on a justified line, in normal spaces of its font."""

SPACE_EM = 0.2
"""A normal space of the body font (Source Sans 3: 200 of 1000 units) as a fraction of
the font size; a face with a wider space only makes the limit stricter."""

RAGGED = "text-align: left; text-align-last: left"


def ragged_where_gaps(html: Any, document: Any, options: dict[str, Any]) -> Any:
    """``document`` laid out again with every paragraph that has a justified line whose
    gaps pass :data:`MAX_GAP` set ragged; ``document`` itself when there is none."""
    wide = {id(element): element for element in _wide_paragraphs(document)}
    if not wide:
        return document
    for element in wide.values():
        style = element.get("style")
        element.set("style", f"{style}; {RAGGED}" if style else RAGGED)
    return html.render(**options)


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
