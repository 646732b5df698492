"""What a reader of the paper sees, measured from a PDF itself (poppler's word and line
boxes, pikepdf's picture boxes) against what the editor wrote (issue 17 items 1, 2, 4).

One module for the tests (tests/render/test_flow.py, test_pdf_typography.py) and the
corpus judges (tests/corpus/judges.py), so a rule is measured one way everywhere:

- :func:`stranded`: a heading, kicker, lead or question in bold with fewer than two lines
  of its column after it on its page;
- :func:`lone_lines`: a paragraph's first line alone at a column's foot on a page, or its
  last line alone at a column's top (an orphan, a widow);
- :func:`captions_apart`: a picture's caption on a page without its picture above it;
- :func:`binding_ends`: a line ending with a word that binds to the next (Polish "w");
- :func:`wide_gaps`: a gap between two words of a line wider than 3 spaces;
- :func:`short_lines`: two consecutive lines of one short word inside a paragraph (words
  bound apart: a WeasyPrint fault once set "w" and "Krakowie" each on its own line).

Every function returns faults as lines of text; an empty list is a pass.
"""

from __future__ import annotations

import collections
import functools
import itertools
import re
import subprocess
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from editions import Line, drawn_pdf
from lxml import etree
from lxml import html as lxml_html
from page_depth import A4_HEIGHT, MARGIN_BOTTOM, MM, Page, measured_pages
from pdf_boxes import image_boxes

from newsletter.load import Project
from newsletter.markdown import to_html
from newsletter.model import Article, Issue, Letter
from newsletter.render.print import COLUMN_OF_TWO_PT, TEXT_COLUMN_PT
from newsletter.typography import Rules, display_url, line_words, looks_like_url

NS = {"x": "http://www.w3.org/1999/xhtml"}
ONE_LETTER_PL = frozenset("wziouaWZIOUA")
"""Polish one-letter words, which bind to the next word and never end a line."""


def squeezed(text: str) -> str:
    """Text without spaces and hyphens, lower case: how a PDF's line and the editor's text
    are compared (hyphenation and line breaks add and drop both)."""
    return re.sub(r"[\s\u00ad‐-]+", "", text).lower()


# --- what the editor wrote ------------------------------------------------------------------


def markdown_texts(issue: Issue) -> Iterable[str]:
    """Every Markdown text of the issue: section intros, bodies, closings, card texts."""
    for section in issue.sections:
        yield section.intro or ""
        for block in section.blocks:
            for field in ("body", "closing", "intro"):
                yield getattr(block, field, None) or ""
            for card in getattr(block, "cards", None) or ():
                yield card.text or ""


def _elements(markdown: str, tags: str) -> list[str]:
    """The text of each element of ``tags`` (an XPath union) in ``markdown``'s HTML."""
    if not markdown.strip():
        return []
    document = lxml_html.fragment_fromstring(to_html(markdown, paged=True), create_parent="div")
    return [element.text_content() for element in document.xpath(tags)]


def paragraph_texts(issue: Issue) -> list[str]:
    """Every paragraph and list item of the issue's Markdown, squeezed (table cells and
    paragraphs inside list items are left out: a list item is measured whole)."""
    found = []
    for text in markdown_texts(issue):
        found += [squeezed(t) for t in _elements(text, "//p[not(ancestor::li)] | //li")]
    return [text for text in found if text]


def whole_texts(issue: Issue) -> list[str]:
    """What one line below a head may be all of, squeezed: every paragraph and list item,
    and a subheading that ends an article with no links (nothing of the article follows
    it). Generated seed 9782, pl: an article of a title, a picture and one "### …" line
    stood whole on a page, its title called stranded with that line under it."""
    found = paragraph_texts(issue)
    for _, block in issue.blocks():
        if isinstance(block, Article) and not block.links:
            found += [squeezed(t) for t in _elements(
                block.body, "*[last()][self::h1 or self::h2 or self::h3 or self::h4"
                            " or self::h5 or self::h6]")]
    return [text for text in found if text]


def table_cells(issue: Issue) -> list[str]:
    """Every table cell's text, squeezed: a table sets its cells side by side on one
    baseline and narrow, which no judge of running text may read as one line."""
    return [squeezed(t) for text in markdown_texts(issue)
            for t in _elements(text, "//td | //th") if t.strip()]


def card_texts(issue: Issue) -> list[str]:
    """Every card's pieces, squeezed: its title, text, button, address (as printed) and
    its picture's credit. A row sets its cards side by side, and two cards' pieces may
    share a baseline: one card's address and the next card's credit read as two words
    95 spaces apart (generated seed 9646, pl)."""
    found = []
    for _, block in issue.blocks():
        for card in getattr(block, "cards", None) or ():
            credit = card.image.credit if card.image is not None else None
            found += [squeezed(text) for text in (card.title, card.text, card.button,
                                                  display_url(card.url), credit) if text]
    return found


def captions(issue: Issue) -> list[str]:
    """The captions (credits) of the articles' pictures, squeezed."""
    return [squeezed(block.image.credit) for _, block in issue.blocks()
            if isinstance(block, Article) and block.image and block.image.credit]


def stranding_texts(issue: Issue, project: Project) -> list[str]:
    """What must never end a page or a column without two lines after it: section bands
    and headings, block titles, kickers, leads, and paragraphs set wholly in bold."""
    found = []
    for section in issue.sections:
        words = project.theme.section(section.kind).words(issue.language)
        found += [f"{words.label} {words.name}", section.heading or ""]
        for block in section.blocks:
            found.append(getattr(block, "title", None) or "")
            if isinstance(block, Article):
                found += [block.kicker or "", block.lead or ""]
            if isinstance(block, (Article, Letter)):
                found += re.findall(r"<p><strong>((?:(?!</strong>|</p>).)*)</strong></p>",
                                    to_html(block.body), re.DOTALL)
    return [squeezed(re.sub(r"<[^>]+>|&\w+;", "", text)) for text in found if text]


