"""The PDF editions: readers' download (PDF/UA, A4, links) and printer's file (PDF/X-4).

One Jinja2 → HTML → WeasyPrint pipeline with two variants of the same templates and theme:
``download`` is tagged for accessibility, keeps working links and downsamples images for
screens; ``print`` uses the theme's CMYK values, a CMYK output intent, bleed with crop marks,
prints every URL (paper has no links), pads the page count for a booklet and warns about
images that would print below the printer's resolution.

WeasyPrint is imported only here (about 0.5–0.9 s), so other editions never pay for it.
"""

from __future__ import annotations

import gc
import itertools
import math
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from lxml import html as lxml_html
from markupsafe import Markup, escape

from newsletter.exceptions import NewsletterError
from newsletter.garbage import fewer_collections
from newsletter.load import Project
from newsletter.model import Article, Image, Issue, Letter, LinkCards, Section
from newsletter.output import EDITIONS, Built
from newsletter.pdf_fonts import faithful_copy, faithful_font
from newsletter.placement import MM_PER_CSS_PX, Bounds, shown_width
from newsletter.print_files import BadFile, check_font, check_icc_profile
from newsletter.render import body_cuts, cover_fit, layout_cache, pdf_lang, weasyprint_fixes
from newsletter.render.address_breaks import (
    NARROWEST,
    addresses_across_pages,
    addresses_set,
    set_narrow,
    set_whole,
    set_widows,
)
from newsletter.render.code_values import Code
from newsletter.render.heading_words import long_words_marked, long_words_spanned
from newsletter.render.last_words import last_words_whole
from newsletter.render.lone_links import lone_links, set_glued
from newsletter.render.page_end_hyphens import hyphens_across_pages, set_unhyphenated
from newsletter.render.page_fit import (
    ARTICLE_MM,
    COLOPHON,
    TAIL_KEPT,
    Carry,
    Move,
    Resize,
    Shrink,
    Split,
    Tighten,
    resizes,
)
from newsletter.render.page_spread import set_spread, spreads, squeezes
from newsletter.render.paper_grids import (
    MM,
    card_column_mm,
    card_rows,
    card_text_mm,
    card_type,
    credit_mm,
    measures,
    paper_grids,
    wrapped_lines,
)
from newsletter.render.paper_grids import points as _points
from newsletter.render.table_columns import FixedTables, TableFonts
from newsletter.render.templating import (
    environment,
    issue_context,
    issue_rules,
    site_language,
    strings,
)
from newsletter.render.word_gaps import set_ragged, wide_paragraphs
from newsletter.typography import (
    foreign_words_whole,
    hyphenated_words_whole,
    hyphens_start_lines,
    long_pieces_broken,
    prefixes_whole,
    proper_names_whole,
)

Variant = Literal["download", "print"]

SCREEN_DPI = 150  # the download edition's images: sharp on screens, small files
PRINT_PPI = 300  # the print edition's images, where the editor's file has the pixels
CSS_PX_PER_INCH = 96
MM_PER_INCH = 25.4

PAGE_TEXT_MM = (178, 297 - 22 - 20)  # A4 less the @page margins in style.css.j2
ARTICLE_PICTURE_MM = ARTICLE_MM  # the tallest an article's picture is set (page_fit may change it)
FIT_PASSES = 7
"""Layouts after the first, each resizing or moving pictures to fill one short page
(:mod:`newsletter.render.page_fit`); most issues need none or one, a long one up to four
(a generated pl+en issue of 20 pages: 3 left a page at 0.60, 6 filled it), and a picture
whose article still opens the next page after the measured resize is shrunk 5 mm a pass
(generated seed 50: 5 passes left a page at 0.48, the sixth filled it). One more may
follow to set ragged the paragraphs only the last of them showed. Only a first build
pays for them: the decisions are remembered (:mod:`layout_cache`)."""
MOST_FIT_PASSES = 24


def fit_passes(pages: int) -> int:
    """Page fitting's layouts for a document of ``pages`` pages: :data:`FIT_PASSES` and one
    more a page, at most :data:`MOST_FIT_PASSES`. It fills one short page a layout, a fill
    may leave a later page short (what it pulled back moved every page after it), and a
    decision only a layout shows may undo a fill (an address kept whole across a page's
    end carried an article's start overleaf again: generated seed 9462, pl, 14 pages, took
    14 layouts). The budget before (7, one more per 8 pages past 24) left long corpus issues
    short: 7 for 14 pages (seeds 9462 pl, 9464 en: pages at 0.58 and 0.59, filled by the
    9th-14th layouts), 7 for 25 (seed 9433 en: 0.51, filled by the 12th), and before them
    7 for 64 (seed 9270, en: page 48 at 0.73). Only a first build pays: the decisions are
    remembered (:mod:`layout_cache`), and a document with nothing left to fill stops."""
    return min(MOST_FIT_PASSES, FIT_PASSES + pages)


SLOTS = {
    # The article's column. A picture stays with its article's head, lead and first lines
    # (style.css.j2), and what does not fit a page's foot moves over whole: at most 75 mm
    # tall, a picture leaves the flow room to fill pages (a 190 mm one left half pages).
    "article": Bounds(PAGE_TEXT_MM[0], ARTICLE_PICTURE_MM, 2, MM_PER_CSS_PX),
    # A card: the widest (one card a row: the column less its padding); the block's real
    # column is set by its row (Pictures.card_slot).
    "card": Bounds(PAGE_TEXT_MM[0] - 8, 70, 2, MM_PER_CSS_PX),
    "signature": Bounds(60, 30, 2, MM_PER_CSS_PX),
    # The lead story's picture on the cover, between the masthead and the contents.
    "cover": Bounds(PAGE_TEXT_MM[0], 70, 2, MM_PER_CSS_PX),  # shorter on a long issue: _cover
}
"""Where each picture slot of style.css.j2 is placed, in mm: every picture is set at its
shown width (:mod:`newsletter.placement`) and its derivative made for exactly that width at
the edition's resolution."""

_FACES = {  # theme.fonts.files key → CSS weight and style
    "regular": ("normal", "normal"),
    "italic": ("normal", "italic"),
    "bold": ("bold", "normal"),
    "bold_italic": ("bold", "italic"),
}


class PdfBuildError(NewsletterError):
    """A PDF cannot be built: a font, image or colour profile is missing or broken."""


@dataclass(frozen=True)
class FontFace:
    family: str
    url: str
    weight: str
    style: str


def write_download(issue: Issue, project: Project, out: Path) -> Built:
    """``business-krakow-<id>.pdf``: what readers download."""
    return render_pdf(issue, project, "download", EDITIONS["pdf"].paths(out, issue, project)[0])


def write_print(issue: Issue, project: Project, out: Path) -> Built:
    """``business-krakow-<id>-print.pdf``: what the print shop receives."""
    return render_pdf(issue, project, "print", EDITIONS["print"].paths(out, issue, project)[0])


def render_pdf(issue: Issue, project: Project, variant: Variant, target: Path) -> Built:
    """Lay out and write one PDF edition; warnings name what the editor should look at."""
    with fewer_collections():
        return _render_pdf(issue, project, variant, target)


def _render_pdf(issue: Issue, project: Project, variant: Variant, target: Path) -> Built:
    from weasyprint.urls import FatalURLFetchingError

    pictures = _pictures(project, variant)
    pictures.ids = frozenset([s.id for s in issue.sections] + [b.id for _, b in issue.blocks()])
    options: dict[str, Any] = {"pdf_variant": "pdf/x-4" if variant == "print" else "pdf/ua-1"}
    if variant == "download":
        # The pictures are derivatives made for SCREEN_DPI at their slot's width (Pictures);
        # dpi only catches a slot placed narrower. No jpeg_quality/optimize_images: they
        # make WeasyPrint re-encode every JPEG (a second lossy pass, a bigger file, slower).
        options.update(dpi=SCREEN_DPI)
    try:
        document, html = _laid_out(issue, project, variant, pictures, options, target)
    except FatalURLFetchingError as exc:
        cause = exc.__cause__ or exc
        raise PdfBuildError(f"{target.name}: {exc.args[0]}: {cause}") from None
    warnings: list[str] = []
    if variant == "print":
        warnings += _low_resolution_images(document, project.site.print.min_ppi, pictures.sources)
        document = _padded(document, project.site.print.pad_to_multiple_of, html,
                           strings(project, issue.language).get("notes", ""))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")  # readers never see half a PDF
    cmyk = _rgb_to_cmyk(_icc_profile(project)) if variant == "print" else None

    def finisher(document: Any, pdf: Any) -> None:
        faithful_copy(document, pdf)
        if cmyk is not None:
            cmyk(document, pdf)
            _bleed_boxes(pdf, project.site.print.bleed_mm)
            _no_annotations_or_lab(pdf)

    pdf_lang.install()  # /Lang on passages in another language ({lang=uk})
    document.write_pdf(partial, finisher=finisher, **options)
    os.replace(partial, target)
    return Built([target], warnings)


