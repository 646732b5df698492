"""The e-mail edition: Jinja2 → MJML → HTML (mjml-python) → premailer, plus a text part.

Rendered once per build. Per-recipient values (unsubscribe and preference links) are
placeholders from :mod:`newsletter.placeholders`, filled by substitution at send time: a
send never renders.
WeasyPrint is never imported on this path (it alone costs about 0.9 s to import).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup
from mjml import mjml2html

from newsletter import markdown, placeholders
from newsletter.exceptions import ContentError, Problem
from newsletter.load import Project
from newsletter.model import Article, Block, Figures, Image, Issue, Letter, LinkCards
from newsletter.output import Built, ImageFiles, public_url, url_path, write_text
from newsletter.placement import SCREEN_HEIGHT_PX, Bounds, shown_width
from newsletter.render.css_inlining import inline_css
from newsletter.render.email_budget import Fitted, fit
from newsletter.render.email_checks import GMAIL_CLIP_BYTES, check_email_html
from newsletter.render.grid import (
    Grid,
    card_grid,
    figure_grid,
    phone_size,
    phone_title_classes,
)
from newsletter.render.grid import text_width as estimated_width
from newsletter.render.stacked_tables import stacked
from newsletter.render.templating import (
    environment,
    issue_context,
    issue_rules,
    screen_rules,
    site_language,
)
from newsletter.render.unbroken_ranges import nowrap_for_joiners
from newsletter.typography import line_words, soft_hyphens

PHONE_WIDTH = 320
"""The narrowest screen the e-mail is laid out for (columns stack below 480 px)."""
RETINA = 2
"""Pixels per displayed CSS pixel in the e-mail's pictures (phones and laptops are 2×)."""


@dataclass(frozen=True)
class PlacedImage:
    """An image as the e-mail shows it: absolute URL and the size it is displayed at."""

    url: str
    width: int
    height: int


@dataclass(frozen=True)
class EmailEdition:
    """Everything a send needs, made once per build."""

    mjml: str
    html: str
    text: str
    warnings: tuple[str, ...]
    images: ImageFiles | None = None  # the pictures the HTML links, to publish beside it
    teasers: frozenset[str] = frozenset()
    """Ids of the blocks carried as teasers (over Gmail's budget, or ``email: teaser``)."""
    block_bytes: dict[str, int] = field(default_factory=dict)
    """Bytes of each block's markup when carried in full (what picks the teasers)."""


def render_email(issue: Issue, project: Project, clipped_ok: bool = False,
                 with_text: bool = True) -> EmailEdition:
    """Render both parts of the e-mail and check the HTML (raises EmailCheckError).

    Over Gmail's budget, the longest blocks are carried as teasers until the HTML fits
    (:func:`~newsletter.render.email_budget.fit`); the text part shortens the same blocks.
    Still over Gmail's clipping limit (blocks marked ``email: full``) is a ContentError
    naming them, or with ``clipped_ok`` (a build, which must not stop the other editions;
    ``check`` and ``send`` refuse it) a warning. ``with_text=False`` leaves the text part
    empty: ``check`` predicts the HTML's size and teasers, and reads no text part.
    """
    images = ImageFiles(issue)
    context = _context(issue, project, images)
    text_width = _text_width(project)

    def render(teasers: frozenset[str]) -> tuple[str, str]:
        source = _render_mjml({**context, "teasers": teasers}, project)
        return source, nowrap_for_joiners(stacked(inline_css(compile_mjml(source)), text_width))

    fitted = fit([block for _, block in issue.blocks()], render)
    warnings: list[str] = []
    try:
        _refuse_forced_full(issue, fitted)
    except ContentError as clipped:
        if not clipped_ok:
            raise
        warnings += [f"{p} (Gmail will clip this e-mail; send refuses it)"
                     for p in clipped.problems]
    text = ""
    if with_text:
        text_template = environment(project, "email", autoescape=False).get_template(
            "issue.txt.j2")
        text = _tidy_text(text_template.render({**context, "teasers": fitted.teasers}))
    warnings += check_email_html(fitted.html, "email.html", clip_is_error=not clipped_ok)
    return EmailEdition(fitted.mjml, fitted.html, text, tuple(warnings), images,
                        fitted.teasers, fitted.full_sizes)


