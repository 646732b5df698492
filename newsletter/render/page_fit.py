"""Pages that end too early, and the one picture whose height would fill them.

CSS breaks whole: an article's head, lead, picture and first lines travel together
(style.css.j2), so when they do not fit a page's foot they all move over and leave a gap.
WeasyPrint has no page floats, so after a layout this module looks at each page that ends
above :data:`MIN_DEPTH` of its text area and picks one article picture to resize:

1. the picture of the article that opens the next page, made just short enough for that
   article's start to fit the gap (never below :data:`SMALLEST_MM`); else, when even that
   is too tall but the article's head, lead and two lines fit, that picture set below as
   many of the article's paragraphs as fill the gap (:class:`Move`: the text starts on the
   short page, the picture follows it with its caption); else
2. when a card or figure row (which never breaks) opens the next page, the last article
   picture on the short page, or else the pictures of its last row of cards with pictures,
   made short enough for that row to move up; else, when that row's cards have pictures,
   those pictures made short enough for the row to move up (:class:`Shrink`, never below
   :data:`SMALLEST_CARD_MM`); else, when nothing can make that row of cards short enough
   (cards of text alone, or pictures already at their smallest), that row's cards set one
   under the other, each across the text area and breakable (:class:`Split`: wider, each
   card is shorter; the first ones fill the gap and a card's title stays with two lines of
   its text), instead of leaving the gap; else
3. when the short page is the last before the printed booklet's back cover, the last
   article picture on the page before made short enough for all of it to move back; else
4. the last article picture on the short page made taller by the gap (up to the column's
   width and :data:`TALLEST_MM`), which pushes the text after it down the page.

And when the readers' PDF ends on a page holding only its colophon (the contact), the last
article picture of the page before is made short enough for the colophon to move back.

What must come with a picture that opens a page is measured on the layout (its caption,
subheadings, two lines of text: :func:`_glued_below_mm`), not assumed.

The caller lays the document out again with the new height; one page is fixed per pass,
from the first, because every change moves what follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MIN_DEPTH = 0.8
"""A page (not the cover, not the last) is full enough when its content reaches this share
of its text area's height (the issue asks 0.75; measured from the PDF's glyph boxes a page
reads a little shallower than from WeasyPrint's line boxes)."""
SMALLEST_MM = 35  # a picture is not shrunk below this height to fill a page (about half its 75)
TALLEST_MM = 130  # nor grown past it
FOLLOWING_MM = 30  # what must follow a picture (up to 3 lines, margins) and the block margin above
SECTION_GAP_MM = 10  # .section + .section margin, dropped at a page's top, not at its foot
BLOCK_GAP_MM = 9  # .block's bottom margin, which the block before leaves at a page's foot
SLACK_MM = 3  # a resize aims this much short of the gap: a layout to the point may not fit
RETRY_MM = 5  # a picture shrunk to the measure whose article still opens the next page: less
MM_PER_PX = 25.4 / 96


@dataclass(frozen=True)
class Resize:
    """Set the article picture placed at ``source`` (its ``<img>``'s ``data-place``, see
    :func:`_place`) ``height_mm`` tall."""

    source: str
    height_mm: float


@dataclass(frozen=True)
class Move:
    """Set the article picture placed at ``source`` after the first ``paragraphs``
    top-level elements of its article's body instead of above it."""

    source: str
    paragraphs: int


@dataclass(frozen=True)
class Shrink:
    """Set the card pictures placed at ``sources`` (one row of cards) at most
    ``height_mm`` tall."""

    sources: tuple[str, ...]
    height_mm: float


@dataclass(frozen=True)
class Split:
    """Set row ``row`` (0 first, ``data-row``) of the card block whose id is ``block`` as
    one card per row, each of which may break across pages (paper_grids.split_rows)."""

    block: str
    row: int


