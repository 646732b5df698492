"""A paragraph's last word on paper, kept whole: its last line is never a word's tail.

A paragraph whose last line was a hyphenated word's tail ("ostatni na-" / "bór.", "pol-" /
"skim.": hand-made issue 2026-06) reads as a line left over; TeX weighs such a break down
for the same reason. The last word, with the words bound to it by no-break spaces and the
emphasis or link it is set in, goes in a ``last-word`` span, which the print style does
not hyphenate (a word wider than its line still breaks: overflow-wrap).
"""

from __future__ import annotations

import re

_INLINE = r"<(?:/?(?:em|strong|i|b)|/a|a\s[^>]*)>"
"""The inline elements a last word may be set in: emphasis and links. Not a printed
address (``a.url``: its breaks are its own, render/address_breaks.py), not the spans the
pipeline adds (each has its reason to be as it is)."""

_BOUND = r'<span class="bound">[^<>]*</span>'
"""Words bound to the element after them (print._bound_words_apart): "i&#160;" before a
link or emphasis."""

_RUN = re.compile(rf"(?<=[ \n])((?:[^\s<>&]|\u00a0|{_BOUND}|{_INLINE})+)(?=</(?:p|li)>)")
"""The text after a paragraph's (or list item's) last ordinary space: its last word, the
words bound to it, their punctuation and the inline tags between them."""

_TAG = re.compile(r"<(/?)(\w+)[^>]*>")
_WORD_END = re.compile(r"([^\W\d_]{2,})[.,;:!?…”’\")\]]*$")
LONGEST_KEPT = 24
"""The longest last word (in letters) kept whole; a longer one may be wider than its line
(a cover's title, a card's column: "Rindfleischetikettierungsüberwachungsaufgaben…" ran
past the page's edge on a generated cover, seed 9481) and is hyphenated as any other."""


def last_words_whole(html: str) -> str:
    """Each paragraph's and list item's last word in a ``last-word`` span. The span starts
    after an ordinary space, never after a no-break one: WeasyPrint 70 then broke a
    Ukrainian card's text letter-wise into one-word lines ("Мі-" / "сто", generated seed
    9410). A word in emphasis or a link ("… <em>innowacyjności</em>.", "… <a>raport</a>")
    is kept whole too: the span goes inside the element when the element opened before
    the space (hand-made issues' last words were often links)."""
    return _RUN.sub(_wrapped, html)


def _wrapped(found: re.Match[str]) -> str:
    run = found.group(1)
    if 'class="url"' in run:
        return run
    opened: list[str] = []
    end = len(run)
    for tag in _TAG.finditer(run):
        closing, name = tag.group(1), tag.group(2)
        if not closing:
            opened.append(name)
        elif opened and opened[-1] == name:
            opened.pop()
        else:  # closes what opened before the space: the span ends inside it
            end = tag.start()
            break
    if opened:
        return run
    word = _WORD_END.search(_TAG.sub("", run[:end]))
    if not word or len(word.group(1)) > LONGEST_KEPT:
        return run
    return f'<span class="last-word">{run[:end]}</span>{run[end:]}'