def _laid_out(issue: Issue, project: Project, variant: Variant, pictures: Pictures,
              options: dict[str, Any], target: Path) -> tuple[Any, str]:
    """The final layout of ``issue`` and the HTML it was made from.

    Each layout may decide something only a layout shows: a short page to fill by resizing
    one picture (:func:`resizes`, one page per layout, from the first) and the paragraphs
    whose justified gaps are too wide (:func:`wide_paragraphs`, set ragged in the next
    layout, which a resize needs anyway) or whose line ending a page is hyphenated
    (:func:`hyphens_across_pages`, set without hyphenation) and those a page's end cuts
    inside an address (:func:`addresses_across_pages`, given the widows that carry it over
    whole), an address run past its line's edge (:func:`addresses_past_their_block`,
    broken at its dots), an article's links alone atop a page (:func:`lone_links`, kept
    with the lines above them); when page fitting has nothing left to change, the short
    pages' leftover space spread between their blocks (:mod:`page_spread`, one more
    layout), or the gaps of the page before a last page holding only the contact given up
    for it (:func:`squeezes`, one more). Decisions made for the same document before are
    replayed (:mod:`layout_cache`): then one layout is all it takes, of the HTML they
    made, which a warm build of unchanged inputs does not even write again.
    """
    import weasyprint

    weasyprint_fixes.install()
    inputs = _inputs(issue, project, variant)
    shortcut = layout_cache.shortcut(inputs, issue.source_dir)
    if shortcut is not None:
        key, known, html = shortcut.key, shortcut.decisions, shortcut.html
        pictures.sources.update(shortcut.sources)
    else:
        html = render_html(issue, project, variant, pictures)
        key = layout_cache.digest(html, variant, project.site.templates_path)
        known = layout_cache.load(key)
    decisions = known or layout_cache.Decisions()
    replayed = html
    if known and (known.heights or known.moved or known.split or known.cover or known.tight
                  or known.carried):
        pictures.heights = dict(known.heights)
        pictures.after = dict(known.moved)
        pictures.split = set(known.split)
        pictures.tight = set(known.tight)
        pictures.carried = set(known.carried)
        pictures.cover_left_out = known.cover
        replay = layout_cache.load_html(key, issue.source_dir) if shortcut is None \
            else (html, {})
        if replay is not None:
            html = replayed = replay[0]
            for url, path in replay[1].items():  # the files this build read come first
                pictures.sources.setdefault(url, path)
        else:
            html = render_html(issue, project, variant, pictures)
    refused: set[tuple[str, int]] = set()  # addresses kept whole that ran past their line
    squeezed: dict[int, float] = {}  # the gaps of the colophon's page before, once
    for attempt in range(MOST_FIT_PASSES + 3 + cover_fit.STEPS):  # + spread, + squeeze
        if attempt:  # the layout page fitting is done with, freed before the next
            document = source = None  # (newsletter/garbage.py: collections are rare)
            gc.collect()
        with _weasyprint_problems() as problems:
            source = weasyprint.HTML(
                string=html, base_url=str(issue.source_dir), url_fetcher=_local_fetcher()
            )
            set_ragged(source, decisions.ragged)
            set_unhyphenated(source, decisions.unhyphenated)
            set_widows(source, decisions.widows)
            set_whole(source, decisions.whole)
            set_narrow(source, decisions.narrow)
            set_glued(source, decisions.glued)
            set_spread(source, decisions.spread)
            document = source.render(**options)
        if problems:
            raise PdfBuildError(f"{target.name}: " + "; ".join(problems))
        if known:
            if shortcut is None:
                if html != replayed or layout_cache.load_html(key, issue.source_dir) is None:
                    layout_cache.store_html(key, html, pictures.sources, issue.source_dir)
                layout_cache.remember(inputs, key, html)
            return document, html
        if pictures.cover_left_out < cover_fit.STEPS and cover_fit.spills(document.pages):
            pictures.cover_left_out += 1  # before any page is fitted: it shifts them all
            html = render_html(issue, project, variant, pictures)
            continue
        # The layouts the cover took are not page fitting's: counted in, they left it 4 of
        # its 7 on a long issue whose cover spilt (generated seed 8804, en: pages left at
        # 0.38-0.69 that the other 3 filled)
        fitted = attempt - pictures.cover_left_out
        passes = fit_passes(len(document.pages))
        wide = wide_paragraphs(source, document) - decisions.ragged
        decisions.ragged |= wide
        turned = hyphens_across_pages(source, document) - decisions.unhyphenated
        decisions.unhyphenated |= turned
        applied = dict(decisions.widows)
        cut = {place: count for place, count in addresses_across_pages(source, document).items()
               if count > applied.get(place, 0)}
        decisions.widows |= cut
        fit, past = addresses_set(source, document)  # one reading of the lines
        narrowed = {key: decisions.narrow.get(key, 0) + 1 for key in past - decisions.whole
                    if decisions.narrow.get(key, 0) < NARROWEST}
        decisions.narrow |= narrowed  # a piece wider than its line: broken at its dots
        past &= decisions.whole
        refused |= past
        decisions.whole -= past
        whole = fit - decisions.whole - refused
        decisions.whole |= whole
        whole |= past  # a change: the next layout breaks them again
        alone = lone_links(source, document) - decisions.glued
        decisions.glued |= alone
        gaps = squeezes(source, document)  # the colophon alone: what its page's gaps give
        candidates = resizes(document.pages, tails=not gaps) if fitted < passes else iter(())
        change = next((change for change in candidates if pictures.resize(change)), None)
        if isinstance(change, (Move, Split)):
            # a picture moved inside its article, or a row of cards set one card a row: the
            # places of the paragraphs after it changed, so the wide ones (and the cut
            # addresses) are found again on the next layout (generated seed 9387, pl:
            # decisions kept by place over a split row landed on other elements)
            decisions.ragged = set()
            decisions.unhyphenated = set()
            decisions.widows = {}
            decisions.glued = set()
        spread = spreads(source, document, decisions.spread) \
            if change is None and fitted < passes + 1 else {}
        if change is None and not spread and not squeezed and fitted < passes + 2:
            spread = squeezed = gaps  # the colophon alone: gaps give
        decisions.spread |= spread  # a short page nothing else filled: its gaps grow
        if change is not None:
            # the spread pages are spread again once fitting is done: the gaps are kept by
            # the elements' places, which a moved picture or a split row changes
            decisions.spread = {}
            html = render_html(issue, project, variant, pictures)
        elif not (wide or turned or spread or cut or whole or alone or narrowed):
            break
    else:
        decisions.ragged -= wide  # found by the last layout, not applied to it
        decisions.unhyphenated -= turned
        decisions.widows = applied
        decisions.whole -= whole
        decisions.glued -= alone
        for key in narrowed:  # found by the last layout, not applied to it
            decisions.narrow[key] -= 1
        decisions.narrow = {key: level for key, level in decisions.narrow.items() if level}
    # By placement, not by file: the same issue copied elsewhere (a test's folder, a
    # colleague's checkout) replays them too.
    decisions.heights = dict(pictures.heights)
    decisions.moved = dict(pictures.after)
    decisions.split = set(pictures.split)
    decisions.tight = set(pictures.tight)
    decisions.carried = set(pictures.carried)
    decisions.cover = pictures.cover_left_out
    layout_cache.store(key, decisions)
    layout_cache.store_html(key, html, pictures.sources, issue.source_dir)
    layout_cache.remember(inputs, key, html)
    return document, html


def _inputs(issue: Issue, project: Project, variant: Variant) -> str:
    """The key of what ``issue``'s first HTML for ``variant`` is made from
    (:func:`layout_cache.inputs_key`): the loaded issue, site and theme as they are
    (whatever files they were read from, whatever a caller changed), and the issue's and
    theme's folders' files (pictures, fonts)."""
    site, theme = project.site, project.theme
    return layout_cache.inputs_key(
        variant, site.templates_path,
        [issue.model_dump_json(), site.model_dump_json(), str(site.root.resolve()),
         theme.model_dump_json()],
        [issue.source_dir, theme.folder])


