"""No word hyphenated across a page or a column: a paragraph whose line at a page's or a
column's end breaks a word with a hyphen is set without hyphenation in the next layout,
in both PDFs.

A reader turning the page after "gro-" holds half a word in mind (hand-made issues
2029-03, "samodziel-" / "nie", and 2029-06, "leather and gro-" / "ceries"): book
typography never hyphenates a page's last line, nor, where it can help it, a column's
("wskaź-" at the foot of a column, 2029-03). WeasyPrint has no such limit
(``hyphenate-limit-last`` is not supported), so after laying out, the paragraph whose line
ends a page (before the issue goes on overleaf) or a column with the hyphenation character
is found in the layout itself and given ``hyphens: manual`` in the next, as word_gaps sets
wide paragraphs ragged: its lines then break between words only (its words stay whole,
and a line too loose for justification is set ragged by word_gaps). Kept by the
paragraph's place in document order, so replayed by the layout cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from newsletter.render.element_styles import add_styles

HYPHEN = "\ue0ad"
"""The hyphenation character the print CSS names (``hyphenate-character``,
newsletter/pdf_fonts.py): only line breaking draws it."""
WHOLE_WORDS = "hyphens: manual"
PARAGRAPHS = frozenset({"p", "li", "dd", "dt", "td", "th", "figcaption", "blockquote"})
"""What is set without hyphenation: the element holding the line, never a larger block
(an article's body would lose all of its hyphenation for one line)."""


def hyphens_across_pages(source: Any, document: Any) -> set[int]:
    """The places (document order in ``source``) of the paragraphs whose line ending a
    page of ``document`` (but the last), or a column (the next line in reading order
    stands higher: the top of the next column), ends with a hyphen line breaking added."""
    places = {element: index for index, element in enumerate(source.etree_element.iter())}
    found = set()
    for number, page in enumerate(document.pages, start=1):
        lines = list(_lines(page._page_box, None))
        if not lines:
            continue  # no line ends it (a card's empty panel carried over: seed 9660)
        following = [line.position_y for line, _ in lines[1:]] + [None]
        for (line, paragraph), below in zip(lines, following, strict=True):
            foot = (below is None and number < len(document.pages)) or (
                below is not None and below < line.position_y - 1)
            if foot and paragraph in places and paragraph.tag in PARAGRAPHS \
                    and _hyphenated(line):
                found.add(places[paragraph])
    return found


def set_unhyphenated(source: Any, paragraphs: set[int]) -> None:
    """Set the paragraphs at these places of ``source`` without hyphenation."""
    add_styles(source, dict.fromkeys(paragraphs, WHOLE_WORDS))


def _lines(box: Any, block: Any) -> Iterator[tuple[Any, Any]]:
    """Each line box of the page's flow (not its margin boxes: running head, folio) with
    the element of the block that holds it, in the order they are read."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return
    if isinstance(box, boxes.LineBox):
        yield box, block
        return
    if isinstance(box, boxes.BlockContainerBox) and getattr(box, "element", None) is not None:
        block = box.element  # a table's cell too (not a BlockBox): never the table's block
    for child in getattr(box, "children", ()):
        yield from _lines(child, block)


def _hyphenated(line: Any) -> bool:
    """Whether ``line``'s last text ends with the hyphenation character."""
    from weasyprint.formatting_structure import boxes

    last = None
    stack = [line]
    while stack:
        box = stack.pop(0)
        if isinstance(box, boxes.TextBox):
            last = box
        stack[:0] = list(getattr(box, "children", ()))
    return last is not None and last.text.rstrip().endswith(HYPHEN)