def _refuse_forced_full(issue: Issue, fitted: Fitted) -> None:
    """Over Gmail's clipping limit although every block that may be is a teaser: name the
    blocks an editor marked ``email: full``, the only way this happens."""
    if fitted.size <= GMAIL_CLIP_BYTES:
        return
    forced = [block for _, block in issue.blocks() if block.email == "full"]
    forced.sort(key=lambda b: fitted.full_sizes.get(b.id, 0), reverse=True)
    raise ContentError([
        Problem(block.where.of("email"),
                f"email: full — the {issue.language} e-mail is {fitted.size / 1024:.0f} KB "
                f"with every other block as a teaser, and Gmail clips messages over 102 KB; "
                f"this block alone is {fitted.full_sizes.get(block.id, 0) / 1024:.0f} KB: "
                "write 'email: teaser' (or remove the line) on it or on another long block")
        for block in forced
    ] or [Problem(issue.where.location, f"the {issue.language} e-mail is "
                  f"{fitted.size / 1024:.0f} KB with every block as a teaser (over 102 KB)")])


def email_editions(issue: Issue, project: Project, with_text: bool = True,
                   ) -> dict[str, EmailEdition]:
    """The e-mail edition of each language of the issue, by language code.

    One send carries them all: each reader gets their language's edition, and readers
    whose language the issue lacks get the main language's (the first of the mapping).
    """
    return {variant.language: render_email(variant, project, with_text=with_text)
            for variant in issue.editions()}


def size_report(edition: EmailEdition, language: str) -> str:
    """One line for ``check``: the e-mail's size against Gmail's limit, and its teasers in
    the issue's order (alphabetical, 14 of them were hard to find: hand-made 2028-02)."""
    size = len(edition.html.encode("utf-8")) / 1024
    order = {block_id: n for n, block_id in enumerate(edition.block_bytes)}
    teasers = ", ".join(sorted(edition.teasers, key=lambda b: (order.get(b, len(order)), b))) \
        if edition.teasers else "none"
    return f"  e-mail ({language}): {size:.0f} KB (Gmail clips at 102 KB); teasers: {teasers}"


def render_mjml(issue: Issue, project: Project, teasers: frozenset[str] = frozenset()) -> str:
    """Only the MJML source (for validation with the reference compiler)."""
    context = {**_context(issue, project, ImageFiles(issue)), "teasers": teasers}
    return _render_mjml(context, project)


def _render_mjml(context: dict[str, object], project: Project) -> str:
    return environment(project, "email").get_template("issue.mjml.j2").render(context)


NARROW_SHARE = 0.6
"""A word estimated wider than this share of its cell may not fit it whole in the
reader's font: the estimate (grid.text_width) runs narrow of wide fonts, and Chromium's
DejaVu Sans broke "zrównoważonego", estimated at 0.82 of a 165 px figure's label
(tests/render/test_email_long_words.py, seed 2)."""


def _text_width(project: Project) -> int:
    """The text column of the e-mail on a wide screen, in px (its sections' padding off)."""
    spacing = project.theme.spacing
    return spacing.content_width - 2 * (spacing.medium + spacing.small)


