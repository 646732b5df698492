"""The web edition: the page behind the e-mail's "view in browser" link.

Semantic HTML5 from ``templates/web`` with the block partials the PDFs use
(``templates/_shared/blocks``), the theme's colours and sizes, and no JavaScript. It lives
at ``build/<id>/web/index.html`` and links to the PDFs beside it with their sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from newsletter.load import Project
from newsletter.model import Figures, Image, Issue, LinkCards
from newsletter.output import (
    EDITIONS,
    Built,
    ImageFiles,
    language_folder,
    public_url,
    signup_url,
    url_path,
    write_text,
)
from newsletter.placement import SCREEN_HEIGHT_PX, Bounds, shown_width
from newsletter.render.code_values import Code
from newsletter.render.grid import (
    GridStyle,
    card_grid,
    figure_grid,
    fluid_columns,
    fluid_rows,
    phone_title_classes,
    text_width,
)
from newsletter.render.stacked_tables import stacked
from newsletter.render.templating import (
    environment,
    issue_context,
    issue_rules,
    screen_rules,
    site_language,
    strings,
)
from newsletter.render.unbroken_ranges import nowrap_for_joiners
from newsletter.typography import Rules, line_words

SHARE_WIDTH = 1200
"""Link previews (Facebook, LinkedIn, Slack) want at least 1200 px across."""


@dataclass(frozen=True)
class Slot:
    """Where the page shows a picture: at most ``width`` CSS px, the files offered for it
    (the browser picks by ``sizes`` and the screen's density)."""

    width: int
    widths: tuple[int, ...]
    page: int
    """Up to this viewport width the slot is the viewport less ``margin`` (a phone)."""
    margin: int | None
    """What the page's padding takes from a phone's width; None: the slot is never
    narrower than ``width``."""

    def sizes(self, shown: int) -> str:
        """The ``sizes`` attribute for a picture shown ``shown`` CSS px wide at most: the
        slot's width, or less for a picture whose height is capped (a portrait), so that the
        browser does not fetch a file made for the full column."""
        width = min(shown, self.width)
        if self.margin is None:
            return f"{width}px"
        narrow = self.page if width == self.width else width + self.margin
        return f"(max-width: {narrow}px) calc(100vw - {self.margin}px), {width}px"


FILL_PX = 480
"""The fewest pixels across a card's picture needs to be shown across a phone's card."""
FILL_RATIO = 1.5
"""The tallest, for its width, a card's picture shown across a phone's card may be."""


def slots(project: Project) -> dict[str, Slot]:
    """The page's picture slots, from the theme's column (``.wrap`` in style.css.j2)."""
    spacing = project.theme.spacing
    page = spacing.content_width + 160
    column = page - 2 * spacing.medium
    card = (column - 2 * spacing.medium) // 3 - 2 * spacing.medium
    return {
        "article": Slot(column, (400, 800, SHARE_WIDTH, 1600), page, 2 * spacing.medium),
        "card": Slot(card, (240, 480, 720), page, 4 * spacing.medium),
        "signature": Slot(240, (240, 480), page, None),
    }


@dataclass
class Pictures:
    """The web page's ``<img>`` attributes, made from derivatives in a few widths."""

    files: ImageFiles
    slots: dict[str, Slot]
    _made: dict[tuple[Path, str], list[tuple[str, int, int]]] = field(default_factory=dict)

    def variants(self, image: Image, slot: str) -> list[tuple[str, int, int]]:
        """(relative path, width, height) of each width offered, never above the source."""
        key = (image.file, slot)
        if key not in self._made:
            source_width = image.pixel_size()[0]
            widths = sorted({min(w, source_width) for w in self.slots[slot].widths})
            made = [self.files.add(image, w, paper=slot == "signature") for w in widths]
            self._made[key] = [(relative, d.width, d.height) for relative, d in made]
        return self._made[key]

    def src(self, image: Image, slot: str) -> str:
        """The fallback ``src`` (browsers without srcset, crawlers): the slot's width."""
        return "../" + url_path(self._fallback(image, slot)[0])

    def size(self, image: Image, slot: str) -> Markup:
        """``width``/``height`` of the displayed size: the page does not jump as it loads."""
        _, width, height = self._fallback(image, slot)
        shown = self._shown(image, slot)
        return Code(f'width="{shown}" height="{round(height * shown / width)}"')

    def srcset(self, image: Image, slot: str) -> Markup:
        """``srcset`` and ``sizes``: the browser downloads only the width it needs."""
        files = ", ".join(f"../{url_path(r)} {w}w" for r, w, _ in self.variants(image, slot))
        sizes = self.slots[slot].sizes(self._shown(image, slot))
        return Code(f'srcset="{files}" sizes="{sizes}"')

    def fills(self, image: Image, slot: str = "card") -> bool:
        """Whether ``image`` is shown across its card at any width (style.css.j2 ``.card
        .fills``): it has the pixels for a phone's card (:data:`FILL_PX`), is set at the
        slot's width on a wide screen and is no taller than :data:`FILL_RATIO` its width
        (across a phone's card, taller would pass a screen). Held to the slot's width, a
        picture stood 200 px wide inside a 340 px card on a phone (hand-made issue
        2029-03); one that does not fill is centred, its credit under it centred too."""
        width, height = image.pixel_size()
        return width >= FILL_PX and height <= FILL_RATIO * width \
            and self._shown(image, slot) >= self.slots[slot].width

    def _shown(self, image: Image, slot: str) -> int:
        """CSS px across on a wide screen: the slot, less when the height cap (about one
        screen) narrows a portrait, never more than the largest file offered."""
        _, width, _ = self._fallback(image, slot)
        placed = Bounds(self.slots[slot].width, SCREEN_HEIGHT_PX, 1)
        return max(1, min(width, math.floor(shown_width(image.pixel_size(), placed))))

    def _fallback(self, image: Image, slot: str) -> tuple[str, int, int]:
        wanted = self.slots[slot].width
        variants = self.variants(image, slot)
        return next((v for v in variants if v[1] >= wanted), variants[-1])


@dataclass(frozen=True)
class Alternate:
    """The issue's page in one of its languages: for hreflang links and the switch."""

    language: str
    name: str  # the language's name in itself ("Polski")
    url: str
    current: bool


def alternates(issue: Issue, project: Project) -> list[Alternate]:
    """Every language's page of the issue, the main language first (none when the issue
    has one language)."""
    languages = issue.languages if len(issue.languages) > 1 else []
    return [
        Alternate(lang, site_language(project, lang).name,
                  public_url(project, issue, "web/", lang), lang == issue.language)
        for lang in languages
    ]


@dataclass(frozen=True)
class Download:
    label: str
    href: str
    size: int | None


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int
    height: int
    alt: str


def render_web(
    issue: Issue, project: Project, out: Path, pdfs: list[Download] | None = None
) -> str:
    """The page's HTML; ``out`` is ``build/<id>/`` (PDF sizes are read from there unless
    ``pdfs`` already says)."""
    return _page(issue, project, out, pdfs)[0]


def _page(
    issue: Issue, project: Project, out: Path, pdfs: list[Download] | None
) -> tuple[str, ImageFiles]:
    pictures = Pictures(ImageFiles(issue), slots(project))
    context = {
        **issue_context(issue, project),
        **_grids(project, issue_rules(issue, project)),
        "variant": "web",
        "image_src": pictures.src,
        "image_size": pictures.size,
        "image_srcset": pictures.srcset,
        "card_fills": pictures.fills,
        "description": " ".join((issue.preheader or issue.subject_line).split()),
        "page_url": public_url(project, issue, "web/"),
        "feed_url": project.site.url(f"{language_folder(issue)}feed.xml"),
        "archive_href": "../" * (2 + issue.is_translation) + f"{language_folder(issue)}index.html",
        "alternates": alternates(issue, project),
        "signup_url": signup_url(project, issue.language),
        "locale": site_language(project, issue.language).locale,
        "share_image": _share_image(issue, project, pictures.files),
        "downloads": pdfs if pdfs is not None else downloads(issue, project, out),
        **title_phone_sizes(issue, project),
    }
    html = environment(project, "web").get_template("issue.html.j2").render(context)
    return nowrap_for_joiners(stacked(html, slots(project)["article"].width)), pictures.files


def write_web(issue: Issue, project: Project, out: Path) -> Built:
    """``build/<id>/web/index.html`` and the images it shows."""
    target = EDITIONS["web"].paths(out, issue, project)[0]
    pdfs = downloads(issue, project, out)
    html, images = _page(issue, project, out, pdfs)
    write_text(target, html)
    images.publish(out)
    warnings = [
        f"{d.href.removeprefix('../')} is not built yet: the page links it without a size "
        "(build all editions together)"
        for d in pdfs
        if d.size is None
    ]
    return Built([target], warnings)


def downloads(issue: Issue, project: Project, out: Path) -> list[Download]:
    """The PDFs beside the page, with their sizes when they have been built."""
    t = strings(project, issue.language)
    result = []
    for name, label in (("pdf", t["pdf_read"]), ("print", t["pdf_print"])):
        path = EDITIONS[name].paths(out, issue, project)[0]
        size = path.stat().st_size if path.is_file() else None
        result.append(Download(label, f"../{path.name}", size))
    return result


def _share_image(issue: Issue, project: Project, files: ImageFiles) -> ShareImage | None:
    """The first picture of the issue, for link previews (Open Graph / Twitter cards)."""
    image = next(issue.images(), None)
    if image is None:
        return None
    relative, made = files.add(image, SHARE_WIDTH)
    return ShareImage(public_url(project, issue, url_path(relative)), made.width, made.height,
                      image.alt)


PAGE_WIDTH = 728  # .wrap's content width: the theme's content width + 160 - padding
PHONE_CONTENT = 288  # a 320 px phone less the page's side padding


def title_phone_sizes(issue: Issue, project: Project) -> dict[str, object]:
    """The blocks' titles that a 320 px phone sets smaller than the theme's title size:
    ``title_phone`` (block id → class) and ``phone_title_px`` (class → size); a title
    with a chain of bound words too wide for a phone's line gets the size that chain
    fits, the others keep the theme's (:func:`phone_title_classes`)."""
    sizes = project.theme.fonts.sizes
    titles = {block.id: (block.title, sizes.title) for _, block in issue.blocks()
              if getattr(block, "title", None)}
    classes, px = phone_title_classes(titles, screen_rules(issue_rules(issue, project), False),
                                      PHONE_CONTENT, sizes.tiny, "phone-")
    return {"title_phone": classes, "phone_title_px": px}


def _grids(project: Project, rules: Rules) -> dict[str, object]:
    """Grid styles for figures and cards: as many columns as the content allows (a card
    title's words as ``rules`` bind them: :func:`newsletter.typography.line_words`)."""
    spacing, sizes = project.theme.spacing, project.theme.fonts.sizes

    def figures(block: Figures) -> GridStyle:
        values = [i.value for i in block.items]
        padding = 2 * spacing.small
        grid = figure_grid(values, PAGE_WIDTH, sizes.figure, gap=spacing.small,
                           padding=padding, narrowest=PHONE_CONTENT)
        cell = max(text_width(v, grid.font_size) for v in values) + padding
        return fluid_rows(grid, cell, spacing.small)

    def cards(block: LinkCards) -> GridStyle:
        words = [w for card in block.cards for w in line_words(card.title, rules)]
        padding = 2 * spacing.medium
        grid = card_grid(words, len(block.cards), PAGE_WIDTH, sizes.card_title,
                         gap=spacing.medium, padding=padding)
        cell = max(14 * 16, max((text_width(w, sizes.card_title) for w in words), default=0)
                   + padding)
        return fluid_columns(grid, min(cell, PHONE_CONTENT), spacing.medium)

    return {"figures_style": figures, "cards_style": cards}