def body_texts(issue: Issue) -> list[str]:
    """Running text (bold paragraphs left out), table cells (bold ones too: a cell is no
    question), cards' texts and buttons, figures: a line found here is no heading line (a figure
    "+48 12 616 12 34" under a title "Tel. +48 12 616 12 34" is what follows the title,
    not more of it; a bold cell's "31-156 Kraków confer-" whose words a lead also holds is
    a cell's line, generated seed 8503), a letter's signature (its role 'Entrepreneurs
    education', a lead's words too, ended a page as a letter's last line: seed 9210)."""
    found = table_cells(issue)
    for _, block in issue.blocks():
        for field in ("body", "closing", "intro"):
            text = getattr(block, field, None) or ""
            found.append(squeezed(re.sub(r"\*\*[^*]+\*\*", " ", text)))
        # a card's button: its words 'Company platform' over the card's address ended a
        # page's card row, and a lead elsewhere held them (generated seed 9609, en)
        found += [squeezed(text or "") for card in getattr(block, "cards", None) or ()
                  for text in (card.text, card.button)]
        signature = getattr(block, "signature", None)
        if signature is not None:  # a letter's last lines, which may hold a title's words
            found += [squeezed(signature.name), squeezed(signature.role or "")]
        found += [squeezed(f"{item.value} {item.label}")
                  for item in getattr(block, "items", None) or ()]
    # the back page's contact lines: a heading that holds the phone number ("… map +48 12
    # 616 12 34 innovation") does not make the colophon's "+48 12 616 12 34" a heading line
    footer = issue.footer
    found += [squeezed(text or "") for text in [footer.editors, footer.department,
                                                 footer.address, footer.website,
                                                 *footer.email, *footer.phone]]
    return found


# --- stranded headings ----------------------------------------------------------------------


PRINTED_ADDRESS = re.compile(
    r"\s?\((?:https?://|www\.|mailto:|[\w.+-]+@|[\w-]+\.[\w-]+\.?\w)[^)\s]*\)")
"""The address the printer's PDF writes after a link's words, which the editor's text
does not have there."""


def stranded(lines: list[Line], texts: list[str], body: Sequence[str] = (),
             paragraphs: Sequence[str] = ()) -> list[str]:
    """Lines of ``texts`` (not also of ``body``) with fewer than two lines of the same
    column below them on the page (a column: lines whose horizontal extents overlap),
    unless the one line below is a whole paragraph of ``paragraphs`` (the raw Markdown
    texts, or ``whole_texts``): a question whose answer is one line has all of it below."""
    found = []
    whole = {squeezed(re.sub(r"[*_]", "", paragraph)) for text in paragraphs
             for paragraph in re.split(r"\n\s*\n", text)}
    for line in lines:
        words = squeezed(line.text)
        if len(words) < 12 or not any(words in text for text in texts):
            continue
        if any(words in text for text in body):
            continue
        left, right = _column_of(line, lines)
        below = [other for other in lines if other.top > line.bottom - 1
                 and other.x0 < right and left < other.x1
                 and not _heading_line(squeezed(other.text), texts, body)]
        if len(below) == 1 and squeezed(PRINTED_ADDRESS.sub("", below[0].text)).translate(
                _SUPERIOR_DIGITS) in whole:
            continue  # all that follows is a one-line paragraph: the answer is all there
        if _CONTENTS_ENTRY.search(line.text) or (below and _CONTENTS_ENTRY.search(
                min(below, key=lambda other: other.top).text)):
            continue  # a contents entry (a long issue's contents fill page 2: seed 8704)
        if len(below) < 2:
            found.append(f"page {line.page}: '{line.text}' ({len(below)} lines after it)")
    return found


_SUPERIOR_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
"""A footnote's mark as the PDF prints it (a superior figure) and as the Markdown's HTML
holds it (a digit in <sup>): a one-line body "Investment¹." is the paragraph
"Investment[^1]." (generated seed 9588, en: its article's title and lead over it were
called stranded)."""

_CONTENTS_ENTRY = re.compile(r"(?:[.\u2024\u2026]\s*){3,}\d+$")
"""A contents entry's last line: its dot leader and page number."""


def _column_of(line: Line, lines: list[Line]) -> tuple[float, float]:
    """The left and right of the column ``line`` stands in: the page's text width, or,
    when three lines or more start at one left edge in the right half (a second column, a
    card beside another), the part of it on ``line``'s side of that edge. (A short heading
    over a centred figure has the figure in its column, though not under its words.)"""
    left, right = min(o.x0 for o in lines), max(o.x1 for o in lines)
    middle = (left + right) / 2 - 0.05 * (right - left)
    starts = [round(o.x0) for o in lines if o.x0 > middle]
    seconds = sorted({x for x in starts if starts.count(x) >= 3})
    if not seconds:
        return left, right
    edge = seconds[0]
    return (left, edge - 1) if line.x0 < edge - 1 else (edge - 1, right)


def _heading_line(words: str, texts: list[str], body: Sequence[str]) -> bool:
    return any(words in text for text in texts) and not any(words in text for text in body)


# --- orphans and widows ---------------------------------------------------------------------

SHORTEST = 16  # squeezed characters a line needs to be told apart from others (a word
# "business" at a colophon's foot opens some paragraph too)


