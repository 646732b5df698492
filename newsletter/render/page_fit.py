"""Pages that end too early, and the one picture (or section opening) that would fill them.

CSS breaks whole: an article's head, lead, picture and first lines travel together
(style.css.j2), so when they do not fit a page's foot they all move over and leave a gap.
WeasyPrint has no page floats, so after a layout this module looks at each page that ends
above :data:`MIN_DEPTH` of its text area and picks one article picture to resize:

1. the picture of the article that opens the next page, made just short enough for that
   article's start to fit the gap (never below :data:`SMALLEST_MM`, or about half the
   height of a panorama set shorter across the column: :func:`_smallest_mm`); else, when even that
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
   its text; a row of one card is made breakable), instead of leaving the gap; or, when
   that row is a single card that breaks already, its picture made short enough for the
   card's picture, title and two lines, or a table's first rows that cannot part
   (:func:`_card_start_mm`), to fit the gap; else
3. when the next page opens a section whose band, heading, intro and first block's head,
   lead and first lines (what travels with the band, :func:`_section_opening_mm`) miss the
   gap, the last article picture on the short page, or else its last row of card
   pictures, or else the signature of a short letter that opens that section (even when
   the letter and the contact are all the last page holds: the contact then ends the
   readers' PDF on a page of its own, as the printer's back cover holds it, rather than
   leave an inner page short), made short enough for them to fit; else, when they miss
   it by no more than setting the section tight gives (:data:`TIGHT_MM`) and what those
   pictures, or the pictures of the section's first row of cards, can still give (shrunk
   on the next layouts), that section set with less space around its opening
   (:class:`Tighten`: its band, heading, first title and lead closer together); or, when
   the next page opens with a short letter inside its section (no band above it), its
   signature made short enough for the letter to fit (:func:`_letter_signature`); or,
   when the next page opens with an article or such a letter whose start misses the gap
   by no more than its head set tight gives (:data:`TIGHT_ARTICLE_MM`), and a letter's
   signature at its smallest, that block set with less space above it and around its
   head (:func:`_tightened_article`); else
4. when the short page is the last before the printed booklet's back cover, the last
   article picture on the page before made short enough for all of it to move back; else
5. the last article picture on the short page made taller by the gap (up to the column's
   width and :data:`TALLEST_MM`), which pushes the text after it down the page; or, when
   the short page opens with the rest of an article whose picture is on an earlier page
   and nothing but that article's text lies between, that picture made taller
   (:func:`_grown_before`): the text it pushes over fills the short page.

And when the readers' PDF ends on a page holding only its colophon (the contact), the last
article picture of the page before is made short enough for the colophon to move back; or,
when nothing there shortens, the page's last block (with its section's band when it opens
the section) starts the last page, above the colophon (:class:`Carry`), when the page it
leaves stays :data:`SHORT_DEPTH` full.

What must come with a picture that opens a page is measured on the layout (its caption,
subheadings, two lines of text or a table's first rows: :func:`_glued_below_mm`), not
assumed.

The caller lays the document out again with the new height; one page is fixed per pass,
from the first, because every change moves what follows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from newsletter.render import body_cuts

MIN_DEPTH = 0.8
"""A page (not the cover, not the last) is full enough when its content reaches this share
of its text area's height (the issue asks 0.75; measured from the PDF's glyph boxes a page
reads a little shallower than from WeasyPrint's line boxes)."""
SHORT_DEPTH = 0.77
"""A page this short when nothing else filled it may take a picture moved after all of its
article's text (:func:`_moved_below_text`): issue 17's floor of three quarters, and a
little over it for the reason :data:`MIN_DEPTH` gives."""
SMALLEST_MM = 35  # a picture is not shrunk below this height to fill a page (about half its 75)
ARTICLE_MM = 75  # the tallest an article's picture is set (print.SLOTS)
TALLEST_MM = 130  # nor grown past it
FOLLOWING_MM = 30  # what must follow a picture (up to 3 lines, margins) and the block margin above
SECTION_GAP_MM = 10  # .section + .section margin, dropped at a page's top, not at its foot
TIGHT_GAP_MM = 5  # the same above a tight section (Tighten)
TIGHT_SLACK_MM = 1  # a section is set tight when that leaves this much to spare
BLOCK_GAP_MM = 9  # .block's bottom margin, which the block before leaves at a page's foot
SLACK_MM = 3  # a resize aims this much short of the gap: a layout to the point may not fit
INTRO_ROW = -1  # Split's row for "an intro may end a page without what it keeps with"
LAST_ROW = -2  # Split's row for "a block of figures may leave its last row alone atop a page"
INTRO_LINES = 2  # an intro parts from what follows only when it has this many lines
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
    top-level elements of its article's body instead of above it (``last``: a last resort,
    :func:`_moved_below_text`); with none, back above it, ``height_mm`` tall
    (:func:`_moved_back`)."""

    source: str
    paragraphs: int
    last: bool = field(default=False, compare=False)
    height_mm: float | None = None  # taken back (``paragraphs`` 0): its height there


@dataclass(frozen=True)
class Shrink:
    """Set the card pictures placed at ``sources`` (one row of cards) at most
    ``height_mm`` tall."""

    sources: tuple[str, ...]
    height_mm: float


@dataclass(frozen=True)
class Split:
    """Set row ``row`` (0 first, ``data-row``) of the card block whose id is ``block`` as
    one card per row, each of which may break across pages (paper_grids.split_rows); row
    :data:`INTRO_ROW` lets the intro of the card block (or of the section) whose id is
    ``block`` end a page without what follows it (:func:`_parted_intro`); row
    :data:`LAST_ROW` lets the figures block whose id it is part before its last row
    (:func:`_parted_rows`)."""

    block: str
    row: int


@dataclass(frozen=True)
class Tighten:
    """Set the section whose band's id is ``section`` with less space around its opening
    (``section.tight`` in style.css.j2: :data:`TIGHT_MM`), or the article whose title's id
    it is with less space around its head (``article.tight``: :data:`TIGHT_ARTICLE_MM`)."""

    section: str


@dataclass(frozen=True)
class Carry:
    """Start the block whose id is ``block`` (or the section whose band's id it is) on a
    new page: a closing note taken over to the colophon, which a page of its own would
    leave alone (``.carried`` in style.css.j2); with ``tail``, only the last paragraph (and
    what follows it: notes, links) of the two-column article whose id it is, in a body of
    its own (:func:`_carried_tail`). With ``back``, such a start taken back
    (:func:`_carried_back`)."""

    block: str
    tail: bool = False
    back: bool = False


TIGHT_MM = {"gap": SECTION_GAP_MM - TIGHT_GAP_MM, "band": 4, "heading": 2, "title": 1,
            "lead": 1.5}
"""What a tight section's opening gives up (style.css.j2 ``.tight``), by what it has: the
gap above it, its band's padding and margin, the margin under its heading or intro, under
its first block's title and lead."""
TIGHT_ARTICLE_MM = {"gap": BLOCK_GAP_MM - TIGHT_GAP_MM, "title": 1, "lead": 1.5}
"""What a tight article's head gives up (style.css.j2 ``.article.tight``): the gap above
it (its margin collapses with the block before's), the margin under its title and under
its lead (more when its body opens with a subheading, whose top margin goes too)."""
COLOPHON_GAP_MM = 12  # .colophon's top margin (style.css.j2)
COMPACT_COLOPHON_MM = {"gap": 8, "padding": 4}
"""What a compact colophon gives up (``.colophon.compact``): 8 of the 12 mm above it, 2 of
its 6 mm padding above and below."""
COLOPHON = "#colophon"
"""The name :class:`Tighten` gives the readers' colophon (no block's id has a ``#``)."""
SMALLEST_CARD_MM = 15  # a card's picture is not shrunk below this height to fill a page
SMALLEST_SIGNATURE_MM = 15  # nor a letter's signature (set at most 30 mm: print.SLOTS)
CARD_FOOT_MM = 7  # below a card's last line: its padding and the row's margin
PANEL_PADDING_MM = 4  # a card's or a figure's bottom padding (.card, .figure)
ROW_GAP_MM = 4  # between two rows of one block of cards (.card-grid + .card-grid)
PARAGRAPH_GAP_MM = 4  # a paragraph's bottom margin in an article's body
TWO_LINES_MM = 12  # two lines of running text (10 pt on 14.5 pt) and their margin
FIGURE_GAP_MM = 4  # an article's picture's margin below it (style.css.j2 figure)


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
        if figure.tag == "figure" and _has_class(article, "article"):
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
        block = next((e for e in ancestors if _has_class(e, "block")), None)
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
        article in ancestors and not any(_has_class(e, "body") for e in ancestors)
        for ancestors in above)


def classes_of(element: Any) -> set[str]:
    """The names in ``element``'s class attribute."""
    return set((element.get("class") or "").split())


def _has_class(element: Any, name: str) -> bool:
    """Whether ``element``'s class attribute names ``name``."""
    return name in classes_of(element)


