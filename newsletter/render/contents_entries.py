"""A contents entry on paper: its last word, the dot leader and the page number on one line.

The leader and the number come after the title (``::after`` in style.css.j2), and
WeasyPrint may break a line between the title's last word and them: a title that just
filled its line ("Call for Cooperation: Support for local business") left the dots and
"2" alone on the next one, a line no typesetter would make. The last word goes in a
``nowrap`` span that carries the leader, so when the number does not fit, the word goes
down with it.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

_TAG = re.compile(r"<[^>]*>")
LONGEST_KEPT = 16
"""The longest last word (in characters) kept unbreakable with the leader and number; a
longer one is left free to be hyphenated, and the leader and number follow it."""
_VOID = re.compile(r"<(?:br|wbr|img)\b", re.IGNORECASE)


def with_page_number(text: object, target: str) -> Markup:
    """``text`` (plain, or the HTML of :func:`newsletter.render.templating.plain_acronyms`)
    with its last word and the page number of ``target`` (``#id``) held together."""
    markup = text if isinstance(text, Markup) else Markup(html.escape(str(text), quote=False))
    source = str(markup).rstrip()
    split = _last_space_outside_tags(source)
    attribute = html.escape(target, quote=True)
    head, last = (source[:split + 1], source[split + 1:]) if split >= 0 else ("", source)
    if len(_TAG.sub("", last)) > LONGEST_KEPT:
        # a word that long may need hyphenating: unbreakable, it ran past the column
        # ("Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz … 35")
        head, last = source + " ", ""
    return Markup(f'{head}<span class="toc-end" data-target="{attribute}">{last}</span>')


def _last_space_outside_tags(source: str) -> int:
    """The index of the last space that is in no element (so the span wraps whole elements),
    or -1."""
    depth, last = 0, -1
    position = 0
    for tag in _TAG.finditer(source):
        last = _space_in(source, position, tag.start(), depth, last)
        name = tag.group(0)
        if name.startswith("</"):
            depth -= 1
        elif not name.endswith("/>") and not _VOID.match(name):
            depth += 1
        position = tag.end()
    return _space_in(source, position, len(source), depth, last)


def _space_in(source: str, start: int, end: int, depth: int, last: int) -> int:
    if depth:
        return last
    found = source.rfind(" ", start, end)
    return found if found >= 0 else last