def _context(issue: Issue, project: Project, images: ImageFiles) -> dict[str, object]:
    spacing = project.theme.spacing
    text_width = _text_width(project)

    def shown(image: Image, max_width: int) -> tuple[int, float]:
        """The width (whole px) and height an image is shown at in a slot ``max_width``
        wide, from its pixels alone (no file made: :func:`card_raises` measures a row's
        pictures before the template places them)."""
        pixels = image.pixel_size()
        width = max(1, math.floor(shown_width(pixels, Bounds(max_width, SCREEN_HEIGHT_PX, 1))))
        return width, width * pixels[1] / pixels[0]

    def place(image: Image, max_width: int = text_width, paper: bool = False) -> PlacedImage:
        """Where an image is published and the size it is shown at (never upscaled, a
        portrait within one phone screen: :mod:`newsletter.placement`): a file about
        twice that width, sharp on high-density screens and still small; with ``paper`` (a
        signature) its paper made white."""
        width = shown(image, max_width)[0]
        relative, made = images.add(image, RETINA * width, paper)
        return PlacedImage(
            url=public_url(project, issue, url_path(relative)),
            width=width,
            height=round(made.height * width / made.width),
        )

    row_width = spacing.content_width - 2 * spacing.medium  # sections' side padding
    border = 2 * (spacing.small // 2)  # each cell's border, both sides
    sizes = project.theme.fonts.sizes

    rules = issue_rules(issue, project)

    def figure_label_px(count: int) -> float:
        """A figure's label width in a row of ``count`` figures on a wide screen."""
        return row_width / count - border - 2 * spacing.small

    def figures(block: Figures) -> Grid:
        return figure_grid([i.value for i in block.items], row_width, sizes.figure, gap=0,
                           padding=border + 2 * spacing.small, narrowest=PHONE_WIDTH - 32)

    def cards(block: LinkCards) -> Grid:
        words = [w for card in block.cards for w in line_words(card.title, rules)]
        return card_grid(words, len(block.cards), row_width, sizes.card_title, gap=0,
                         padding=border + 2 * spacing.medium)

    def card_text_px(columns: int) -> float:
        """A card's text width in a row of ``columns`` cards on a wide screen."""
        return (row_width / columns) - border - 2 * spacing.medium

    dictionary = site_language(project, issue.language).hyphenation

    def narrow_words(html: str, width_px: float, font_px: float) -> Markup:
        """``html`` set in a cell ``width_px`` wide: its words that may not fit a line
        whole (estimated wider than :data:`NARROW_SHARE` of it) may break with a hyphen
        (typography.soft_hyphens)."""
        return Markup(soft_hyphens(
            str(html), dictionary,
            lambda word: estimated_width(word, font_px) <= NARROW_SHARE * width_px, rules))

    def card_raises(row: list, columns: int) -> list[int]:
        """The room above each card picture of a row (px), so that the row's pictures,
        each with its credit, stand on one line and the cards' titles start level (hand-
        made issues 2028-05, 2028-08: a portrait, a landscape and a logo put three titles
        at three heights); 0 for a card without a picture, and for all in a row with
        fewer than two pictures. A phone stacks the cards and drops it (issue.mjml.j2)."""
        text = card_text_px(columns)
        line_height = project.theme.fonts.line_height
        tops: list[float | None] = []
        for card in row:
            if card.image is None:
                tops.append(None)
                continue
            width, height = shown(card.image, CARD_PICTURE_PX)  # no wider than the card
            credit = card.image.credit
            tops.append(height * min(1.0, text / width)
                        + (_credit_px(credit, text, sizes.tiny, line_height) if credit else 0))
        known = [top for top in tops if top is not None]
        if len(known) < 2:
            return [0] * len(row)
        return [0 if top is None else round(max(known) - top) for top in tops]

    web_url = public_url(project, issue, "web/")
    phone_room = PHONE_WIDTH - 2 * (spacing.medium + spacing.small)  # a phone's text
    return {
        **issue_context(issue, project),
        "figure_grid": figures,
        "card_grid": cards,
        "card_raises": card_raises,
        "card_text_px": card_text_px,
        "soft_hyphens": narrow_words,
        "figure_label_px": figure_label_px,
        "card_picture_px": CARD_PICTURE_PX,
        "first_paragraph": first_paragraph,
        "block_url": lambda block: f"{web_url}#{block.id}",
        "teasers": frozenset(),
        "web_url": web_url,
        "unsubscribe_url": placeholders.UNSUBSCRIBE_URL,
        "preferences_url": placeholders.PREFERENCES_URL,
        "image": place,
        "section_phone_px": section_phone_size(issue, project, phone_room),
        **title_phone_sizes(issue, project, phone_room),
    }


CARD_PICTURE_PX = 180
"""The widest a card's picture is shown in the e-mail (three cards share 600 px)."""


TYPICAL_WIDTH = 0.8
"""A line's likely width as a share of :func:`newsletter.render.grid.text_width`'s
estimate, which is made never to fall short (a grid's columns must hold their words in
any reader's font): "Fot. Business Kraków" at 12 px, estimated 159 px, is 127 px in
DejaVu Sans, among the widest of the fonts a reader's mail program may use."""


def _credit_px(credit: str, width: float, size: float, line_height: float) -> float:
    """The height a credit of ``credit`` set ``width`` px wide at ``size`` px likely takes
    (:data:`TYPICAL_WIDTH`: counted with the conservative estimate, a one-line credit was
    taken for two and its card's title stood 18 px above its neighbours')."""
    lines = math.ceil(TYPICAL_WIDTH * estimated_width(credit, size) / max(1.0, width))
    return lines * size * line_height


def section_phone_size(issue: Issue, project: Project, room: float) -> float:
    """The size of the sections' labels on a phone (``room`` px of text): the theme's,
    or smaller when a label's "for\u00a0COOPERATION" (bound, so never broken between
    them) would not fit; the same for every section of the issue, as on wider screens."""
    labels = [project.theme.section(s.kind).words(issue.language) for s in issue.sections]
    return phone_size([f"{w.label}\u00a0{w.name.upper()}" for w in labels],
                      project.theme.fonts.sizes.section, room)


def title_phone_sizes(issue: Issue, project: Project, room: float) -> dict[str, object]:
    """The blocks' titles that a phone (``room`` px of text) sets smaller than the theme:
    ``title_phone`` (block id → class) for titles in full, ``teaser_phone`` for titles of
    teasers (set as an article's title), and ``phone_title_px`` (class → size). A title
    with a chain of bound words too wide for a phone gets the size that chain fits
    (:func:`~newsletter.render.grid.phone_title_classes`, never below the theme's tiny
    text); the others keep the theme's size: an article's title, a card group's (in
    capitals) and a figure group's each its own."""
    rules = screen_rules(issue_rules(issue, project), False)
    sizes = project.theme.fonts.sizes
    full: dict[str, tuple[str, float]] = {}
    teaser: dict[str, tuple[str, float]] = {}
    for _, block in issue.blocks():
        title = getattr(block, "title", None)
        if not title:
            continue
        teaser[block.id] = (title, sizes.title)
        full[block.id] = (title.upper(), sizes.subtitle) if isinstance(block, LinkCards) \
            else (title, sizes.subtitle) if isinstance(block, Figures) else (title, sizes.title)
    classes, px = phone_title_classes(full, rules, room, sizes.tiny, "bk-phone-")
    teasers, teaser_px = phone_title_classes(teaser, rules, room, sizes.tiny, "bk-phone-")
    return {"title_phone": classes, "teaser_phone": teasers,
            "phone_title_px": {**px, **teaser_px}}


TEASER_ITEMS = 3
"""Cards or figures a teaser names when its block has no text of its own."""


def first_paragraph(block: Block) -> str:
    """The Markdown a teaser opens with when its block has no lead: the first paragraph of
    its body or a card group's intro; else what the block holds (its first cards' titles,
    its first figures), so that no "Read more →" stands alone with nothing to say what
    more (an untitled card group in a long issue's e-mail did)."""
    if isinstance(block, Article | Letter):
        return markdown.first_paragraph(block.body)
    if isinstance(block, LinkCards) and block.intro:
        return markdown.first_paragraph(block.intro)
    if isinstance(block, LinkCards):
        named = [card.title for card in block.cards]
    elif isinstance(block, Figures):
        named = [f"**{item.value}** {item.label}" for item in block.items]
    else:
        return ""
    more = " …" if len(named) > TEASER_ITEMS else ""
    return " · ".join(named[:TEASER_ITEMS]) + more


def write_email(issue: Issue, project: Project, out: Path) -> Built:
    """``newsletter build --only email``: email.html, email.txt and the images they show.

    An e-mail Gmail would clip is written with a warning, so the other editions are still
    built; ``check`` reports it as an error and ``send`` refuses it."""
    edition = render_email(issue, project, clipped_ok=True)
    html_path, text_path = out / "email.html", out / "email.txt"
    write_text(html_path, edition.html)
    write_text(text_path, edition.text)
    if edition.images:
        edition.images.publish(out)
    return Built([html_path, text_path], list(edition.warnings))


def compile_mjml(source: str) -> str:
    """MJML to HTML with MRML, each attribute value's non-ASCII characters, controls and
    backslashes given as character references first.

    MRML writes attribute values through Rust's ``escape_debug``: a no-break space in an
    alt text comes out as the six characters ``\\u{a0}``, a thin space as ``\\u{2009}``, the
    combining ogonek of a macOS (NFD) "ę" as ``\\u{328}``, a backslash doubled, and a
    screen reader reads them aloud. A reference (``&#160;``) passes through untouched and
    is the same character to every mail program.
    """
    source = _TITLE.sub(lambda m: m.group(1) + _referenced(m.group(2)) + m.group(3), source)
    return mjml2html(_TAG.sub(_referenced_attributes, source))


_TAG = re.compile(r"<[^<>!]*(?:[^\x20-\x7e<>!]|\\)[^<>!]*>")
"""Start and end tags (comments and conditionals left alone) with a character to give as a
reference: the few hundred tags of pure printable ASCII are not even visited."""
_ATTRIBUTE_VALUE = re.compile(r'="([^"]*)"')
_TITLE = re.compile(r"(<mj-title>)(.*?)(</mj-title>)", re.S)  # MRML copies it to aria-label


def _referenced_attributes(tag: re.Match[str]) -> str:
    return _ATTRIBUTE_VALUE.sub(_referenced_value, tag.group(0))


def _referenced_value(value: re.Match[str]) -> str:
    return f'="{_referenced(value.group(1))}"'


def _referenced(text: str) -> str:
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    return "".join(
        c if c.isascii() and c.isprintable() and c != "\\" else f"&#{ord(c)};" for c in text
    )


def _tidy_text(text: str) -> str:
    """At most two blank lines in a row, no trailing spaces, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and len(tidy) >= 2 and not tidy[-1] and not tidy[-2]:
            continue
        tidy.append(line)
    return "\n".join(tidy).strip("\n") + "\n"
