"""An editor's subheadings (and the figures' labels) on paper: hyphenated only where a
word cannot fit its column.

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
_WHOLE = re.compile(r'class="[^"]*\b(?:address|url|acronym)\b')  # spans never marked inside


def long_words_marked(html: str, measure: Measure, base_pt: float, column_pt: float) -> str:
    """``html`` with each word of an h4–h6 that is wider than ``column_pt`` (set in
    ``measure``'s bold face at the heading's size) in a ``long-word`` span."""

    def heading(match: re.Match[str]) -> str:
        size = base_pt * SCALE[match.group(2)]
        return match.group(1) + long_words_spanned(match.group(3), measure, size, column_pt) \
            + match.group(4)

    return _HEADING.sub(heading, html)


def long_words_spanned(html: str, measure: Measure, size_pt: float, width_pt: float) -> str:
    """``html`` (text and inline tags) with each word wider than ``width_pt`` at
    ``size_pt`` in a ``long-word`` span: the only words its style lets hyphenate. Not
    inside an address or an acronym (typography.keep_addresses_whole's spans): those
    break only where they do everywhere, and a hyphen added there would be typed."""
    parts = _TAG.split(html)
    spans: list[bool] = []  # the open spans: whether each keeps its words whole
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            if part.startswith("<span"):
                spans.append(bool(_WHOLE.search(part)))
            elif part.startswith("</span") and spans:
                spans.pop()
        elif not any(spans):
            parts[index] = _WORD.sub(
                lambda word: word.group() if measure(html_lib.unescape(word.group()), size_pt)
                <= width_pt else f'<span class="long-word">{word.group()}</span>', part)
    return "".join(parts)
