"""A short page's leftover space spread between its blocks and paragraphs (vertical
justification), when nothing else can fill it.

Page fitting (render/page_fit.py) fills a page that ends early by resizing a picture,
moving one below its article's first paragraphs, splitting a row of cards or setting a
section tight. Some pages have nothing of the kind: no picture on them, and what comes next
cannot break (a short letter, which keeps its greeting, body, closing and signature
together; a section's opening with a long lead). Such a page used to end at half or two
thirds of its height with the rest blank. This module does what a magazine's layout does
then, and what InDesign calls vertical justification: the page's leftover space is shared
out between its blocks (and sections, and rows of cards or figures) and, a little,
between the paragraphs of its articles and letters, until its last line is
:data:`FILLED` down its text area, within limits that keep the page looking set, not
stretched:

- a gap between blocks or sections grows by at most :data:`BLOCK_MM`, between rows of
  cards or figures by :data:`ROW_MM`, between paragraphs (and above a letter's closing
  and its signature) by :data:`PARAGRAPH_MM`, between the items of a list in an
  article's body by :data:`ITEM_MM`, and a row of a table in it by :data:`CELL_MM`
  (its cells' padding, above and below the text alike, so the row's rule stays midway);
- block gaps take three shares of the space for each a paragraph gap takes (rows two,
  list items and table rows half a share): a page of lists and tables, with few
  paragraphs, has room to give too (generated seed 9205: an article of a list, a table
  of seven rows, footnotes and links, before a section whose opening could not come up,
  stayed at 0.73 with its three paragraph gaps grown to their cap);
- in a two-column article's body a gap counts half: the columns are balanced, so what
  its gaps grow lengthens each column by half of it; a page that is such an article's
  end before a block that cannot come up (a short letter, an article whose picture will
  not shrink enough) was left under 0.75 with nothing to spread (test_past_opening's
  seven paragraphs: 0.73; test_block_ends' portrait after 108-116 words: 0.74). There
  a gap grows below the element above it (:func:`set_spread`), so the columns' tops
  stay level; they are not squeezed (:func:`squeezes`);
- a page that its gaps, grown to their caps, leave short of what a reader takes for full
  stretches them further, up to half as far again, and only that far (:data:`STRETCH`);
- a page that its gaps, stretched so, still leave short (few paragraphs for its lines:
  the end of a two-column article, whose gaps count half, before an article whose start
  cannot come up) sets its paragraphs' lines a little apart, by the same amount each,
  at most :data:`LEADING_MM` more a line (what InDesign's vertical justification calls
  feathering); only paragraphs of an article's or a letter's body that begin and end on
  the page (generated seed 9844, en: page 33 ended a two-column article of six
  paragraphs, its five gaps at 7 mm, at 0.74);
- nothing moves inside cards, a table's cells or a footnote;
- the first thing on the page, a section set tight (page_fit.Tighten) and whatever
  follows a heading, a lead or a greeting (which belong with it) keep theirs;
- only inner pages (not the cover, not the last page) whose next page goes on with the
  issue's sections (not the printer's notes pages or back cover) are spread.

The reverse, for one page (:func:`squeezes`): the page before a last page that holds
only the contact gives up some of its gaps so that the contact comes back to it.

Each grown gap is an element's new ``margin-top`` (its old gap plus its share), kept by
the element's place in the document (like word_gaps' ragged paragraphs), so it is
replayed by the layout cache and survives a picture's resize on a later page. A
paragraph's new line height is kept the same way, under the negative place
:func:`leading_place` gives (the paragraph's own place may hold the gap above it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from newsletter.render.element_styles import add_styles
from newsletter.render.page_fit import MIN_DEPTH, MM_PER_PX, classes_of, depth, text_area

BLOCK_MM = 12.0
"""The most a gap between two blocks or sections grows (9–10 mm become at most 21–22)."""
ROW_MM = 6.0
"""The most a gap between two rows of cards or figures grows (4 mm become at most 10)."""
PARAGRAPH_MM = 3.0
"""The most a gap between two paragraphs of a body grows (2.5 mm become at most 5.5)."""
ITEM_MM = 1.5
"""The most the gap between two items of a list grows (0 become at most 1.5)."""
CELL_MM = 2.0
"""The most a table row's cells' vertical padding grows (2 mm become at most 4: 1 mm more
above the text and 1 mm more below it)."""
WEIGHTS = {"block": 3.0, "row": 2.0, "paragraph": 1.0, "item": 0.5, "cell": 0.5}
CAPS = {"block": BLOCK_MM, "row": ROW_MM, "paragraph": PARAGRAPH_MM, "item": ITEM_MM,
        "cell": CELL_MM}
FILLED = 0.85
"""How far down its text area a spread page's content is to reach: past page fitting's
:data:`~newsletter.render.page_fit.MIN_DEPTH` with a little to spare, and no further (a
page stretched to its foot shows its stretching; the space left is an ordinary foot)."""
STRETCH = 1.5
STRETCHED = 0.77
"""A page whose gaps, grown to their caps, leave it short of :data:`STRETCHED` (on
WeasyPrint's boxes; a reader's 0.75, measured from the glyphs, with a little to spare)
grows them up to :data:`STRETCH` times their caps, only as far as that depth. Generated
seed 9764 en page 4 (the end of a card group and an article of a long paragraph, a list
and one more paragraph, before a section whose opening with a table could not come up)
had every gap at its cap and stayed at 0.74; the 2 mm it lacked, shared by weight, are
unseen (a block gap 2 mm more, a paragraph's 0.7)."""
LEADING_MM = 0.35
"""The most a paragraph's lines are set further apart, in mm a line (1 pt: 14 pt become
15, about 7 %: seen, it reads as a slightly looser text, not as a gap)."""
_KEEP = {"card", "figure", "colophon", "cover"}
"""Classes of elements inside which (or on which) no gap grows."""
_HEADS = {"section-title", "section-heading", "intro", "block-head", "kicker", "lead", "ask",
          "greeting"}
"""What stays close to what follows it: no gap below these grows (nor below a heading)."""


def spreads(source: Any, document: Any, done: dict[int, float]) -> dict[int, float]:
    """New ``margin-top``s, in mm, by element place in ``source`` (a ``weasyprint.HTML``
    laid out as ``document``), for every short inner page that has gaps to grow and none
    grown yet (``done``); empty when there is none."""
    places = {element: index for index, element in enumerate(source.etree_element.iter())}
    found: dict[int, float] = {}
    pages = document.pages
    for index in range(1, len(pages) - 1):
        page = pages[index]._page_box
        if depth(page) >= MIN_DEPTH or not _goes_on(pages[index + 1]._page_box):
            continue
        gaps = [(places[gap.element], gap) for gap in _gaps(page) if gap.element in places]
        shared = {*_elements(pages[index - 1]._page_box), *_elements(pages[index + 1]._page_box)}
        lined = [(places[text.element], text) for text in _lined(page)
                 if text.element in places and text.element not in shared]
        if not (gaps or lined) or any(place in done for place, _ in gaps) \
                or any(leading_place(place) in done for place, _ in lined):
            continue
        top, bottom = text_area(page)
        height_mm = (bottom - top) * MM_PER_PX
        kinds, effects = [gap.kind for _, gap in gaps], [gap.effect for _, gap in gaps]
        shares = _shares(kinds, (FILLED - depth(page)) * height_mm, effects)
        short_mm = (STRETCHED - depth(page)) * height_mm
        grown_mm = sum(share * effect for share, effect in zip(shares, effects, strict=True))
        if grown_mm < short_mm:  # the caps leave the page short: stretch them, that far only
            shares = _shares(kinds, short_mm, effects, STRETCH)
            grown_mm = sum(share * effect for share, effect in zip(shares, effects, strict=True))
        found.update({place: round(gap.mm + share, 2)
                      for (place, gap), share in zip(gaps, shares, strict=True)
                      if share >= 0.1})
        lines = sum(text.lines * text.effect for _, text in lined)
        if grown_mm < short_mm - 0.5 and lines:  # … and still short: the lines feathered
            added_mm = min(LEADING_MM, (short_mm - grown_mm) / lines)
            if added_mm >= 0.05:
                found.update({leading_place(place): round(text.line_mm + added_mm, 2)
                              for place, text in lined})
    return found


def leading_place(place: int) -> int:
    """The key under which a paragraph's new line height is kept in a spread's places
    (negative: the paragraph's own place may hold the gap above it)."""
    return -1 - place


SQUEEZE_MM = {"block": 5.0, "row": 2.0, "paragraph": 1.0, "item": 0.0, "cell": 0.0}
"""The most a gap of each kind gives up for the colophon (:func:`squeezes`): 9 mm between
blocks become 4 (as above a compact colophon), 4 between rows 2, 2.5 between paragraphs
1.5."""


def squeezes(source: Any, document: Any) -> dict[int, float]:
    """New, smaller ``margin-top``s, in mm by element place, for the page before a last
    page that holds only the colophon, when that page's gaps can give the room the colophon
    needs there (each its share of :data:`SQUEEZE_MM`); empty otherwise.

    The contact alone on a last page looks like a mistake. Page fitting sets it compact,
    then shortens a picture of the page before or carries its last block over; a page of
    running text with neither (hand-made issue 2025-05, 13.5 mm missing) gives the room
    from its gaps instead, the reverse of spreading. A gap is at least the bottom margin
    above it (margins collapse: a smaller ``margin-top`` alone changed nothing), so a
    gap squeezed below that margin gets a negative ``margin-top`` for the difference."""
    from newsletter.render.page_fit import colophon_excess_mm

    excess_mm = colophon_excess_mm(document.pages)
    if excess_mm is None or excess_mm <= 0:
        return {}
    places = {element: index for index, element in enumerate(source.etree_element.iter())}
    margins: dict[Any, float] = {}
    gaps = [gap for gap in _gaps(document.pages[-2]._page_box, margins)
            if gap.element in places and SQUEEZE_MM[gap.kind] > 0 and gap.effect == 1]
    room_mm = sum(min(SQUEEZE_MM[gap.kind], gap.mm) for gap in gaps)
    if room_mm < excess_mm:
        return {}
    found = {}
    for gap in gaps:
        target = gap.mm - min(SQUEEZE_MM[gap.kind], gap.mm) * excess_mm / room_mm
        above = margins.get(gap.element, 0.0)
        found[places[gap.element]] = round(target if target >= above else target - above, 2)
    return found


def set_spread(source: Any, margins: dict[int, float]) -> None:
    """Give the elements at these places of ``source`` their new ``margin-top`` (before
    it is laid out); a table row's value is its cells' vertical padding, shared above and
    below their text. In a two-column body the gap is the ``margin-bottom`` of the
    element before instead: WeasyPrint keeps a margin-top at the top of a column (it
    truncates one only at a page's), and the balanced columns, once their gaps grow, may
    start the second column with that element, below the first column's top; a
    margin-bottom at a column's foot shows nothing."""
    if not margins:
        return
    elements = list(source.etree_element.iter())
    places = {element: index for index, element in enumerate(elements)}
    parents = {child: parent for parent in elements for child in parent}
    styles: dict[int, list[str]] = {}
    for place, mm in margins.items():
        if place < 0:  # a paragraph's line height (:func:`leading_place`)
            styles.setdefault(leading_place(place), []).append(f"line-height: {mm:g}mm")
            continue
        element = elements[place]
        before = _previous(parents.get(element), element)
        if element.tag == "tr":
            for cell in element:
                if cell.tag in ("td", "th"):
                    styles.setdefault(places[cell], []).append(
                        f"padding-top: {mm / 2:g}mm; padding-bottom: {mm / 2:g}mm")
        elif before is not None and _in_columns(element, parents):
            styles.setdefault(places[before], []).append(f"margin-bottom: {mm:g}mm")
        else:
            styles.setdefault(place, []).append(f"margin-top: {mm:g}mm")
    add_styles(source, {place: "; ".join(found) for place, found in styles.items()})


def _previous(parent: Any, element: Any) -> Any:
    """The sibling element before ``element`` (``None`` for a first child)."""
    siblings = list(parent) if parent is not None else []
    index = siblings.index(element) if element in siblings else 0
    return siblings[index - 1] if index else None


def _in_columns(element: Any, parents: dict[Any, Any]) -> bool:
    """Whether ``element`` is inside a two-column body (``.long .body``)."""
    node = parents.get(element)
    while node is not None:
        parent = parents.get(node)
        if "body" in classes_of(node) and parent is not None and "long" in classes_of(parent):
            return True
        node = parent
    return False


def _shares(kinds: list[str], room_mm: float, effects: list[float] | None = None,
            stretch: float = 1.0) -> list[float]:
    """Each gap's growth: ``room_mm`` shared by :data:`WEIGHTS`, none past its cap times
    ``stretch`` (what a capped gap cannot take goes to the others). ``effects``: how much
    of its growth each gap adds to the page's depth (half in balanced columns; 1 by
    default)."""
    if room_mm <= 0 or not kinds:
        return [0.0] * len(kinds)
    effects = effects or [1.0] * len(kinds)
    caps = [CAPS[kind] * stretch for kind in kinds]
    low, high = 0.0, 2 * room_mm  # mm per unit of weight
    for _ in range(40):
        middle = (low + high) / 2
        total = sum(min(cap, WEIGHTS[kind] * middle) * effect
                    for kind, cap, effect in zip(kinds, caps, effects, strict=True))
        low, high = (middle, high) if total < room_mm else (low, middle)
    return [min(cap, WEIGHTS[kind] * low) for kind, cap in zip(kinds, caps, strict=True)]


def _goes_on(page_box: Any) -> bool:
    """Whether the page holds the issue's sections (not only the printer's notes pages
    or back cover, where the issue's text has ended)."""
    return any("section" in classes_of(element) for element in _elements(page_box))


def _elements(box: Any) -> Iterator[Any]:
    element = getattr(box, "element", None)
    if element is not None:
        yield element
    for child in getattr(box, "children", None) or ():
        yield from _elements(child)


class Gap(NamedTuple):
    """A gap that may grow: the element below it, the gap in mm as laid out, its kind (a
    key of :data:`WEIGHTS`) and how much of its growth the page's depth gains (half in a
    two-column body, whose balanced columns share it)."""

    element: Any
    mm: float
    kind: str
    effect: float = 1.0


class Placed(NamedTuple):
    """A block on the page as :func:`_walk` meets it: its box, the block box before it
    among its siblings (None for the first), the element of the box holding it, whether
    it is inside something nothing moves in (``kept``: a card, a figure, a table…) or is
    one itself (``inside``), and whether it is inside an article's body (not its
    footnotes) and in a two-column one."""

    box: Any
    before: Any
    parent: Any
    kept: bool
    inside: bool
    in_body: bool
    columns: bool


def _walk(page_box: Any) -> Iterator[Placed]:
    """The page's block boxes, top to bottom and outside in, each with where it stands
    (:class:`Placed`): the one reading of the page that :func:`_gaps` and :func:`_lined`
    share, so what keeps its gaps keeps its lines too."""
    from weasyprint.formatting_structure import boxes

    held = (boxes.TableBox, boxes.TableRowGroupBox, boxes.TableRowBox)

    def visit(box: Any, kept: bool, in_body: bool, columns: bool) -> Iterator[Placed]:
        children = [child for child in getattr(box, "children", None) or ()
                    if isinstance(child, boxes.BlockLevelBox)]
        parent = getattr(box, "element", None)
        for before, child in zip([None, *children], children, strict=False):
            classes = classes_of(child.element)
            inside = kept or bool(_KEEP & classes) or isinstance(child, held)
            yield Placed(child, before, parent, kept, inside, in_body, columns)
            # footnotes are set close, as they are
            yield from visit(child, inside,
                             (in_body or "body" in classes) and "footnotes" not in classes,
                             columns or ("body" in classes and parent is not None
                                         and "long" in classes_of(parent)))

    yield from visit(page_box, False, False, False)


def _gaps(page_box: Any, margins: dict[Any, float] | None = None) -> list[Gap]:
    """The gaps that may grow on the page, top to bottom: the element below each, the
    gap above it in mm as laid out, and its kind (block, row, paragraph or item); and
    the rows of a table in an article's body, each with its cells' vertical padding (kind
    cell). ``margins``, if given, gets each gap's element with the bottom margin of the box
    above it in mm (what the gap is at least, margins collapsing)."""
    from weasyprint.formatting_structure import boxes

    found: list[Gap] = []
    above: dict[Any, float] = {} if margins is None else margins
    for placed in _walk(page_box):
        child, before = placed.box, placed.before
        element = child.element
        effect = 0.5 if placed.columns else 1.0
        kind = _kind(element, placed.parent, placed.in_body)
        if before is not None and kind and not placed.inside \
                and element is not before.element and not _heads(before.element) \
                and "tight" not in classes_of(element):
            gap = child.border_box_y() - (before.border_box_y() + before.border_height())
            found.append(Gap(element, gap * MM_PER_PX, kind, effect))
            above[element] = before.margin_bottom * MM_PER_PX
        if isinstance(child, boxes.TableBox) and placed.in_body and not placed.kept:
            found.extend(row._replace(effect=effect) for row in _rows(child))
    return found


class Lined(NamedTuple):
    """A paragraph (or a list item) of a body on the page: its lines there, their height
    in mm as laid out, and how much of their growth the page's depth gains (half in a
    two-column body)."""

    element: Any
    lines: int
    line_mm: float
    effect: float = 1.0


def _lined(page_box: Any) -> list[Lined]:
    """The paragraphs and list items of articles' and letters' bodies on the page, with
    their lines (none inside cards, tables or footnotes, as for :func:`_gaps`)."""
    from weasyprint.formatting_structure import boxes

    found: list[Lined] = []
    for placed in _walk(page_box):
        child = placed.box
        lines = [line for line in child.children if isinstance(line, boxes.LineBox)] \
            if isinstance(child, boxes.BlockContainerBox) else []
        if lines and placed.in_body and not placed.inside and child.element.tag in ("p", "li"):
            found.append(Lined(child.element, len(lines),
                               min(line.height for line in lines) * MM_PER_PX,
                               0.5 if placed.columns else 1.0))
    return found


def _rows(table: Any) -> list[Gap]:
    """A table's rows on the page, each with its cells' vertical padding in mm as styled
    (the laid-out padding holds what vertical alignment adds to a short cell)."""
    found = []
    for group in table.children:
        for row in group.children:
            cells = row.children
            if cells:
                padding = max(_px(cell.style["padding_top"]) + _px(cell.style["padding_bottom"])
                              for cell in cells)
                found.append(Gap(row.element, padding * MM_PER_PX, "cell"))
    return found


def _px(length: Any) -> float:
    return float(length.value) if getattr(length, "unit", None) == "px" else 0.0


def _heads(element: Any) -> bool:
    return element.tag in {"h1", "h2", "h3", "h4", "h5", "h6"} \
        or bool(_HEADS & classes_of(element))


def _kind(element: Any, parent: Any, in_body: bool) -> str | None:
    classes = classes_of(element)
    if classes & {"block", "section"}:
        return "block"
    if classes & {"card-grid", "figure-grid"}:
        return "row"
    if parent is not None and "body" in classes_of(parent):
        return "paragraph"
    if classes & {"closing", "signature"}:  # a letter's: more room above them reads well
        return "paragraph"
    if element.tag == "li" and in_body and parent is not None and parent.tag in ("ul", "ol"):
        return "item"  # an item of a list in an article's body (a nested list's too)
    return None
