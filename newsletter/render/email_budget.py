"""Gmail's budget: which blocks the e-mail carries as teasers so that it stays under 90 KB.

Gmail clips an HTML body over about 102 KB (the reader sees "[Message clipped]" and,
often, no unsubscribe link). An issue of any length must still go out whole, so the
longest blocks become teasers (title, lead or first paragraph, a link to the block in the
web edition) until the e-mail fits; an editor can force either way per block
(``email: full | teaser``). Sizes are measured, not guessed: each block's markup is
wrapped in comment marks while rendering (``<!--bk-block:id-->…<!--/bk-block-->``), so one
render gives every block's bytes; the marks are removed from what is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsletter.model import Block

BUDGET_BYTES = 90 * 1024
"""What the e-mail's HTML may weigh: under Gmail's 102 KB, with room for the per-reader
links filled in at send time."""
TEASER_BYTES = 1500
"""About what a teaser weighs (title, a paragraph, a link), to pick how many to try first;
the result is measured again after each try."""

_MARK = re.compile(r"<!--bk-block:([^>]*?)-->(.*?)<!--/bk-block-->", re.S)
_ANY_MARK = re.compile(r"<!--/?bk-block(?::[^>]*?)?-->")


@dataclass(frozen=True)
class Fitted:
    """The e-mail as it will be sent, and what was done to fit it."""

    mjml: str
    html: str
    teasers: frozenset[str]  # ids of the blocks carried as teasers
    full_sizes: dict[str, int]  # bytes of each block's markup when carried in full

    @property
    def size(self) -> int:
        return len(self.html.encode("utf-8"))


Render = Callable[[frozenset[str]], tuple[str, str]]
"""Renders the e-mail with these blocks as teasers: (MJML, marked HTML)."""


def block_sizes(marked_html: str) -> dict[str, int]:
    """Bytes of each marked block's markup, by block id."""
    return {m.group(1): len(m.group(2).encode("utf-8")) for m in _MARK.finditer(marked_html)}


def unmarked(marked_html: str) -> str:
    """The HTML without the measuring marks."""
    return _ANY_MARK.sub("", marked_html)


PROSE = frozenset({"article", "letter"})
"""Blocks read as running text, which a teaser and the web page's link serve well: the
e-mail teases them before cards and figures of up to :data:`PROSE_WEIGHT` times their
size. A contacts group (five cards, heavy in the e-mail's tables, light in words) was the
first teaser, and phone readers got no names or addresses (hand-made issue 2027-06); with
every article teased before any card or figure, an issue of 1,956 words with ten cards
and twelve figures went out as 14 teasers of 17 blocks, the mayor's letter and every
article among them, where teasing its cards, figures and one long article fitted
(hand-made issue 2028-02)."""
PROSE_WEIGHT = 2


def fit(blocks: Sequence[Block], render: Render, budget: int = BUDGET_BYTES) -> Fitted:
    """Render the e-mail, and again with the longest blocks as teasers while it is over
    ``budget`` (articles and letters weighed double: :data:`PROSE`); blocks marked ``email: full``
    are never shortened, ``email: teaser`` always are. Returns the last render (over the
    budget only when forced full blocks make it so).
    """
    teasers = {b.id for b in blocks if b.email == "teaser"}
    free = [b.id for b in blocks if b.email is None]
    prose = {b.id for b in blocks if b.type in PROSE}
    mjml, marked = render(frozenset(teasers))
    full_sizes = block_sizes(marked)
    html = unmarked(marked)
    while len(html.encode("utf-8")) > budget:
        candidates = sorted((b for b in free if b not in teasers and b in full_sizes),
                            key=lambda b: full_sizes[b] * (PROSE_WEIGHT if b in prose else 1),
                            reverse=True)
        if not candidates:
            break
        excess = len(html.encode("utf-8")) - budget
        for block_id in candidates:  # longest first, until they would cover the excess
            teasers.add(block_id)
            excess -= full_sizes[block_id] - TEASER_BYTES
            if excess <= 0:
                break
        mjml, marked = render(frozenset(teasers))
        html = unmarked(marked)
    return Fitted(mjml, html, frozenset(teasers), full_sizes)