TOC_COLUMN_PT = ((PAGE_TEXT_MM[0] - 8) / 2 - 5) * MM
"""The narrowest line of the cover's contents (a title in the second of two columns, under
its section's): a title's word wider than it is hyphenated, no other (titles are not)."""


def render_html(
    issue: Issue, project: Project, variant: Variant, pictures: Pictures | None = None
) -> str:
    """The HTML+CSS document WeasyPrint lays out (checked for fonts and profile first)."""
    print_settings = project.site.print
    if pictures is None:
        pictures = _pictures(project, variant)
    faces = font_faces(project)  # a missing font file is named before anything reads it
    bold = measures(project)[0]  # the contents' and the headings' long words
    cover = _cover(issue, pictures.cover_left_out, contents_lines(project, issue.language))
    pictures.slots["cover"] = replace(SLOTS["cover"], height=cover["cover_picture_mm"])
    rules = issue_rules(issue, project)
    kinds = card_type(project)
    context = {
        **issue_context(issue, project),
        "variant": variant,
        "font_faces": faces,
        "icc_url": _icc_profile(project).as_uri() if variant == "print" else "",
        "bleed_mm": print_settings.bleed_mm if variant == "print" else 0,
        "sheet_bleed_mm": sheet_bleed_mm(print_settings.bleed_mm) if variant == "print" else 0,
        "col": lambda name: _color(project, name, variant),
        "pt": _points,
        "image_src": pictures.src,
        "image_size": pictures.size,
        "caption_style": pictures.caption_style,
        "picture_after": pictures.paragraphs_before,
        "split_body": split_body,
        "split_tail": split_tail,
        "tail_of": lambda block_id: block_id + TAIL,
        "tight": pictures.tight,
        "toc_words": lambda html: Markup(long_words_spanned(
            html, bold, _points(project.theme.fonts.sizes.lead), TOC_COLUMN_PT)),
        "carried": pictures.carried,
        **paper_grids(project, pictures.card_slot, rules, pictures.row_breaks),
        "card_frames": lambda row: pictures.card_frames(
            row, lambda text, width_mm: credit_mm(text, width_mm, kinds),
            lambda card, width_mm: card_text_mm(card, width_mm, kinds)),
        "side_gap_mm": SIDE_GAP_MM,
        **cover,
        # Paper for a booklet ends on a back cover (contact, colophon), not blank pages.
        "back_cover": variant == "print" and print_settings.pad_to_multiple_of > 1,
    }
    context["contents_parts"] = contents_parts(context["sections"], cover["contents_split"],
                                               cover["contents_entries"])
    html = environment(project, "print").get_template("issue.html.j2").render(context)
    html = long_words_marked(html, bold, _points(project.theme.fonts.base_size),
                             COLUMN_OF_TWO_PT)
    html = hyphens_start_lines(long_pieces_broken(_bound_words_apart(_marked_questions(html))))
    html = prefixes_whole(hyphenated_words_whole(html, rules))
    if (site_language(project, issue.language).hyphenation or "").startswith("en"):
        html = foreign_words_whole(html)
    html = proper_names_whole(html, rules)
    return _fixed_tables(project)(
        last_words_whole(_superior_note_marks(_kickers_without_joiners(html))))


_KICKER = re.compile(r'(<p class="kicker">)(.*?)(</p>)', re.DOTALL)


def _kickers_without_joiners(html: str) -> str:
    """Kickers (letter-spaced capitals) with each word that holds a word joiner in a
    no-wrap span instead (unbroken_ranges): letter spacing is added after the joiner too,
    and poppler read the gap as a space, so a kicker's "COVID-19" copied as "COVID- 19"
    (generated seed 9394, en)."""
    from newsletter.render.unbroken_ranges import nowrap_for_joiners

    return _KICKER.sub(lambda kicker: kicker.group(1) + nowrap_for_joiners(kicker.group(2))
                       + kicker.group(3), html)


_NOTE_MARK = re.compile(r'<sup class="note-mark">(\d+)</sup>')
_SUPERIORS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superior_note_marks(html: str) -> str:
    """Footnote marks as the font's superior figures (U+00B9, U+00B2…), not digits set
    small and raised: a reader copying "nr 651/2014³" from the PDF got "651/20143", a
    wrong number (hand-made issue 2026-06); a superior figure copies as itself."""
    return _NOTE_MARK.sub(
        lambda mark: f'<span class="note-mark">{mark.group(1).translate(_SUPERIORS)}</span>',
        html)


def split_body(body: str, count: int) -> tuple[Markup, Markup]:
    """An article's body HTML cut after its first ``count`` top-level elements (page_fit's
    :class:`Move` sets the picture between the two parts)."""
    from html.parser import HTMLParser

    class Cut(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=False)
            self.depth, self.closed, self.at = 0, 0, None
            self.lines = [0, *itertools.accumulate(len(line) for line in
                                                    body.splitlines(keepends=True))]

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag not in _VOID:
                self.depth += 1

        def handle_endtag(self, tag: str) -> None:
            self.depth -= 1
            if self.depth == 0 and self.at is None:
                self.closed += 1
                if self.closed == count:
                    line, column = self.getpos()
                    self.at = body.index(">", self.lines[line - 1] + column) + 1

    # never after what the style keeps with what follows it (body_cuts: a subheading, a
    # question in bold, a line ending in a colon, a head's list of one item): the picture
    # goes after the answer (hand-made issue 2026-06: a portrait between "What trips
    # applicants up?" and its answer)
    tops = body_cuts.top_level(lxml_html.fragments_fromstring(body) if body.strip() else [])
    count = body_cuts.cut_after(tops, count)
    cut = Cut()
    cut.feed(body)
    cut.close()
    at = cut.at if cut.at is not None else len(body)
    return Markup(body[:at]), Markup(body[at:])


TAIL = "/tail"
"""How :class:`Pictures` names an article whose last paragraph is carried (page_fit's
``Carry(tail=True)``): its id and this, as the article template tests it."""


def split_tail(body: str) -> tuple[Markup, Markup]:
    """An article's body HTML cut before its last paragraph (or list, quote…) and the notes
    and links after it: the part that page_fit's ``Carry(tail=True)`` starts a page with."""
    from html.parser import HTMLParser

    class Tops(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=False)
            self.depth, self.kept = 0, []

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if self.depth == 0:
                classes = (dict(attrs).get("class") or "").split()
                self.kept.append(bool(set(classes) & TAIL_KEPT))
            if tag not in _VOID:
                self.depth += 1

        def handle_endtag(self, tag: str) -> None:
            self.depth -= 1

        def handle_startendtag(self, tag: str, attrs: Any) -> None:
            self.handle_starttag(tag, attrs)
            if tag not in _VOID:
                self.depth -= 1

    tops = Tops()
    tops.feed(body)
    tops.close()
    count = len(tops.kept)
    while count and tops.kept[count - 1]:
        count -= 1
    # the paragraph before the last may head it (a subheading, a line ending in a colon):
    # split_body then cuts after the last; the cut goes back until something is carried
    for kept in range(count - 1, 0, -1):
        parts = split_body(body, kept)
        if parts[1].strip():
            return parts
    return Markup(body), Markup("")


_VOID = body_cuts.VOID


_QUESTION = re.compile(r"<p><strong>((?:(?!</strong>|</p>).)*)</strong></p>", re.DOTALL)


def _marked_questions(html: str) -> str:
    """A paragraph that is bold from end to end (an interview's question, a run-in
    heading) gets class ``ask``: the style keeps it with two lines of what follows, which
    CSS cannot select by itself."""
    return _QUESTION.sub(r'<p class="ask"><strong>\1</strong></p>', html)


_BOUND_TO_ELEMENT = re.compile(
    r"([^\s<>]+(?:[\xa0\u202f][^\s<>]+)*)\xa0"
    r"(?=<(?:a|abbr|b|cite|code|em|i|mark|q|s|small|span|strong|sub|sup|u)[\s>])"
)
"""The words bound to an inline element that follows: the whole chain of them joined by
no-break spaces ("+48 12 616 12 34 <span class=address>…"), not only the last."""


def _bound_words_apart(html: str) -> str:
    """A word bound to the inline element after it ("i\u00a0<a>", "w\u00a0<strong>", a
    number before *emphasis*: typography.py) stands in a span of its own, with the words
    bound to it (a phone number's groups: with only its last group in the span, the text
    before still ended unbreakable: a lead broke "31-156" / "Kra-" / "ków"). When such an
    element did not fit at a line's end, WeasyPrint 70 looked for an earlier break in the
    text before it (none between the word and the element) and cut that text after its
    first word, line after line ("przedsiębior- / ców / nowy / mieszkań- / cy …"); a span
    is a box of its own, which it moves to the next line with the element."""
    return _BOUND_TO_ELEMENT.sub(r'<span class="bound">\1&#160;</span>', html)


