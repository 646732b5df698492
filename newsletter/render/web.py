"""The web edition: the page behind the e-mail's "view in browser" link.

Semantic HTML5 from ``templates/web`` with the block partials the PDFs use
(``templates/_shared/blocks``), the theme's colours and sizes, and no JavaScript. It lives
at ``build/<id>/web/index.html`` and links to the PDFs beside it with their sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newsletter.load import Project
from newsletter.model import Figures, Image, Issue, LinkCards
from newsletter.output import EDITIONS, Built, copy_images, public_url, write_text
from newsletter.render.grid import GridStyle, card_grid, figure_grid, fluid_columns, text_width
from newsletter.render.templating import environment, issue_context, strings

LOCALES = {"en": "en_GB", "pl": "pl_PL"}


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
    context = {
        **issue_context(issue, project),
        **_grids(project),
        "variant": "web",
        "image_src": lambda image: "../" + _relative(issue, image),
        "description": " ".join((issue.preheader or issue.subject_line).split()),
        "page_url": public_url(project, issue, "web/"),
        "feed_url": project.site.url("feed.xml"),
        "archive_href": "../../index.html",
        "locale": LOCALES.get(issue.language, issue.language),
        "share_image": _share_image(issue, project),
        "downloads": pdfs if pdfs is not None else downloads(issue, project, out),
    }
    return environment(project, "web").get_template("issue.html.j2").render(context)


def write_web(issue: Issue, project: Project, out: Path) -> Built:
    """``build/<id>/web/index.html`` and the images it shows."""
    target = EDITIONS["web"].paths(out, issue, project)[0]
    pdfs = downloads(issue, project, out)
    write_text(target, render_web(issue, project, out, pdfs))
    copy_images(issue, out)
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


def _relative(issue: Issue, image: Image) -> str:
    return image.file.relative_to(issue.source_dir).as_posix()


def _share_image(issue: Issue, project: Project) -> ShareImage | None:
    """The first picture of the issue, for link previews (Open Graph / Twitter cards)."""
    image = next(issue.images(), None)
    if image is None:
        return None
    width, height = image.pixel_size()
    return ShareImage(public_url(project, issue, _relative(issue, image)), width, height, image.alt)


PAGE_WIDTH = 728  # .wrap's content width: the theme's content width + 160 - padding
PHONE_CONTENT = 288  # a 320 px phone less the page's side padding


def _grids(project: Project) -> dict[str, object]:
    """Grid styles for figures and cards: as many columns as the content allows."""
    spacing, sizes = project.theme.spacing, project.theme.fonts.sizes

    def figures(block: Figures) -> GridStyle:
        values = [i.value for i in block.items]
        padding = 2 * spacing.small
        grid = figure_grid(values, PAGE_WIDTH, sizes.figure, gap=spacing.small,
                           padding=padding, narrowest=PHONE_CONTENT)
        cell = max(text_width(v, grid.font_size) for v in values) + padding
        return fluid_columns(grid, cell, spacing.small)

    def cards(block: LinkCards) -> GridStyle:
        words = [w for card in block.cards for w in card.title.split()]
        padding = 2 * spacing.medium
        grid = card_grid(words, len(block.cards), PAGE_WIDTH, sizes.card_title,
                         gap=spacing.medium, padding=padding)
        cell = max(14 * 16, max((text_width(w, sizes.card_title) for w in words), default=0)
                   + padding)
        return fluid_columns(grid, min(cell, PHONE_CONTENT), spacing.medium)

    return {"figures_style": figures, "cards_style": cards}
