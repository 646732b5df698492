"""Pictures made for each edition from the editor's file (Pillow), kept in a cache.

Editors drop in whatever they have: a 4000×3000 camera photo of 4.6 MB, a 1200 px drawing.
Readers should get what their slot needs: the e-mail about twice the displayed width, the
web page a few widths to choose from, the printer CMYK at 300 ppi. This module makes those
*derivatives*:

- turned upright (EXIF orientation), resized to a width but never upscaled;
- a **photo** becomes a progressive sRGB JPEG; a **drawing** (transparency, or few colours:
  flat areas that JPEG would smear) becomes an optimized palette PNG; decided from the
  pixels, never from the file name;
- for print, CMYK through the output intent's profile, transparency flattened onto white
  (a slot in the print edition has a white or very light background), always JPEG
  (WeasyPrint 70 embeds CMYK only from JPEG; it cannot write CMYK into PNG).

Derivatives are cached by the SHA-256 of the source's bytes plus every parameter that
changes the result, so a rebuild, another issue reusing a picture, or the preview does not
redo them. The cache lives outside ``build/`` (which is published as it is) in
``$XDG_CACHE_HOME/business-krakow-newsletter/images/``; ``NEWSLETTER_IMAGE_CACHE`` moves it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from newsletter.colour import image_to_cmyk
from newsletter.exceptions import NewsletterError

FORMAT_VERSION = 1
"""Part of every cache key: raise it when the encoding below changes, so old files are
not reused (they are left to age out of the cache folder)."""

JPEG_QUALITY = 82  # sRGB photos: no visible loss at 2× display size
PRINT_JPEG_QUALITY = 92  # CMYK for the printer: the file size matters less than on screen
DRAWING_COLOURS = 256  # at most this many distinct colours (a sample of them): a drawing
_ORIENTATION = 0x0112  # EXIF tag; values 5–8 swap width and height


class UnreadableImage(NewsletterError):
    """An editor's file that is not a picture Pillow can read (or is too large to)."""


@dataclass(frozen=True)
class Derivative:
    """A picture made for one slot: its file in the cache and its pixel size."""

    path: Path
    width: int
    height: int

    @property
    def suffix(self) -> str:
        return self.path.suffix


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


def derivative(source: Path, width: int, cmyk_profile: Path | None = None) -> Derivative:
    """``source`` at most ``width`` px wide (never upscaled): a sRGB JPEG or PNG for
    screens, or with ``cmyk_profile`` a CMYK JPEG for the printer. Made once per content
    and parameters; later calls find the file in the cache."""
    key = _cache_key(source, width, cmyk_profile)
    folder = cache_folder() / key[:2]
    for suffix in (".jpg", ".png"):
        cached = folder / f"{key}{suffix}"
        if cached.is_file():
            with Image.open(cached) as image:
                return Derivative(cached, *image.size)
    try:
        image, suffix, options = _made(source, width, cmyk_profile)
    except (OSError, Image.DecompressionBombError) as exc:  # a bomb is not an OSError
        raise UnreadableImage(f"{source}: not a readable image ({exc})") from None
    target = folder / f"{key}{suffix}"
    _save_atomically(image, target, options)
    return Derivative(target, *image.size)


def cache_folder() -> Path:
    """Where derivatives are kept between builds (see the module's docstring)."""
    configured = os.environ.get("NEWSLETTER_IMAGE_CACHE")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "business-krakow-newsletter" / "images"


def _cache_key(source: Path, width: int, cmyk_profile: Path | None) -> str:
    target = f"cmyk:{_file_digest(cmyk_profile)}" if cmyk_profile else "srgb"
    parameters = f"v{FORMAT_VERSION}|{width}|{target}|{_file_digest(source)}"
    return hashlib.sha256(parameters.encode()).hexdigest()


def _file_digest(path: Path) -> str:
    stat = path.stat()
    return _digest(path.resolve(), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    """The content's hash, remembered while the file's size and mtime stay the same (the
    preview rebuilds often; a 5 MB photo takes about 10 ms to hash)."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _made(
    source: Path, width: int, cmyk_profile: Path | None
) -> tuple[Image.Image, str, dict[str, object]]:
    """The resized picture, its file suffix and Pillow's save options."""
    with Image.open(source) as original:
        upright_width, _ = upright_size(source)
        target_width = min(width, upright_width)
        scale = target_width / upright_width
        # JPEG decodes at 1/2, 1/4 or 1/8 for free (DCT scaling): 4000 px → 2000 px is
        # read in a quarter of the time. draft() works in stored (unrotated) pixels.
        original.draft("RGB", (round(original.width * scale), round(original.height * scale)))
        image = _as_srgb(ImageOps.exif_transpose(original))
    drawing = _is_drawing(image)  # before resampling blends edges into new colours
    height = max(1, round(image.height * target_width / image.width))
    if image.size != (target_width, height):
        image = image.resize((target_width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    if cmyk_profile is not None:
        if image.mode == "RGBA":
            image = _flattened(image)
        options: dict[str, object] = {"quality": PRINT_JPEG_QUALITY, "optimize": True}
        if drawing:
            options["subsampling"] = 0  # full-resolution colour: sharp edges on flat areas
        return image_to_cmyk(image, cmyk_profile), ".jpg", options
    if drawing:
        return _palette(image), ".png", {"optimize": True}
    return image.convert("RGB"), ".jpg", {
        "quality": JPEG_QUALITY, "optimize": True, "progressive": True,
    }


def _as_srgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA in sRGB: an embedded profile (Adobe RGB from a camera, a designer's
    CMYK) is converted, since browsers and our CMYK transform assume sRGB."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    icc = image.info.get("icc_profile")
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
    """Transparency, or few distinct colours in a sample of the pixels (a photo has
    thousands even in a small sample; a drawing's anti-aliased edges add few)."""
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255:
        return True
    sample = image.convert("RGB").resize((128, 128), Image.Resampling.NEAREST)
    return sample.getcolors(DRAWING_COLOURS) is not None


def _palette(image: Image.Image) -> Image.Image:
    """At most 256 colours, without dithering: exact for flat drawings, nearly so for
    anti-aliased edges, and a third of the bytes of a truecolour PNG."""
    method = Image.Quantize.FASTOCTREE if image.mode == "RGBA" else Image.Quantize.MEDIANCUT
    return image.quantize(256, method=method, dither=Image.Dither.NONE)


def _flattened(
    image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)
) -> Image.Image:
    """Transparency composited onto the page colour (print has no alpha in CMYK JPEG)."""
    flat = Image.new("RGB", image.size, background)
    flat.paste(image, mask=image.getchannel("A"))
    return flat


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
