"""sRGB → the printer's CMYK, through the output intent's ICC profile (Pillow's ImageCms).

A PDF/X-4 with a CMYK output intent must not paint in DeviceRGB. Both the print edition's
pictures (:mod:`newsletter.images`) and the theme colours that have no ``cmyk:`` entry
go through this one transform, so the theme needs CMYK only where a designer chose it and
everything else lands where the printer's profile would put it.

A picture that is CMYK already is the designer's separation: it is kept (its black text
stays on the black plate), converted only from another CMYK profile, and held to the
profile's ink limit (:func:`ink_limit`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageCms, ImageMath


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


PRESS_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
"""The default output intent ([print] icc_profile, Debian's libgs-common): how screens read
a CMYK file that has no profile of its own, as the print edition takes it to be for the
press."""


@functools.cache
def _to_srgb(profile: Path) -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(
        ImageCms.getOpenProfile(str(profile)), ImageCms.createProfile("sRGB"), "CMYK", "RGB",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def cmyk_to_srgb(image: Image.Image) -> Image.Image:
    """A CMYK picture without a profile as screens should show it: its inks on the press
    (:data:`PRESS_PROFILE`). Pillow's own conversion takes ink for light (R = 255 − C − K):
    cyan ink showed as 0/255/255 instead of about 0/175/239, black as 0/0/0 instead of
    the ink's 43/41/42, every colour too bright and too saturated."""
    if not PRESS_PROFILE.is_file():
        return image.convert("RGB")
    return ImageCms.applyTransform(image, _to_srgb(PRESS_PROFILE))


@functools.cache
def ink_limit(profile: Path) -> float:
    """The most ink, in percent of one plate (CMYK summed: 0–400), the profile puts on
    paper: its darkest black. What it makes of any RGB colour stays under it (the
    Ghostscript/SWOP profile: 296 %, SWOP allows 300); a CMYK file made for another press,
    or a registration black of 400 %, is held to it (:func:`limited_ink`)."""
    return round(sum(hex_to_cmyk("#000000", profile)), 1)


def cmyk_for_press(image: Image.Image, profile: Path) -> Image.Image:
    """A CMYK picture for the printer: converted from its own profile when it has another
    one (relative colorimetric, black point compensation), else its inks as they are (no
    profile: a file made for print is taken to be for this press); then held to the
    profile's ink limit. Never through RGB: a round trip through sRGB turned a pure-black
    bar (0/0/0/100) into 68/66/64/66 four-colour black and clipped colours sRGB lacks."""
    import contextlib
    import io

    embedded = image.info.get("icc_profile")
    if embedded and embedded != _profile_bytes(profile):
        # a broken or unusual profile: its inks as they are
        with contextlib.suppress(ImageCms.PyCMSError):
            image = ImageCms.applyTransform(image, ImageCms.buildTransform(
                ImageCms.ImageCmsProfile(io.BytesIO(embedded)),
                ImageCms.getOpenProfile(str(profile)), "CMYK", "CMYK",
                renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                flags=ImageCms.Flags.BLACKPOINTCOMPENSATION))
    return limited_ink(image, ink_limit(profile))


def limited_ink(image: Image.Image, limit: float) -> Image.Image:
    """``image`` (CMYK) with no pixel over ``limit`` percent of ink: where the sum is
    higher, cyan, magenta and yellow are scaled down together and black is kept (the
    black plate carries the darkness; the colour's balance stays)."""
    cyan, magenta, yellow, black = image.split()
    most = limit * 255 / 100
    if sum(extrema[1] for extrema in image.getextrema()) <= most:
        return image  # no pixel can be over it
    factor = ImageMath.lambda_eval(
        lambda a: a["min"](a["max"](a["float"](most - a["k"]), 0.0)
                           / a["max"](a["float"](a["c"] + a["m"] + a["y"]), 1.0), 1.0),
        c=cyan, m=magenta, y=yellow, k=black)
    scaled = [ImageMath.lambda_eval(lambda a: a["convert"](a["ink"] * a["f"], "L"),
                                    ink=ink, f=factor) for ink in (cyan, magenta, yellow)]
    limited = Image.merge("CMYK", [*scaled, black])
    limited.info = {key: value for key, value in image.info.items() if key != "icc_profile"}
    return limited


@functools.cache
def _profile_bytes(profile: Path) -> bytes:
    return profile.read_bytes()
