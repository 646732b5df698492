"""Addresses that a page break cuts in two, and the paragraphs that then break a line earlier;
addresses broken across lines that would fit one whole; and addresses with a piece wider
than their line, broken at their dots.

A long address in running text breaks across lines after its slashes and before its
hyphens, as it should; but when that line break is also a page's end, the address's
first part ends one page and its rest opens the next, under the running head: a reader
copying it from the PDF gets the head and the page number in the middle ('https://life'
/ '3/5 Business Kraków · July 2020' / '-science.example.com/…', generated seed 9107), and
a reader typing it turns the page mid-address. After a layout this module finds such
paragraphs; the next layout gives each more ``widows`` (CSS: the lines a paragraph must
carry over to the next page), as many as move the whole address over, and WeasyPrint
breaks the page before the address's first line instead. Decisions are kept by element
place (like word_gaps' ragged paragraphs) and replayed by the layout cache.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from newsletter.render.element_styles import add_styles
from newsletter.render.page_fit import classes_of

_ADDRESS = {"url", "address"}
"""Classes of an address's element (a link set as its address, a printed address)."""


def addresses_across_pages(source: Any, document: Any) -> dict[int, int]:
    """The paragraphs (and table cells) of ``source`` (a ``weasyprint.HTML``) laid out in
    ``document`` whose lines a page's end cuts inside an address (whatever comes between
    them: a table's header repeated), as their places in document order, each with the
    ``widows`` that carries the address whole to the next page: its lines on that page
    and the address's lines above the break."""
    places = {element: index for index, element in enumerate(source.etree_element.iter())}
    found: dict[int, int] = {}
    pages = [_by_element(lines_of(page._page_box)) for page in document.pages]
    for before, after in itertools.pairwise(pages):
        for element in before.keys() & after.keys():  # a paragraph, a cell, on both pages
            if element not in places:
                continue
            lines, carried = before[element], after[element]
            address = _address_at(lines[-1], end=True)
            if address is None or address is not _address_at(carried[0], end=False):
                continue
            above = 0  # the address's lines on the page before (it may take several)
            for line in reversed(lines):
                if address not in _addresses(line):
                    break
                above += 1
            found[places[element]] = len(carried) + above
    return found


Key = tuple[str, int]
"""An address kept whole: its text and how many addresses of that text come before it in
the issue's body. Not its element's place: the cover's contents, which page fitting and
cover fitting change, come before it (places shifted by a shortened contents set the
``nowrap`` on paragraphs, and whole lines ran off the page: generated seed 9387)."""


def addresses_that_fit(source: Any, document: Any) -> set[Key]:
    """The addresses of ``source`` (a ``weasyprint.HTML``) that ``document`` breaks across
    lines of one paragraph, cell or card although each would fit one of its lines whole
    (see :data:`Key`): the next layout keeps them whole (:func:`set_whole`), on the next
    line.

    An address breaks where it must, never where it need not: 'karta' / '@um.krakow.pl'
    in a card (the first part reads as the Polish word, the rest as a fragment) and
    'maria.lis' / '@kultura.krakow.pl' ended lines although either fitted the line below
    (hand-made issue 2025-09). The break before '@' and after '/' is for addresses wider
    than their column (generated seed 9283)."""
    return addresses_set(source, document)[0]


def addresses_past_their_block(source: Any, document: Any) -> set[Key]:
    """The addresses of ``source`` that ``document`` sets past the right edge of their
    paragraph, cell or card (see :data:`Key`). One kept whole (:func:`set_whole`) breaks
    where it did before rather than run off the page, should WeasyPrint not break a line
    before a ``nowrap`` inline; any other has a piece between its breaks wider than its
    line, which the next layout breaks at its dots (:func:`set_narrow`)."""
    return addresses_set(source, document)[1]


def addresses_set(source: Any, document: Any) -> tuple[set[Key], set[Key]]:
    """:func:`addresses_that_fit` and :func:`addresses_past_their_block` from one reading
    of the layout's lines, which page fitting needs after every layout."""
    keys = _address_keys(source.etree_element)
    fit: set[Key] = set()
    past: set[Key] = set()
    for page in document.pages:
        for block, lines in _blocks_of_lines(page._page_box):
            right = block.content_box_x() + block.width + 1
            pieces: dict[Any, list[tuple[int, float]]] = {}
            for number, line in enumerate(lines):
                for text, around in _texts(line, ()):
                    address = _address_of(around)
                    if address is None or not text.text.strip():
                        continue
                    pieces.setdefault(address, []).append((number, text.width))
                    if address in keys and text.position_x + text.width > right:
                        past.add(keys[address])
            for address, parts in pieces.items():
                whole = sum(part for _, part in parts) + _ROOM_AFTER_PX
                if len({number for number, _ in parts}) > 1 and whole <= block.width \
                        and address in keys:
                    fit.add(keys[address])
    return fit, past


NARROWEST = 2
"""How far an address wider than its line is broken (:func:`set_narrow`): 1, after its dots
too; 2, at any letter."""