COLOPHON_GAP_MM = 12  # .colophon's top margin (style.css.j2)
COLOPHON_ABOVE_MM = 10  # kept above it beyond that at a page's foot (measured: about 7 mm)
SMALLEST_CARD_MM = 15  # a card's picture is not shrunk below this height to fill a page
CARD_FOOT_MM = 7  # below a card's last line: its padding and the row's margin
ROW_GAP_MM = 4  # between two rows of one block of cards (.card-grid + .card-grid)
PARAGRAPH_GAP_MM = 4  # a paragraph's bottom margin in an article's body
TWO_LINES_MM = 12  # two lines of running text (10 pt on 14.5 pt) and their margin


def _place(picture: Any) -> str:
    """Where a picture is placed (print.Pictures.size writes it as ``data-place``), or,
    from templates that do not write it, its URL: one file set twice is two places."""
    return picture.element.get("data-place") or picture.element.get("src")


def _leaves(box: Any, ancestors: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple]]:
    """Text and replaced boxes of a page (not its running heads), each with the elements
    of the boxes around it, innermost last."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return
    children = getattr(box, "children", None)
    leaf = isinstance(box, (boxes.TextBox, boxes.ReplacedBox)) or not children
    if leaf and getattr(box, "height", None) and not isinstance(box, boxes.PageBox):
        yield box, ancestors
    element = getattr(box, "element", None)
    if element is not None and (not ancestors or ancestors[-1] is not element):
        ancestors = (*ancestors, element)
    for child in children or ():
        yield from _leaves(child, ancestors)


def _article_pictures(page_box: Any) -> list[tuple[Any, Any]]:
    """Pictures set in an article (``article > figure > img``) with their article."""
    found = []
    for box, ancestors in _leaves(page_box):
        if getattr(box, "replacement", None) is None or len(ancestors) < 2:
            continue
        figure, article = ancestors[-1], ancestors[-2]
        if figure.tag == "figure" and "article" in (article.get("class") or "").split():
            found.append((box, article))
    return found


def _starts_on(page_box: Any, article: Any) -> bool:
    """Whether ``article``'s title is drawn on this page (the article starts here)."""
    title = article.find(".//h3")
    return title is not None and any(
        title in ancestors for _, ancestors in _leaves(page_box))


def _first_block(page_box: Any) -> Any:
    """The element of the block (article, cards, figures…) the page's first line or
    picture belongs to, below its section's band and heading; None when there is none."""
    for _, ancestors in sorted(_leaves(page_box), key=lambda leaf: leaf[0].position_y):
        block = next((e for e in ancestors if "block" in (e.get("class") or "").split()), None)
        if block is not None:
            return block
    return None


def _ends_in(page_box: Any, block: Any) -> bool:
    """Whether the page's last line or picture belongs to ``block`` (an element)."""
    last = max(_leaves(page_box), key=lambda leaf: leaf[0].position_y + leaf[0].height,
               default=None)
    return block is not None and last is not None and block in last[1]


def _head_above(page_box: Any, picture: Any, article: Any) -> bool:
    """Whether only ``article``'s head (its title's, kicker's or lead's last lines) is
    above ``picture`` on this page: the article started on the page before, and its
    picture, too tall for what was left there, went over (splitting the lead)."""
    above = [ancestors for box, ancestors in _leaves(page_box)
             if box.position_y + box.height <= picture.position_y + 1]
    return bool(above) and all(
        article in ancestors and not any("body" in (e.get("class") or "").split()
                                         for e in ancestors)
        for ancestors in above)


def _opens_section(page_box: Any) -> bool:
    """Whether the page's first line is a section's band."""
    first = min(_leaves(page_box), key=lambda leaf: leaf[0].position_y, default=None)
    return first is not None and any(
        "section-title" in (element.get("class") or "").split() for element in first[1])


def _opening_card(page_box: Any) -> tuple[Any, tuple, list[tuple[Any, tuple]]] | None:
    """The first card among what opens the page (see :func:`_opening_chunk_mm`) with the
    elements around it, and the page's leaves top to bottom; None when none opens it."""
    leaves = sorted(_leaves(page_box), key=lambda leaf: leaf[0].position_y)
    for _, ancestors in leaves[:40]:
        card = next((e for e in ancestors if "card" in (e.get("class") or "").split()), None)
        if card is None:
            continue
        if any("article" in (e.get("class") or "").split() for e in ancestors):
            return None
        return card, ancestors, leaves
    return None


