"""The cover stays one page: what a layout shows when it does not.

The cover holds the masthead, the lead story (its picture, title and lead) and the
contents, which WeasyPrint keeps whole. :func:`print._cover` decides from an estimate
what fits (lines of contents by their characters); on a long issue the estimate may be
wrong both ways, and a wrong "fits" moved the whole contents to page 2, leaving a cover
with a title and a page of contents (a generated 30-article issue, seed 810). The layout
is the judge: when the contents (or the cover) reach a second page, the next layout
gives up one more thing: the picture's height (set no taller than its usual slot, then at
its shortest), the picture, then the lead, then the story itself, then the contents'
entries (it lists the sections only, and the story may come back).
"""

from __future__ import annotations

from typing import Any

from newsletter.render.page_fit import _leaves

SHORTER = 2
"""The steps that set the story's picture shorter before it is left out: no taller than
its usual slot, then at its shortest. A picture grown to fill an estimated room (the
contents estimated too short: two columns of long section names) pushed the contents
to page 2, and the next layout left the picture out: a Polish cover without its
story's picture, 40 % of it empty (hand-made issue 2027-05)."""
ENTRIES_OUT = SHORTER + 3
"""The step after which the contents lists its sections only (and the story comes back)."""
STEPS = 2 * ENTRIES_OUT
"""What may be given up, in turn: the story's picture's height, the picture, its lead,
the story; then the contents' entries, and again the same."""


def spills(pages: list[Any]) -> bool:
    """Whether any part of the cover (``header.cover``, its contents) is laid out on a page
    after the first."""
    return len(pages) > 1 and any(
        _of_cover(element) for _, ancestors in _leaves(pages[1]._page_box)
        for element in ancestors)


def _of_cover(element: Any) -> bool:
    classes = (element.get("class") or "").split()
    return element.tag in ("header", "nav") and ("cover" in classes or "contents" in classes)