def _column_ends(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """The lines with no line of the page above them in their column (tops), and those
    with none below (feet); a column: lines whose horizontal extents overlap. A line is
    above another when its middle is above the other's top: a heading's lines are set
    closer than their glyph boxes are tall (a two-line title's second line, 2 mm into the
    first's box, was taken for a line at a column's top: generated seed 8800)."""
    def overlaps(a: Line, b: Line) -> bool:
        return a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1

    def middle(line: Line) -> float:
        return (line.top + line.bottom) / 2

    tops = [line for line in lines if not any(
        middle(other) < line.top and overlaps(line, other) for other in lines)]
    feet = [line for line in lines if not any(
        middle(other) > line.bottom and overlaps(line, other) for other in lines)]
    return tops, feet


def lone_lines(pages: list[Page], paragraphs: list[str], cells: Sequence[str] = (),
               others: Collection[str] = ()) -> list[str]:
    """A paragraph's first line alone at a column's foot (the rest of it on the next page
    or column), or its last line alone at a column's top, on every page but the cover.
    A line is a paragraph's first when the paragraph starts with it and goes on; its last
    when the paragraph ends with it and began before. A line of a table cell (a row never
    splits, and a cell's word may open a paragraph elsewhere) is no paragraph's line, nor
    a line that is all of one of ``others`` (squeezed: a block's title 'Support
    innovation' at a page's top, a figure's label 'Uczestnicy program' at its foot, which
    a paragraph ends or opens with too, generated seed 9102), nor one that goes on from
    the line just above it (or on to the one just below) in one of ``others`` (a figure
    label's second line 'nowy pneumonoultramicroscopicsilicovolcanoconiosis' at a page's
    foot, which a paragraph opens with, generated seed 9214), nor a line that is a whole
    paragraph of ``paragraphs`` (a paragraph of one word, 'Przedsiębiorców.', atop a page,
    which other paragraphs end with: generated seed 9660, pl)."""
    whole = set(paragraphs)
    found = []
    for page in pages[1:]:
        tops, feet = _column_ends(page.lines)
        for lines, which, where in ((feet, "first", "foot"), (tops, "last", "top")):
            for line in lines:
                text = squeezed(line.text)
                if len(text) < SHORTEST or any(text in cell for cell in cells) \
                        or text in others or text in whole \
                        or _goes_on_a_field(line, page.lines, others):
                    continue
                if any((p.startswith(text) if which == "first" else p.endswith(text))
                        and len(p) > len(text) + 2 for p in paragraphs):
                    found.append(f"page {page.number}: '{line.text}' is its paragraph's "
                                 f"{which} line, alone at the {where}")
    return found


def _goes_on_a_field(line: Line, lines: list[Line], others: Collection[str]) -> bool:
    """Whether ``line`` and a line set just above or below it (at a line's pitch, across
    the same width: a figure's label is centred) read as one run of one of ``others``."""
    text = squeezed(line.text)
    for other in lines:
        if other is line or other.x1 < line.x0 or line.x1 < other.x0:
            continue
        if -1 < line.top - other.bottom < CONTINUED_PT:
            run = squeezed(other.text) + text
        elif -1 < other.top - line.bottom < CONTINUED_PT:
            run = text + squeezed(other.text)
        else:
            continue
        if any(run in field for field in others):
            return True
    return False


# --- pictures and captions ------------------------------------------------------------------

CAPTION_BELOW_MM = 8  # from a picture's bottom to its caption's first line (1 mm margin)
CAPTION_LINE_PT = 11
"""A caption's line box is under this (7.5 pt type: 9.9 pt; running text 13.2 pt): a heading
may open with a caption's long first word."""
CONTINUED_PT = 2
"""From a line's foot to the next line's top inside one paragraph (poppler's boxes: -0.3 to
0.6 pt); a caption's first line stands a picture's margin or more below what is above it."""


def captions_apart(path: Path, texts: list[str], pages: list[Page] | None = None,
                   others: Sequence[str] = ()) -> list[str]:
    """Captions whose first line stands on a page with no picture's foot just above it
    (a caption is set flush left under a picture that may be narrower and centred). A line
    that is all of one of ``others`` (squeezed: a kicker "TO", a title) is that text, though
    a caption reads the same ("To", generated seed 5204)."""
    import pikepdf

    pages = pages if pages is not None else measured_pages(path)
    found = []
    with pikepdf.open(path) as pdf:
        for page, pdf_page in zip(pages, pdf.pages, strict=True):
            top = float(pdf_page.mediabox[3])  # poppler measures down from the media box
            bottoms = [top - y0 for _, (_, y0, _, _) in image_boxes(pdf_page)]
            for line in caption_openings(page.lines, texts, others):
                if not any(-1 < line.top - bottom < CAPTION_BELOW_MM * MM
                           for bottom in bottoms):
                    found.append(f"page {page.number}: caption '{line.text}' without its "
                                 f"picture above it")
    return found


def caption_openings(lines: list[Line], texts: list[str], others: Sequence[str] = ()
                     ) -> list[Line]:
    """The lines of a page that read as a caption's first line: small type, all of a
    caption or (long enough to tell) its start, none of ``others``, and no line's
    continuation: a line set at a line's pitch under another of its column (a printed
    address's last piece 'budget' under '…/participants/', a cell's last word, seed 8804)
    goes on from it, where a caption opens under a picture."""
    def continues(line: Line) -> bool:
        return any(abs(other.x0 - line.x0) < 1 and -1 < line.top - other.bottom < CONTINUED_PT
                   for other in lines)

    def opens_other(line: Line, text: str) -> bool:
        """A line that opens one of ``others`` with the line under it: a table cell's
        first line 'Badania' over 'program' (cell 'Badania program') read as a picture's
        credit 'Badania' (generated seed 9601, pl)."""
        return any(abs(other.x0 - line.x0) < 1 and -1 < other.top - line.bottom < CONTINUED_PT
                   and any(o.startswith(text + squeezed(other.text)) for o in others)
                   for other in lines)

    return [line for line in lines
            if line.bottom - line.top <= CAPTION_LINE_PT
            and (text := squeezed(line.text)) not in others
            and any(text == c or (len(text) >= SHORTEST and c.startswith(text))
                    for c in texts)  # a short line that opens a caption may be any text
            and not continues(line) and not opens_other(line, text)]


# --- a picture on the page of its article's start ----------------------------------------

SMALLEST_PICTURE_MM = 35
"""The shortest an article's picture is set to keep it on its article's first page
(render/page_fit.py SMALLEST_MM, docs/authoring.md "Nothing is stranded")."""
CSS_PX = 0.75  # pt
WITH_PICTURE_MM = 4 + 4 + 11 + 8
"""What a picture needs below its article's head beyond its own height: the lead's and
the picture's margins (style.css.j2), two lines of text after it (kept with it) and a
tolerance (the judge finds pictures set apart with room to spare, not by a millimetre)."""
CREDIT_MM = 5  # a credit's line under the picture and its margin
TABLE_START_MM = 12
"""What a table among the two lines after a picture takes beyond one line: its header
and first two rows never part (markdown.css.j2), about 18 mm of one-line rows."""
SHORT_ELEMENT = 100
"""Characters that set in one line of the text column (110-120 a line; an article with a
table is never set in two columns)."""
SUBHEADING_MM = 19  # a subheading or question of two lines opening the body, its margins


@dataclass(frozen=True)
class Figure:
    """A picture of a tagged PDF: its page, its alt text (squeezed) and its top and
    bottom in pt from the top of the media box."""

    page: int
    alt: str
    top: float
    bottom: float


def tagged_figures(path: Path) -> list[Figure]:
    """Every ``/Figure`` of the readers' PDF's structure tree that has alt text, in the
    tree's order (the document's), with its page and box (WeasyPrint writes each one's
    ``/Pg`` and its layout ``/BBox``: CSS px from the page's top left corner)."""
    import pikepdf

    found: list[Figure] = []
    with pikepdf.open(path) as pdf:
        numbers = {page.objgen: n for n, page in enumerate(pdf.pages, start=1)}
        root = pdf.Root.get("/StructTreeRoot")
        stack = [root] if root is not None else []
        while stack:
            element = stack.pop()
            if not isinstance(element, pikepdf.Dictionary):
                continue
            kids = element.get("/K")
            children = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            stack += reversed([c for c in children if isinstance(c, pikepdf.Dictionary)])
            page, alt = element.get("/Pg"), element.get("/Alt")
            if element.get("/S") != "/Figure" or page is None or alt is None:
                continue
            box = element.get("/A", {}).get("/BBox") if isinstance(
                element.get("/A"), pikepdf.Dictionary) else None
            if box is None:
                continue
            _, top, _, bottom = (float(v) * CSS_PX for v in box)  # px, down from the top
            found.append(Figure(numbers[page.objgen], squeezed(str(alt)), top, bottom))
    return found


TITLE_LINE_PT = 15
"""The shortest line a block's title is set on (templates/print/style.css.j2 `.block h3`:
21 pt lines; running text and table cells 11-12 pt): a table cell "Survey" seven pages
before the article "Survey" was taken for its title, and its picture for one set apart
from it (generated seed 9622, en)."""


def _head_lines(lines: list[Line], head: str, title: str, smallest: float = 0.0
                ) -> list[Line]:
    """The lines that spell ``title`` and go on spelling ``head`` (title and lead, both
    squeezed) as far as they do; empty when no run of lines spells the whole title (a
    subheading "Space" starts the title "Space month…" too), or when the first line is
    shorter than ``smallest`` points (a title's type, :data:`TITLE_LINE_PT`)."""
    for start, line in enumerate(lines):
        spelled = squeezed(line.text)
        if len(spelled) < 4 or not head.startswith(spelled) or \
                line.bottom - line.top < smallest:
            continue
        taken = [line]
        for other in lines[start + 1:]:
            more = spelled + squeezed(other.text)
            if not head.startswith(more):
                break
            taken.append(other)
            spelled = more
        if spelled.startswith(title):
            return taken
    return []


def _opening_head(article: Article) -> str:
    """The subheading or paragraph wholly in bold the article's body opens with (kept with
    the lines after it, so it comes with the picture), squeezed; "" when it has none."""
    html = to_html(article.body, paged=True).lstrip()
    found = re.match(r"<h\d[^>]*>(.*?)</h\d>|<p><strong>((?:(?!</strong>).)*)</strong></p>",
                     html, re.DOTALL)
    if found is None:
        return ""
    return squeezed(re.sub(r"<[^>]+>|&\w+;", "", found.group(1) or found.group(2)))


def _subheading_mm(article: Article, pages: list) -> float:
    """What the subheading the article's body opens with takes under its picture: its
    lines as the PDF sets them and their margins (a 16-word subheading in a column of two
    is five lines, not the two :data:`SUBHEADING_MM` assumes: the judge found room for a
    picture that page fitting, measuring the real lines, rightly moved; seed 9208's
    test), or :data:`SUBHEADING_MM` when no run of lines spells it; 0 without one."""
    head = _opening_head(article)
    if not head:
        return 0.0
    for page in pages:
        if not page.lines:
            continue
        middle = (min(line.x0 for line in page.lines) + max(line.x1 for line in page.lines)) / 2
        for column in (page.lines, [line for line in page.lines if line.x0 < middle],
                       [line for line in page.lines if line.x0 >= middle]):
            lines = _head_lines(column, head, head)  # in one column: two set side by side
            if lines:
                return max(SUBHEADING_MM, (lines[-1].bottom - lines[0].top) / MM + 5)
    return SUBHEADING_MM


def _opens_on_a_table(article: Article) -> bool:
    """Whether a table is among the two lines that follow the article's picture: its
    body's first element, or the second after a first of one line. Generated seed 9825
    (pl): a one-item list of one line, then a table, under a title with 69 mm below it;
    page fitting rightly found no room for the picture with the list and the table's
    start, and the judge, counting two lines, called the picture set apart."""
    document = lxml_html.fragment_fromstring(to_html(article.body, paged=True),
                                             create_parent="div")
    first = [element for element in document if element.tag != "section"][:2]
    if first and first[0].tag == "table":
        return True
    return len(first) == 2 and first[1].tag == "table" \
        and len(first[0].text_content().strip()) <= SHORT_ELEMENT


def pictures_apart(path: Path, issue: Issue) -> list[str]:
    """Articles whose picture stands on a later page than their title though it fits on
    the title's page: below the article's head there (title and lead) the page has room
    for the picture at :data:`SMALLEST_PICTURE_MM` with its credit, the subheading its
    body opens with and two lines of text.
    Read from the readers' PDF (tagged): the pictures by their alt text, the titles by
    poppler's lines, both in the document's order (the cover's picture left out)."""
    pages = measured_pages(path)
    bottom = A4_HEIGHT - MARGIN_BOTTOM  # the text area's foot (no bleed: readers' PDF)
    figures = [f for f in tagged_figures(path) if f.page > 1]
    found, page_at, figure_at = [], 1, 0
    for _, block in issue.blocks():
        if not isinstance(block, Article):
            continue
        head = squeezed(" ".join(t for t in (block.title, block.lead) if t))
        title = squeezed(block.title)
        start = next(((page, lines) for page in pages[page_at:]
                      if (lines := _head_lines(page.lines, head, title, TITLE_LINE_PT))),
                     None)
        if start is None:
            continue
        page, lines = start
        page_at = page.number - 1
        if block.image is None:
            continue
        alt = squeezed(block.image.alt)
        figure = next((f for f in figures[figure_at:] if f.alt == alt), None)
        if figure is None:
            continue
        figure_at = figures.index(figure) + 1
        if figure.page <= page.number:
            continue
        rest = len(head) - len("".join(squeezed(line.text) for line in lines))
        line_pt = max(line.bottom - line.top for line in lines)
        room_mm = (bottom - lines[-1].bottom - (rest > 0) * 2 * line_pt) / MM
        needed_mm = SMALLEST_PICTURE_MM + WITH_PICTURE_MM \
            + CREDIT_MM * bool(block.image.credit) + _subheading_mm(block, pages) \
            + TABLE_START_MM * _opens_on_a_table(block)
        if room_mm >= needed_mm:
            found.append(f"page {figure.page}: the picture of '{block.title}' (page "
                         f"{page.number}, {room_mm:.0f} mm left below its head there)")
    return found


# --- lines as drawn: line ends, word gaps ---------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def _words(element: etree._Element) -> Word:
    return Word(element.text or "", *(float(element.get(k)) for k in
                                      ("xMin", "xMax", "yMin", "yMax")))


@functools.lru_cache(maxsize=8)
def _poppler(path: str, mode: str, stamp: tuple[int, int]) -> bytes:
    return subprocess.run(["pdftotext", mode, *(["-bbox"] if mode == "-raw" else []),
                           path, "-"], check=True, capture_output=True).stdout


def _xhtml(path: Path, mode: str) -> etree._Element:
    """poppler's boxes of ``path`` as drawn (``-raw``: words in drawing order; ``-bbox-layout``:
    blocks and lines), read once per file as it is now."""
    drawn = drawn_pdf(path)
    stat = drawn.stat()
    return etree.fromstring(_poppler(str(drawn), mode, (stat.st_mtime_ns, stat.st_size)))


def drawn_lines(pdf: Path) -> list[list[Word]]:
    """Lines as drawn: runs of words side by side, in drawing order (a word in a smaller
    size, as an address the printer's PDF writes after a link's words or a footnote's
    raised mark, is on the line it follows closely, :func:`_beside`). poppler's own lines
    split a line at a wide gap, which would hide the very lines a test looks for."""
    return [line for page in _xhtml(pdf, "-raw").iterfind(".//x:page", NS)
            for line in _page_lines(page)]


_HYPHENS = ("-", "\u00ad", "\u2010", "\u2011", "\ue0ad")
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")


def cut_words(pdf: Path, written: Collection[str], rules: Rules | None = None) -> list[str]:
    """Words of ``written`` (the editor's, bare) cut at a line's end with no hyphen where
    they would have fit: a line that ends with letters or digits, the next line (the same
    text going on) starting with letters or digits that make one written word with them,
    though neither part alone is one, and the whole word, with the words the language's
    ``rules`` bind to it on its line ("2021–2027 pneumonoultramicroscopicsilicovolcano" /
    "coniosis" is one piece), narrower than the line it was cut from, the next or the one
    after that (:func:`_room`). WeasyPrint 70 cut
    the text after an element in emphasis at any character that fit
    (``overflow-wrap: anywhere``): "par" / "tner", "4" / "1" (generated seed 9756)."""
    found = []
    for page in _xhtml(pdf, "-raw").iterfind(".//x:page", NS):
        lines = _page_lines(page)
        for index, (line, following) in enumerate(itertools.pairwise(lines)):
            end, start = line[-1], following[0]
            if end.text.endswith(_HYPHENS) or not _runs_on(end, start) \
                    or not (end.text[-1:].isalnum() and start.text[:1].isalnum()):
                continue
            head, tail = _EDGE.sub("", end.text), _EDGE.sub("", start.text)
            if head + tail not in written or (head in written and tail in written):
                continue
            whole = line_words(" ".join([*(w.text for w in line[:-1]), head + tail]), rules)
            chain = line[-len(whole[-1].split()):] if whole else line[-1:]
            if (end.x1 - chain[0].x0) + (start.x1 - start.x0) < _room(lines, index + 1) - 1:
                found.append(f"{' '.join(w.text for w in line[-3:])} / "
                             f"{' '.join(w.text for w in following[:2])}")
    return found


def _room(lines: list[list[Word]], index: int) -> float:
    """A width the column (or cell) of ``lines[index]`` surely holds: the widest of that
    line and its neighbours, above and below, that start at its left edge and go on from it
    or into it (:func:`_runs_on`), so they are its text's lines."""
    start = lines[index][0]
    near = [lines[index]]
    for before, after in ((index - 1, index), (index, index + 1), (index + 1, index + 2)):
        if before >= 0 and after < len(lines) and \
                _runs_on(lines[before][-1], lines[after][0]):
            near += [lines[before], lines[after]]
    return max(o[-1].x1 - o[0].x0 for o in near if abs(o[0].x0 - start.x0) < 1)


def _page_lines(page: etree._Element) -> list[list[Word]]:
    """A page's lines as drawn (:func:`drawn_lines`)."""
    lines: list[list[Word]] = []
    previous: Word | None = None
    for element in page.iterfind(".//x:word", NS):
        word = _words(element)
        same_line = previous is not None and word.x0 > previous.x1 - 0.5 and (
            abs(word.bottom - previous.bottom) < 0.5 or _beside(previous, word))
        if same_line:
            lines[-1].append(word)
        else:
            lines.append([word])
        previous = word
    return lines


def _beside(before: Word, after: Word) -> bool:
    """Whether ``after``, in another size, follows ``before`` on its line: their boxes
    overlap by half the smaller's height, with a gap of a space or less between them."""
    overlap = min(after.bottom, before.bottom) - max(after.top, before.top)
    smaller = min(after.bottom - after.top, before.bottom - before.top)
    return overlap > 0.5 * smaller and after.x0 - before.x1 < 0.5 * smaller


def is_leader(word: Word) -> bool:
    """The contents' dotted leaders."""
    return set(word.text) <= set(". ")


def binding_ends(lines: list[list[Word]], binding: Iterable[str],
                 ends: Sequence[str] = ()) -> list[str]:
    """Lines that end with a word of ``binding`` (which must stay with the next word).
    A line of one word (a title "W") has nothing to bind to, and a line set letter-spaced
    (a band in capitals, which poppler reads a letter a word) is no running text; a text
    of ``ends`` (squeezed: paragraphs, table cells) that ends so, or is that one word (a
    table cell "Z" after a cell whose link address the printer's PDF prints), ends there,
    and so does a link's label before the address the printer's PDF writes after it
    ("[Transport z](mailto:…)", generated)."""
    binding = set(binding)
    return [" ".join(word.text for word in line)
            for line, following in itertools.zip_longest(lines, lines[1:])
            if line[-1].text in binding and len(line) > 1
            and sum(len(word.text) <= 2 for word in line) * 2 < len(line)
            and not any(text.endswith(squeezed(line[-2].text + line[-1].text))
                        or text == squeezed(line[-1].text) for text in ends)
            and not (following and PRINTED_ADDRESS.match(" " + following[0].text))]


SPACE_SHARE = 0.151
"""A normal space of Source Sans 3 (0.2 em) as a share of poppler's word box height
(ascent + descent, 1.324 em)."""


def _across_cells(before: str, after: str, cells: Sequence[str]) -> bool:
    """Whether ``before`` ends one table cell and ``after`` begins another (the printer's
    PDF writes a link's address after its words, "(biuro@krakow.pl)", which the cell's
    text does not have)."""
    a, b = squeezed(before), squeezed(after)
    printed = a.startswith("(") and a.endswith(")")
    return bool(a and b) and (printed or any(c.endswith(a) for c in cells)) \
        and any(c.startswith(b) for c in cells)


JUSTIFIED = 1.5  # normal spaces: a gap over this on a line is a stretched one
MARKER = re.compile(r"[•◦▪▫‣⁃]|\d{1,3}[.)]")
"""A list item's marker: set outside the item's text, and two columns' markers can stand on
one baseline (a bullet in the first, a number in the second)."""


def wide_gaps(lines: list[list[Word]], cells: Sequence[str] = (),
              most: float = 3.2) -> list[str]:
    """Gaps between two words of a line wider than ``most`` normal spaces (the contents'
    leaders, list markers and the gap between two table cells left out)."""
    wide = []
    for line in lines:
        # a space of the larger type: the printer's PDF sets a link's address after its
        # words smaller, and a justified gap after it read as 3.3 of its spaces (seed 8700)
        pairs = [(before, after, (after.x0 - before.x1) / (SPACE_SHARE * max(
                  before.bottom - before.top, after.bottom - after.top)))
                 for before, after in itertools.pairwise(line)
                 if not (is_leader(before) or is_leader(after) or MARKER.fullmatch(before.text)
                         or MARKER.fullmatch(after.text)
                         or _across_cells(before.text, after.text, cells)
                         or _across_columns(line[0], before, after))]
        # Justifying widens every gap of a line alike: one wide gap among normal ones is
        # where two texts side by side (two cards' lines) happen to share a baseline.
        stretched = len(pairs) < 2 or all(spaces > JUSTIFIED for _, _, spaces in pairs)
        wide += [f"{before.text} … {after.text}: {spaces:.1f} spaces"
                 for before, after, spaces in pairs if spaces > most and stretched]
    return wide


def _across_columns(first: Word, before: Word, after: Word) -> bool:
    """Whether ``before`` ends a two-column body's first column and ``after`` starts its
    second on the same baseline (the line's ``first`` word at the first column's left):
    the gutter, no gap between words ('Miasto.' … 'Badania', generated seed 8614)."""
    second = first.x0 + TEXT_COLUMN_PT - COLUMN_OF_TWO_PT
    return abs(after.x0 - second) < 1.5 and before.x1 <= first.x0 + COLUMN_OF_TWO_PT + 0.5


# --- words over words ------------------------------------------------------------------------

OVERLAP_SHARE = 0.3
"""Of the smaller of two word boxes: two words drawn over each other cover more of each
other than this (neighbours on a line touch, a raised note mark meets its word's corner)."""


def words_over_words(pdf: Path) -> list[str]:
    """Words drawn over other words on the same page: a picture's credit split from its
    picture and drawn atop the next page over the next card (generated seed 9642, pl), text
    run out of its box into another's. Each pair named once, with its page."""
    found = []
    for number, page in enumerate(_xhtml(pdf, "-raw").iterfind(".//x:page", NS), 1):
        words = sorted((_words(w) for w in page.iterfind(".//x:word", NS)
                        if (w.text or "").strip()), key=lambda word: word.top)
        for index, word in enumerate(words):
            for other in words[index + 1:]:
                if other.top >= word.bottom:
                    break  # sorted by top: nothing further down reaches this word
                if _covered(word, other) > OVERLAP_SHARE:
                    found.append(f"page {number}: '{word.text}' over '{other.text}'")
    return found


def _covered(one: Word, other: Word) -> float:
    """How much of the smaller of two word boxes the other covers (0 to 1)."""
    width = min(one.x1, other.x1) - max(one.x0, other.x0)
    height = min(one.bottom, other.bottom) - max(one.top, other.top)
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((one.x1 - one.x0) * (one.bottom - one.top),
                  (other.x1 - other.x0) * (other.bottom - other.top))
    return width * height / smaller if smaller > 0 else 0.0


# --- short lines ----------------------------------------------------------------------------

SHORT_SHARE = 0.3  # of a block's widest line


def short_lines(pdf: Path, cells: Sequence[str] = ()) -> list[str]:
    """In a block of poppler's (a paragraph, as it reads it) of 4 lines or more, two
    consecutive lines but the last of one word each, both narrower than 30 % of the
    block's widest line: words set apart that the text's width would have kept together.
    Words of table cells are left out (poppler reads a row of narrow cells as one
    block)."""
    found = []
    for number, page in enumerate(_xhtml(pdf, "-bbox-layout").iterfind(".//x:page", NS), 1):
        for block in page.iterfind(".//x:block", NS):
            lines = [[_words(w) for w in line.iterfind("x:word", NS)]
                     for line in block.iterfind("x:line", NS)]
            lines = [line for line in lines if line]
            if len(lines) < 4:
                continue
            widest = max(line[-1].x1 - line[0].x0 for line in lines)

            for first, second in itertools.pairwise(lines[:-1]):
                if set_apart(first, second, widest, cells):
                    found.append(f"page {number}: '{first[0].text}' / '{second[0].text}' "
                                 f"each alone on a line")
    return found


def set_apart(first: list[Word], second: list[Word], widest: float,
              cells: Sequence[str] = ()) -> bool:
    """Two consecutive lines of one short word each, one under the other: poppler's
    block may run across columns side by side (a card's button beside the next card's
    list item, generated seed 9283), whose lines are no paragraph's."""
    return _short(first, widest, cells) and _short(second, widest, cells) \
        and first[0].x0 < second[0].x1 and second[0].x0 < first[0].x1


def _short(line: list[Word], widest: float, cells: Sequence[str]) -> bool:
    """A line of one word narrower than :data:`SHORT_SHARE` of ``widest``, not of a table."""
    return len(line) == 1 and line[0].x1 - line[0].x0 < SHORT_SHARE * widest \
        and not any(squeezed(line[0].text) in cell for cell in cells)


# --- copy: what a reader copies ---------------------------------------------------------------

STRAY = {"\u2010": "U+2010 HYPHEN", "\u2011": "U+2011 NO-BREAK HYPHEN",
         "\u2060": "U+2060 WORD JOINER", "\u200b": "U+200B ZERO WIDTH SPACE",
         "\ufeff": "U+FEFF", "\ue0ad": "the inserted hyphen's private character",
         "\u00a0": "U+00A0 (the editor typed a space)",
         "\u00ad": "U+00AD (a hyphen added by line breaking copies as nothing)"}
"""Characters a reader's copy must not hold: the editor typed a hyphen-minus or a space
there (or nothing: a joiner is the typography's, not the editor's; a soft hyphen at a
line's end is how ISO 32000-1 marks a hyphen added by line breaking, but poppler copies
it, so the PDFs also mark that hyphen's copy as nothing, issue 17 item 5)."""
LIGATURE = re.compile("[\ufb00-\ufb06]")


@functools.lru_cache(maxsize=8)
def _copied(path: str, stamp: tuple[int, int]) -> str:
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", path, "-"], check=True,
                          capture_output=True, text=True).stdout


