"""sRGB → the printer's CMYK, through the output intent's ICC profile (Pillow's ImageCms).

A PDF/X-4 with a CMYK output intent must not paint in DeviceRGB. Both the print edition's
pictures (:mod:`newsletter.images`) and the theme colours that have no ``cmyk:`` entry
go through this one transform, so the theme needs CMYK only where a designer chose it and
everything else lands where the printer's profile would put it.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageCms


@functools.cache
def _transform(profile: Path, mode: str) -> ImageCms.ImageCmsTransform:
    """Built once per profile and image mode (building reads and parses the .icc file)."""
    return ImageCms.buildTransform(
        ImageCms.createProfile("sRGB"),
        ImageCms.getOpenProfile(str(profile)),
        mode,
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )


def image_to_cmyk(image: Image.Image, profile: Path) -> Image.Image:
    """An RGB picture as the printer's CMYK (relative colorimetric with black point
    compensation: in-gamut colours stay as they are, shadows keep their detail)."""
    return ImageCms.applyTransform(image.convert("RGB"), _transform(profile, "RGB"))


@functools.cache
def hex_to_cmyk(hex_color: str, profile: Path) -> tuple[float, float, float, float]:
    """``#rrggbb`` as CMYK percentages (0–100) through the profile: one pixel converted."""
    value = hex_color.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    rgb = tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))
    pixel = image_to_cmyk(Image.new("RGB", (1, 1), rgb), profile).getpixel((0, 0))
    return tuple(round(channel / 255 * 100, 1) for channel in pixel)  # type: ignore[return-value]
