"""An article's links that open a page alone, and the paragraph lines that then go with them.

An article's links ("Download the report (PDF, 4.2 MB) →") may go overleaf from its text
(``.links { break-before: auto }`` in style.css.j2: glued to the body always, a short
article could not break at all and its picture went overleaf, generated seed 8506). But a
line of links at a page's top, under the running head, with all of its article's text on
the page before, reads as a line left over (hand-made issue 2027-01: "Download the report
(PDF, 4.2 MB) →" alone atop page 7). After a layout this module finds such links whose
article's last paragraph ends the page before in four lines or more; the next layout
keeps them with that paragraph (``break-before: avoid``), and WeasyPrint carries its last
two lines (``widows``) over with them. Decisions are kept by element place, like
address_breaks' widows, and replayed by the layout cache.
"""

from __future__ import annotations

import itertools
from typing import Any

from newsletter.render.address_breaks import lines_of
from newsletter.render.element_styles import add_styles
from newsletter.render.page_fit import classes_of

CARRIED_LINES = 2
"""The lines of the paragraph above that go over with the links (the paragraphs' widows)."""


def lone_links(source: Any, document: Any) -> set[int]:
    """The places, in ``source`` (a ``weasyprint.HTML``) laid out as ``document``, of the
    article links lists that open a page while their article's last paragraph, of at least
    ``2 * CARRIED_LINES`` lines, ends the page before. Runs after every layout: only a
    page whose first line is a list item is looked at further (the document's map of
    parents is made then, once)."""
    root = source.etree_element
    parents: dict[Any, Any] = {}
    found: set[int] = set()
    for before, page in itertools.pairwise(document.pages):
        first = next(lines_of(page._page_box), None)
        if first is None or first.element is None or first.element.tag != "li":
            continue
        if not parents:
            parents = {child: parent for parent in root.iter() for child in parent}
        links = parents.get(first.element)
        if links is None or "links" not in classes_of(links):
            continue
        previous = list(lines_of(before._page_box))
        last = previous[-1].element if previous else None
        article = _ancestor(links, parents, "article")
        if article is None or last is None \
                or _ancestor(last, parents, "article") is not article:
            continue
        if sum(line.element is last for line in previous) >= 2 * CARRIED_LINES:
            found.add(next(index for index, element in enumerate(root.iter())
                           if element is links))
    return found


def _ancestor(element: Any, parents: dict[Any, Any], name: str) -> Any | None:
    """The nearest element around ``element`` with the class ``name``."""
    while element is not None and name not in classes_of(element):
        element = parents.get(element)
    return element


def set_glued(source: Any, places: set[int]) -> None:
    """Keep the links lists at these places of ``source`` with the lines above them."""
    add_styles(source, dict.fromkeys(places, "break-before: avoid"))