def copied_text(pdf: Path) -> str:
    """What a reader copies from ``pdf``: every character as drawn, lines in drawing order
    (poppler's ``-raw``; its reading-order mode drops a hyphen at a line's end)."""
    stat = pdf.stat()
    return _copied(str(pdf), (stat.st_mtime_ns, stat.st_size))


def joined_copy(text: str) -> str:
    """Copied text with its line breaks undone: a hyphen added by line breaking (copied as
    nothing, or as U+00AD at the line's end by older PDFs) goes with its break, and other
    breaks vanish too, so a word or an
    address broken over two lines reads whole (neither ever holds a space). What poppler
    draws between a page's last line and the next page's first goes too: the running foot
    (a page's last two lines, "Business Kraków · July 2020" and "3 / 5", found so, digits
    aside, on half the pages or more) and list markers (WeasyPrint draws a page's markers
    after its text), so an address that goes on overleaf reads whole."""
    pages = [[line for line in page.split("\n") if line.strip()] for page in text.split("\f")]
    pages = [lines for lines in pages if lines]
    feet = collections.Counter(key for lines in pages
                               for key in {_digitless(line) for line in lines[-FOOT:]})
    common = {key for key, count in feet.items() if count >= max(2, len(pages) / 2)}
    kept = [line for lines in pages
            for line in lines[:-FOOT] + [x for x in lines[-FOOT:] if _digitless(x) not in common]
            if not MARKER.fullmatch(line.strip())]  # list markers, drawn after the page
    return "\n".join(kept).replace("\u00ad\n", "").replace("\n", "")