COVER_ROOM_MM = 297 - 20 - 62  # the cover page less its foot margin and the masthead


COVER_PICTURE_MM = (35, 70)
"""The cover story's picture: its shortest before it is left out, and its tallest when the
contents leave the cover no more room than that (with its 4 mm margin it takes 75 mm of
the cover; SLOTS["cover"])."""
COVER_TALLEST_MM = 110
"""The tallest the cover story's picture grows where a short contents leaves the room: up
to the column's width (a landscape picture 70 mm tall filled 62 % of it, flush left, over
a cover 40 % empty: hand-made issue 2027-04, one article)."""
COVER_CREDIT_MM = 4
"""The cover picture's credit under it (a line of the smallest size and its margin)."""
COVER_SPARE_MM = 15
"""Cover room a picture taller than COVER_PICTURE_MM[1] leaves free: the contents' height is
estimated, and a cover that spills loses its picture (cover_fit)."""


STORY_WORDS = 25
"""An article without a picture leads the cover only with this many words of lead and
text, and a title of two words or more (a one-word note is no lead story)."""


def _cover(issue: Issue, left_out: int = 0,
           entry_lines: Callable[[Section], list[float]] | None = None) -> dict[str, object]:
    """What the cover shows besides the masthead: the lead story (the first article with a
    picture and a story to tell, :data:`STORY_WORDS`; else the first with a picture, else
    the first with a story; else none) and the
    contents. The cover must stay one page, so the story's picture, then its lead, are
    left out when the contents (estimated in lines of about 90 characters, half as many in
    two columns) would not fit with them; ``left_out`` (:mod:`cover_fit`) sets the
    picture no taller than its slot, then at its shortest (:data:`cover_fit.SHORTER`),
    then leaves out the picture, the lead, the story, when a layout showed the cover
    spill over, then the contents' entries (:data:`cover_fit.ENTRIES_OUT`).
    ``entry_lines``: a section's heading and entries as the room they take in a column of
    two (:func:`contents_lines`), where two columns of contents part.

    A contents that would not fit the cover even alone lists the sections only, each with
    its page (the PDF's bookmarks still list every article), and the story is back on
    the cover: a 40-page issue's contents spilt over four pages, a cover with its masthead
    alone and a page with the contents' title alone (generated seed 9207, pl)."""
    articles = [block for _, block in issue.blocks() if isinstance(block, Article)]

    def told(article: Article) -> bool:
        return len(f"{article.lead or ''} {article.body or ''}".split()) >= STORY_WORDS

    # A picture with a story first: a gallery's photo captioned in a line was the cover's
    # lead story over the issue's news (hand-made issue 2027-01, "Zabłocie o świcie")
    story = next((a for a in articles if a.image and told(a)), None) \
        or next((a for a in articles if a.image), None) \
        or next((a for a in articles if len(a.title.split()) >= 2 and told(a)), None)
    full = [[text for text in [s.heading or s.kind,
                               *(getattr(b, "title", "") for b in s.blocks)] if text]
            for s in issue.sections]
    entries = left_out < cover_fit.ENTRIES_OUT and _contents_mm(full) <= COVER_ROOM_MM
    if not entries:
        left_out = max(0, left_out - cover_fit.ENTRIES_OUT)
    per_section = full if entries else [section[:1] for section in full]
    two_columns = _two_columns(per_section)
    split = (contents_split([entry_lines(section) for section in issue.sections])
             if two_columns and entry_lines and entries else (len(per_section), 0))
    contents_mm = _contents_mm(per_section)
    story_mm = {"title": 0.0, "lead": 0.0, "picture": 0.0}
    if story:
        story_mm["title"] = 12 + 9 * -(-len(story.title) // 45)
        story_mm["lead"] = 5.5 * -(-len(story.lead or "") // 110)
        story_mm["picture"] = 75 if story.image else 0
    tallest = _cover_picture_tallest_mm(story.image) if story and story.image else 0.0
    # its credit under it, as under the article's (hand-made issue 2029-06 had none)
    credit_mm = COVER_CREDIT_MM if story and story.image and story.image.credit else 0.0
    room = COVER_ROOM_MM - contents_mm - story_mm["title"]
    # A long contents leaves less room: the picture is set shorter, down to
    # COVER_PICTURE_MM[0], before it is left out (a cover without its story's picture is
    # not a cover: issue 17 item 1).
    picture_mm = min(story_mm["picture"], room - story_mm["lead"])
    if picture_mm >= story_mm["picture"] > 0 and left_out < 1:  # room to spare: taller
        picture_mm = max(picture_mm, min(tallest + 5, room - story_mm["lead"] - COVER_SPARE_MM))
    if left_out >= cover_fit.SHORTER:  # the layout spilt with it shorter: at its shortest
        picture_mm = min(picture_mm, COVER_PICTURE_MM[0] + 5)
    fits = story_mm["picture"] > 0 and picture_mm >= COVER_PICTURE_MM[0] + 5
    shown = left_out - cover_fit.SHORTER  # what is left out past the picture's height
    show_picture = fits and shown < 1
    show_lead = story_mm["lead"] <= room - (picture_mm if fits else 0) and shown < 2
    return {"cover_story": story if room >= 0 and shown < 3 else None,
            "cover_picture": show_picture,
            "cover_picture_mm": max(COVER_PICTURE_MM[0], min(max(COVER_PICTURE_MM[1], tallest),
                                                             picture_mm - 5 - credit_mm)),
            "cover_lead": show_lead, "contents_columns": 2 if two_columns else 1,
            "contents_split": split, "contents_entries": entries}


def _cover_picture_tallest_mm(image: Image) -> float:
    """The cover picture's height at the column's full width, at most COVER_TALLEST_MM."""
    width, height = image.pixel_size()
    return min(COVER_TALLEST_MM, PAGE_TEXT_MM[0] * height / width) if width else 0.0


def _two_columns(per_section: list[list[str]]) -> bool:
    """Whether the contents (each section's heading and titles) is set in two columns."""
    return sum(len(section) for section in per_section) > 10


def _contents_mm(per_section: list[list[str]]) -> float:
    """The contents' height estimated from its lines (``per_section``: each section's
    heading and titles) of about 90 characters, or 42 in two columns of half as many."""
    titles = [title for section in per_section for title in section]
    two_columns = _two_columns(per_section)
    per_line = 42 if two_columns else 90
    lines = sum(-(-len(title) // per_line) for title in titles)
    return 14 + 5.5 * (lines / 2 if two_columns else lines) + 4 * len(per_section)


def contents_lines(project: Project, language: str) -> Callable[[Section], list[float]]:
    """A section's heading and entries as the room they take in a column of two-column
    contents, in points (style.css.j2: the heading as printed, "Czas na współpracę:
    …", in bold at the lead size with 6 mm around its list; entries 5 mm in), wrapped
    in the faces the PDFs embed (:func:`wrapped_lines`). Each ends in a leader and its page
    number, which go to a line of their own after a title that fills its last line: they
    are wrapped as one more word."""
    bold, regular = measures(project)
    base, lead = _points(project.theme.fonts.base_size), _points(project.theme.fonts.sizes.lead)

    def section(part: Section) -> list[float]:
        words = project.theme.section(part.kind).words(language)
        heading = f"{words.heading}: {part.heading}" if part.heading else words.heading
        titles = [block.title for block in part.blocks if getattr(block, "title", "")]
        return [wrapped_lines(f"{heading} .00", COLUMN_OF_TWO_PT, lead, bold) * lead * 1.4
                + 6 * MM,
                *(wrapped_lines(f"{title} .00", COLUMN_OF_TWO_PT - 5 * MM, base, regular)
                  * base * 1.4 for title in titles)]

    return section


def contents_split(weights: list[list[float]]) -> tuple[int, int]:
    """Where two columns of contents part: ``(k, j)``, the first column holds the sections
    before ``k`` and the first ``j`` entries of section ``k``; the second the rest, the
    section's heading said again when it goes on there. ``weights``: each section's lines,
    its heading's first, then its entries' (any unit: points, lines).

    Split where the columns come out most even (CSS columns would balance them by laying
    the cover out again and again: 1.7 s). Split only between whole sections, one section
    that holds most of the issue left one column a third as long as the other (a long
    issue's cover, seed 1240); inside a section, at least two entries stay on either
    side, so a heading never ends a column alone and no entry is left alone under it.
    """
    total = sum(sum(section) for section in weights)
    best: tuple[float, int, int] | None = None  # evenness, split inside a section, k
    chosen = (len(weights), 0)
    before = 0
    for k, section in enumerate(weights):
        entries = section[1:]
        for j in range(len(entries) + 1):
            if j and (j < 2 or len(entries) - j < 2):
                continue
            first = before + (section[0] + sum(entries[:j]) if j else 0)
            second = total - first + (section[0] if j else 0)  # the heading again
            # the taller column, and a little of the difference: the heading said again
            # made 4 lines beside 11 (105 and 180 pt) score better than 182 and 152
            # (hand-made issue 2029-03, pl)
            score = (max(first, second) + abs(first - second) / 4, 1 if j else 0, k)
            if best is None or score < best:
                best, chosen = score, (k, j)
        before += sum(section)
    return chosen


def contents_parts(sections: list[tuple[Any, Any]], split: tuple[int, int],
                   entries: bool = True) -> list[list[tuple[Any, Any, list[Any], bool]]]:
    """The contents' columns (:func:`contents_split`): for each, its sections as
    (style, section, titled blocks, whether the section goes on from the column before)."""
    k, j = split
    titled = [[block for block in section.blocks if getattr(block, "title", "")]
              if entries else [] for _, section in sections]
    first = [(style, section, titled[i], False) for i, (style, section) in enumerate(sections[:k])]
    second = [(style, section, titled[i], False)
              for i, (style, section) in enumerate(sections[k:], start=k)]
    if j and k < len(sections):
        style, section = sections[k]
        first.append((style, section, titled[k][:j], False))
        second[0] = (style, section, titled[k][j:], True)
    return [part for part in (first, second) if part]


def font_faces(project: Project) -> list[FontFace]:
    """@font-face rules for the theme's font files and its fallback families (emoji); a
    missing or broken file is a clear error (WeasyPrint would silently fall back to
    another font)."""
    fonts = project.theme.fonts
    family = fonts.body[0]
    faces = []
    for key, relative in fonts.files.items():
        if key not in _FACES:
            raise PdfBuildError(
                f"{project.site.theme_path}: fonts.files has '{key}'; use regular, italic, "
                "bold or bold_italic"
            )
        path = (project.theme.folder / relative).resolve()
        if not path.is_file():
            raise PdfBuildError(
                f"{project.site.theme_path}: font file for '{key}' not found: {path}"
            )
        _check_font(path, f"{project.site.theme_path}: font file for '{key}'")
        weight, style = _FACES[key]
        faces.append(FontFace(family, faithful_font(path).as_uri(), weight, style))
    if not faces:
        raise PdfBuildError(
            f"{project.site.theme_path}: fonts.files is empty; the PDFs need font files to embed"
        )
    for font in fonts.fallback:  # one face each: WeasyPrint emboldens it in bold text
        path = project.theme.font_path(font.file)
        if not path.is_file():
            raise PdfBuildError(f"{font.where.of('file')}: font file not found: {path}")
        _check_font(path, f"{font.where.of('file')}: font file")
        faces.append(FontFace(font.family, path.as_uri(), "normal", "normal"))
    return faces


def _icc_profile(project: Project) -> Path:
    path = project.site.path(project.site.print.icc_profile)
    if not path.is_file():
        where = project.site.print.where.of("icc_profile")
        raise PdfBuildError(
            f"{where}: colour profile not found: {path} (install Debian's libgs-common for "
            "the default, or set [print] icc_profile to your printer's .icc file)"
        )
    try:
        check_icc_profile(path)
    except BadFile as exc:
        where = project.site.print.where.of("icc_profile")
        raise PdfBuildError(
            f"{where}: colour profile {path} cannot be the printer's output intent: {exc} "
            "(set [print] icc_profile to the .icc file your printer gave you)"
        ) from None
    return path


def _check_font(path: Path, what: str) -> None:
    try:
        check_font(path)
    except BadFile as exc:
        raise PdfBuildError(f"{what} is broken: {path}: {exc}") from None


def _color(project: Project, name: str, variant: Variant) -> str:
    """Hex on screen; in print the theme's CMYK, or for a colour without one its CMYK
    through the printer's profile (PDF/X-4 allows no DeviceRGB)."""
    theme = project.theme
    hex_value = theme.colors.get(name) or name
    if variant != "print":
        return hex_value
    cmyk = theme.cmyk.get(name)
    if not cmyk and re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", hex_value):
        from newsletter.colour import hex_to_cmyk

        cmyk = hex_to_cmyk(hex_value, _icc_profile(project))
    if not cmyk:
        return hex_value  # a keyword such as "transparent" or "currentColor"
    return "device-cmyk({})".format(" ".join(f"{v:g}%" for v in cmyk))


_RGB_OPERATOR = re.compile(rb"([\d.]+) ([\d.]+) ([\d.]+) (rg|RG)")


def _rgb_to_cmyk(profile: Path) -> Any:
    """A ``write_pdf`` finisher that turns the DeviceRGB colours WeasyPrint still paints
    into gray or CMYK: its crop marks are an SVG drawn ``stroke="black"`` (``0 0 0 RG``),
    whatever the CSS says. Neutral colours become gray (K only: marks and black lines
    stay crisp on one plate); others go through the printer's profile like the theme's."""
    from newsletter.colour import hex_to_cmyk

    def operator(item: bytes) -> bytes:
        match = _RGB_OPERATOR.fullmatch(item) if len(item) < 64 else None
        if match is None:
            return item
        rgb = [float(v) for v in match.group(1, 2, 3)]
        stroke = match.group(4) == b"RG"
        if rgb[0] == rgb[1] == rgb[2]:
            return f"{rgb[0]:g} {'G' if stroke else 'g'}".encode()
        hex_value = "#" + "".join(f"{round(v * 255):02x}" for v in rgb)
        cmyk = " ".join(f"{v / 100:g}" for v in hex_to_cmyk(hex_value, profile))
        return f"{cmyk} {'K' if stroke else 'k'}".encode()

    def finisher(document: Any, pdf: Any) -> None:
        import pydyf

        for obj in pdf.objects:
            if isinstance(obj, pydyf.Stream) and isinstance(obj.stream, list):
                obj.stream = [
                    operator(item) if isinstance(item, bytes) else item for item in obj.stream
                ]

    return finisher


MARKS_CLEAR_MM = 2
"""How far outside the BleedBox the crop marks end."""


def sheet_bleed_mm(bleed_mm: float) -> float:
    """The CSS ``bleed`` of the printer's pages: the sheet (MediaBox) around the page.
    WeasyPrint draws its crop marks from the sheet's edge over half this width, so a sheet
    of twice the bleed plus room keeps them :data:`MARKS_CLEAR_MM` outside the bleed (with
    the sheet equal to the bleed they were drawn over the outer half of the bleed, across
    any artwork running into it)."""
    return 2 * bleed_mm + 2 * MARKS_CLEAR_MM


def _bleed_boxes(pdf: Any, bleed_mm: float) -> None:
    """Each page's BleedBox exactly ``[print] bleed_mm`` around its TrimBox: the bleed the
    print shop is promised (WeasyPrint sets it at most 10 pt from the trim, whatever the
    sheet)."""
    import pydyf

    bleed = bleed_mm * MM
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Page" and "TrimBox" in obj:
            left, top, right, bottom = obj["TrimBox"]
            obj["BleedBox"] = pydyf.Array([left - bleed, top - bleed, right + bleed,
                                           bottom + bleed])


def _no_annotations_or_lab(pdf: Any) -> None:
    """What a PDF/X-4 preflight rejects in the printer's file though nothing prints it:
    link annotations on the page (PDF/X allows none inside the BleedBox but printer's
    marks; WeasyPrint makes one of every ``<a href>``, 42 in the sample, and paper has no
    links: the contents and cover give page numbers) and the Lab colour spaces WeasyPrint
    lists in every page's resources, used only by CSS ``lab()``/``oklch()`` colours (a
    CMYK-only check counts them as Lab colour)."""
    import pydyf

    lab_used = any(
        isinstance(obj, pydyf.Stream) and isinstance(obj.stream, list)
        and any(isinstance(item, bytes) and b"/lab-d" in item for item in obj.stream)
        for obj in pdf.objects)

    def clean(value: Any, depth: int = 0) -> None:
        if isinstance(value, pydyf.Dictionary):
            if value.get("Type") == "/Annot" and value.get("Subtype") == "/Link":
                value.clear()  # an empty dictionary: no longer an annotation
                return
            value.pop("Annots", None)
            if not lab_used:
                value.pop("lab-d50", None)
                value.pop("lab-d65", None)
            children: Any = value.values()
        elif isinstance(value, pydyf.Array):
            children = value
        else:
            return
        if depth < 6:
            for child in list(children):
                clean(child, depth + 1)

    for obj in pdf.objects:
        clean(obj)


TEXT_COLUMN_PT = PAGE_TEXT_MM[0] * MM  # the text column, in points
COLUMN_OF_TWO_PT = (PAGE_TEXT_MM[0] - 8) / 2 * MM  # a column of `.long .body` (8 mm gap)


def _fixed_tables(project: Project) -> FixedTables:
    """Markdown tables with their columns decided here (:mod:`table_columns`); the
    sizes mirror markdown.css.j2 (0.9 of the base size, 1.5 mm padding each side)."""
    bold, regular = measures(project)
    fonts = TableFonts(regular, bold, _points(project.theme.fonts.base_size) * 0.9, 3 * MM)
    return FixedTables(fonts, _table_width)


def _table_width(html: str, position: int) -> float:
    """The width of the text column a table at ``position`` of the PDF's HTML is set in:
    the page's (an article with a table is never set in two columns: article.html.j2),
    or inside a card the card's inner width in its row (paper_grids: a row of N columns,
    or one card that may break, set as a block the text column wide). Left to WeasyPrint's
    automatic layout, a table in a card of two ran 30 pt past the card and the page's
    margin when its heading held a long word (generated seed 8309 en page 11)."""
    card = html.rfind('<div class="card-text">', 0, position)
    if card < 0 or html.find("</div>", card, position) >= 0:
        return TEXT_COLUMN_PT
    grid = html.rfind('<ul class="card-grid', 0, card)
    columns = _CARD_COLUMNS.search(html, grid, html.find(">", grid)) if grid >= 0 else None
    return card_column_mm(int(columns.group(1)) if columns else 1) * MM


_CARD_COLUMNS = re.compile(r"repeat\((\d+),")
"""A card row's columns in its style (paper_grids._columns); a row set as a block
(paper_grids.BROKEN) has one."""


CAPTION_MM = 60
"""The narrowest a credit is set under a narrow picture: a few words a line."""
SIDE_SHARE = 0.5
"""The widest a picture set beside its card's text may be, as a share of a card across
the page (:meth:`Pictures.card_frames`): the text keeps the other half."""
SIDE_GAP_MM = 4  # between a picture set beside its card's text and the text (.card.beside)
SIDE_CREDIT_MM = 30
"""The narrowest the column of a picture set beside its card's text is when the picture
has a credit, which stands under it in that column: a picture 5 mm wide set its credit a
syllable a line, 25 lines down the card and over the next card overleaf (generated seed
9642, pl, pages 11-12)."""
SIDE_TEXT_MM = 40
"""Or at most this tall: such a card is short whatever sets its height, and a row of cards
never breaks either (hand-made issue 2029-03, en: a landscape 30 mm tall above three lines
of text stood alone in the middle of a card across the page)."""
SIDE_TEXT_SHARE = 0.75
"""The tallest a card's words set beside its picture may be estimated, as a share of the
picture's height: the picture, not the words, then sets the card's height, and page
fitting can shorten it (the estimate runs short of the layout: generated seed 519's card,
estimated within its 70 mm picture, ran past it)."""


class Pictures:
    """The PDFs' pictures: each set at its shown width (never off the page, never blown up
    past 2× its pixels) and its derivative made for that width at the edition's resolution;
    for print in CMYK through the output intent's profile (a PDF/X-4 with a CMYK intent
    must not hold DeviceRGB images; WeasyPrint embeds a CMYK JPEG as DeviceCMYK), its
    transparent parts the paper or, on a card, the card's tint."""

    def __init__(self, variant: Variant, profile: Path | None,
                 card_tint: tuple[int, int, int, int] = (0, 0, 0, 0),
                 min_ppi: int | None = None) -> None:
        self.ppi = PRINT_PPI if variant == "print" else SCREEN_DPI
        self.min_ppi = min_ppi  # print: page fitting never enlarges a picture below it
        # A placement (a picture's place in the document, "0", "1", … in the order the
        # templates first set it) → the picture set there. By placement, not by file: one
        # file in two articles is two pictures page fitting sizes each on its own.
        self.places: dict[int, str] = {}  # id() of the Image → its placement
        self.placed: dict[str, Image] = {}  # (which also keeps that id() from reuse)
        self.url_places: dict[str, str] = {}  # derivative's URL → the latest placement of it
        self.slot_of: dict[str, str] = {}  # placement → the slot it was set in
        self.on_cover: set[str] = set()  # placements of the cover's lead picture
        self.profile = profile
        self.card_tint = card_tint
        self.slots = dict(SLOTS)
        self.sources: dict[str, Path] = {}  # derivative's URL → editor's file (for warnings)
        self.heights: dict[str, float] = {}  # placement → its height set by page_fit
        self.after: dict[str, int] = {}  # placement → paragraphs set above it (page_fit)
        self.split: set[tuple[str, int]] = set()  # (card block's id, row) that may break
        self.tight: set[str] = set()  # sections (their band's id) set tight (page_fit)
        self.carried: set[str] = set()  # blocks or sections starting a page (page_fit)
        self.uncarried: set[str] = set()  # … taken back: never carried again (no see-saw)
        self.shrunk: set[str] = set()  # pictures page fitting made smaller: never larger again
        self.returned: set[str] = set()  # moved pictures taken back: never moved again
        # The issue's section and block ids as the templates test them (``section.id in
        # tight``, ``row_breaks(block.id, …)``): page_fit reads them back from the HTML.
        self.ids: frozenset[str] = frozenset()
        self.cover_left_out = 0  # what the cover leaves out to stay one page (cover_fit)

    def resize(self, change: Resize | Move | Shrink | Split | Tighten | Carry) -> bool:
        """Set an article picture's height, or its place below the first paragraphs, or
        the height of a row's card pictures, or let a row of cards break, or set a
        section's opening tight, to fill a page, or start a block on a new page (the
        colophon's); False when it changes nothing (the same again, or a picture this
        edition did not place). The row breaks and tight
        sections are here with the pictures' decisions because they are made, replayed
        and remembered with them."""
        named = change.section if isinstance(change, Tighten) else \
            change.block if isinstance(change, (Split, Carry)) else None
        if named is not None and self.ids and named not in self.ids and named != COLOPHON:
            # An id printed otherwise than the issue has it (once a word joiner typeset
            # into 'turystyka-2'): the templates would not see it, the next layout would be
            # the same, and the fitting would go on to another page's or rule's change.
            return False
        if isinstance(change, Tighten):
            known = change.section in self.tight
            self.tight.add(change.section)
            return not known
        if isinstance(change, Carry):
            carried = change.block + TAIL if change.tail else change.block
            if change.back:
                if carried not in self.carried:
                    return False
                self.carried.discard(carried)
                self.uncarried.add(carried)
                return True
            if carried in self.uncarried:
                return False
            known = carried in self.carried
            self.carried.add(carried)
            return not known
        if isinstance(change, Split):
            known = (change.block, change.row) in self.split
            self.split.add((change.block, change.row))
            return not known
        if isinstance(change, Shrink):
            places = {self._place_of(source) for source in change.sources} - {None}
            changed = {place for place in places if self.heights.get(place) != change.height_mm}
            self.heights.update(dict.fromkeys(changed, change.height_mm))
            return bool(changed)
        place = self._place_of(change.source)
        if place is None:
            return False
        if isinstance(change, Move) and not change.paragraphs:  # back under its head
            if place not in self.after or place in self.returned:
                return False
            del self.after[place]
            self.returned.add(place)
            if change.height_mm is not None:
                height_mm = self._sharp(place, change.height_mm)
                if self._shown_height(place, height_mm) < self._shown_height(place):
                    self.shrunk.add(place)
                self.heights[place] = height_mm
            return True
        if isinstance(change, Move):
            if place in self.returned or self.after.get(place) == change.paragraphs:
                return False
            self.after[place] = change.paragraphs
            return True
        height_mm = self._sharp(place, change.height_mm)
        if self._shown_height(place, height_mm) == self._shown_height(place):
            # the same again, or a small picture already at the most it is enlarged
            # (placement.shown_width): told a taller ask changed it, fitting asked again
            # and again (generated seed 17, pl)
            return False
        shrinks = self._shown_height(place, height_mm) < self._shown_height(place)
        if place in self.shrunk and not shrinks:
            # Shrunk to let its article open a short page under that page's last lines,
            # grown again to fill another page, it went back overleaf: generated seed 9580
            # (pl, 37 pages) went 95 → 75 mm and back four times, until the layouts ran out
            # with that page at 0.41 (at 75 mm it was 0.99).
            return False
        if shrinks:
            self.shrunk.add(place)
        self.heights[place] = height_mm
        return True

    def _place_of(self, source: str) -> str | None:
        """The placement page_fit names (an ``<img>``'s ``data-place``, or its URL)."""
        return source if source in self.placed else self.url_places.get(source)

    def place(self, image: Image) -> str:
        """``image``'s placement (see ``places``), given on first sight."""
        key = self.places.get(id(image))
        if key is None:
            key = self.places[id(image)] = str(len(self.places))
            self.placed[key] = image
        return key

    def _shown_height(self, place: str, height_mm: float | None = None) -> float:
        """The height the picture at ``place`` is shown at, in mm: as set now, or were it
        set at ``height_mm``."""
        image = self.placed[place]
        width, height = image.pixel_size()
        return round(self.placed_mm(image, self.slot_of.get(place, "article"), height_mm)
                     * height / width, 1)

    def _sharp(self, place: str, height_mm: float) -> float:
        """``height_mm``, or less when it would enlarge the picture past what its pixels
        print sharp at (``[print] min_ppi``): a page filled with a blurred picture and a
        warning `check` never gave is worse than a page a little short."""
        now = self._shown_height(place)
        if not self.min_ppi or height_mm <= now:
            return height_mm
        sharp = self.placed[place].pixel_size()[1] * MM_PER_INCH / self.min_ppi
        return round(max(now, min(height_mm, sharp)), 1)

    def row_breaks(self, block_id: str, row: int) -> bool:
        """Whether row ``row`` (0 first) of the card block ``block_id`` may break
        across pages (page_fit's :class:`Split`)."""
        return (block_id, row) in self.split

    def paragraphs_before(self, image: Image) -> int:
        """How many of its article's paragraphs come before ``image`` (0: above them)."""
        return self.after.get(self.place(image), 0)

    def card_slot(self, columns: int) -> str:
        """The slot of a card's picture in a row of ``columns`` cards (paper_grids)."""
        name = f"card-{columns}"
        self.slots[name] = replace(SLOTS["card"], width=card_column_mm(columns))
        return name

    def placed_mm(self, image: Image, slot: str = "article",
                  height_mm: float | None = None) -> float:
        """The width ``image`` is set at in ``slot``, in mm (were its height set at
        ``height_mm``, when given)."""
        bounds = self.slots[slot]
        height = self.heights.get(self.place(image)) if height_mm is None else height_mm
        if (slot in ("article", "signature") or slot.startswith("card")) and height is not None:
            bounds = replace(bounds, height=height)
        return round(shown_width(image.pixel_size(), bounds), 2)

    def src(self, image: Image, slot: str = "article") -> str:
        """The derivative of ``image`` for ``slot``: as many pixels as its width there
        needs at this edition's resolution; the cover's lead picture, set again in its
        article, has one file for both, as wide as the wider needs (the cover used the
        article's, and a portrait set larger on the cover printed at 294 ppi: hand-made
        issue 2029-06)."""
        from newsletter.images import WHITE_PAPER, derivative

        if slot == "cover":
            self.on_cover.add(self.place(image))
        placed = self.placed_mm(image, slot)
        if slot in ("article", "cover") and self.place(image) in self.on_cover:
            placed = max(placed, self.placed_mm(image, "cover" if slot == "article"
                                                else "article"))
        width = max(1, round(placed / MM_PER_INCH * self.ppi))
        behind = self.card_tint if slot.startswith("card") else WHITE_PAPER
        url = derivative(image.file, width, self.profile, behind,
                         paper=slot == "signature").path.as_uri()
        self.sources[url] = image.file
        self.url_places[url] = self.place(image)
        self.slot_of[self.place(image)] = slot
        return url

    def caption_style(self, image: Image) -> Markup:
        """An article picture narrower than the text column is centred, and its credit is
        set under it, as wide as the picture (never narrower than :data:`CAPTION_MM`,
        centred under it then): run on to the column's right edge, a narrow picture's
        credit reached four times its width past it (hand-made issue 2025-05's banner)."""
        placed = self.placed_mm(image)
        width = max(placed, min(CAPTION_MM, PAGE_TEXT_MM[0]))
        side = (PAGE_TEXT_MM[0] - width) / 2
        # wider than its picture, the credit's lines are centred under it: set from the
        # wider box's left edge, "Fot. Tomasz Wrona" began 12 mm left of a portrait's
        # (hand-made issue 2028-05)
        centred = "; text-align: center" if width > placed + 0.5 else ""
        return Code(f'style="margin-left: {side:.1f}mm; margin-right: {side:.1f}mm{centred}"') \
            if side >= 0.5 else Code("")

    def size(self, image: Image, slot: str = "article", above_mm: float = 0.0) -> Markup:
        """The picture's width on the page (its height follows its proportions), and its
        placement, which page fitting names when it resizes it; ``above_mm``: room above
        it (a card's picture in a row of taller ones, :meth:`card_frames`)."""
        above = f"; margin-top: {above_mm:g}mm" if above_mm else ""
        return Code(f'style="width: {self.placed_mm(image, slot):g}mm{above}" '
                    f'data-place="{self.place(image)}"')

    def placed_height_mm(self, image: Image, slot: str) -> float:
        """The height ``image`` is set at in ``slot``, in mm."""
        width, height = image.pixel_size()
        return self.placed_mm(image, slot) * height / max(1, width)

    def card_frames(self, row: Any, credit_mm: Callable[[str, float], float],
                    text_mm: Callable[[Any, float], float]) -> list[tuple[float, Markup, float]]:
        """For each card of a paper row (paper_grids.PaperRow): the room above its picture
        and its credit's style. The pictures of a row of cards stand on one line, so that
        the cards' titles start level: a row of a portrait, a landscape and a logo put
        three titles at three heights (hand-made issues 2027-09, 2028-02, 2028-05, 2028-08
        and 2029-03). Not in a row of one card, nor in a row set card under card (it
        breaks). A credit is as wide as its picture (never narrower than
        :data:`CAPTION_MM`) and stands under it, centred when wider: at the card's left
        edge, a narrow picture's credit began 35 mm left of it (2029-03). ``credit_mm``:
        what a credit adds above the title, given its text and width.

        And the width of the column of a picture set beside its card's text (0 when above
        it; the picture's width, or :data:`SIDE_CREDIT_MM` when it has a credit, which
        stands under it, centred, in that column): in a card alone in its row, across the
        page (its words too many to share a row, or a row
        page fitting set card under card: page_fit.Split), a picture no wider than
        :data:`SIDE_SHARE` of the card stands at its left, the title and text at its right,
        when they are well within its height (:data:`SIDE_TEXT_SHARE`) or short
        (:data:`SIDE_TEXT_MM`; ``text_mm``: their estimated height, given the card and a
        width). Above its text, such a picture stood
        alone in the middle of a card across the page, the card's words a line or two under
        it (hand-made issue 2029-03: three such cards over two pages). Such a card does not
        break (the templates drop its ``breakable``); a card whose words run longer keeps
        its picture above them and may break (generated seed 519: one beside a 70 mm
        picture could neither break nor shrink, and left a page at 0.52)."""
        found: list[tuple[float, Markup, float]] = []
        tops: list[float | None] = []
        for card in row.items:
            image = card.image
            if image is None:
                found.append((0.0, Markup(""), 0.0))
                tops.append(None)
                continue
            placed = self.placed_mm(image, row.slot)
            # alone in its row (one of a row page fitting split keeps the row's slot),
            # and narrow at the slot's size (not as page fitting shrank it: the card would
            # change its layout, and the fitting's measures, from one pass to the next)
            side = shown_width(image.pixel_size(), self.slots[row.slot])
            column = max(side, SIDE_CREDIT_MM) if image.credit else side
            if len(row.items) == 1 and column <= SIDE_SHARE * SLOTS["card"].width and text_mm(
                    card, SLOTS["card"].width - column - SIDE_GAP_MM) <= max(
                    SIDE_TEXT_MM, SIDE_TEXT_SHARE * side * image.pixel_size()[1]
                    / max(1, image.pixel_size()[0])):
                wide = max(placed, SIDE_CREDIT_MM) if image.credit else placed
                centred = Code('style="text-align: center"') if wide > placed + 0.5 \
                    else Markup("")
                found.append((0.0, centred, wide))
                tops.append(None)
                continue
            width = max(placed, min(CAPTION_MM, self.slots[row.slot].width))
            centred = "; text-align: center" if width > placed + 0.5 else ""
            found.append((0.0, Code(f'style="width: {width:g}mm; max-width: 100%; '
                                    f'margin-left: auto; margin-right: auto{centred}"'), 0.0))
            credit = credit_mm(image.credit, width) if image.credit else 0.0
            tops.append(self.placed_height_mm(image, row.slot) + credit)
        known = [top for top in tops if top is not None]
        if len(known) < 2 or row.breakable or len(row.items) < 2:
            return found
        frame = max(known)
        return [(round(frame - top, 1) if top is not None and frame - top >= 0.3 else 0.0,
                 credit, side) for (_, credit, side), top in zip(found, tops, strict=True)]


def _pictures(project: Project, variant: Variant) -> Pictures:
    """The edition's pictures; in print, what shows through a card picture's transparent
    parts is the card's tint (``panel``) in the very inks the card is printed with."""
    if variant != "print":
        return Pictures(variant, None)
    profile = _icc_profile(project)
    cmyk = project.theme.cmyk.get("panel")
    if not cmyk:
        from newsletter.colour import hex_to_cmyk

        cmyk = hex_to_cmyk(project.theme.colors.get("panel", "#ffffff"), profile)
    tint = tuple(round(v / 100 * 255) for v in cmyk)
    return Pictures(variant, profile, tint,  # type: ignore[arg-type]
                    min_ppi=project.site.print.min_ppi)


@dataclass(frozen=True)
class PrintedAt:
    """A picture of the printer's PDF, as its template places it before any layout."""

    image: Image
    mm: float
    widest_mm: float  # the slot's width: the most any layout gives the picture
    min_ppi: int

    @property
    def ppi(self) -> float:
        return self.image.pixel_size()[0] / (self.mm / MM_PER_INCH)

    def message(self) -> str:
        """Said before the layout, which may still enlarge or shrink the picture a little
        (page fitting): the width is "about", and the fix is what makes any size sharp."""
        pixels = self.image.pixel_size()[0]
        needed = math.ceil(self.widest_mm / MM_PER_INCH * self.min_ppi)
        return (f"{self.image.file.name} has {pixels} px for about {self.mm:.0f} mm of the "
                f"printer's PDF: {self.ppi:.0f} ppi (printers need {self.min_ppi}); a file at "
                f"least {needed} px wide prints sharp")


def _placements(issue: Issue, project: Project) -> Iterator[tuple[Image, float, float]]:
    """Each picture of the printer's PDF with the width its template sets it at and its
    slot's width (the most a layout gives it), in mm: the templates' slots (article,
    signature, a card in a row of its grid) without rendering the document."""
    pictures = Pictures("print", None)
    kind = None
    for _, block in issue.blocks():
        placed: list[tuple[Image, str]] = []
        if isinstance(block, Article) and block.image:
            placed.append((block.image, "article"))
        elif isinstance(block, Letter) and block.signature.image:
            placed.append((block.signature.image, "signature"))
        elif isinstance(block, LinkCards):
            kind = kind or card_type(project)
            rules = issue_rules(issue, project)
            placed += [(card.image, row.slot)
                       for row in card_rows(block, kind, pictures.card_slot, rules)
                       for card in row.items if card.image]
        for image, slot in placed:
            yield image, pictures.placed_mm(image, slot), pictures.slots[slot].width


def low_resolution_pictures(issue: Issue, project: Project) -> list[PrintedAt]:
    """Pictures that the printer's PDF would set below ``[print] min_ppi``, once each (at
    their lowest), as the template places them: the build's warning, predicted in
    milliseconds. A page that the layout fills by enlarging a picture (page_fit) can
    lower it further; the build then warns again with the page."""
    placements = list(_placements(issue, project))
    min_ppi = project.site.print.min_ppi
    widest: dict[Path, float] = {}
    for image, _, slot_mm in placements:
        widest[image.file] = max(slot_mm, widest.get(image.file, 0.0))
    lowest: dict[Path, PrintedAt] = {}
    for image, mm, _ in placements:
        printed = PrintedAt(image, mm, widest[image.file], min_ppi)
        known = lowest.get(image.file)
        if round(printed.ppi) < min_ppi and (known is None or printed.ppi < known.ppi):
            lowest[image.file] = printed
    return list(lowest.values())


def _local_fetcher() -> Any:
    """Local files only, and any failure stops the build: a PDF build never reaches the
    network, and never silently leaves out a picture."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


@contextmanager
def _weasyprint_problems() -> Iterator[list[str]]:
    """Collect what WeasyPrint only logs but a reader would see: images it could not load,
    fonts or profiles it skipped."""
    import logging

    problems: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if record.levelno >= logging.ERROR or "Failed to load" in message:
                problems.append(message.replace("file://", "").rstrip(": "))

    logger = logging.getLogger("weasyprint")
    handler = Collect(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield problems
    finally:
        logger.removeHandler(handler)


def _replaced_boxes(box: Any) -> Iterator[Any]:
    if getattr(box, "replacement", None) is not None:
        yield box
    for child in getattr(box, "children", ()):
        yield from _replaced_boxes(child)


def _low_resolution_images(document: Any, min_ppi: int, sources: dict[str, Path]) -> list[str]:
    """Images whose pixels, spread over their placed size, give fewer than ``min_ppi``
    (named by the editor's file, not the derivative's). The editor's file's pixels count,
    not the printer's copy's: that copy is made for its width at ``min_ppi`` and rounded
    to whole pixels, so a narrow one (87 px) may come out at 299 ppi from a file that has
    plenty, and its width is no advice to the editor."""
    from newsletter.image_sizes import upright_size

    warnings = []
    seen: set[tuple[str, int]] = set()
    for number, page in enumerate(document.pages, start=1):
        for box in _replaced_boxes(page._page_box):
            image = box.replacement
            element = getattr(box, "element", None)
            source = element.get("src", "") if element is not None else ""
            file = sources.get(source)
            pixels = upright_size(file)[0] if file else getattr(image, "width", None) or 0
            filename = str(file or "") or source.removeprefix("file://") or "an image"
            if not pixels or not box.width:
                continue
            ppi = pixels / (box.width / CSS_PX_PER_INCH)
            key = (filename, number)
            if round(ppi) < min_ppi and key not in seen:  # 299.9 is 300
                seen.add(key)
                warnings.append(
                    f"{Path(filename).name} prints at {ppi:.0f} ppi on page {number} "
                    f"(printers need {min_ppi}): use a file at least "
                    f"{math.ceil(pixels * min_ppi / ppi - 1e-6)} px wide"  # as check's
                )
    return warnings


NOTE_LINES = 28  # ruled lines of a notes page, 8 mm apart below its title (style.css.j2)


def _padded(document: Any, multiple: int, html: str, title: str) -> Any:
    """Pages before the back cover (the last page) up to a multiple of ``multiple`` pages
    (a saddle-stitched booklet is folded sheets of four pages): the back cover stays the
    outside of the booklet. Each is a notes page (its ``title`` and ruled lines to the
    text area's foot, as printed programmes and reports have), not a blank sheet: paper a
    reader holds is never blank inside. Laid out on their own (one small layout), not
    with the issue: only this layout knows how many are missing."""
    missing = -len(document.pages) % multiple
    if not missing:
        return document
    import weasyprint

    # The issue's own fonts, @page size, bleed and marks (page "notes" in style.css.j2).
    style = re.search(r"<style>(.*?)</style>", html, re.DOTALL)
    css = style.group(1) if style else ""
    lang = re.search(r'<html lang="([^"]+)"', html)
    rules = '<div class="note-line"></div>' * NOTE_LINES
    page = (f'<section class="notes-page"><p class="notes-title">{escape(title)}</p>'
            f"{rules}</section>")
    notes = weasyprint.HTML(
        string=f'<html lang="{lang.group(1) if lang else "en"}"><head><style>{css}</style>'
        f'</head><body class="print">{page * missing}</body></html>',
        url_fetcher=_local_fetcher(),
    ).render()
    pages = document.pages
    return document.copy(pages[:-1] + notes.pages[:missing] + pages[-1:])