def set_narrow(source: Any, addresses: dict[Key, int]) -> None:
    """Break these addresses of ``source`` where they never break in a line that holds their
    pieces (before it is laid out): at 1, after each dot followed by a letter or digit (where
    LaTeX's url package breaks, and a crowded table's cells do: render/table_columns.py); at
    2, at any letter too. Generated seed 9834 (en): in a row of three cards, a list nested
    three deep left 'invest' / '@jestemaktywny.krakow.pl' a line narrower than the piece
    after its '@' (24 characters, under typography.LONG_PIECE), which ran across the gap
    over the next card's text. A zero-width space is what WeasyPrint sets a ``<wbr>`` as;
    written into the text, it adds no element, so the decisions kept by element place
    still find theirs."""
    if not addresses:
        return
    for element, key in _address_keys(source.etree_element).items():
        level = addresses.get(key, 0)
        if not level:
            continue
        for inner in element.iter():
            inner.text = _dots_broken(inner.text)
            if inner is not element:
                inner.tail = _dots_broken(inner.tail)
        if level >= NARROWEST:
            style = element.get("style")
            element.set("style", f"{style}; overflow-wrap: anywhere" if style
                        else "overflow-wrap: anywhere")


def _dots_broken(text: str | None) -> str | None:
    return re.sub(r"\.(?=\w)", ".\u200b", text) if text else text


_ROOM_AFTER_PX = 8
"""Kept beside an address that would fit a line: the full stop or comma after it, which
no break parts from it."""


def set_whole(source: Any, addresses: set[Key]) -> None:
    """Keep these addresses of ``source`` on one line (before it is laid out)."""
    if not addresses:
        return
    for element, key in _address_keys(source.etree_element).items():
        if key in addresses:
            style = element.get("style")
            element.set("style", f"{style}; white-space: nowrap" if style
                        else "white-space: nowrap")


def _address_keys(root: Any) -> dict[Any, Key]:
    """The address elements of the issue's body (``<main>``), each with its :data:`Key`."""
    main = next(root.iter("main"), None)
    keys: dict[Any, Key] = {}
    seen: dict[str, int] = {}
    for element in main.iter() if main is not None else ():
        if _ADDRESS & classes_of(element):
            text = "".join(element.itertext()).replace("\u200b", "")  # set_narrow's
            keys[element] = (text, seen.get(text, 0))
            seen[text] = seen.get(text, 0) + 1
    return keys


def _blocks_of_lines(box: Any) -> Iterator[tuple[Any, list[Any]]]:
    """Each block of a page's text that holds lines (a paragraph, a cell, a card's text),
    with its lines; its width is what a line may take. Not the running head and foot."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return
    children = getattr(box, "children", None) or ()
    lines = [child for child in children if isinstance(child, boxes.LineBox)]
    if lines:
        yield box, lines
    for child in children:
        if not isinstance(child, boxes.LineBox):
            yield from _blocks_of_lines(child)


def _by_element(lines: Iterator[Any]) -> dict[Any, list[Any]]:
    """A page's lines by the element (paragraph, cell) they belong to, in order."""
    found: dict[Any, list[Any]] = {}
    for line in lines:
        if line.element is not None:
            found.setdefault(line.element, []).append(line)
    return found


def set_widows(source: Any, widows: dict[int, int]) -> None:
    """Give the paragraphs at these places of ``source`` their ``widows`` (before it is
    laid out)."""
    add_styles(source, {place: f"widows: {count}" for place, count in widows.items()})


def lines_of(box: Any) -> Iterator[Any]:
    """The line boxes of a page's text, in order (a two-column body's columns one after
    the other, as WeasyPrint lays them out); not its running head and foot."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return
    if isinstance(box, boxes.LineBox):
        yield box
        return
    for child in getattr(box, "children", None) or ():
        yield from lines_of(child)


def _addresses(line: Any) -> list[Any]:
    """The address elements a line's text belongs to, in order."""
    found: list[Any] = []
    for text, around in _texts(line, ()):
        address = _address_of(around)
        if text.text.strip() and address is not None and address not in found:
            found.append(address)
    return found


def _address_at(line: Any, end: bool) -> Any | None:
    """The address the line's last (``end``) or first piece of text belongs to, if any."""
    texts = [(text, around) for text, around in _texts(line, ()) if text.text.strip()]
    if not texts:
        return None
    _, around = texts[-1] if end else texts[0]
    return _address_of(around)


def _address_of(around: tuple[Any, ...]) -> Any | None:
    """The innermost address element among the elements around a piece of text."""
    return next((e for e in reversed(around) if _ADDRESS & classes_of(e)), None)


def _texts(box: Any, around: tuple[Any, ...]) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    from weasyprint.formatting_structure import boxes

    element = getattr(box, "element", None)
    if element is not None and (not around or around[-1] is not element):
        around = (*around, element)
    if isinstance(box, boxes.TextBox):
        yield box, around
        return
    for child in getattr(box, "children", None) or ():
        if isinstance(child, (boxes.TextBox, boxes.InlineBox)):
            yield from _texts(child, around)