def _opens_section(page_box: Any) -> bool:
    """Whether the page's first line is a section's band."""
    first = min(_leaves(page_box), key=lambda leaf: leaf[0].position_y, default=None)
    return first is not None and any(
        _has_class(element, "section-title") for element in first[1])


def _section_gap_mm(page_box: Any) -> float:
    """The gap above the section that opens the page when it follows the page before's
    last block instead (less above a tight one); 0 when no section opens it."""
    first = min(_leaves(page_box), key=lambda leaf: leaf[0].position_y, default=None)
    if first is None or not _opens_section(page_box):
        return 0
    tight = any({"section", "tight"} <= classes_of(e) for e in first[1])
    return TIGHT_GAP_MM if tight else SECTION_GAP_MM


def _gap_above_mm(page_box: Any) -> float:
    """The space above what opens the page when it follows the page before's last line
    instead: the section's gap when a section opens it (the last block's bottom margin
    collapses into it, so the two never add up), else that block margin."""
    return _section_gap_mm(page_box) or BLOCK_GAP_MM


def _opening_card(page_box: Any) -> tuple[Any, tuple, list[tuple[Any, tuple]]] | None:
    """The first card among what opens the page (see :func:`_opening_chunk_mm`) with the
    elements around it, and the page's leaves top to bottom; None when none opens it."""
    leaves = sorted(_leaves(page_box), key=lambda leaf: leaf[0].position_y)
    for _, ancestors in _past_the_head(leaves):
        card = next((e for e in ancestors if _has_class(e, "card")), None)
        if card is None:
            continue
        if any(_has_class(e, "article") for e in ancestors):
            return None
        return card, ancestors, leaves
    return None


def _past_the_head(leaves: list[tuple[Any, tuple]]) -> list[tuple[Any, tuple]]:
    """The first of ``leaves`` (top to bottom) that is not in the head of what opens the
    page (a section's band, heading and intro, a block's title and intro, with their
    footnotes): what opens the page after its head. Not a count of leaves: an intro's
    long address is dozens of them (generated seed 9200, en: 'Call from the Past' with a
    five-line intro before its cards was taken for text, so nothing made room for it and
    page 22 stayed at 0.60)."""
    return next(([leaf] for leaf in leaves if not _in_head(leaf[1])), [])


