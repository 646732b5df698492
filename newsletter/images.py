"""Pictures made for each edition from the editor's file (Pillow), kept in a cache.

Editors drop in whatever they have: a 4000×3000 camera photo of 4.6 MB, a 1200 px drawing.
Readers should get what their slot needs: the e-mail about twice the displayed width, the
web page a few widths to choose from, the printer CMYK at 300 ppi. This module makes those
*derivatives*:

- turned upright (EXIF orientation), resized to a width but never upscaled;
- every mode an editor's file has brought to 8 bits first: a 16-bit scan (``I;16``) is
  scaled down, not clipped (Pillow's own ``convert`` clips it to pure white); an animated
  GIF is its first frame;
- a **photo** becomes a progressive JPEG (greyscale stays one channel); a **drawing**
  (transparency, or few colours in large flat areas that JPEG would smear) becomes an
  optimized palette PNG; decided from the pixels, never from the mode or the file name (a
  greyscale photo has at most 256 levels, like a drawing, but no flat areas);
- for print, always JPEG (WeasyPrint 70 embeds CMYK only from JPEG; it cannot write CMYK
  into PNG): a colour picture in CMYK through the output intent's profile, a greyscale one
  on black ink only (the profile would print its greys with all four inks, which shift
  colour on press); transparency composited in CMYK onto the colour of the slot behind
  it (white paper, or a card's tint), so a logo's transparent corners print as the card;
  a CMYK file keeps its inks (never through RGB), held to the profile's ink limit.

Derivatives are cached by the SHA-256 of the source's bytes plus every parameter that
changes the result, so a rebuild, another issue reusing a picture, or the preview does not
redo them. The cache lives outside ``build/`` (which is published as it is) in
``$XDG_CACHE_HOME/business-krakow-newsletter/images/``; ``NEWSLETTER_IMAGE_CACHE`` moves it.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageMath, ImageOps

from newsletter.colour import image_to_cmyk
from newsletter.exceptions import NewsletterError
from newsletter.image_sizes import (  # noqa: F401  # FORMAT_VERSION, cache_folder: this module's API
    CMYK,
    FORMAT_VERSION,
    WHITE_PAPER,
    Derivative,
    cache_folder,
    cache_key,
)

JPEG_QUALITY = 82  # sRGB photos: no visible loss at 2× display size
PRINT_JPEG_QUALITY = 92  # CMYK for the printer: the file size matters less than on screen
DRAWING_COLOURS = 256  # at most this many distinct colours (a sample of them): a drawing
DRAWING_FLATNESS = 0.5  # and at least this share of neighbouring pixels exactly alike
GREY_TOLERANCE = 6  # channel differences a greyscale picture saved as RGB JPEG still has
_ORIENTATION = 0x0112  # EXIF tag; values 5–8 swap width and height


class UnreadableImage(NewsletterError):
    """An editor's file that is not a picture Pillow can read (or is too large to)."""


