"""How large a picture is shown in its slot: one rule for the e-mail, the web page and
both PDFs.

Editors' pictures come in any shape: a 1:6 portrait laid across a column runs six column
widths down (off the PDF page over the folio; several phone screens of the e-mail), an
80 px icon stretched over a column is a blur at 11 ppi. So the shown width is the smallest
of three:

- the slot's width (the column, a card, a signature's box);
- the width at which the picture is as tall as the slot allows (a PDF page's text area
  less room for the caption; about one phone screen on screens);
- the width of its pixels, at most doubled on paper (a CSS pixel each, as the low-resolution
  warning then tells) and not at all on screens (they show every pixel already).

A picture narrower than its slot is centred (the templates' CSS).
"""

from __future__ import annotations

from dataclasses import dataclass

MM_PER_CSS_PX = 25.4 / 96
"""On paper a picture's pixel is one CSS pixel (WeasyPrint's default image resolution)."""

SCREEN_HEIGHT_PX = 540
"""The tallest a picture is shown in the e-mail and on the web: within one screen of the
smallest phone still in use (320 × 568), of a common one (375 × 667) and of a laptop
(1024 × 768)."""


@dataclass(frozen=True)
class Bounds:
    """Where a picture goes: at most ``width`` wide and ``height`` tall (in the edition's
    unit: mm on paper, CSS px on screens), and at most ``scale`` of its pixels' size."""

    width: float
    height: float
    scale: float
    unit_per_pixel: float = 1.0


def shown_width(pixels: tuple[int, int], bounds: Bounds) -> float:
    """The width a picture of ``pixels`` (width, height, upright) is shown at within
    ``bounds``; its height follows its proportions."""
    width, height = pixels
    return min(bounds.width, bounds.height * width / max(1, height),
               bounds.scale * width * bounds.unit_per_pixel)
