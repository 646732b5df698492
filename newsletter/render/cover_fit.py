"""The cover stays one page: what a layout shows when it does not.

The cover holds the masthead, the lead story (its picture, title and lead) and the
contents, which WeasyPrint keeps whole. :func:`print._cover` decides from an estimate
what fits (lines of contents by their characters); on a long issue the estimate may be
wrong both ways, and a wrong "fits" moved the whole contents to page 2, leaving a cover
with a title and a page of contents (a generated 30-article issue, seed 810). The layout
is the judge: when the contents (or the cover) reach a second page, the next layout
leaves out one more thing: the picture, then the lead, then the story itself.
"""

from __future__ import annotations

from typing import Any

STEPS = 3
"""What may be left out, in turn: the story's picture, its lead, the story."""


def spills(pages: list[Any]) -> bool:
    """Whether any part of the cover (``header.cover``, its contents) is laid out on a page
    after the first."""
    for page in pages[1:2]:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            if element is not None and getattr(box, "element_tag", None) in ("header", "nav"):
                classes = (element.get("class") or "").split()
                if "cover" in classes or "contents" in classes:
                    return True
            stack.extend(getattr(box, "children", None) or ())
    return False