def _in_head(ancestors: tuple) -> bool:
    """Whether a leaf is in a heading or in the head of a section or block."""
    return any(e.tag in _GLUED or classes_of(e) & _HEAD for e in ancestors)


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
    picture, or with one beside its text that reaches less low than the text (``beside``:
    the text sets its height), as ``(None, its bottom)``."""
    found = []
    for element in grid:
        inside = [box for box, around in leaves if element in around]
        if not inside:
            continue
        bottom = max(box.position_y + box.height for box in inside)
        pictures = [box for box in inside if getattr(box, "replacement", None) is not None]
        if _has_class(element, "beside"):  # a picture beside its text: it sets the card's
            # height only when it reaches lower than the text (its credit, under it, is
            # the picture's: counted as text, a tall picture beside three lines was never
            # shrunk, and the page before a split row stayed at 0.69, test_past_opening)
            text = max((box.position_y + box.height for box, around in leaves
                        if element in around and box not in pictures
                        and not any(_has_class(e, "card-credit") for e in around)),
                       default=0.0)
            pictures = [box for box in pictures if box.position_y + box.height >= text]
        found += [(box, bottom) for box in pictures] or [(None, bottom)]
    return found


def _card_start_mm(page_box: Any, picture: Any) -> float:
    """How far down the page the start of the breakable card that ``picture`` opens
    reaches, in mm: the picture, its credit and the card's title (kept with what follows)
    and two lines after them (or the card's end, when it has fewer), or, when a table
    follows the title, the table's rows that cannot part (:func:`_glued_rows`), as this
    layout set them. The credit is not the text: taken for it, it hid the table after the
    title and measured the start 14 mm short, so no picture was shrunk for a card that
    then went overleaf whole (generated seed 9692, pl, page 3 at 0.62)."""
    card = next(e for box, ancestors in _leaves(page_box) if box is picture
                for e in ancestors if _has_class(e, "card"))
    below = picture.position_y + picture.height
    inside = sorted(((box, ancestors) for box, ancestors in _leaves(page_box)
                     if card in ancestors and box is not picture
                     and box.position_y >= below - 1), key=lambda leaf: leaf[0].position_y)
    lines: dict[int, tuple[float, bool]] = {}  # a line's top → its bottom, in the title
    for box, ancestors in inside:
        titled = any(_has_class(e, "card-title") or _has_class(e, "card-credit")
                     for e in ancestors)
        key = round(box.position_y)
        lines[key] = (max(lines.get(key, (0.0, titled))[0], box.position_y + box.height),
                      titled)
    ordered = [lines[key] for key in sorted(lines)]
    titles = sum(1 for _, titled in ordered if titled)
    taken = ordered[:titles + 2]
    bottom = taken[-1][0] if taken else below
    text = [(box, ancestors) for box, ancestors in inside
            if not any(_has_class(e, "card-title") or _has_class(e, "card-credit")
                       for e in ancestors)]
    if text:  # a table comes first: its rows part only where CSS lets them
        bottom = max(bottom, _glued_rows_bottom(text, text[0][1]))
    return (bottom - text_area(page_box)[0]) * MM_PER_PX


def _glued_rows_bottom(leaves: list[tuple[Any, tuple]], first: tuple) -> float:
    """How far down the rows that cannot part (:func:`_glued_rows`) of the table whose
    leaf comes first (``first``: the elements around it) reach among ``leaves``, as this
    layout set them; 0 when that leaf is in no table."""
    table = next((e for e in first if e.tag == "table"), None)
    if table is None:
        return 0.0
    glued = _glued_rows(table)
    return max((box.position_y + box.height for box, ancestors in leaves
                if any(e in glued for e in ancestors)), default=0.0)


def _glued_rows(table: Any) -> list[Any]:
    """The rows (``tr`` elements) a page cannot part at the start of ``table``: its header
    and its body's rows up to the first break markdown.css.j2 allows (a body's first row
    keeps with the next, its last with the one before, unless such a row is ``md-tall``);
    all of them when there is no such break."""
    groups = [part for part in table if part.tag in ("thead", "tbody")]
    head = [row for part in groups if part.tag == "thead" for row in part if row.tag == "tr"]
    body = [row for part in groups if part.tag == "tbody" for row in part if row.tag == "tr"]

    def tall(row: Any) -> bool:
        return "md-tall" in (row.get("class") or "").split()

    for index in range(1, len(body)):
        glued_after = index == 1 and not tall(body[0])
        glued_before = index == len(body) - 1 and not tall(body[-1])
        if not glued_after and not glued_before:
            return head + body[:index]
    return head + body


def _opening_split(page_box: Any) -> Split | None:
    """The row of cards that opens the page as a :class:`Split`; None when no such row
    opens it, it breaks already (a single tall card, or a row split before) or its block
    has no id. A row of one card that does not break yet is named too: split, it may."""
    found = _opening_card(page_box)
    if found is None:
        return None
    card, ancestors, _ = found
    grid = ancestors[ancestors.index(card) - 1]
    block = next((e for e in ancestors if _has_class(e, "block")), None)
    key = None if block is None else block.get("aria-labelledby") or block.get("id")
    row = grid.get("data-row") or ""
    if _has_class(grid, "breakable") or key is None or not row.isdigit():
        return None
    return Split(key, int(row))


def _parted_intro(page_box: Any, room_mm: float) -> Split | None:
    """Let the intro that opens the page above a row of cards or figures end the page
    before without that row (:data:`INTRO_ROW`): the card group's own intro, else the
    intro of the section that opens the page with that group (or with an article or a
    letter, whose head and first lines then open the next page). Only when what opens the
    page up to the intro's end fits in ``room_mm``, the intro has :data:`INTRO_LINES`
    lines or more (a title or a band never ends a page with less under it) and does not
    end in a colon (it introduces the cards: it stays with them). None when no such intro
    opens the page.

    An intro keeps with what follows (``.intro { break-after: avoid }``), and a row of
    cards or figures never breaks: a card group's five-line intro with a row under it was
    150 mm that did not part, and the page before stayed at 0.60 (generated seed 9200, en,
    page 22); a section's band and two-line intro before a group of figures, 100 mm, left
    a page at 0.72 (seed 9252, en, page 2); a section's band, heading, three-line intro
    and its first article's kicker, title, lead and two lines left one at 0.69 (seed 9208,
    en, page 23)."""
    leaves = sorted(_leaves(page_box), key=lambda leaf: leaf[0].position_y)
    first = _past_the_head(leaves)
    if not first:
        return None
    ancestors = first[0][1]
    in_row = any({"card", "figure"} & classes_of(e) for e in ancestors)
    owners = [next((e for e in ancestors if _has_class(e, name)), None)
              for name in ("block", "section")]
    if not in_row:  # an article or a letter: only its section's intro parts from it
        owners = owners[1:]
    for owner in owners:
        intro = None if owner is None else next(
            (e for e in owner if _has_class(e, "intro")), None)
        inside = [(box, around) for box, around in leaves if intro in around] \
            if intro is not None else []
        if inside and _parts(owner, intro, inside, page_box, room_mm):
            break
    else:
        return None  # no intro that may part, or it ends the page before already
    key = owner.get("aria-labelledby") or owner.get("id")
    return Split(key, INTRO_ROW)


def _parts(owner: Any, intro: Any, inside: list[tuple[Any, tuple]], page_box: Any,
           room_mm: float) -> bool:
    """Whether ``intro`` (of ``owner``, a card group or a section; its boxes ``inside``)
    may end the page before: it has an id to name, :data:`INTRO_LINES` lines or more, no
    colon at its end, and the page's opening up to it fits ``room_mm``. A card group's
    one-line intro that may not part leaves its section's intro to: generated seed 9633
    (pl), a section's band, heading and two-line intro over a group's title, one-line
    intro, footnote and a row of cards, 125 mm for 74 mm, left page 11 at 0.71."""
    key = owner.get("aria-labelledby") or owner.get("id")
    if key is None or "".join(intro.itertext()).strip().endswith(":"):
        return False
    lines = {round(box.position_y) for box, around in inside
             if not any(_has_class(e, "footnotes") for e in around)}
    bottom_mm = (max(box.position_y + box.height for box, _ in inside)
                 - text_area(page_box)[0]) * MM_PER_PX
    return len(lines) >= INTRO_LINES and bottom_mm <= room_mm


def _opening_chunk_mm(page_box: Any, kept: bool = True) -> float | None:
    """How far down the page the first card or figure (which never breaks) reaches, when
    one is among what opens it (the head of its block before it), in mm; else None. With
    ``kept``, a row of figures with the last row kept with it (:func:`_rows_kept`)."""
    leaves = sorted(_leaves(page_box), key=lambda leaf: leaf[0].position_y)
    for _, ancestors in _past_the_head(leaves):
        unbreakable = next((e for e in ancestors if {"card", "figure"} & classes_of(e)), None)
        if unbreakable is None:
            continue
        if any(_has_class(e, "article") for e in ancestors):
            return None  # an article's text comes first: it can break
        # the whole row: every card or figure of the same grid (a row is as tall as its
        # tallest cell; the grid is the unbreakable's parent box's element)
        grid = next(e for e in reversed(ancestors[:ancestors.index(unbreakable)]))
        row_top = min(box.position_y for box, around in leaves if unbreakable in around)
        cells = {id(e) for box, around in leaves if grid in around
                 for e in around if e in list(grid) and box.position_y < row_top + 20}
        if kept:
            block = ancestors[ancestors.index(grid) - 1]
            cells.update(id(e) for row in _rows_kept(block, grid) for e in row)
        bottom = max(box.position_y + box.height for box, around in leaves
                     if any(id(e) in cells for e in around))
        return (bottom - text_area(page_box)[0]) * MM_PER_PX
    return None


def _rows_kept(block: Any, grid: Any) -> list[Any]:
    """The row that travels with ``grid`` (a row of ``block``, a figures block, that opens
    a page): the last row, kept with the one before it (``.figure-grid.kept``); none for a
    row of cards or when it may part (:data:`LAST_ROW`)."""
    rows = [e for e in block if _has_class(e, "figure-grid")]
    if grid not in rows or rows.index(grid) + 1 >= len(rows):
        return []
    following = rows[rows.index(grid) + 1]
    return [following] if _has_class(following, "kept") else []


def _parted_rows(page_box: Any, room_mm: float) -> Split | None:
    """Let the figures block that opens the page part before its last row
    (:data:`LAST_ROW`), when the block's head and first row on the page, without the row
    kept with it, fit ``room_mm``: a page ended at 0.73 above a block of two rows (ten
    figures) that no longer parted, where one row fitted (issue 17's depth goes first; a
    lone last row atop a page is the lesser fault). None when no such block opens it."""
    leaves = sorted(_leaves(page_box), key=lambda leaf: leaf[0].position_y)
    first = _past_the_head(leaves)
    if not first:
        return None
    ancestors = first[0][1]
    figure = next((e for e in ancestors if _has_class(e, "figure")), None)
    if figure is None:
        return None
    grid = ancestors[ancestors.index(figure) - 1]
    block = ancestors[ancestors.index(grid) - 1]
    key = block.get("aria-labelledby") or block.get("id")
    single_mm = _opening_chunk_mm(page_box, kept=False)
    if key is None or not _rows_kept(block, grid) or single_mm is None \
            or single_mm + PANEL_PADDING_MM > room_mm:
        return None
    return Split(key, LAST_ROW)


_HEAD = {"section-title", "section-heading", "intro", "block-head", "kicker", "lead", "greeting"}


def _section_opening_mm(page_box: Any) -> float | None:
    """How far down the page what travels with the band of the section that opens it
    reaches, in mm: its heading, intro, the first block's head and lead, a picture with its
    caption, subheadings and questions in bold, and then the first paragraph when it has
    fewer than four lines (orphans and widows keep it whole), else its first two lines; a
    letter whole when its body has fewer than four lines (its greeting keeps to its first
    two, its closing and signature to its last two). None when no section opens the page
    or a card or figure row, which other rules size, comes first."""
    if not _opens_section(page_box):
        return None
    return _opening_mm(page_box)


def _opening_mm(page_box: Any) -> float | None:
    """How far down the page what travels with the first block that opens it reaches, in
    mm (its head, lead, … as :func:`_section_opening_mm` counts them, after the band of a
    section when one opens the page); None when a card or figure row comes first."""
    top = text_area(page_box)[0]
    leaves = sorted(_leaves(page_box), key=lambda leaf: leaf[0].position_y)
    left = min((box.position_x for box, _ in leaves), default=0)
    # a running line's top → its bottom, paragraph, block, whether in the block's body
    lines: dict[int, tuple[float, Any, Any, bool]] = {}
    for box, ancestors in leaves:
        classes = {c for e in ancestors for c in classes_of(e)}
        if classes & {"card", "figure"} and not classes & {"article", "letter"}:
            if not lines:
                return None
            break  # the first block ended above its row
        if classes & _HEAD or any(e.tag in _GLUED or e.tag == "img" for e in ancestors) \
                or "ask" in classes or box.position_x > left + page_box.width * 0.45:
            continue
        paragraph = next((e for e in reversed(ancestors) if e.tag in _PARAGRAPHS), None)
        block = next((e for e in ancestors if _has_class(e, "block")), None)
        key = round(box.position_y)
        lines[key] = (max(lines.get(key, (0.0,))[0], box.position_y + box.height),
                      paragraph, block, "body" in classes)
    running = [lines[key] for key in sorted(lines)]
    if not running:
        return None
    _, first, block, _ = running[0]
    if block is not None and _has_class(block, "letter") and sum(
            1 for _, _, b, body in running if b is block and body) < 4:
        # greeting, body, closing and signature of a short letter: nowhere to break
        bottom = max(box.position_y + box.height for box, ancestors in leaves
                     if block in ancestors)
    elif first is not None and sum(1 for _, p, _, _ in running if p is first) < 4:
        bottom = max(b for b, p, _, _ in running if p is first)
        if _has_class(first, "lead-in"):
            # … and the first rows of the table it introduces (markdown.css.j2): counted
            # without them, hand-made issue 2028-10's section opening ("…w tabeli:" and a
            # table's three rows) was set tight to fit a page it then missed (page 4, 0.68)
            after = next((ancestors for box, ancestors in leaves
                          if box.position_y >= bottom - 1
                          and any(e.tag == "table" for e in ancestors)), None)
            if after is not None:
                bottom = max(bottom, _glued_rows_bottom(leaves, after))
    else:
        bottom = running[min(1, len(running) - 1)][0]
    return (bottom - top) * MM_PER_PX


def _panel_foot_mm(page_box: Any) -> float:
    """A card's or a figure's padding when the page's last block is one (see
    :func:`_foot_mm`), else 0: what an article opening the next page also needs above it
    (generated seed 9208, en: measured without it, an article's start under a row of
    figures missed the page by 4 mm)."""
    foot = _foot_mm(page_box)
    return foot if foot == PANEL_PADDING_MM else 0.0


def _foot_mm(page_box: Any) -> float:
    """What the page's last block keeps below its last line: a card's or a figure's
    padding (:data:`PANEL_PADDING_MM`); a paragraph's margin when that line is in a body
    set in two columns (``.long .body``: a margin inside columns does not collapse with
    the block's, measured: 4 mm more); else nothing (its margin collapses with the
    section's gap)."""
    last = max(_leaves(page_box), key=lambda leaf: leaf[0].position_y + leaf[0].height,
               default=None)
    if last is None:
        return 0.0
    if any({"card", "figure"} & classes_of(e) for e in last[1]):
        return PANEL_PADDING_MM
    around = last[1]
    body = next((index for index, e in enumerate(around) if _has_class(e, "body")), None)
    columns = body is not None and any(_has_class(e, "long") for e in around[:body])
    return PARAGRAPH_GAP_MM if columns else 0.0


def _opening_signature(page_box: Any, opening_mm: float) -> Any | None:
    """The signature's picture of the short letter that travels whole with the band of the
    section opening the page (it ends within ``opening_mm`` of the page's top, see
    :func:`_section_opening_mm`); None when there is none. Such a letter does not break
    (its greeting keeps to its first lines, its closing and signature to its last), and a
    page before it with no picture of its own had nothing to give: generated seed 8404
    (en), a letter of two lines with a 30 mm signature missed a page's foot by 18 mm and
    left it at 0.67."""
    bottom = text_area(page_box)[0] + opening_mm / MM_PER_PX + 1
    return next((box for box, ancestors in _leaves(page_box)
                 if getattr(box, "replacement", None) is not None
                 and any(_has_class(e, "signature") for e in ancestors)
                 and box.position_y + box.height <= bottom), None)


def _letter_signature(page: Any, following: Any, gap_mm: float) -> Resize | None:
    """The signature's picture of a short letter that opens ``following`` within its
    section (no band above it: a letter in the middle of a section), made short enough
    for the whole letter to fit ``gap_mm`` below ``page``'s last block. Such a letter
    does not break (its greeting keeps to its first lines, its closing and signature to
    its last): a two-line letter with a 30 mm signature went overleaf whole from below a
    two-column article and left its page at 0.69 (generated seed 9627, en). None when no
    such letter opens the page, or its picture would be under
    :data:`SMALLEST_SIGNATURE_MM`."""
    block = _first_block(following)
    if block is None or _opens_section(following) or not _has_class(block, "letter"):
        return None
    # a letter without a title starts on the page when none of it is on the page before
    if not (_starts_on(following, block) if block.find(".//h3") is not None
            else not _ends_in(page, block)):
        return None
    opening_mm = _opening_mm(following)
    signature = _opening_signature(following, opening_mm) if opening_mm is not None \
        else None
    if signature is None:
        return None
    excess_mm = opening_mm + _block_gap_mm(block) + SLACK_MM + _foot_mm(page) - gap_mm
    height_mm = signature.height * MM_PER_PX - excess_mm
    if not SMALLEST_SIGNATURE_MM <= height_mm < signature.height * MM_PER_PX:
        return None
    return Resize(_place(signature), round(height_mm, 1))


def _signature_gives_mm(page_box: Any) -> float:
    """How much the signature's picture of a short letter opening the page with its section
    (:func:`_opening_signature`) can give, down to :data:`SMALLEST_SIGNATURE_MM`."""
    opening_mm = _section_opening_mm(page_box)
    box = _opening_signature(page_box, opening_mm) if opening_mm is not None else None
    return 0.0 if box is None else max(0.0, box.height * MM_PER_PX - SMALLEST_SIGNATURE_MM)


def _room_given_mm(page_box: Any) -> float:
    """How much room the page's pictures can give at most: its last article picture down to
    :data:`SMALLEST_MM`, or else its last row of card pictures down to
    :data:`SMALLEST_CARD_MM`."""
    own = _article_pictures(page_box)
    if own:
        box = own[-1][0]
        return max(0.0, box.height * MM_PER_PX - _smallest_mm(page_box, box))
    return _row_gives_mm(_last_row_pictures(page_box))


def _row_gives_mm(row: list[tuple[Any, float]]) -> float:
    """How much shorter a row of cards (:func:`_row_of`) gets with its pictures at
    :data:`SMALLEST_CARD_MM`: a card of text alone keeps its height."""
    if not row:
        return 0.0
    lowest = [bottom if box is None else bottom - max(0.0, _framed(box) - SMALLEST_CARD_MM
                                                      / MM_PER_PX)
              for box, bottom in row]
    return (max(bottom for _, bottom in row) - max(lowest)) * MM_PER_PX


def _tightened(following: Any, gap_mm: float, given_mm: float = 0.0,
               moved_mm: float | None = None) -> Tighten | None:
    """The section that opens ``following`` set tight (:class:`Tighten`), when what travels
    with its band misses ``gap_mm`` (the short page's room) by no more than that gives,
    or, when a row of cards with pictures comes first, by at most that and what its
    pictures can give (rule 2 shrinks them on the next layout), or the short page's own
    pictures can give, ``given_mm`` (shrunk on the next layout, see :func:`resizes`).

    ``moved_mm``: the opening as it would travel with its first article's picture moved
    below text (:func:`_moved_opening_mm`), a move the head missed by a little: set tight,
    the head fits and the next layout moves the picture. Measured with the picture, a
    history article's band, kicker, title and three-line lead over a 75 mm photograph
    missed by far and were never tightened, and the page before (cards and contacts, one
    gap to spread) ended at 0.74 (hand-made issue 2029-03, en)."""
    if not _opens_section(following):
        return None
    opening_mm = _section_opening_mm(following)
    if opening_mm is not None and moved_mm is not None:
        opening_mm = min(opening_mm, moved_mm)
    give_mm = given_mm
    if opening_mm is None:  # a row of cards or figures comes first
        chunk_mm = _opening_chunk_mm(following)
        if chunk_mm is None:
            return None
        row = _opening_row_pictures(following)
        opening_mm = chunk_mm + PANEL_PADDING_MM  # the margin below may fall at the foot
        if len(row) == 1 and row[0][0] is not None and _opening_split(following) is None:
            opening_mm = _card_start_mm(following, row[0][0])  # a card that breaks
        give_mm = max(give_mm, _row_gives_mm(row))
    first = min(_leaves(following), key=lambda leaf: leaf[0].position_y)
    band = next(e for e in first[1] if _has_class(e, "section-title"))
    section = first[1][first[1].index(band) - 1]
    if opening_mm + SECTION_GAP_MM - gap_mm > _tight_mm(section) - TIGHT_SLACK_MM + give_mm:
        return None
    return Tighten(band.get("id")) if band.get("id") else None


def _tightened_article(following: Any, room_mm: float) -> Tighten | None:
    """The article or letter that opens ``following`` (no section's band above it) set
    tight (:class:`Tighten`), when what travels with its head (:func:`_opening_mm`: its
    title, lead, subheadings and first lines; a short letter whole) misses ``room_mm``
    (the short page's room below its last block) by no more than that gives
    (:data:`TIGHT_ARTICLE_MM`), with a short letter's signature at its smallest
    (:func:`_letter_signature` shrinks it on the next layout). Such an article's start may
    be unbreakable with no picture to shrink (a lead, a subheading, a paragraph of three
    lines that orphans and widows keep whole): generated seed 8503 (pl), page 9 of three
    rows of cards at 0.69, the next article's start 2 mm too tall for its foot."""
    block = _first_block(following)
    if block is None or _opens_section(following) or block.get("aria-labelledby") is None \
            or not (_has_class(block, "article") or _has_class(block, "letter")) \
            or not _starts_on(following, block):
        return None
    opening_mm = _opening_mm(following)
    if opening_mm is None:
        return None
    gives_mm = _tight_head_mm(block)
    if _has_class(block, "letter"):
        signature = _opening_signature(following, opening_mm)
        if signature is not None:
            gives_mm += max(0.0, signature.height * MM_PER_PX - SMALLEST_SIGNATURE_MM)
    if opening_mm + BLOCK_GAP_MM - room_mm > gives_mm - TIGHT_SLACK_MM:
        return None
    return Tighten(block.get("aria-labelledby"))


def _tight_head_mm(block: Any) -> float:
    """What an article's or letter's head set tight gives (:data:`TIGHT_ARTICLE_MM`): the
    gap above it, the margin under its title, and under its lead when it has one."""
    return TIGHT_ARTICLE_MM["gap"] + TIGHT_ARTICLE_MM["title"] \
        + (TIGHT_ARTICLE_MM["lead"] if any(_has_class(e, "lead") for e in block) else 0)


def _block_gap_mm(block: Any) -> float:
    """The gap above ``block`` when it opens a page's room below the block before (no
    section's band above it): less when it is set tight."""
    return BLOCK_GAP_MM - (TIGHT_ARTICLE_MM["gap"] if _has_class(block, "tight") else 0)


def _tight_for_picture(following: Any, article: Any, short_mm: float) -> Tighten | None:
    """The article that opens ``following`` (no section's band above it) set tight, when
    its picture, shrunk for the article's start to fit the page before, would be
    ``short_mm`` under its smallest and the tight head gives that much
    (:data:`TIGHT_ARTICLE_MM`); the next layout shrinks the picture (its measure counts
    the tight gap). Generated seed 9691 (en), page 12 at 0.68: a kicker, a title, a 75 mm
    portrait and one line missed the page's foot with the picture 0.9 mm under 35 mm."""
    if _opens_section(following) or not _starts_on(following, article) \
            or _has_class(article, "tight") or article.get("aria-labelledby") is None:
        return None
    if short_mm > _tight_head_mm(article) - TIGHT_SLACK_MM:
        return None
    return Tighten(article.get("aria-labelledby"))


def _tight_mm(section: Any) -> float:
    """How much less room ``section``'s opening takes when set tight (:data:`TIGHT_MM`)."""
    def has(element: Any, name: str) -> bool:
        return any(_has_class(child, name) for child in element)

    blocks = [child for child in section if _has_class(child, "block")]
    first = blocks[0] if blocks else None
    return TIGHT_MM["gap"] + TIGHT_MM["band"] \
        + (TIGHT_MM["heading"] if has(section, "section-heading") or has(section, "intro")
           else 0) \
        + (TIGHT_MM["title"] if first is not None and first.find(".//h3") is not None else 0) \
        + (TIGHT_MM["lead"] if first is not None and has(first, "lead") else 0)


def _moved_below_text(page_box: Any, picture: Any, article: Any, gap_mm: float,
                      section_mm: float) -> Move | None:
    """``picture`` (opening ``article`` at the top of ``page_box``) set below as many of
    the article's paragraphs as fill ``gap_mm`` on the page before, when its head, lead
    and two lines fit there; None when they do not, or the body has no paragraph to
    put first. The paragraphs' heights are the ones this layout gave them below.

    When all of the article's text is needed to fill the gap, the picture is set before
    its last paragraph (``last``), which follows it overleaf: after the article's end it
    would stand alone atop the next page, above the next article's title, and read as
    that one's (the sample's "Krakow for business": its map opened page 4 over "3 map
    tools"; hand-made issues 2027-09 and 2028-02: a history photo alone above the contact,
    and over the next story). An article whose links follow its body may have the picture
    after all of its text, above them (generated seed 7: an article of one paragraph); one
    of one paragraph and no links keeps its picture above it.
    :func:`resizes` offers such a move only after every other way to fill the page (the
    page's own picture made taller first), and only for a page still under
    :data:`SHORT_DEPTH`."""
    leaves = [(box, ancestors) for box, ancestors in _leaves(page_box) if article in ancestors]
    if not leaves:
        return None
    head_mm = _head_mm(page_box, picture, leaves) + section_mm
    if head_mm + TWO_LINES_MM > gap_mm - SLACK_MM:
        return None
    spans: dict[int, list[float]] = {}  # the body's top-level elements in order → top, bottom
    order: list[int] = []
    tops: list[Any] = []  # all of them, this page's or not
    for box, ancestors in leaves:
        inner = ancestors[ancestors.index(article) + 1:]
        body = next((i for i, e in enumerate(inner) if _has_class(e, "body")), None)
        if body is None or body + 1 >= len(inner):
            continue
        tops = tops or body_cuts.top_level(inner[body])
        key = id(inner[body + 1])
        if key not in spans:
            order.append(key)
            spans[key] = [box.position_y, box.position_y + box.height]
        spans[key][0] = min(spans[key][0], box.position_y)
        spans[key][1] = max(spans[key][1], box.position_y + box.height)
    if not order:
        return None
    def cuts(count: int) -> bool:  # a cut there leaves text after the picture
        return body_cuts.cut_after(tops, count) < len(tops)

    filled_mm = head_mm
    for count, key in enumerate(order, start=1):
        start, end = spans[key]
        filled_mm += (end - start) * MM_PER_PX + PARAGRAPH_GAP_MM
        if filled_mm >= gap_mm - SLACK_MM and count < len(order) and cuts(count):
            return Move(_place(picture), count)
    links = any(_has_class(ancestors[ancestors.index(article) + 1], "links")
                for _, ancestors in leaves if ancestors[-1] is not article)
    if links:  # its links (after its body) follow it
        return Move(_place(picture), len(order), True)
    # before its last paragraph, unless the style keeps what comes before it with it
    # (body_cuts: the picture would then follow all of the text)
    return Move(_place(picture), len(order) - 1, True) \
        if len(order) > 1 and cuts(len(order) - 1) else None


def _moved_back(page_box: Any, following: Any) -> Move | None:
    """A picture that a :class:`Move` set below its article's first paragraphs, standing
    on the ``following`` page while its article's head is on this one with room under it
    for the picture at :func:`_smallest_mm` or more, its caption and the first lines after
    it: taken back under its head, as tall as that room allows (no taller than now).

    A move is decided on one layout, when the head, the picture and two lines did not fit
    the page together; a later change can give the page the room (a section above set
    tight, a row of cards set one a row), and nothing took the move back: generated seed
    9836 (en) left a picture a page after its head with 77 mm free below it.
    :meth:`print.Pictures.resize` takes a picture back once (never moved again)."""
    bottom = text_area(page_box)[1]
    for box, ancestors in _leaves(following):
        if getattr(box, "replacement", None) is None or len(ancestors) < 2:
            continue
        figure, article = ancestors[-1], ancestors[-2]
        if figure.tag != "figure" or not _has_class(article, "article"):
            continue
        children = list(article)
        index = children.index(figure) if figure in children else 0
        if index == 0 or not _has_class(children[index - 1], "body"):
            continue  # not moved: above its body, where its head is
        head = [leaf for leaf, around in _leaves(page_box) if article in around
                and not any(e.tag == "figure" or _has_class(e, "body")
                            for e in around[around.index(article) + 1:])]
        if not head or not _starts_on(page_box, article):
            continue
        last = max(head, key=lambda leaf: leaf.position_y + leaf.height)
        room_mm = (bottom - last.position_y - last.height) * MM_PER_PX
        caption_mm = max(((leaf.position_y + leaf.height - box.position_y - box.height)
                          * MM_PER_PX for leaf, around in _leaves(following)
                          if figure in around and leaf is not box), default=0.0)
        height_mm = room_mm - caption_mm - FIGURE_GAP_MM - _foot_mm(page_box) \
            - _glued_below_mm(page_box, last, article)
        if _smallest_mm(following, box) <= height_mm:
            return Move(_place(box), 0, height_mm=round(
                min(height_mm, box.height * MM_PER_PX), 1))
    return None


def _room_made(page_box: Any, missed_mm: float) -> Iterator[Resize | Shrink]:
    """The short page's last article picture, then its last row of card pictures, made
    ``missed_mm`` shorter (not below their smallest), for what opens the next page and
    misses it by that much: a section opening with text, or an article whose picture, at
    its smallest, misses it and can follow none of its text (:func:`_moved_below_text`:
    a body of one paragraph, where the picture after it would stand above the next
    article; generated seed 9835, en, left such a page at 0.72 over a row of card
    photos). :meth:`print.Pictures.resize` never makes a shrunk picture taller again."""
    own = _article_pictures(page_box)
    if own:
        box = own[-1][0]
        height_mm = box.height * MM_PER_PX - missed_mm
        if _smallest_mm(page_box, box) <= height_mm < box.height * MM_PER_PX:
            yield Resize(_place(box), round(height_mm, 1))
    shrunk = _shrunk_row(_last_row_pictures(page_box), missed_mm)
    if shrunk is not None:
        yield shrunk


def _head_mm(page_box: Any, picture: Any, leaves: list[tuple[Any, tuple]]) -> float:
    """How far down the page what comes above ``picture`` reaches, in mm, measured from the
    page's top: the band, heading and intro of the section its article opens travel with
    the article's head (generated seed 9385, en: measured from the article's title, a move
    was offered that left the page before at 0.62 and cut the next page short).
    ``leaves``: the article's."""
    top = min(text_area(page_box)[0], min(box.position_y for box, _ in leaves))
    return (picture.position_y - top) * MM_PER_PX


def _moved_opening_mm(page_box: Any, picture: Any, article: Any) -> float | None:
    """What of ``article`` (opening the page under its section's band, ``picture`` below
    its head) must travel to the page before when the picture moves below its first
    paragraph (:func:`_moved_below_text`), in mm: its head and two lines, as that move
    measures them; None when its body has no paragraph to set first, or none that the
    picture may follow with text after it (body_cuts; generated seed 9844, en: a
    subheading, its list of one item and a line, which the style keeps together, were
    taken to move, so the page before was not asked for the room the article's start at
    its smallest picture needed, and stayed at 0.74)."""
    leaves = [(box, ancestors) for box, ancestors in _leaves(page_box) if article in ancestors]
    body = next((e for e in article.iter() if _has_class(e, "body")), None)
    tops = body_cuts.top_level(body) if body is not None else []
    links = any(_has_class(child, "links") for child in article)  # the picture may end it
    if not leaves or len(tops) < 2 or (body_cuts.cut_after(tops, 1) >= len(tops) and not links):
        return None
    return _head_mm(page_box, picture, leaves) + TWO_LINES_MM + SLACK_MM


_GLUED = {"h1", "h2", "h3", "h4", "h5", "h6", "figcaption"}


def _glued_below_mm(page_box: Any, picture: Any, article: Any) -> float:
    """How much of ``article`` below ``picture`` must come with it, in mm: its caption,
    the subheadings or questions in bold after it (each kept with what follows) and the
    first lines of running text, as this layout set them, and a little slack
    (the margin above the article is the caller's: :func:`_gap_above_mm`);
    :data:`FOLLOWING_MM` when the page shows fewer, unless the article ends on the page
    (what is under its picture then is all that comes: assumed, 21 mm for a caption of 4
    kept seed 8410's picture from shrinking the 4 mm its article's start missed by).

    The first lines are two (orphans), or the whole paragraph when it has fewer than four
    lines: with two orphans and two widows such a paragraph does not break (an answer of
    three lines came whole, and a picture shrunk for two stayed on the next page); a
    table's header and the rows that cannot part from it (:func:`_glued_rows_bottom`):
    taken for one line, generated seed 8804's (en) shrank its picture twice for a start
    still 8 mm too tall, and left the page before at 0.61."""
    below = picture.position_y + picture.height
    leaves = [(box, ancestors) for box, ancestors in _leaves(page_box)
              if article in ancestors and box.position_y >= below - 1 and box is not picture]
    left = min((box.position_x for box, _ in leaves), default=0)
    # line (its top, whether in the first column) → its bottom, glued, its paragraph
    lines: dict[tuple[int, bool], tuple[float, bool, Any]] = {}
    for box, ancestors in leaves:
        inside = ancestors[ancestors.index(article):]
        glued = any(e.tag in _GLUED or _has_class(e, "ask")
                    for e in inside)
        paragraph = next((e for e in reversed(inside) if e.tag in _PARAGRAPHS), None)
        # An article set in two columns shows the answer's lines in the second beside the
        # question's in the first: what must come is measured in the first.
        key = (round(box.position_y), box.position_x <= left + page_box.width * 0.45)
        bottom, was_glued, _ = lines.get(key, (0.0, glued, paragraph))
        lines[key] = (max(bottom, box.position_y + box.height), was_glued and glued, paragraph)
    running = [(bottom, paragraph) for (_, first), (bottom, glued, paragraph)
               in sorted(lines.items()) if first and not glued]
    if len(running) < 2 and leaves and not _ends_in(page_box, article):
        # the article ends on this page (its caption, a line): all of it, nothing assumed
        return (max(bottom for bottom, _, _ in lines.values()) - below) * MM_PER_PX + SLACK_MM
    if len(running) < 2:
        return FOLLOWING_MM - BLOCK_GAP_MM
    opening = running[0][1]
    count = sum(1 for _, _, paragraph in lines.values() if paragraph is opening)
    last = running[1][0] if opening is None or count >= 4 else \
        max(bottom for bottom, paragraph in running if paragraph is opening)
    first = next(ancestors for _, ancestors in leaves if opening in ancestors) \
        if opening is not None else ()
    return (max(last, _glued_rows_bottom(leaves, first)) - below) * MM_PER_PX + SLACK_MM


_PARAGRAPHS = {"p", "li", "dd", "dt", "blockquote", "td", "th"}


def _is_back_cover(page_box: Any) -> bool:
    """Whether the page is the printed booklet's back cover (``footer.back-cover``)."""
    return any(_has_class(element, "back-cover")
               for _, ancestors in _leaves(page_box) for element in ancestors[:3])


def _pulled_back(previous: Any, page: Any, following: Any, filled: float) -> Resize | None:
    """The last page of content before the back cover, when a little is left on it (a
    figures block that did not fit the foot of the page before): the last article
    picture of the page before made short enough for all of it to move back, or, when
    it alone cannot give that much, the pictures before it too, a layout each. The booklet
    then has one page less, which its padding gives back as a notes page (print.py)."""
    theirs = _article_pictures(previous)
    if not theirs or not _is_back_cover(following):
        return None
    top, bottom = text_area(page)
    area_mm = (bottom - top) * MM_PER_PX
    room_mm = (1 - depth(previous)) * area_mm
    # A block that goes on from the page before needs no gap above it, only its
    # paragraph's (hand-made 2028-05: two lines of a paragraph, asked 19 mm of gaps)
    gap_mm = SECTION_GAP_MM + BLOCK_GAP_MM if _opens_section(page) else \
        PARAGRAPH_GAP_MM if _ends_in(previous, _first_block(page)) else BLOCK_GAP_MM
    excess_mm = filled * area_mm + gap_mm + SLACK_MM - room_mm
    gives = [(box, box.height * MM_PER_PX - _smallest_mm(page, box)) for box, _ in theirs]
    for box, give in reversed(gives):  # the last picture that gives enough alone
        if 0 < excess_mm <= give:
            return Resize(_place(box), round(box.height * MM_PER_PX - excess_mm, 1))
    # Or several together, the last first at its smallest (hand-made issue 2028-05: the
    # last picture gave 30 mm and two lines stayed alone on the page before the back
    # cover; the picture above it had 20 mm more to give): the next layout asks again.
    giving = [(box, give) for box, give in gives if give >= 1]
    if excess_mm > 0 and giving and sum(give for _, give in giving) >= excess_mm:
        box, give = giving[-1]
        return Resize(_place(box), round(box.height * MM_PER_PX - give, 1))
    return None


def _smallest_mm(page_box: Any, picture: Any) -> float:
    """The shortest an article picture is made to fill a page, in mm: :data:`SMALLEST_MM`
    (about half the :data:`ARTICLE_MM` a picture is set at), or about half the height a
    picture set shorter across the whole column (a panorama) has there. A fixed floor
    kept such a picture from giving anything: generated seed 8410 (pl), a panorama set
    31 mm tall whose article's start missed a page's foot by 1 mm, left that page at 0.63.
    From the picture's proportions, not its height now: shrunk on one layout, it does not
    lower its own floor on the next."""
    set_mm = min(ARTICLE_MM, _column_width(page_box) * picture.height / picture.width)
    return min(SMALLEST_MM, set_mm * SMALLEST_MM / ARTICLE_MM)


def _column_width(page_box: Any) -> float:
    """The text area's width in mm."""
    return page_box.width * MM_PER_PX


def text_area(page_box: Any) -> tuple[float, float]:
    """The top and bottom of a page's text area, in CSS px (page_spread measures with it)."""
    top = page_box.content_box_y()
    return top, top + page_box.height


def depth(page_box: Any) -> float:
    """How far down its text area a page's content reaches (0–1)."""
    top, bottom = text_area(page_box)
    lowest = max((box.position_y + box.height for box, _ in _leaves(page_box)
                  if box.position_y + box.height <= bottom + 1), default=top)
    return (lowest - top) / (bottom - top)


def _colophon_only(page_box: Any) -> bool:
    """Whether everything on the page is the readers' colophon (``footer.colophon``,
    not the printer's back cover): the contact alone on a last page."""
    leaves = list(_leaves(page_box))
    return bool(leaves) and all(
        any(_has_class(e, "colophon")
            and not _has_class(e, "back-cover") for e in ancestors)
        for _, ancestors in leaves)


def _colophon(page_box: Any) -> Any | None:
    """The colophon's box on the page, if it is there."""
    def find(box: Any) -> Any:
        if "colophon" in ((getattr(box, "element", None) is not None
                           and box.element.get("class")) or "").split():
            return box
        for child in getattr(box, "children", None) or ():
            found = find(child)
            if found is not None:
                return found
        return None

    return find(page_box)


def _compact(box: Any) -> bool:
    """Whether the colophon's box is set compact (:class:`Tighten` of :data:`COLOPHON`)."""
    return "compact" in classes_of(box.element)


def _colophon_height(box: Any) -> float:
    """The colophon's height with its margins, in CSS px."""
    gap_mm = COLOPHON_GAP_MM - (COMPACT_COLOPHON_MM["gap"] if _compact(box) else 0)
    return box.margin_height() + gap_mm / MM_PER_PX


def _colophon_pulled_back(pages: list[Any], tails: bool = True
                          ) -> Resize | Shrink | Tighten | Carry | None:
    """When the readers' PDF ends on a page holding only the colophon: the colophon set
    compact (less space above and inside it, :data:`COMPACT_COLOPHON_MM`: hand-made issue
    2027-01's missed the foot of a page of contacts by 10 mm, and nothing on that page
    could give way), then an article picture of the page before (the lowest that can)
    made short enough for the colophon to move back to it, or else the pictures of one
    of that page's rows of cards (the lowest that can give the room; a page with only
    the contact looks like a mistake and costs a sheet), or of several, capped alike
    (:func:`_shrunk_rows`); or else that page's last block
    carried over to the colophon (:func:`_carried`; with ``tails``, or else the last
    paragraph of a two-column article)."""
    excess_mm = colophon_excess_mm(pages)
    if excess_mm is None:
        return None
    if not _compact(_colophon(pages[-1]._page_box)):
        return Tighten(COLOPHON)
    previous = pages[-2]._page_box
    # the lowest picture that can give the room: an article's, or a row of cards' (any
    # row: hand-made issue 2026-02's last row held a logo that could give 5 of 24 mm, the
    # row above it a photo of 70 mm)
    for box, _ in reversed(_article_pictures(previous)):
        height_mm = box.height * MM_PER_PX - excess_mm
        if _smallest_mm(previous, box) <= height_mm < box.height * MM_PER_PX:
            return Resize(_place(box), round(height_mm, 1))
    rows = _rows_with_pictures(previous)
    for row in reversed(rows):
        shrunk = _shrunk_row(row, excess_mm)
        if shrunk is not None:
            return shrunk
    shrunk = _shrunk_rows(rows, max(excess_mm, RETRY_MM))  # … or several rows alike
    if shrunk is not None:
        return shrunk
    return _carried(pages[-3]._page_box, previous, tails)


def _shrunk_rows(rows: list[list[tuple[Any, float]]], excess_mm: float) -> Shrink | None:
    """The pictures of all of ``rows`` (each as :func:`_row_of` gives it) capped at one
    height, the tallest that makes the rows together ``excess_mm`` shorter (never below
    :data:`SMALLEST_CARD_MM`); None when they cannot. Three cards each alone in its row,
    beside its picture, missed the colophon's room by 30 mm that none alone could give
    (tests/render/test_card_rows.py); capped lowest first, one picture ended 15 mm tall
    under two of 55."""
    pictures = [box for row in rows for box, _ in row if box is not None]
    if not pictures:
        return None

    def gives_mm(cap: float) -> float:  # cap in px
        total = 0.0
        for row in rows:
            lowest = [bottom if box is None else bottom - max(0.0, _framed(box) - cap)
                      for box, bottom in row]
            total += max(bottom for _, bottom in row) - max(lowest)
        return total * MM_PER_PX

    low, high = SMALLEST_CARD_MM / MM_PER_PX, max(_framed(box) for box in pictures)
    if gives_mm(low) < excess_mm:
        return None
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if gives_mm(middle) >= excess_mm else (low, middle)
    cap_mm = math.floor(low * MM_PER_PX * 10) / 10
    capped = [box for box in pictures if box.height * MM_PER_PX > cap_mm]  # none grows
    return Shrink(tuple(_place(box) for box in capped), cap_mm) if capped else None


def colophon_excess_mm(pages: list[Any]) -> float | None:
    """How much more room the colophon alone on the last page needs on the page before,
    in mm (its height and margin, the page's foot, a little slack, less the room left
    there); None when the last page holds more than the colophon."""
    if len(pages) < 3 or not _colophon_only(pages[-1]._page_box):
        return None
    previous, last = pages[-2]._page_box, pages[-1]._page_box
    colophon = _colophon(last)
    if colophon is None:
        return None
    top, bottom = text_area(last)
    return _colophon_height(colophon) * MM_PER_PX + _foot_mm(previous) + SLACK_MM \
        - (1 - depth(previous)) * (bottom - top) * MM_PER_PX


def _grown_before(pages: list[Any], index: int, gap_mm: float) -> Resize | None:
    """The last picture of the article that goes on at the top of the short page
    ``pages[index]``, set on an earlier page, made taller (as rule 5 grows the short page's
    own, up to the column's width and :data:`TALLEST_MM`), when every page from the
    picture's to the short one holds that article's text alone: the text it pushes down
    fills the short page. Hand-made issue 2028-10 (pl): an interview that began on page 2
    with its picture ended on page 4 above a figures block, and the section opening page 5
    (a table glued to the line that introduces it) could not come up; page 4 stayed at
    0.68 with no picture of its own to grow."""
    page = pages[index]._page_box
    article = _first_block(page)
    if article is None or not _has_class(article, "article") or _starts_on(page, article):
        return None
    for earlier in range(index - 1, 0, -1):  # not the cover
        before = pages[earlier]._page_box
        if not _ends_in(before, article):
            return None
        theirs = [box for box, owner in _article_pictures(before) if owner is article]
        if theirs:
            box = theirs[-1]
            widest_mm = _column_width(before) * box.height / box.width
            below_mm = (text_area(before)[1] - box.position_y - box.height) * MM_PER_PX
            grow_mm = min(TALLEST_MM - box.height * MM_PER_PX,
                          widest_mm - box.height * MM_PER_PX,
                          gap_mm - FOLLOWING_MM / 2,
                          below_mm - FOLLOWING_MM)  # its article's lines still under it
            if grow_mm < 5:
                return None
            return Resize(_place(box), round(box.height * MM_PER_PX + grow_mm, 1))
        if _first_block(before) is not article:
            return None
    return None


def _carried(before: Any, page_box: Any, tails: bool = True) -> Carry | None:
    """The page's last block, when it starts on the page and the page without it is still
    :data:`SHORT_DEPTH` full: the block, or its section when it is the section's first
    (a band never ends a page alone). A closing note ("See you in December") on the
    colophon's page reads as the issue's end; the contact alone on a page reads as a
    mistake (hand-made issue 2023-11: seven text cards and a two-line note left no picture
    to shorten, and the contact needed 48 mm of the 29 left)."""
    leaves = list(_leaves(page_box))
    ancestors = leaves[-1][1] if leaves else ()
    last = next((e for e in ancestors if _has_class(e, "block")), None)
    if last is None or any(last in theirs for _, theirs in _leaves(before)):
        return None
    carried, name = last, last.get("id") or last.get("aria-labelledby")
    section = ancestors[ancestors.index(last) - 1]
    if _has_class(section, "section") and next(
            (e for e in section if _has_class(e, "block")), None) is last:
        title = section.find("h2")
        if title is None or not any(title in ancestors for _, ancestors in leaves):
            return None  # the section opened on a page before: its band is not here
        carried, name = section, title.get("id")
    top, bottom = text_area(page_box)
    lowest = max((box.position_y + box.height for box, ancestors in leaves
                  if carried not in ancestors), default=top)
    if name and (lowest - top) / (bottom - top) >= SHORT_DEPTH:
        return Carry(name)
    return _carried_tail(before, page_box, last, leaves) if tails else None


TAIL_KEPT = {"footnotes", "links"}
"""What follows an article's last paragraph and goes with it (:func:`_carried_tail`)."""


def _carried_tail(before: Any, page_box: Any, article: Any,
                  leaves: list[tuple[Any, tuple]]) -> Carry | None:
    """The last paragraph of a two-column article that ends the page, when nothing of the
    page can go whole: a page of running text in balanced columns has no gaps to give and
    no block to carry, and the contact stood alone on the last page (hand-made issue
    2027-01's shape; tests/render/test_moved_pictures.py two_long_articles). Its last
    paragraph (with the notes and links after it) starts the last page in two columns of
    its own above the contact, when the columns left, about half its height shorter, keep
    the page :data:`SHORT_DEPTH` full and the article keeps a paragraph on the page."""
    name = article.get("aria-labelledby")
    if not name or not _has_class(article, "long"):
        return None
    bodies = [e for e in article if _has_class(e, "body")]
    children = list(bodies[-1]) if bodies else []
    tail = len(children)
    while tail and classes_of(children[tail - 1]) & TAIL_KEPT:
        tail -= 1
    if tail < 2:
        return None
    carried = set(children[tail - 1:])
    if any(carried & set(ancestors) for _, ancestors in _leaves(before)):
        return None
    height = sum(box.height for box, ancestors in leaves if carried & set(ancestors))
    top, bottom = text_area(page_box)
    lowest = max((box.position_y + box.height for box, _ in leaves), default=top)
    if height and (lowest - height / 2 - top) / (bottom - top) >= SHORT_DEPTH:
        return Carry(name, tail=True)
    return None


def _carried_back(page: Any, last: Any) -> Carry | None:
    """The block a :class:`Carry` set atop the ``last`` page taken back, when ``page``, the
    one before, has come to be short with room for all the last page holds (that block and
    the contact): the carry was right when it was made, and the fitting of earlier pages
    then pulled text up and left ``page`` short (generated seed 9735, pl: page 22 at 0.65,
    the carried article and the contact on page 23, 0.29: two pages' content in one)."""
    leaves = list(_leaves(last))
    if not leaves:
        return None
    first = min(leaves, key=lambda leaf: leaf[0].position_y)
    carried = next((e for e in first[1] if _has_class(e, "carried")), None)
    if carried is None:
        return None
    if _has_class(carried, "body"):  # a two-column article's last paragraph
        article = first[1][first[1].index(carried) - 1]
        block, tail = article.get("aria-labelledby"), True
    else:
        block, tail = carried.get("aria-labelledby") or carried.get("id"), False
    top, bottom = text_area(page)
    room_mm = (1 - depth(page)) * (bottom - top) * MM_PER_PX - _foot_mm(page)
    held_mm = (max(box.position_y + box.height for box, _ in leaves)
               - text_area(last)[0]) * MM_PER_PX
    if not block or held_mm + SECTION_GAP_MM + SLACK_MM > room_mm:
        return None
    return Carry(block, tail, back=True)


def _opens_carried(page_box: Any) -> bool:
    """Whether the page opens with a block (or section) :class:`Carry` set there: the page
    before is short by choice, nothing of the next page is pulled back to fill it."""
    first = min(_leaves(page_box), key=lambda leaf: leaf[0].position_y, default=None)
    return first is not None and any(_has_class(e, "carried") for e in first[1])


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
        caps.append(_framed(box) - (bottom - target))
    tallest = max(box.height for box, _ in row if box is not None)
    height_mm = min(caps, default=tallest) * MM_PER_PX
    if SMALLEST_CARD_MM <= height_mm < tallest * MM_PER_PX:
        return Shrink(tuple(_place(box) for box, _ in row if box is not None),
                      round(height_mm, 1))
    return None


def _framed(picture: Any) -> float:
    """A card picture's height with the room set above it to stand on its row's line
    (print.Pictures.card_frames): the height the row's tallest picture sets, which a cap
    on the pictures' heights shortens."""
    return picture.height + (getattr(picture, "margin_top", 0) or 0)


def _last_row_pictures(page_box: Any) -> list[tuple[Any, float]]:
    """The card pictures of the page's last row of cards that has pictures, each with how
    far down its card reaches (see :func:`_row_of`); empty when no row on the page has."""
    rows = _rows_with_pictures(page_box)
    return rows[-1] if rows else []


def _rows_with_pictures(page_box: Any) -> list[list[tuple[Any, float]]]:
    """Each row of cards on the page that has pictures, in order (see :func:`_row_of`)."""
    leaves = list(_leaves(page_box))
    grids: dict[int, Any] = {}
    for box, ancestors in leaves:
        card = next((e for e in ancestors if _has_class(e, "card")), None)
        if card is not None and getattr(box, "replacement", None) is not None:
            grid = ancestors[ancestors.index(card) - 1]
            grids[id(grid)] = grid
    return [_row_of(grid, leaves) for grid in grids.values()]


def resizes(pages: list[Any], tails: bool = True
            ) -> Iterator[Resize | Move | Shrink | Split | Tighten | Carry]:
    """Pictures to resize, the first short page's first: each rule's answer for it, then
    the next short page's; ``tails``: a two-column article's last paragraph may be carried
    to the colophon (False while the gaps of the page before could give it the room:
    page_spread.squeezes keeps the article whole and spares a page). The caller takes
    the first that changes something (a picture already at that height, or one its
    pixels keep from growing, would stop the fitting with the pages after it still
    short)."""
    for index in range(1, len(pages) - 1):  # not the cover, not the last page
        page = pages[index]._page_box
        filled = depth(page)
        following = pages[index + 1]._page_box
        back = _moved_back(page, following)
        if back is not None:  # on any page, short or not: a picture apart from its head
            yield back
        if filled >= MIN_DEPTH:
            continue
        if _opens_carried(following):
            back = _carried_back(page, following) if index + 2 == len(pages) else None
            if back is not None:
                yield back
            continue
        last_resort: Move | None = None
        moved_mm: float | None = None  # the opening's height, its picture moved below text
        top, bottom = text_area(page)
        gap_mm = (1 - filled) * (bottom - top) * MM_PER_PX
        first = _first_block(following)
        opening = [(box, article) for box, article in _article_pictures(following)
                   if article is first and (_starts_on(following, article)
                                            or _head_above(following, box, article))]
        if opening:
            box, opening_article = opening[0]
            glued_mm = _glued_below_mm(following, box, opening_article)
            above_mm = _section_gap_mm(following) or _block_gap_mm(opening_article)
            needed_mm = (box.position_y + box.height - text_area(following)[0]) * MM_PER_PX \
                + glued_mm + above_mm + _panel_foot_mm(page)
            height_mm = box.height * MM_PER_PX - (needed_mm - gap_mm)
            smallest_mm = _smallest_mm(following, box)
            # The measure says the start (nearly) fits, yet it opens the next page: the
            # columns balanced it taller than measured. A step smaller, not the same again,
            # and the smallest it may be tried once before it moves below the text
            # (generated seed 9208, en: 38.6 mm, a step less than its floor of 35, was
            # moved overleaf, though at 35 mm it stood under its head)
            height_mm = min(height_mm, box.height * MM_PER_PX - RETRY_MM)
            if height_mm < smallest_mm <= box.height * MM_PER_PX - 1 \
                    and smallest_mm <= box.height * MM_PER_PX - (needed_mm - gap_mm):
                height_mm = smallest_mm
            if height_mm >= smallest_mm:
                yield Resize(_place(box), round(height_mm, 1))
            else:
                tight = _tight_for_picture(following, opening_article, smallest_mm - height_mm)
                if tight is not None:  # … the article set tight first, then its picture
                    yield tight
                section_mm = _section_gap_mm(following)
                move = _moved_below_text(following, box, opening_article, gap_mm, section_mm)
                if move is None:
                    moved_mm = _moved_opening_mm(following, box, opening_article)
                if move is None and moved_mm is None:
                    # … nor can its picture follow its text (a body of one paragraph):
                    # room made on the short page, for the next layout to set the
                    # picture at its smallest
                    fits_mm = box.height * MM_PER_PX - (needed_mm - gap_mm)
                    yield from _room_made(page, smallest_mm - fits_mm + SLACK_MM)
                if move is not None and not move.last:
                    yield move
                elif move is not None:
                    last_resort = move  # after every other way to fill the page
        own = _article_pictures(page)
        chunk_mm = _opening_chunk_mm(following)
        needed_mm = (chunk_mm or 0) + FOLLOWING_MM / 2 \
            + _section_gap_mm(following)
        if own and chunk_mm:  # a card or figure row opens the next page: make room for it
            box = own[-1][0]
            height_mm = box.height * MM_PER_PX - (needed_mm - gap_mm)
            if _smallest_mm(page, box) <= height_mm < box.height * MM_PER_PX:
                yield Resize(_place(box), round(height_mm, 1))
        if chunk_mm:  # … or the pictures of the short page's last row of cards with some
            shrunk = _shrunk_row(_last_row_pictures(page), needed_mm - gap_mm)
            if shrunk is not None:
                yield shrunk
        row = _opening_row_pictures(following) if chunk_mm else []
        if chunk_mm and not row:  # a row of figures: nothing shortens it; its last row
            parted_rows = _parted_rows(following, gap_mm - _section_gap_mm(following)
                                       - SLACK_MM - _foot_mm(page))
            if parted_rows is not None:  # … may part from it, or its intro
                yield parted_rows
            parted = _parted_intro(following, gap_mm - _gap_above_mm(following) - SLACK_MM
                                   - _foot_mm(page))
            if parted is not None:
                yield parted
        if row:  # … or its cards' pictures made shorter (nothing need follow a row)
            above_mm = _section_gap_mm(following) or (
                ROW_GAP_MM if _ends_in(page, _first_block(following)) else BLOCK_GAP_MM)
            row_mm = (chunk_mm or 0) + CARD_FOOT_MM + above_mm + SLACK_MM
            shrunk = _shrunk_row(row, row_mm - gap_mm)
            if shrunk is not None:
                yield shrunk
            parted = _parted_intro(following, gap_mm - above_mm - SLACK_MM - _foot_mm(page))
            if parted is not None:  # … or, when its head and intro fit, the intro ends the
                yield parted  # page (the row stays whole overleaf)
            split = _opening_split(following)
            if split is not None:  # … or, when nothing can shorten it enough, it breaks
                yield split
            if len(row) == 1 and row[0][0] is not None:
                # … or, a card that breaks already (or a row split before, which the
                # split names again: a card set beside its picture): its picture short
                # enough for the card's start (picture, title, two lines) to fit the gap
                box = row[0][0]
                start_mm = _card_start_mm(following, box) + above_mm + SLACK_MM \
                    + _foot_mm(page)
                height_mm = box.height * MM_PER_PX - (start_mm - gap_mm)
                if SMALLEST_CARD_MM <= height_mm < box.height * MM_PER_PX:
                    yield Shrink((_place(box),), round(height_mm, 1))
        opening_mm = _section_opening_mm(following)
        if opening_mm is not None and moved_mm is not None:  # as its picture's move sets it
            opening_mm = min(opening_mm, moved_mm)
        if opening_mm is not None:  # a section opens with text: room made on the short page
            excess_mm = opening_mm + _section_gap_mm(following) + SLACK_MM + _foot_mm(page) \
                - gap_mm
            yield from _room_made(page, excess_mm)
            signature = _opening_signature(following, opening_mm)
            if signature is not None:  # … or the signature of a short letter that opens it
                height_mm = signature.height * MM_PER_PX - excess_mm
                if SMALLEST_SIGNATURE_MM <= height_mm < signature.height * MM_PER_PX:
                    yield Resize(_place(signature), round(height_mm, 1))
        letter = _letter_signature(page, following, gap_mm)
        if letter is not None:  # … or of a short letter that opens the page in its section
            yield letter
        given_mm = _room_given_mm(page) if opening_mm is None \
            else max(_room_given_mm(page), _signature_gives_mm(following))
        tightened = _tightened(following, gap_mm - _foot_mm(page), given_mm, moved_mm) \
            or _tightened_article(following, gap_mm - _foot_mm(page))
        if tightened is not None:
            yield tightened
        if opening_mm is not None:  # … or the section's intro ends the page
            parted = _parted_intro(following, gap_mm - _section_gap_mm(following) - SLACK_MM
                                   - _foot_mm(page))
            if parted is not None:
                yield parted
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
        grown = _grown_before(pages, index, gap_mm)
        if grown is not None:
            yield grown
        if last_resort is not None and filled < SHORT_DEPTH:
            yield last_resort
    pulled = _colophon_pulled_back(pages, tails)
    if pulled is not None:
        yield pulled
