"""Judges: what every build of every issue must hold, whatever the editor wrote.

Each judge takes a built issue (:class:`corpus.build.BuiltIssue`) and returns its faults as
lines naming the file, the language and what is wrong; an empty list is a pass. They look at
the files a reader gets, never at the code that made them:

- ``geometry``: Chromium lays out the e-mail at 320, 375 and 640 px and the web page at 320
  and 1024 px: nothing wider than the viewport, no text line outside its card or figure, no
  text lines over each other, every picture loaded;
- ``derivatives``: every picture the build published or embedded in a PDF shows something
  (it is not one flat colour) when the editor's picture does;
- ``pdf_images``: every picture of both PDFs lies inside its page and its text column;
- ``pdf_text``: every word of both PDFs lies between the page's left and right margins (a
  title's long word, a table's heading, an address once ran past them or off the page);
- ``links``: every address in the HTML editions and the PDFs' link annotations is one the
  editor wrote, or one the template makes (the site's own pages, the unsubscribe and
  preferences placeholders, the sender's address);
- ``leftovers``: no template syntax, Markdown syntax or Python repr (``{'``, ``None``,
  ``{{``, ``{%``, ``[^``, ``](``, ``<mj-``, a pipe table's ``---|``) in what a reader
  reads, unless the editor's own text has it.

And the paper (tests/paper.py measures each from the PDF itself), for both PDFs unless said:

- ``depth``: every page of the readers' PDF but the cover and the last is filled to 0.75
  of its text area at least;
- ``stranded``: no section band or heading, block title, kicker, lead or question in bold
  with fewer than two lines of its column after it on its page;
- ``lone_lines``: no paragraph's first line alone at a column's foot, nor its last alone
  at a column's top;
- ``captions``: an article picture's caption stands right under its picture;
- ``line_ends``: no Polish line ends with a one-letter word (w, z, i, o, a, u);
- ``word_gaps``: no gap between two words of a line over 3 normal spaces;
- ``short_lines``: no two lines of one short word in a row inside a paragraph;
- ``copy``: what pdftotext copies holds no U+2010, U+2011, U+2060, U+200B, no ligature as
  one character, no U+00AD but at a line's end (ISO 32000's mark of a hyphen added by line
  breaking, which a copy drops with the break), and every hyphenated word and address the
  editor typed whole;
- ``line_edges``: no line starts with a dash or ends with what the language binds to the
  next word (an abbreviation, a title, an initial, a number, a sign), no acronym in
  capitals hyphenated, no Polish word broken at its typed hyphen;
- ``overlaps``: no word drawn over another word of its page;
- ``cut``: no word the editor wrote cut at a line's end with no hyphen where the whole
  word fitted its column.

And the screens' editions (tests/screen_text.py):

- ``html_bindings``: no breakable space in the e-mail's or web page's text where the
  language's rules bind (a passage: its own language's);
- ``text_part``: no wrapped line of the text part ends with a word bound to the next, and
  every address typed as text stands whole on one line;
- ``screen_ends``: Chromium draws no line of the Polish e-mail or web page at 320 or 375
  px that ends with a one-letter word.
"""

from __future__ import annotations

import html as html_lib
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from editions import drawn_pdf
from page_depth import measured_pages
from paper import (
    ONE_LETTER_PL,
    binding_ends,
    body_texts,
    captions,
    captions_apart,
    card_texts,
    copied_text,
    copy_faults,
    cut_words,
    drawn_lines,
    edge_faults,
    lone_lines,
    paragraph_texts,
    pictures_apart,
    short_lines,
    squeezed,
    stranded,
    stranding_texts,
    table_cells,
    whole_texts,
    wide_gaps,
    words_over_words,
)
from PIL import Image, ImageOps, ImageStat
from screen_text import WORD_BOXES, one_letter_ends, text_part_faults, unbound_spaces

from corpus.build import ROOT, BuiltIssue
from corpus.geometry import measure_page, outside_cells, overlaps
from newsletter.model import Issue
from newsletter.typography import Rules, language_rules

Fault = str
EMAIL_WIDTHS = (320, 375, 640)
WEB_WIDTHS = (320, 1024)
SHOWN = 3  # faults of one kind shown per page; the rest are counted