FOOT = 2  # lines of a running foot, drawn after a page's text


def _digitless(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip())


def copy_faults(text: str, typed: Iterable[str]) -> list[str]:
    """What in a PDF's copied ``text`` the editor did not write: stray characters
    (:data:`STRAY`, a soft hyphen too), ligatures as one character; and which of
    ``typed`` (hyphenated words, addresses, as the editor typed them) the copy does not
    hold whole."""
    found = [f"{name} ×{text.count(char)}: …{_around(text, text.index(char))}…"
             for char, name in STRAY.items() if char in text]
    found += [f"ligature {m.group()!r} (U+{ord(m.group()):04X}): …{_around(text, m.start())}…"
              for m in itertools.islice(LIGATURE.finditer(text), 1)]
    whole = joined_copy(text)
    found += [f"{word!r} does not copy whole" for word in dict.fromkeys(typed)
              if word not in whole and not _shown_in_capitals(word, whole)]
    return found


def _shown_in_capitals(word: str, whole: str) -> bool:
    """A word (never an address, which keeps its case everywhere) set in capitals by its
    style, a kicker's 'KRAKÓW-NOWA' (seed 8410): the reader copies what the page shows,
    the typed hyphen as U+002D."""
    return not re.search(r"[/@.]", word) and word.upper() in whole


