"""Declarations added to elements of a document by their place, before it is laid out.

What one layout decides about an element (a paragraph set ragged, a gap grown, widows
raised) is kept by the element's place in document order, not by the element: the next
layout parses the HTML again (a picture resized changes attributes, never the elements
or their order), and the layout cache replays the places for the same document.
"""

from __future__ import annotations

from typing import Any


def add_styles(source: Any, styles: dict[int, str]) -> None:
    """Append each declaration to the ``style`` of the element at its place in ``source``
    (a ``weasyprint.HTML``)."""
    if not styles:
        return
    for index, element in enumerate(source.etree_element.iter()):
        if index in styles:
            style = element.get("style")
            element.set("style", f"{style}; {styles[index]}" if style else styles[index])