def _opening_row_pictures(page_box: Any) -> list[tuple[Any, float]]:
    """The card pictures of the row of cards that opens the page, each with how far down
    its card's text reaches; empty when no such row opens it."""
    found = _opening_card(page_box)
    if found is None:
        return []
    card, ancestors, leaves = found
    return _row_of(ancestors[ancestors.index(card) - 1], leaves)


def _row_of(grid: Any, leaves: list[tuple[Any, tuple]]) -> list[tuple[Any, float]]:
    """The pictures of the cards of ``grid`` (a row: paper_grids sets one grid per row)
    drawn on this page, each with how far down its card reaches; a card without a
    picture as ``(None, its bottom)``."""
    found = []
    for element in grid:
        inside = [box for box, around in leaves if element in around]
        if not inside:
            continue
        bottom = max(box.position_y + box.height for box in inside)
        pictures = [box for box in inside if getattr(box, "replacement", None) is not None]
        found += [(box, bottom) for box in pictures] or [(None, bottom)]
    return found


def _opening_split(page_box: Any) -> Split | None:
    """The row of cards that opens the page as a :class:`Split`; None when no such row
    opens it, it breaks already (a single tall card, or a row split before) or its block
    has no id."""
    found = _opening_card(page_box)
    if found is None:
        return None
    card, ancestors, _ = found
    grid = ancestors[ancestors.index(card) - 1]
    block = next((e for e in ancestors if "block" in (e.get("class") or "").split()), None)
    key = None if block is None else block.get("aria-labelledby") or block.get("id")
    row = grid.get("data-row") or ""
    if "breakable" in (grid.get("class") or "").split() or key is None or not row.isdigit():
        return None
    return Split(key, int(row))


def _opening_chunk_mm(page_box: Any) -> float | None:
    """How far down the page the first card or figure (which never breaks) reaches, when
    one is among what opens it (the head of its block before it), in mm; else None."""
    leaves = sorted(_leaves(page_box), key=lambda leaf: leaf[0].position_y)
    for _, ancestors in leaves[:40]:
        unbreakable = next((e for e in ancestors if {"card", "figure"}
                            & set((e.get("class") or "").split())), None)
        if unbreakable is None:
            continue
        if any("article" in (e.get("class") or "").split() for e in ancestors):
            return None  # an article's text comes first: it can break
        # the whole row: every card or figure of the same grid (a row is as tall as its
        # tallest cell; the grid is the unbreakable's parent box's element)
        grid = next(e for e in reversed(ancestors[:ancestors.index(unbreakable)]))
        row_top = min(box.position_y for box, around in leaves if unbreakable in around)
        cells = {id(e) for box, around in leaves if grid in around
                 for e in around if e in list(grid) and box.position_y < row_top + 20}
        bottom = max(box.position_y + box.height for box, around in leaves
                     if any(id(e) in cells for e in around))
        return (bottom - _area(page_box)[0]) * MM_PER_PX
    return None


def _moved_below_text(page_box: Any, picture: Any, article: Any, gap_mm: float,
                      section_mm: float) -> Move | None:
    """``picture`` (opening ``article`` at the top of ``page_box``) set below as many of
    the article's paragraphs as fill ``gap_mm`` on the page before, when its head, lead
    and two lines fit there; None when they do not, or the body has no paragraph to
    put first. The paragraphs' heights are the ones this layout gave them below."""
    leaves = [(box, ancestors) for box, ancestors in _leaves(page_box) if article in ancestors]
    if not leaves:
        return None
    top = min(box.position_y for box, _ in leaves)
    head_mm = (picture.position_y - top) * MM_PER_PX + section_mm
    if head_mm + TWO_LINES_MM > gap_mm - SLACK_MM:
        return None
    spans: dict[int, list[float]] = {}  # the body's top-level elements in order → top, bottom
    order: list[int] = []
    for box, ancestors in leaves:
        inner = ancestors[ancestors.index(article) + 1:]
        body = next((i for i, e in enumerate(inner)
                     if "body" in (e.get("class") or "").split()), None)
        if body is None or body + 1 >= len(inner):
            continue
        key = id(inner[body + 1])
        if key not in spans:
            order.append(key)
            spans[key] = [box.position_y, box.position_y + box.height]
        spans[key][0] = min(spans[key][0], box.position_y)
        spans[key][1] = max(spans[key][1], box.position_y + box.height)
    if not order:
        return None
    filled_mm = head_mm
    for count, key in enumerate(order, start=1):
        start, end = spans[key]
        filled_mm += (end - start) * MM_PER_PX + PARAGRAPH_GAP_MM
        if filled_mm >= gap_mm - SLACK_MM:
            return Move(_place(picture), count)
    return Move(_place(picture), len(order))


