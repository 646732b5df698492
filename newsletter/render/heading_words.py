"""An editor's subheadings on paper: hyphenated only where a word cannot fit its column.

A heading broken "pro-/gramme" reads worse than a ragged one, and a designer does not
hyphenate headings. But a subheading in a two-column article may hold a word wider than
its column ("Konstantynopolitańczykowianeczka" at 15 pt), which must then be hyphenated
rather than cut with nothing drawn or set past the column. CSS cannot say "hyphenate only
the words that do not fit", so the words are measured here, in the font the PDFs embed
(:mod:`newsletter.render.font_metrics`), and only those wider than the narrowest column a
heading may stand in get ``<span class="long-word">``, which the print style hyphenates.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

Measure = Callable[[str, float], float]
"""``width(text, size_pt)`` in points."""

SCALE = {"4": 1.5, "5": 1.17, "6": 1.0}
"""An editor's headings are h4–h6 (newsletter/markdown.py), sized in em as style.css.j2
sets them."""

_HEADING = re.compile(r"(<h([4-6])\b[^>]*>)(.*?)(</h\2>)", re.DOTALL)
_TAG = re.compile(r"(<[^>]*>)")
_WORD = re.compile(r"[^ \t\r\n]+")  # a no-break space binds: "12 500 zł" is one unit


def long_words_marked(html: str, measure: Measure, base_pt: float, column_pt: float) -> str:
    """``html`` with each word of an h4–h6 that is wider than ``column_pt`` (set in
    ``measure``'s bold face at the heading's size) in a ``long-word`` span."""

    def heading(match: re.Match[str]) -> str:
        size = base_pt * SCALE[match.group(2)]
        parts = _TAG.split(match.group(3))
        for index in range(0, len(parts), 2):  # text between tags
            parts[index] = _WORD.sub(
                lambda word: word.group() if measure(html_lib.unescape(word.group()), size)
                <= column_pt else f'<span class="long-word">{word.group()}</span>',
                parts[index])
        return match.group(1) + "".join(parts) + match.group(4)

    return _HEADING.sub(heading, html)