def upright_size(source: Path) -> tuple[int, int]:
    """Width and height as the picture is shown (EXIF orientation applied), from the
    header only: a camera's portrait photo is stored landscape with a rotation tag.

    Remembered while the file's size and mtime stay the same: Pillow's PNG ``getexif``
    decodes the whole image to reach chunks after the pixels (3 ms for the sample's
    1200 px drawings, a third of an e-mail render), and every edition asks again."""
    stat = source.stat() if source.is_file() else None
    if stat is None:
        return _upright_size(source, -1, -1)
    return _upright_size(source, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _upright_size(source: Path, size: int, mtime_ns: int) -> tuple[int, int]:
    try:
        with Image.open(source) as image:
            width, height = image.size
            if image.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8):
                return height, width
            return width, height
    except (OSError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(f"{source}: not a readable image ({exc})") from None


def derivative(
    source: Path, width: int, cmyk_profile: Path | None = None,
    background: CMYK = WHITE_PAPER, paper: bool = False,
) -> Derivative:
    """``source`` at most ``width`` px wide (never upscaled): a sRGB JPEG or PNG for
    screens, or with ``cmyk_profile`` a CMYK JPEG for the printer, its transparent parts
    the ``background`` (0–255 per ink) of the slot it is printed in; with ``paper`` (a
    scanned signature) its paper made white (:func:`paper_white`). Made once per content
    and parameters; later calls find the file in the cache."""
    key = cache_key(source, width, cmyk_profile, background) + ("w" if paper else "")
    folder = cache_folder() / key[:2]
    for suffix in (".jpg", ".png"):
        cached = folder / f"{key}{suffix}"
        if cached.is_file():
            return _found(cached, cached.stat().st_mtime_ns)
    try:
        image, suffix, options = _made(source, width, cmyk_profile, background, paper)
    except (OSError, Image.DecompressionBombError) as exc:  # a bomb is not an OSError
        raise UnreadableImage(f"{source}: not a readable image ({exc})") from None
    target = folder / f"{key}{suffix}"
    _save_atomically(image, target, options)
    return Derivative(target, *image.size)


@functools.lru_cache(maxsize=4096)
def _found(cached: Path, _mtime_ns: int) -> Derivative:
    """A cached derivative's size, read once per process and file version: an e-mail
    render asks for the same pictures on every try of its teasers and every preview."""
    with Image.open(cached) as image:
        return Derivative(cached, *image.size)


def _made(
    source: Path, width: int, cmyk_profile: Path | None, background: CMYK,
    paper: bool = False,
) -> tuple[Image.Image, str, dict[str, object]]:
    """The resized picture, its file suffix and Pillow's save options."""
    with Image.open(source) as original:
        upright_width, _ = upright_size(source)
        target_width = min(width, upright_width)
        scale = target_width / upright_width
        # JPEG decodes at 1/2, 1/4 or 1/8 for free (DCT scaling): 4000 px → 2000 px is
        # read in a quarter of the time. draft() works in stored (unrotated) pixels.
        original.draft(original.mode, (round(original.width * scale),
                                       round(original.height * scale)))
        image = upright_8bit(original)  # an animated GIF: its first frame (opened at it)
    if cmyk_profile is not None and image.mode == "CMYK":
        return _separation(image, target_width, cmyk_profile), ".jpg", {
            "quality": PRINT_JPEG_QUALITY, "optimize": True}
    image = _as_srgb(image)
    if paper:
        image = paper_white(image)
    grey = is_grey(image)
    drawing = _is_drawing(image)  # before resampling blends edges into new colours
    height = max(1, round(image.height * target_width / image.width))
    if image.size != (target_width, height):
        image = image.resize((target_width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if cmyk_profile is not None:
        options: dict[str, object] = {"quality": PRINT_JPEG_QUALITY, "optimize": True}
        if drawing:
            options["subsampling"] = 0  # full-resolution colour: sharp edges on flat areas
        return _printed(image, grey, cmyk_profile, background), ".jpg", options
    if drawing:
        return _palette(image), ".png", {"optimize": True}
    return image.convert("L" if grey else "RGB"), ".jpg", {
        "quality": JPEG_QUALITY, "optimize": True, "progressive": True,
    }


def upright_8bit(image: Image.Image) -> Image.Image:
    """The picture as shown (EXIF orientation applied) in an 8-bit mode Pillow converts
    without loss of what is seen: 16- and 32-bit greyscale scaled to 0–255 by the depth
    its values use (Pillow's ``convert`` clips them: a 16-bit scan comes out pure white)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        icc = image.info.get("icc_profile")
        transparent = image.info.get("transparency")
        _, high = image.getextrema()
        if image.mode == "F" and high <= 1.0:
            top = 1.0
        else:
            top = float(2 ** max(8, int(max(high, 1)).bit_length()) - 1)
        grey = image.convert("F").point(lambda value: value * 255.0 / top).convert("L")
        if isinstance(transparent, int):
            # a PNG's tRNS names one grey value transparent; a 16-bit value has no 8-bit
            # equivalent, so it becomes an alpha channel before the tones are scaled
            deep = image.convert("I")
            alpha = ImageMath.lambda_eval(lambda a: (a["v"] != transparent) * 255, v=deep)
            grey.putalpha(alpha.convert("L"))
        image = grey
        if icc:
            image.info["icc_profile"] = icc
    return image


def _as_srgb(image: Image.Image) -> Image.Image:
    """L, RGB or RGBA in sRGB: an embedded profile (Adobe RGB from a camera, a designer's
    CMYK) is converted, since browsers and our CMYK transform assume sRGB."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    icc = image.info.get("icc_profile")
    if image.mode in ("1", "L") and not has_alpha and not icc:
        return image.convert("L")  # one channel through the resize: a third of the work
    if image.mode == "CMYK" and not icc:
        from newsletter.colour import cmyk_to_srgb

        return cmyk_to_srgb(image)
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        import io

        try:
            rgb = ImageCms.profileToProfile(
                image.convert("RGB") if image.mode == "RGBA" else image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
        except ImageCms.PyCMSError:  # a broken or unusual profile: its numbers as they are
            return image.convert(mode)
        if image.mode == "RGBA":
            rgb.putalpha(image.getchannel("A"))
        return rgb
    return image.convert(mode)


def _is_drawing(image: Image.Image) -> bool:
    """Transparency, or few distinct colours in a sample of the pixels laid out in flat
    areas. A photo has thousands of colours even in a small sample; a greyscale photo has
    at most 256 levels too, but neighbouring pixels rarely match exactly, while most of a
    drawing's do (its anti-aliased edges are a thin line)."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255:
        return True
    rgb = image.convert("RGB")
    sample = rgb.resize((128, 128), Image.Resampling.NEAREST)
    if sample.getcolors(DRAWING_COLOURS) is None:
        return False
    return _flatness(rgb) >= DRAWING_FLATNESS


def _flatness(image: Image.Image) -> float:
    """Share of pixels exactly like their right-hand neighbour, on the picture reduced to
    at most 256 px by averaging (averaging keeps a flat area flat and a photo's grain)."""
    if image.width > 256 or image.height > 256:
        image = image.reduce(max(1, -(-max(image.size) // 256)))
    if image.width < 2:
        return 1.0
    left = image.crop((0, 0, image.width - 1, image.height))
    right = image.crop((1, 0, image.width, image.height))
    red, green, blue = ImageChops.difference(left, right).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return largest.histogram()[0] / (left.width * left.height)


def is_grey(image: Image.Image) -> bool:
    """Whether every pixel is neutral (R = G = B within JPEG's noise): a greyscale scan,
    or one saved as RGB. Such a picture prints on black ink alone."""
    if image.mode in ("1", "L", "LA", "I", "F") or image.mode.startswith("I;16"):
        return True
    rgb = image.convert("RGB")
    if max(rgb.size) > 512:
        rgb = rgb.reduce(max(1, -(-max(rgb.size) // 512)))
    red, green, blue = rgb.split()
    return all(
        ImageChops.difference(a, b).getextrema()[1] <= GREY_TOLERANCE
        for a, b in ((red, green), (green, blue))
    )


PAPER_LEVEL = 200
"""The lightest a scan's paper may be and still be taken for paper (0–255, its median
tone): a darker median is a picture, not ink on paper, and is left as it is."""


def paper_white(image: Image.Image) -> Image.Image:
    """A scanned signature with its paper white: each channel scaled so that its median
    (a signature is mostly paper) becomes 255, the ink darkened alike. A scan's grey or
    cream paper (246/246/246, 250/246/236) printed as a visible box around the signature
    in both PDFs (hand-made issues 2026-06, 2025-09); :data:`PAPER_DOTS` took only paper
    within 2 % of white. Its grain goes white with it (:data:`PAPER_GRAIN`)."""
    from PIL import ImageStat

    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    rgb = image.convert("RGB")
    medians = ImageStat.Stat(rgb).median
    if min(medians) < PAPER_LEVEL or min(medians) >= 255:
        return image
    tables = [[255 if v * 255 / median >= PAPER_GRAIN else round(v * 255 / median)
               for v in range(256)] for median in medians]
    white = rgb.point([v for table in tables for v in table])
    if alpha is not None:
        white.putalpha(alpha)
    return white


PAPER_GRAIN = 238
"""A scan's paper is grainy around its median: what is this light once the median is white
is paper too (a scan's grain left 245–252 around a signature, a faint box on the page
and on the web: hand-made issue 2028-08); ink is far darker."""

PAPER_DOTS = 5
"""Ink values up to this (0–255: 2 %) on every plate at once are paper: an off-white
scan's background (250/250/248 became 1.2/1.2/1.6 %) would print as a faint box of dots
too small to hold, cream on a digital press; a photo's highlights lose nothing visible."""


def _printed(image: Image.Image, grey: bool, profile: Path, background: CMYK) -> Image.Image:
    """The printer's CMYK: a greyscale picture on the black plate only (K = 100 % − its
    lightness), a colour one through the profile; near-white (:data:`PAPER_DOTS`) is
    paper; transparent parts are ``background``."""
    if grey:
        nothing = Image.new("L", image.size, 0)
        black = ImageOps.invert(image.convert("L"))
        cmyk = Image.merge("CMYK", (nothing, nothing, nothing, black))
    else:
        cmyk = image_to_cmyk(image.convert("RGB"), profile)
    paper = functools.reduce(ImageChops.multiply, (
        plate.point(lambda v: 255 if v <= PAPER_DOTS else 0) for plate in cmyk.split()))
    cmyk.paste((0, 0, 0, 0), mask=paper)
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255:
        behind = Image.new("CMYK", image.size, background)
        cmyk = Image.composite(cmyk, behind, image.getchannel("A"))
    return cmyk


def _separation(image: Image.Image, width: int, profile: Path) -> Image.Image:
    """A CMYK file for the printer: the designer's inks kept (see
    :func:`newsletter.colour.cmyk_for_press`), resized in CMYK."""
    from newsletter.colour import cmyk_for_press

    height = max(1, round(image.height * width / image.width))
    if image.size != (width, height):
        info = image.info
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        image.info = info
    return cmyk_for_press(image, profile)


def _palette(image: Image.Image) -> Image.Image:
    """At most 256 colours, without dithering: exact for flat drawings, nearly so for
    anti-aliased edges, and a third of the bytes of a truecolour PNG."""
    method = Image.Quantize.FASTOCTREE if image.mode == "RGBA" else Image.Quantize.MEDIANCUT
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGB")
    return image.quantize(256, method=method, dither=Image.Dither.NONE)


def _save_atomically(image: Image.Image, target: Path, options: dict[str, object]) -> None:
    """A concurrent build (the preview's PDF thread, a second terminal) sees the whole
    file or none: written under a temporary name in the same folder, then renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{target.stem}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            image.save(file, format="JPEG" if target.suffix == ".jpg" else "PNG", **options)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