_GLUED = {"h1", "h2", "h3", "h4", "h5", "h6", "figcaption"}


def _glued_below_mm(page_box: Any, picture: Any, article: Any) -> float:
    """How much of ``article`` below ``picture`` must come with it, in mm: its caption,
    the subheadings or questions in bold after it (each kept with what follows) and the
    first lines of running text, as this layout set them, and the margin the block
    before leaves; :data:`FOLLOWING_MM` when the page shows fewer.

    The first lines are two (orphans), or the whole paragraph when it has fewer than four
    lines: with two orphans and two widows such a paragraph does not break (an answer of
    three lines came whole, and a picture shrunk for two stayed on the next page)."""
    below = picture.position_y + picture.height
    leaves = [(box, ancestors) for box, ancestors in _leaves(page_box)
              if article in ancestors and box.position_y >= below - 1 and box is not picture]
    left = min((box.position_x for box, _ in leaves), default=0)
    # line (its top, whether in the first column) → its bottom, glued, its paragraph
    lines: dict[tuple[int, bool], tuple[float, bool, Any]] = {}
    for box, ancestors in leaves:
        inside = ancestors[ancestors.index(article):]
        glued = any(e.tag in _GLUED or "ask" in (e.get("class") or "").split()
                    for e in inside)
        paragraph = next((e for e in reversed(inside) if e.tag in _PARAGRAPHS), None)
        # An article set in two columns shows the answer's lines in the second beside the
        # question's in the first: what must come is measured in the first.
        key = (round(box.position_y), box.position_x <= left + page_box.width * 0.45)
        bottom, was_glued, _ = lines.get(key, (0.0, glued, paragraph))
        lines[key] = (max(bottom, box.position_y + box.height), was_glued and glued, paragraph)
    running = [(bottom, paragraph) for (_, first), (bottom, glued, paragraph)
               in sorted(lines.items()) if first and not glued]
    if len(running) < 2:
        return FOLLOWING_MM
    opening = running[0][1]
    count = sum(1 for _, _, paragraph in lines.values() if paragraph is opening)
    last = running[1][0] if opening is None or count >= 4 else \
        max(bottom for bottom, paragraph in running if paragraph is opening)
    return (last - below) * MM_PER_PX + BLOCK_GAP_MM + SLACK_MM


_PARAGRAPHS = {"p", "li", "dd", "dt", "blockquote", "td", "th"}


def _is_back_cover(page_box: Any) -> bool:
    """Whether the page is the printed booklet's back cover (``footer.back-cover``)."""
    return any("back-cover" in (element.get("class") or "").split()
               for _, ancestors in _leaves(page_box) for element in ancestors[:3])


def _pulled_back(previous: Any, page: Any, following: Any, filled: float) -> Resize | None:
    """The last page of content before the back cover, when a little is left on it (a
    figures block that did not fit the foot of the page before): the last article
    picture of the page before made short enough for all of it to move back. The booklet
    then has one page less, which its padding gives back as a notes page (print.py)."""
    theirs = _article_pictures(previous)
    if not theirs or not _is_back_cover(following):
        return None
    top, bottom = _area(page)
    area_mm = (bottom - top) * MM_PER_PX
    room_mm = (1 - depth(previous)) * area_mm
    needed_mm = filled * area_mm + SECTION_GAP_MM + BLOCK_GAP_MM + SLACK_MM
    box = theirs[-1][0]
    height_mm = box.height * MM_PER_PX - (needed_mm - room_mm)
    if SMALLEST_MM <= height_mm < box.height * MM_PER_PX:
        return Resize(_place(box), round(height_mm, 1))
    return None


