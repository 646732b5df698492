"""Real text widths from an embedded font's advance widths (fontTools), for the PDFs.

The PDFs embed their own font, so a grid's columns there can be chosen from what the text
really measures rather than from :mod:`newsletter.render.grid`'s conservative per-class
estimate (kept for e-mail and web, whose font is the reader's).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from newsletter.render.grid import char_width

MISSING_EM = 1.3
"""A character the font lacks is drawn by a fallback font (an emoji: about 1.2 em)."""


@lru_cache(maxsize=8)
def _advances(path: Path) -> dict[int, float]:
    """Each code point's advance in em."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    per_em = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    advances = {code: metrics[glyph][0] / per_em
                for code, glyph in font.getBestCmap().items() if glyph in metrics}
    return advances


def font_measure(path: Path) -> Callable[[str, float], float]:
    """A ``text_width(text, font_size)`` for text set in the font at ``path``: the sum of
    its characters' advances (no kerning: kerning only narrows Latin text, so the sum
    errs on the safe side). A character the font lacks counts as the table's estimate, at
    least ``MISSING_EM`` unless it is a space."""
    advances = _advances(path.resolve())

    def missing(char: str) -> float:
        return char_width(char) if char.isspace() else max(char_width(char), MISSING_EM)

    def width(text: str, font_size: float) -> float:
        return font_size * sum(advances.get(ord(c)) or missing(c) for c in text)

    return width