def _first(found: list, what: str) -> list[Fault]:
    if not found:
        return []
    more = f" (and {len(found) - SHOWN} more)" if len(found) > SHOWN else ""
    return [f"{what}: {', '.join(map(str, found[:SHOWN]))}{more}"]


# --- geometry --------------------------------------------------------------------------------


def geometry(built: BuiltIssue, browser: Any) -> list[Fault]:
    """Layout faults of the e-mail and the web page at phone and desktop widths."""
    faults = []
    for issue in built.variants:
        pages = [(built.edition_file(issue, "email"), EMAIL_WIDTHS),
                 (built.edition_file(issue, "web"), WEB_WIDTHS)]
        for path, widths in pages:
            name = path.relative_to(built.folder).as_posix()
            for width in widths:
                found = measure_page(browser, built.url_of(path), width)
                where = f"{name} ({issue.language}) at {width} px"
                faults += page_faults(found, width, where)
    return faults


def page_faults(found: dict, width: int, where: str) -> list[Fault]:
    """What :data:`GEOMETRY` found on one page, as faults."""
    faults = []
    if found["scrollWidth"] > width:
        faults.append(f"{where}: the page is {found['scrollWidth']} px wide")
    faults += _first(found["wide"], f"{where}: elements wider than the viewport")
    faults += _first(outside_cells(found["lines"]), f"{where}: text outside its cell")
    faults += _first(overlaps(found["lines"]), f"{where}: text lines over each other")
    faults += _first([src for src, loaded, _ in found["images"] if not loaded],
                     f"{where}: pictures that did not load")
    return faults


# --- derivatives -----------------------------------------------------------------------------

BLANK = 1.0  # standard deviation (0–255) under which a picture is one flat colour
VISIBLE = 4.0  # over which a source clearly shows something


def spread(image: Image.Image) -> float:
    """How much a picture varies, as a reader sees it: the largest standard deviation of its
    red, green and blue over white (16-bit values scaled by their own range first)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        wide = image.convert("I")
        top = max(wide.getextrema()[1], 1)
        image = wide.point(lambda v: v * (255 / top)).convert("L")
    if image.mode in ("LA", "RGBA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        image = Image.alpha_composite(white, rgba)
    return max(ImageStat.Stat(image.convert("RGB")).stddev)


def _source_of(built: BuiltIssue, published: Path) -> Path | None:
    """The editor's picture a published derivative (``images/<stem>-<width>w.<ext>``) was
    made from."""
    stem = re.sub(r"-\d+w$", "", published.stem)
    found = sorted((built.source / "images").glob(f"{stem}.*"))
    return found[0] if found else None


def derivatives(built: BuiltIssue) -> list[Fault]:
    """Published pictures (e-mail, web) and pictures in the PDFs that are one flat colour
    while the editor's picture is not."""
    import pikepdf

    faults = []
    sources = {p: spread(Image.open(p)) for p in (built.source / "images").glob("*")
               if p.is_file()}
    for path in sorted(built.folder.rglob("images/*")):
        source = _source_of(built, path)
        if source is None or sources.get(source, 0) < VISIBLE:
            continue
        with Image.open(path) as image:
            value = spread(image)
        if value < BLANK:
            faults.append(f"{path.relative_to(built.folder)}: one flat colour (spread "
                          f"{value:.2f}) but {source.name} shows something ({sources[source]:.1f})")
    if sources and min(sources.values()) >= VISIBLE:  # every source shows something
        for issue in built.variants:
            for edition in ("pdf", "print"):
                pdf_path = built.edition_file(issue, edition)
                with pikepdf.open(pdf_path) as pdf:
                    for number, page in enumerate(pdf.pages, 1):
                        for name, raw in page.get_images().items():
                            value = spread(pikepdf.PdfImage(raw).as_pil_image())
                            if value < BLANK:
                                faults.append(
                                    f"{pdf_path.relative_to(built.folder)} ({issue.language}) "
                                    f"page {number}: picture {name} is one flat colour "
                                    f"(spread {value:.2f})")
    return faults