def _column_width(page_box: Any) -> float:
    """The text area's width in mm."""
    return page_box.width * MM_PER_PX


def _area(page_box: Any) -> tuple[float, float]:
    top = page_box.content_box_y()
    return top, top + page_box.height


def depth(page_box: Any) -> float:
    """How far down its text area a page's content reaches (0–1)."""
    top, bottom = _area(page_box)
    lowest = max((box.position_y + box.height for box, _ in _leaves(page_box)
                  if box.position_y + box.height <= bottom + 1), default=top)
    return (lowest - top) / (bottom - top)


def _colophon_only(page_box: Any) -> bool:
    """Whether everything on the page is the readers' colophon (``footer.colophon``,
    not the printer's back cover): the contact alone on a last page."""
    leaves = list(_leaves(page_box))
    return bool(leaves) and all(
        any("colophon" in (e.get("class") or "").split()
            and "back-cover" not in (e.get("class") or "").split() for e in ancestors)
        for _, ancestors in leaves)


def _colophon_height(page_box: Any) -> float:
    """The colophon's height on the page with its margins, in CSS px."""
    def find(box: Any) -> Any:
        if "colophon" in ((getattr(box, "element", None) is not None
                           and box.element.get("class")) or "").split():
            return box
        for child in getattr(box, "children", None) or ():
            found = find(child)
            if found is not None:
                return found
        return None

    box = find(page_box)
    return box.margin_height() + COLOPHON_GAP_MM / MM_PER_PX if box is not None else 0.0


def _colophon_pulled_back(pages: list[Any]) -> Resize | Shrink | None:
    """When the readers' PDF ends on a page holding only the colophon: the last article
    picture of the page before made short enough for the colophon to move back to it, or
    else the pictures of that page's last row of cards (a page with only the contact looks
    like a mistake and costs a sheet)."""
    if len(pages) < 3 or not _colophon_only(pages[-1]._page_box):
        return None
    previous, last = pages[-2]._page_box, pages[-1]._page_box
    top, bottom = _area(last)
    excess_mm = _colophon_height(last) * MM_PER_PX + COLOPHON_ABOVE_MM + SLACK_MM \
        - (1 - depth(previous)) * (bottom - top) * MM_PER_PX
    theirs = _article_pictures(previous)
    if theirs:
        box = theirs[-1][0]
        height_mm = box.height * MM_PER_PX - excess_mm
        if SMALLEST_MM <= height_mm < box.height * MM_PER_PX:
            return Resize(_place(box), round(height_mm, 1))
        return None
    return _shrunk_row(_last_row_pictures(previous), excess_mm)


def _shrunk_row(row: list[tuple[Any, float]], excess_mm: float) -> Shrink | None:
    """The card pictures of ``row`` (each with its card's bottom; None for a card with no
    picture) capped so that no card reaches lower than ``excess_mm`` above the deepest
    one now does; None when a card without a picture is in the way or a picture would
    go below :data:`SMALLEST_CARD_MM`."""
    if not row or not any(box is not None for box, _ in row):
        return None
    target = max(bottom for _, bottom in row) - excess_mm / MM_PER_PX
    caps = []
    for box, bottom in row:
        if bottom <= target + 0.5:
            continue
        if box is None:
            return None  # a card of text alone sets the row's height
        caps.append(box.height - (bottom - target))
    tallest = max(box.height for box, _ in row if box is not None)
    height_mm = min(caps, default=tallest) * MM_PER_PX
    if SMALLEST_CARD_MM <= height_mm < tallest * MM_PER_PX:
        return Shrink(tuple(_place(box) for box, _ in row if box is not None),
                      round(height_mm, 1))
    return None


def _last_row_pictures(page_box: Any) -> list[tuple[Any, float]]:
    """The card pictures of the page's last row of cards that has pictures, each with how
    far down its card reaches (see :func:`_row_of`); empty when no row on the page has."""
    leaves = list(_leaves(page_box))
    grids: dict[int, Any] = {}
    for box, ancestors in leaves:
        card = next((e for e in ancestors if "card" in (e.get("class") or "").split()), None)
        if card is not None and getattr(box, "replacement", None) is not None:
            grid = ancestors[ancestors.index(card) - 1]
            grids[id(grid)] = grid
    return _row_of(list(grids.values())[-1], leaves) if grids else []