def _runs_on(end: Word, start: Word) -> bool:
    """Whether a line that ends with ``end`` may go on in the line that starts with
    ``start``: the same size of type, and the next line right under it (no paragraph's
    gap) or above it (the text goes on in the next column or page). A date under a
    masthead, a heading under a paragraph are other texts, which no rule binds to."""
    height = end.bottom - end.top
    if abs((start.bottom - start.top) - height) > 0.05 * height:
        return False
    return start.top - end.bottom < 0.45 * height


def _around(text: str, at: int) -> str:
    return text[max(0, at - 25):at + 25].replace("\n", "⏎")


# --- line starts and ends by the language's rules ----------------------------------------------

DASHES = ("–", "—")


def _address_start(word: str) -> bool:
    """Whether a printed word is an address or the first piece of one broken over lines:
    a number never binds to an address (typography.bind_html), and "kontakt@life" over
    "-science.example.com" is an e-mail address (generated seed 9793, pl: a table cell's
    "pkt 3" over it was called a number the next word binds to)."""
    return looks_like_url(word) or re.match(r"[\w.+-]+@[\w-]", word) is not None


def edge_faults(lines: list[list[Word]], rules: Rules, ends: Sequence[str] = (),
                starts: Sequence[str] = (), acronyms: Iterable[str] = (),
                skip: Iterable[str] = ()) -> list[str]:
    """Line starts and ends the language's ``rules`` forbid (:class:`newsletter.typography.
    Rules`): a line that starts with a dash; one that ends with a word that binds to the
    next (``rules.bind_after`` but ``skip``: an abbreviation, a title, an initial, a sign
    written before its number), with a number the next word binds to (``bind_numbers``,
    or a unit of ``bind_units``, a sign written after it); an acronym typed in capitals
    (``acronyms``) hyphenated at the line's end; a word broken at its typed hyphen where
    the language never breaks so (``break_at_hyphens``).

    The editor's own text is told apart as :func:`binding_ends` does: a text of ``ends``
    (squeezed paragraphs, table cells, lines) that ends with the line's last words ends
    there (a card text "… ul."), one of ``starts`` that starts with the next line's first
    words starts there (a list item "– …"). A line of one word or letter-spaced capitals
    is no running text; a link's address the printer's PDF writes after its words (in
    brackets) follows the line it ends."""
    from newsletter.typography import INITIALS, SIGN_AFTER, SIGN_BEFORE

    binding = set(rules.bind_after) - set(skip)
    known = set(acronyms)
    number = re.compile(r"\d+(?:[.,]\d+)?")
    found = []
    for line, following in itertools.pairwise(lines):
        if len(line) < 2 or sum(len(word.text) <= 2 for word in line) * 2 >= len(line) \
                or not _runs_on(line[-1], following[0]) or is_leader(line[-2]):
            continue  # one word, letter-spaced capitals, the next line another text, or a
            # contents entry's page number after its leader
        last, first = line[-1].text, following[0].text
        pair = f"{' '.join(w.text for w in line[-3:])} / {' '.join(w.text for w in following[:2])}"
        if PRINTED_ADDRESS.match(" " + first):
            continue
        tail = squeezed(line[-2].text + last)
        head = squeezed(" ".join(w.text for w in following[:2]))
        own_end = any(text.endswith(tail) or text == squeezed(last) for text in ends)
        own_start = any(text.startswith(head) for text in starts)
        if first in DASHES and len(following) > 1 and not own_start:
            found.append(f"a line starts with a dash: {pair}")
        elif own_end:
            continue
        elif last in binding or re.fullmatch(INITIALS, last) or last in SIGN_BEFORE:
            found.append(f"a line ends with {last!r}: {pair}")
        elif number.fullmatch(last) and not _address_start(first) and (
                (rules.bind_numbers and re.match(r"[^\W\d_]", first))
                or first.rstrip(".,;:)") in rules.bind_units or first[:1] in SIGN_AFTER):
            found.append(f"a line ends with the number {last!r}: {pair}")
        elif re.fullmatch(r"[^\W\d_]{2,}[\u00ad\u2010\ue0ad-]", last) and last.isupper() \
                and last[:-1] + re.match(r"\w*", first).group() in known:
            found.append(f"an acronym hyphenated: {pair}")
        elif not rules.break_at_hyphens and re.search(r"\w-$", last) and re.match(r"\w", first):
            found.append(f"a word broken at its typed hyphen: {pair}")
    return found