# --- pictures in the PDFs --------------------------------------------------------------------

MM = 72 / 25.4
TOLERANCE = 0.5  # pt


def page_margins() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The @page margins (top, right, bottom, left, in pt) of the print CSS: of every page and
    of the first (the cover), read from templates/print/style.css.j2."""
    css = (ROOT / "templates" / "print" / "style.css.j2").read_text(encoding="utf-8")

    def margins(selector: str) -> tuple[float, ...]:
        rule = re.search(rf"@page {re.escape(selector)}\s*\{{[^}}]*?margin:\s*([^;]+);", css)
        values = [float(v.removesuffix("mm")) * MM if v != "0" else 0.0
                  for v in rule.group(1).split()]
        return tuple(values)

    return margins(""), margins(":first")


def image_boxes(page: Any) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every picture drawn on a PDF page and its box (x0, y0, x1, y1 in pt), from the content
    stream: the current transformation at each ``Do`` of an image, through forms."""
    import pikepdf

    found = []

    def walk(stream: Any, resources: Any, ctm: list[float]) -> None:
        stack = []
        for operands, operator in pikepdf.parse_content_stream(stream):
            op = str(operator)
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop() if stack else ctm
            elif op == "cm":
                ctm = _multiply([float(v) for v in operands], ctm)
            elif op == "Do":
                xobjects = resources.get("/XObject", {})
                target = xobjects.get(str(operands[0]))
                if target is None:
                    continue
                if target.get("/Subtype") == "/Image":
                    found.append((str(operands[0]), _unit_box(ctm)))
                elif target.get("/Subtype") == "/Form":
                    matrix = [float(v) for v in target.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                    walk(target, target.get("/Resources", resources), _multiply(matrix, ctm))

    walk(page.obj, page.obj.get("/Resources", {}), [1, 0, 0, 1, 0, 0])
    return found


def _multiply(m: list[float], n: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F]


def _unit_box(ctm: list[float]) -> tuple[float, float, float, float]:
    a, b, c, d, e, f = ctm
    xs = [e, a + e, c + e, a + c + e]
    ys = [f, b + f, d + f, b + d + f]
    return min(xs), min(ys), max(xs), max(ys)


def pdf_images(built: BuiltIssue) -> list[Fault]:
    """Pictures of both PDFs that leave their page or the text column between the margins."""
    import pikepdf

    every, first = page_margins()
    faults = []
    for issue in built.variants:
        for edition in ("pdf", "print"):
            path = built.edition_file(issue, edition)
            with pikepdf.open(path) as pdf:
                for number, page in enumerate(pdf.pages, 1):
                    box = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
                    top, right, bottom, left = first if number == 1 else every
                    column = (box[0] + left, box[1] + bottom, box[2] - right, box[3] - top)
                    for name, (x0, y0, x1, y1) in image_boxes(page):
                        where = (f"{path.relative_to(built.folder)} ({issue.language}) page "
                                 f"{number}: picture {name} at x {x0:.0f}–{x1:.0f}, "
                                 f"y {y0:.0f}–{y1:.0f} pt")
                        if x0 < box[0] - TOLERANCE or y0 < box[1] - TOLERANCE \
                                or x1 > box[2] + TOLERANCE or y1 > box[3] + TOLERANCE:
                            faults.append(f"{where} leaves the page ({_box(box)})")
                        elif x0 < column[0] - TOLERANCE or x1 > column[2] + TOLERANCE \
                                or y0 < column[1] - TOLERANCE or y1 > column[3] + TOLERANCE:
                            faults.append(f"{where} leaves the text column ({_box(column)})")
    return faults


def pdf_text(built: BuiltIssue) -> list[Fault]:
    """Words of both PDFs drawn past the left or right margin (poppler's word boxes, from
    the media box's left, which the printer's PDF puts a bleed before the trim box's)."""
    import subprocess

    import pikepdf
    from lxml import etree

    every, first = page_margins()
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    faults = []
    for issue in built.variants:
        for edition in ("pdf", "print"):
            path = built.edition_file(issue, edition)
            with pikepdf.open(path) as pdf:  # the trim box, from the media box's left
                trims = [[float(t) - float(page.mediabox[0]) for t in
                          page.obj.get("/TrimBox", page.mediabox)] for page in pdf.pages]
            xhtml = subprocess.run(["pdftotext", "-bbox", str(drawn_pdf(path)), "-"], check=True,
                                   capture_output=True).stdout
            pages = etree.fromstring(xhtml).iterfind(".//x:page", ns)
            for number, (page, trim) in enumerate(zip(pages, trims, strict=True), 1):
                _, right, _, left = first if number == 1 else every
                low, high = trim[0] + left - TOLERANCE, trim[2] - right + TOLERANCE
                outside = [f"{w.text!r} at x {float(w.get('xMin')):.0f}–"
                           f"{float(w.get('xMax')):.0f}"
                           for w in page.iterfind(".//x:word", ns)
                           if float(w.get("xMin")) < low or float(w.get("xMax")) > high]
                faults += _first(outside, f"{path.relative_to(built.folder)} "
                                 f"({issue.language}) page {number}: past the margins "
                                 f"(x {low:.0f}–{high:.0f} pt)")
    return faults


def _box(box: Any) -> str:
    return f"x {box[0]:.0f}–{box[2]:.0f}, y {box[1]:.0f}–{box[3]:.0f}"


# --- links -----------------------------------------------------------------------------------

ADDRESS = re.compile(r"(?:https?://|mailto:|www\.)(?:[^\s<>()\[\]\"'`|]|\([^\s<>()]*\))+"
                     r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
"""An address as written: a pair of parentheses belongs to it (Wikipedia's ``Kraków_(miasto)``),
a lone one ends it (``[map](https://…)``)."""


def source_text(built: BuiltIssue) -> str:
    """Everything the editor wrote: issue.yaml and every block file."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(built.source.iterdir())
                     if p.suffix in (".yaml", ".yml", ".md", ".markdown"))


def written_addresses(text: str) -> set[str]:
    """Every address the editor wrote, as a link would carry it: ``www.`` with https://,
    an e-mail address with mailto:, without trailing punctuation."""
    found = set()
    for match in ADDRESS.findall(text):
        address = match.rstrip(".,;:!?*")
        if address.startswith("www."):
            address = "https://" + address
        elif "@" in address and not address.startswith(("mailto:", "http")):
            address = "mailto:" + address
        found.add(address)
    return found


def allowed_by_template(href: str, page_url: str, built: BuiltIssue) -> bool:
    """Links the templates make: the site's own pages (under base_url, or relative to the
    page), anchors, the per-recipient placeholders and the sender's address."""
    if re.fullmatch(r"%%\w+%%", href) or href.startswith("#"):
        return True
    if href == f"mailto:{built.project.site.sender.email}":
        return True
    return urllib.parse.urljoin(page_url, href).startswith(built.base_url)


def _normal(href: str) -> str:
    return urllib.parse.unquote(href).rstrip("/")


def links(built: BuiltIssue) -> list[Fault]:
    """Addresses in the editions that neither the editor nor the template wrote."""
    import pikepdf
    from lxml import html as lxml_html

    written = {_normal(a) for a in written_addresses(source_text(built))}
    faults = []

    def judge(href: str, page_url: str, where: str) -> None:
        if not allowed_by_template(href, page_url, built) and _normal(href) not in written:
            faults.append(f"{where}: link to {href!r}, which the editor did not write")

    for issue in built.variants:
        for edition in ("email", "web"):
            path = built.edition_file(issue, edition)
            document = lxml_html.parse(str(path)).getroot()
            for element in document.iter("a", "area", "link"):
                if element.get("href") is not None and element.get("rel") not in (
                        "stylesheet", "icon"):
                    judge(element.get("href"), built.url_of(path),
                          f"{path.relative_to(built.folder)} ({issue.language})")
        for edition in ("pdf", "print"):
            path = built.edition_file(issue, edition)
            with pikepdf.open(path) as pdf:
                for number, page in enumerate(pdf.pages, 1):
                    for annotation in page.obj.get("/Annots", []):
                        action = annotation.get("/A")
                        if action is not None and action.get("/S") == "/URI":
                            judge(str(action.get("/URI")), built.url_of(path),
                                  f"{path.relative_to(built.folder)} ({issue.language}) "
                                  f"page {number}")
    return faults


# --- leftovers -------------------------------------------------------------------------------

LEFTOVERS = ("{'", "{{", "}}", "{%", "%}", "[^", "](", "<mj-", "---|", "None", "\\u{")
"""``---|`` stands for a pipe table's rule (``|---|---|``, spaces allowed); ``\\u{`` is how
MRML's Rust side wrote a no-break space or a combining mark into an alt text."""


def plain_source(text: str) -> str:
    """The editor's text without the Markdown syntax that is no text of its own: links
    ``[label](address)`` keep their label, footnote marks and table rules go."""
    text = re.sub(r"\[([^\]\n]*)\]\([^)\s]*\)", r"\1", text)
    text = re.sub(r"\[\^[^\]\s]+\]:?", "", text)
    text = re.sub(r"^\|?[\s:|-]*---[\s:|-]*$", "", text, flags=re.MULTILINE)
    return re.sub(r"-{3,}\s*\|", "---|", text)


def leftovers(built: BuiltIssue) -> list[Fault]:
    """Template, Markdown or Python syntax in what a reader reads, which the editor's own
    text does not have."""
    from editions import edition_texts  # tests/editions.py: what a reader reads

    source = plain_source(source_text(built))
    allowed = {token for token in LEFTOVERS if _has(source, token)}
    faults = []
    for issue in built.variants:
        texts = edition_texts(built.language_dir(issue), issue, built.project)
        for edition, text in texts.items():
            text = re.sub(r"-{3,}\s*\|", "---|", " ".join(text.split()))
            for token in LEFTOVERS:
                if token in allowed or not _has(text, token):
                    continue
                at = text.find(token) if token != "None" else re.search(r"\bNone\b", text).start()
                faults.append(f"{edition} ({issue.language}): {token!r} in the text: "
                              f"…{text[max(0, at - 40):at + 40]}…")
    return faults


def _has(text: str, token: str) -> bool:
    return bool(re.search(r"\bNone\b", text)) if token == "None" else token in text


# --- the paper -----------------------------------------------------------------------------

SHALLOW = 0.75


def _pdfs(built: BuiltIssue, editions: tuple[str, ...] = ("pdf", "print")
          ) -> Iterator[tuple[Issue, Path, str]]:
    """Each PDF of each language with the name a fault gives it."""
    for issue in built.variants:
        for edition in editions:
            path = built.edition_file(issue, edition)
            yield issue, path, f"{path.relative_to(built.folder)} ({issue.language})"


def depth(built: BuiltIssue) -> list[Fault]:
    """Inner pages of the readers' PDFs (not the cover, not the last) filled to less than
    :data:`SHALLOW` of their text area."""
    faults = []
    for _, path, where in _pdfs(built, ("pdf",)):
        depths = [page.depth for page in measured_pages(path)]
        shallow = [f"page {n} at {d:.2f}" for n, d in enumerate(depths[1:-1], 2) if d < SHALLOW]
        faults += _first(shallow, f"{where}: pages under {SHALLOW} (of {depths})")
    return faults


def pictures_kept(built: BuiltIssue) -> list[Fault]:
    """Article pictures set on a later page than their article's title though they fit
    on the title's page (issue 17 item 2), in the readers' PDFs (tagged: the pictures are
    found by their alt text)."""
    faults = []
    for issue, path, where in _pdfs(built, ("pdf",)):
        faults += _first(pictures_apart(path, issue), f"{where}: pictures apart")
    return faults


def stranded_heads(built: BuiltIssue) -> list[Fault]:
    """Headings, kickers, leads and questions in bold that end a page or a column."""
    faults = []
    for issue, path, where in _pdfs(built):
        texts, body = stranding_texts(issue, built.project), body_texts(issue)
        whole = whole_texts(issue)  # a one-line paragraph or closing subheading: all of it
        found = [p for page in measured_pages(path)[1:]
                 for p in stranded(page.lines, texts, body, whole)]
        faults += _first(found, f"{where}: stranded")
    return faults


def lone(built: BuiltIssue) -> list[Fault]:
    """A paragraph's single line alone at a column's foot or top (a line that is all of
    another field the editor typed, a title or a label, is that field)."""
    faults = []
    for issue, path, where in _pdfs(built):
        fields = {squeezed(text) for text in typed_texts(issue)} - {""}
        faults += _first(lone_lines(measured_pages(path), paragraph_texts(issue),
                                    table_cells(issue), fields),
                         f"{where}: lone lines")
    return faults


def captions_kept(built: BuiltIssue) -> list[Fault]:
    """Captions set apart from their pictures."""
    faults = []
    for issue, path, where in _pdfs(built):
        texts = captions(issue)
        if texts:
            # a title, a kicker or a table's cell that reads as a caption is that text (a
            # cell "Zielony" in a table's small type, and a picture credited "Zielony":
            # generated seed 9433, pl)
            others = ({squeezed(getattr(block, field) or "") for _, block in issue.blocks()
                       for field in ("kicker", "title") if hasattr(block, field)}
                      | set(table_cells(issue))) - {""}
            faults += _first(captions_apart(path, texts, others=others),
                             f"{where}: captions apart")
    return faults


def line_ends(built: BuiltIssue) -> list[Fault]:
    """Polish lines that end with a one-letter word (unless the editor's text ends so: a
    generated card text, list item, table cell or a quoted title may end with "z", and a
    field written in YAML's flow style, ``{value: 54, label: Firmy z}``, ends inside its
    source line: hand-made issue 2022-04, a figure's label)."""
    written = [squeezed(line).rstrip("\"'") for line in re.split(r"\n|\\n", source_text(built))]
    faults = []
    for issue, path, where in _pdfs(built):
        if issue.language == "pl":
            ends = paragraph_texts(issue) + table_cells(issue) + written \
                + [squeezed(text) for text in typed_texts(issue)]
            faults += _first(binding_ends(drawn_lines(path), ONE_LETTER_PL, ends),
                             f"{where}: lines ending with a one-letter word")
    return faults


def word_gaps(built: BuiltIssue) -> list[Fault]:
    """Gaps between words over 3 normal spaces (table cells and cards apart)."""
    faults = []
    for issue, path, where in _pdfs(built):
        faults += _first(wide_gaps(drawn_lines(path), table_cells(issue) + card_texts(issue)),
                         f"{where}: word gaps over 3 spaces")
    return faults


def short(built: BuiltIssue) -> list[Fault]:
    """Two one-word short lines in a row inside a paragraph (table cells apart)."""
    faults = []
    for issue, path, where in _pdfs(built):
        faults += _first(short_lines(path, table_cells(issue)), f"{where}: short lines")
    return faults


# --- copy and line edges (issue 17 items 4 and 5) ----------------------------------------------

PRINTED = ("title", "heading", "lead", "body", "intro", "closing", "kicker", "label", "value",
           "text", "credit", "name", "role", "greeting", "department", "address", "editors",
           "email", "phone")
"""The fields of an issue a PDF prints (not alt texts, addresses of links, the preheader)."""
HYPHENATED = re.compile(r"(?<![\w@/.:%&=?#-])\w+(?:-\w+)+(?![\w@/-])")
"""A word typed with a hyphen in it ("e-mail", "31-156", "COVID-19", "Kraków-Nowa")."""


def typed_texts(issue: Issue, captions: bool = True) -> list[str]:
    """What the editor wrote in the fields the PDFs print, in ``issue``'s language (the
    issue's title is the e-mail's subject; only an article's picture has a caption, and
    the text part, with no pictures, none)."""
    def walk(value: Any, path: tuple[str, ...]) -> Iterator[str]:
        if isinstance(value, dict):
            for name, item in value.items():
                if path or name != "title":
                    yield from walk(item, (*path, name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from walk(item, path)
        elif isinstance(value, str) and _printed(path, value) and (
                captions or path[-1] != "credit"):
            yield value

    return list(walk(issue.model_dump(), ()))


def _printed(path: tuple[str, ...], value: str) -> bool:
    if path[-2:] == ("image", "credit"):
        return path[-3:] == ("blocks", "image", "credit")  # an article's caption
    return path[-1] in PRINTED and (path[-1] != "email" or "@" in value)


def typed_copies(issue: Issue) -> list[str]:
    """What a copy from the PDFs must hold as typed: every address the editor wrote as text
    (as printed: :func:`newsletter.typography.display_url`) and every word typed with a
    hyphen-minus outside them (as U+002D)."""
    from newsletter.typography import display_url

    found = [display_url(address) for address in typed_addresses(issue)]
    for text in typed_texts(issue):
        rest = ADDRESS.sub(" ", re.sub(r"`([^`]*)`", r"\1", plain_source(text)))
        found += [word for word in HYPHENATED.findall(rest) if not word.isdigit()]
    return found


def typed_addresses(issue: Issue, captions: bool = True) -> list[str]:
    """Every address the editor wrote as text (a link's words, not its target), as typed."""
    return [m.group().rstrip(".,;:!?*") for text in typed_texts(issue, captions)
            for m in ADDRESS.finditer(re.sub(r"`([^`]*)`", r"\1", plain_source(text)))]


def copy(built: BuiltIssue) -> list[Fault]:
    """What a reader copies from both PDFs: stray characters, ligatures as one character,
    a typed hyphen or address that does not copy as typed (tests/paper.py, copy_faults)."""
    faults = []
    for issue, path, where in _pdfs(built):
        faults += _first(copy_faults(copied_text(path), typed_copies(issue)),
                         f"{where}: copy")
    return faults


def rules_of(built: BuiltIssue, issue: Issue) -> Rules:
    """The typography rules of ``issue``'s language (templates/_shared/strings.yaml)."""
    return language_rules(built.project.site.templates_path / "_shared" / "strings.yaml",
                          issue.language)


def editors_lines(built: BuiltIssue, issue: Issue) -> tuple[list[str], list[str]]:
    """Texts that end and start where the editor made them end or start (squeezed):
    paragraphs, list items, table cells and every line of the source (a card's text that
    ends with "nr", a list item that starts with a dash)."""
    written = [squeezed(re.sub(r"^\s*(?:[-*+>]|\d+\.)\s+|^\s*\w+:\s*", "", line)).strip("\"'")
               for line in re.split(r"\n|\\n", source_text(built))]
    texts = paragraph_texts(issue) + table_cells(issue) + [w for w in written if w]
    return texts, texts


def line_edges(built: BuiltIssue) -> list[Fault]:
    """Lines of both PDFs that start or end against the language's rules: a dash at a
    line's start, a bound abbreviation, title, initial or number at its end (Polish
    one-letter words are :func:`line_ends`'), a hyphenated acronym, a Polish word broken
    at its typed hyphen."""
    faults = []
    for issue, path, where in _pdfs(built):
        rules = rules_of(built, issue)
        ends, starts = editors_lines(built, issue)
        acronyms = {w for text in typed_texts(issue) for w in re.findall(r"\w{2,}", text)
                    if w.isupper()}
        skip = ONE_LETTER_PL if issue.language == "pl" else ()
        faults += _first(edge_faults(drawn_lines(path), rules, ends, starts, acronyms, skip),
                         f"{where}: line edges")
    return faults


def cut(built: BuiltIssue) -> list[Fault]:
    """Words of both PDFs cut at a line's end with no hyphen where the whole word would
    have fit its column (tests/paper.py, cut_words)."""
    faults = []
    for issue, path, where in _pdfs(built):
        written = set()
        for text in typed_texts(issue):
            plain = plain_source(text)
            written |= {word.strip("*_`[]()<>.,;:!?\"'") for word in plain.split()}
            written |= set(re.findall(r"\w+", plain))
        faults += _first(cut_words(path, written, rules_of(built, issue)),
                         f"{where}: cut words")
    return faults


def html_bindings(built: BuiltIssue) -> list[Fault]:
    """Breakable spaces in the e-mail's and the web page's text where the language's rules
    bind (tests/screen_text.py, unbound_spaces)."""
    faults = []
    for issue in built.variants:
        rules = rules_of(built, issue)
        for edition in ("email", "web"):
            path = built.edition_file(issue, edition)
            faults += _first(unbound_spaces(path, issue.language, rules),
                             f"{path.relative_to(built.folder)} ({issue.language}): "
                             f"breakable where the rules bind")
    return faults


def text_part(built: BuiltIssue) -> list[Fault]:
    """The text part's lines: none ends with a word bound to the next line's first, and
    every address the editor typed as text stands whole on one line."""
    faults = []
    for issue in built.variants:
        path = built.edition_file(issue, "email").with_name("email.txt")
        typed = carried_addresses(
            [a for a in typed_addresses(issue, captions=False) if "://" in a or "@" in a],
            path.with_name("email.html").read_text(encoding="utf-8"))
        ends, _ = editors_lines(built, issue)
        faults += _first(text_part_faults(path.read_text(encoding="utf-8"),
                                          rules_of(built, issue), typed, ends),
                         f"{path.relative_to(built.folder)} ({issue.language})")
    return faults


def carried_addresses(addresses: list[str], email_html: str) -> list[str]:
    """The ``addresses`` the HTML e-mail carries (its text or its links): a block sent as
    a teaser carries none of its own, and a text part's line ending
    'https://www.example.org/' above 'partner budget' read as a teaser's
    'https://www.example.org/partner' broken over lines (generated seed 9386)."""
    carried = html_lib.unescape(re.sub(r"<wbr>|\u00ad", "", email_html))
    return [address for address in addresses if address in carried]


SCREEN_WIDTHS = {"email": (320, 375), "web": (320, 375)}


def screen_ends(built: BuiltIssue, browser: Any) -> list[Fault]:
    """Lines Chromium draws at a phone's widths that end with a Polish one-letter word."""
    faults = []
    for issue in built.variants:
        if issue.language != "pl":
            continue
        for edition, widths in SCREEN_WIDTHS.items():
            path = built.edition_file(issue, edition)
            page = browser.new_page(viewport={"width": widths[0], "height": 900})
            try:  # loaded once, laid out at each width (the text's lines need no pictures)
                page.goto(built.url_of(path), wait_until="domcontentloaded")
                for width in widths:
                    page.set_viewport_size({"width": width, "height": 900})
                    words = page.evaluate(WORD_BOXES, issue.language)
                    faults += _first(one_letter_ends(words, ONE_LETTER_PL),
                                     f"{path.relative_to(built.folder)} (pl) at {width} px: "
                                     f"lines ending with a one-letter word")
            finally:
                page.close()
    return faults


def overlapping_words(built: BuiltIssue) -> list[Fault]:
    """Words of both PDFs drawn over other words of their page."""
    faults = []
    for _, path, where in _pdfs(built):
        faults += _first(words_over_words(path), f"{where}: words over words")
    return faults


PAPER = ("depth", "pictures", "stranded", "lone_lines", "captions", "line_ends", "word_gaps",
         "short_lines", "copy", "line_edges", "overlaps", "cut")
"""The judges that read only the PDFs (a run of only these builds only the PDFs)."""


# --- all -------------------------------------------------------------------------------------

JUDGES: dict[str, Callable[..., list[Fault]]] = {
    "geometry": geometry,
    "derivatives": derivatives,
    "pdf_images": pdf_images,
    "pdf_text": pdf_text,
    "links": links,
    "leftovers": leftovers,
    "depth": depth,
    "pictures": pictures_kept,
    "stranded": stranded_heads,
    "lone_lines": lone,
    "captions": captions_kept,
    "line_ends": line_ends,
    "word_gaps": word_gaps,
    "short_lines": short,
    "copy": copy,
    "line_edges": line_edges,
    "overlaps": overlapping_words,
    "cut": cut,
    "html_bindings": html_bindings,
    "text_part": text_part,
    "screen_ends": screen_ends,
}
BROWSER = ("geometry", "screen_ends")
"""The judges that take the browser too."""


def judge_all(built: BuiltIssue, browser: Any,
              names: Iterable[str] | None = None) -> dict[str, list[Fault]]:
    """Every judge's (or those ``names``) faults for one built issue."""
    return {name: (JUDGES[name](built, browser) if name in BROWSER else JUDGES[name](built))
            for name in (names or JUDGES)}