def resizes(pages: list[Any]) -> Iterator[Resize | Move | Shrink | Split]:
    """Pictures to resize, the first short page's first: each rule's answer for it, then
    the next short page's. The caller takes the first that changes something (a picture
    already at that height, or one its pixels keep from growing, would stop the fitting
    with the pages after it still short)."""
    for index in range(1, len(pages) - 1):  # not the cover, not the last page
        page = pages[index]._page_box
        filled = depth(page)
        if filled >= MIN_DEPTH:
            continue
        top, bottom = _area(page)
        gap_mm = (1 - filled) * (bottom - top) * MM_PER_PX
        following = pages[index + 1]._page_box
        first = _first_block(following)
        opening = [(box, article) for box, article in _article_pictures(following)
                   if article is first and (_starts_on(following, article)
                                            or _head_above(following, box, article))]
        if opening:
            box, opening_article = opening[0]
            glued_mm = _glued_below_mm(following, box, opening_article)
            needed_mm = (box.position_y + box.height - _area(following)[0]) * MM_PER_PX \
                + glued_mm + (SECTION_GAP_MM if _opens_section(following) else 0)
            height_mm = box.height * MM_PER_PX - (needed_mm - gap_mm)
            # The measure says the start (nearly) fits, yet it opens the next page: the
            # columns balanced it taller than measured. A step smaller, not the same again.
            height_mm = min(height_mm, box.height * MM_PER_PX - RETRY_MM)
            if height_mm >= SMALLEST_MM:
                yield Resize(_place(box), round(height_mm, 1))
            else:
                section_mm = SECTION_GAP_MM if _opens_section(following) else 0
                move = _moved_below_text(following, box, opening_article, gap_mm, section_mm)
                if move is not None:
                    yield move
        own = _article_pictures(page)
        chunk_mm = _opening_chunk_mm(following)
        needed_mm = (chunk_mm or 0) + FOLLOWING_MM / 2 \
            + (SECTION_GAP_MM if _opens_section(following) else 0)
        if own and chunk_mm:  # a card or figure row opens the next page: make room for it
            box = own[-1][0]
            height_mm = box.height * MM_PER_PX - (needed_mm - gap_mm)
            if SMALLEST_MM <= height_mm < box.height * MM_PER_PX:
                yield Resize(_place(box), round(height_mm, 1))
        if chunk_mm:  # … or the pictures of the short page's last row of cards with some
            shrunk = _shrunk_row(_last_row_pictures(page), needed_mm - gap_mm)
            if shrunk is not None:
                yield shrunk
        row = _opening_row_pictures(following) if chunk_mm else []
        if row:  # … or its cards' pictures made shorter (nothing need follow a row)
            above_mm = ROW_GAP_MM if _ends_in(page, _first_block(following)) else BLOCK_GAP_MM
            row_mm = (chunk_mm or 0) + CARD_FOOT_MM + above_mm + SLACK_MM \
                + (SECTION_GAP_MM if _opens_section(following) else 0)
            shrunk = _shrunk_row(row, row_mm - gap_mm)
            if shrunk is not None:
                yield shrunk
            split = _opening_split(following)
            if split is not None:  # … or, when nothing can shorten it enough, it breaks
                yield split
        pulled = _pulled_back(pages[index - 1]._page_box, page, following, filled)
        if pulled is not None:
            yield pulled
        if own:
            box = own[-1][0]
            widest_mm = _column_width(page) * box.height / box.width  # at the column's width
            height_mm = min(TALLEST_MM, widest_mm,
                            box.height * MM_PER_PX + gap_mm - FOLLOWING_MM / 2)
            if height_mm - box.height * MM_PER_PX >= 5:
                yield Resize(_place(box), round(height_mm, 1))
    pulled = _colophon_pulled_back(pages)
    if pulled is not None:
        yield pulled
