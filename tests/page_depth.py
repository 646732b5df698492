"""How full each page of a PDF is, and what stands at its foot, measured from the PDF itself.

A page's depth is the bottom of its last text line or picture below the top of the text
area, divided by the text area's height (A4 less the @page margins of style.css.j2): a page
that ends at half its height has depth 0.5. Running heads and folios, outside the text area,
do not count. Used by the tests and by ``bench/pdf.py``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pikepdf

sys.path.insert(0, str(Path(__file__).resolve().parent))

from editions import Line, pdf_pages
from pdf_boxes import image_boxes

MM = 72 / 25.4
A4_HEIGHT = 841.89
MARGIN_TOP, MARGIN_BOTTOM = 22 * MM, 20 * MM  # @page margin in templates/print/style.css.j2


@dataclass(frozen=True)
class Page:
    """One page's text lines inside its text area and how deep its content reaches."""

    number: int
    lines: list[Line]
    depth: float


def measured_pages(path: Path) -> list[Page]:
    """Every page of ``path`` with its body lines (top to bottom) and its depth."""
    pages = []
    with pikepdf.open(path) as pdf:
        for text, pdf_page in zip(pdf_pages(path), pdf.pages, strict=True):
            bleed = (text.height - A4_HEIGHT) / 2 if text.height > A4_HEIGHT + 1 else 0
            top, bottom = bleed + MARGIN_TOP, text.height - bleed - MARGIN_BOTTOM
            body = sorted((line for line in text.lines
                           if top - 2 < line.top and line.bottom < bottom + 2),
                          key=lambda line: (line.top, line.x0))
            lowest = max((line.bottom for line in body), default=top)
            media_top = float(pdf_page.mediabox[3])  # poppler measures down from it
            for _, (_, y0, _, y1) in image_boxes(pdf_page):
                image_top, image_bottom = media_top - y1, media_top - y0
                if image_top < bottom and image_bottom > top:
                    lowest = max(lowest, min(image_bottom, bottom))
            pages.append(Page(text.lines[0].page if text.lines else len(pages) + 1, body,
                              round((lowest - top) / (bottom - top), 2)))
    return pages


def depths(path: Path) -> list[float]:
    """Each page's depth, in page order."""
    return [page.depth for page in measured_pages(path)]


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(argument, " ".join(f"{d:.2f}" for d in depths(Path(argument))))
