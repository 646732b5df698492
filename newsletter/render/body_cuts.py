"""Where an article's body may be cut to set its picture inside it (page_fit's ``Move``).

The print style keeps some of the body's top-level elements with what follows them, so a
picture set after one of them would be glued to it, and through it to the article's head:
a subheading, a paragraph bold from end to end (an interview's question), a line ending
in a colon (it introduces what follows: hand-made issue 2027-05, a picture between "…w
trzech lokalizacjach:" and the list of the three addresses), and a list of one item
that opens the body or follows such a head (style.css.j2 keeps a head's first list item
with its second, a lone item with what follows its list). Generated seed 9844 (en): a
picture set after a subheading and its list of one item took the head with it to the
next page, page fitting offered the same move again and again, and the page before
stayed at 0.74. :func:`cut_after` is the one rule for both the cut
(:func:`print.split_body`) and the moves page fitting offers.

Elements are the body's top-level ones, from lxml or from WeasyPrint's tree: either has
``tag``, ``get`` and its children.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
"""Elements without an end tag: :func:`print.split_body` counts the body's elements by
their end tags, so these are not counted (:func:`top_level`)."""


def top_level(elements: Any) -> list[Any]:
    """The elements among ``elements`` that a cut counts: no text, comment or void one."""
    return [e for e in elements
            if not isinstance(e, str) and isinstance(e.tag, str) and e.tag not in VOID]


def _text(element: Any) -> str:
    return "".join(element.itertext()).strip()


def _titled(element: Any) -> bool:
    """A subheading or a paragraph in bold from end to end (style.css.j2's ``p.ask``)."""
    if element.tag in HEADINGS:
        return True
    if element.tag != "p":
        return False
    if "ask" in (element.get("class") or "").split():
        return True
    children = list(element)
    return len(children) == 1 and children[0].tag in ("strong", "b") \
        and not (element.text or "").strip() and not (children[0].tail or "").strip() \
        and bool(_text(children[0]))


def heads(element: Any) -> bool:
    """Whether ``element`` heads what follows it: a subheading, a paragraph in bold from
    end to end, or a paragraph ending with a colon."""
    return _titled(element) or (element.tag == "p" and _text(element).endswith(":"))


def _glued_list(tops: Sequence[Any], index: int) -> bool:
    """A list of one item (not one that holds a list) opening the body or after a
    subheading or a question, as the print style selects it."""
    element = tops[index]
    if element.tag not in ("ul", "ol"):
        return False
    items = [child for child in element if child.tag == "li"]
    return len(items) == 1 and "md-nests" not in (items[0].get("class") or "").split() \
        and (index == 0 or _titled(tops[index - 1]))


def cut_after(tops: Sequence[Any], count: int) -> int:
    """How many of ``tops`` come before the picture when a cut after the first ``count``
    is asked for: as many more as are kept with what follows them (all of them: no cut)."""
    while count < len(tops) and (heads(tops[count - 1]) or _glued_list(tops, count - 1)):
        count += 1
    return count
