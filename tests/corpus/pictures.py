"""Pictures as editors' files really come: every Pillow mode, with and without an ICC profile,
any EXIF orientation, animated GIFs, 16 px icons to the pixel limit, 1:6 to 6:1.

Each picture is drawn from its seed (gradients, shapes and grain), so it always has visible
content: a derivative that comes out of one colour is the build's fault, never the source's.
"""

from __future__ import annotations

import math
import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw

ICC_FOLDER = Path("/usr/share/color/icc/ghostscript")
"""Debian's libgs-common profiles (already needed for the printer's PDF)."""

MODES = ("1", "L", "LA", "P", "P+transparency", "I;16", "I;16+transparency", "I", "RGB", "RGBA",
         "CMYK", "RGB;16")
"""What an editor's file can decode to (``RGB;16`` is a 48-bit PNG, which Pillow reads as
8-bit RGB; ``P+transparency`` a palette with a transparent index; ``I;16+transparency`` a
16-bit grey PNG whose tRNS chunk makes one grey value transparent)."""

TRANSPARENT_16 = 65535
"""The grey value a ``I;16+transparency`` picture makes transparent (its other values stay
below 64,100), painted over a band across its middle."""

HARD_MODES = ("I;16", "I;16+transparency", "I")
"""16-bit greyscale scans: on main they came out blank (issue 16 item 3), generated only
with the ``pictures`` feature."""

PIXEL_LIMIT = 40_000_000  # newsletter.limits.MAX_IMAGE_PIXELS: the largest an editor may give
SIDE_LIMIT = 6000


@dataclass(frozen=True)
class Picture:
    """One generated picture: its file and how it was made (for messages and judges)."""

    path: Path
    mode: str
    size: tuple[int, int]
    orientation: int
    icc: bool
    animated: bool

    def describe(self) -> str:
        extras = [f"orientation {self.orientation}", *["ICC"] * self.icc,
                  *["animated"] * self.animated]
        return f"{self.path.name} ({self.mode}, {self.size[0]}×{self.size[1]}, {', '.join(extras)})"


def picture_size(rng: random.Random, huge: bool, tall: bool = True) -> tuple[int, int]:
    """A size from 16 px up (log-uniform) and an aspect ratio from 1:6 to 6:1 (without
    ``tall``: from 3:4); with ``huge`` up to the pixel limit, else up to 1600 px on the long
    side (CI stays quick)."""
    ratio = 6 ** rng.uniform(-1 if tall else math.log(0.75, 6), 1)
    longest = SIDE_LIMIT if huge else 1600
    long_side = round(2 ** rng.uniform(4, longest.bit_length() - 1 + rng.random()))
    long_side = max(16, min(longest, long_side))
    if huge and rng.random() < 0.5:
        long_side = longest
    short = max(16, round(long_side / max(ratio, 1 / ratio)))
    width, height = (long_side, short) if ratio >= 1 else (short, long_side)
    while width * height > PIXEL_LIMIT:
        width, height = int(width * 0.95), int(height * 0.95)
    return width, height


def drawing(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """An RGB picture with visible content at any size: a gradient, a few shapes, grain."""
    width, height = size
    base = Image.linear_gradient("L").resize(size).rotate(rng.choice((0, 90, 180, 270)))
    other = Image.radial_gradient("L").resize(size)
    picture = Image.merge("RGB", (base, other, base.point(lambda v: 255 - v)))
    draw = ImageDraw.Draw(picture)
    for _ in range(rng.randint(2, 6)):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randint(1, max(1, width // 2)), y0 + rng.randint(1, max(1, height // 2))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    if width * height <= 4_000_000:  # grain: what a photo has (skipped on huge ones: speed)
        noise = Image.frombytes("L", size, rng.randbytes(width * height))
        picture = Image.composite(picture, picture.point(lambda v: min(255, v + 24)),
                                  noise.point(lambda v: 255 if v > 128 else 0))
    return picture


def in_mode(rgb: Image.Image, mode: str, rng: random.Random) -> Image.Image:
    """``rgb`` converted to ``mode`` the way files of that mode look (16-bit values use
    their whole range, as a scanner's do; alpha varies over the picture)."""
    if mode == "I;16+transparency":
        deep = in_mode(rgb, "I;16", rng).convert("I")
        deep.paste(TRANSPARENT_16, (0, deep.height * 2 // 5, deep.width, deep.height * 3 // 5))
        return deep.convert("I;16")
    if mode in ("I;16", "I"):
        # 16-bit scans use values far above 255; "I" stands for a 12-bit scanner's file
        # (Pillow 13 writes and reads every 16-bit greyscale PNG as I;16)
        low = rng.randint(0, 8000) if mode == "I;16" else rng.randint(0, 200)
        scale = rng.randint(100, 220) if mode == "I;16" else rng.randint(4, 15)
        return rgb.convert("L").convert("I").point(lambda v: v * scale + low).convert("I;16")
    if mode in ("LA", "RGBA"):
        alpha = Image.radial_gradient("L").resize(rgb.size).point(lambda v: 255 - v // 2)
        base = rgb.convert(mode[:-1])
        base.putalpha(alpha)
        return base
    if mode == "P+transparency":
        return rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=rng.choice((4, 16, 255)))
    if mode == "P":
        return rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=rng.choice((2, 16, 256)))
    if mode == "RGB;16":
        return rgb
    return rgb.convert(mode)


def icc_profile(mode: str) -> bytes | None:
    """An ICC profile that fits ``mode`` (grey, RGB or CMYK), as editors' files carry."""
    if mode in ("RGB", "RGBA", "P", "P+transparency", "RGB;16"):
        return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    name = {"L": "sgray.icc", "LA": "sgray.icc", "CMYK": "default_cmyk.icc"}.get(mode)
    return (ICC_FOLDER / name).read_bytes() if name and (ICC_FOLDER / name).is_file() else None


def write_png48(path: Path, rgb: Image.Image, icc: bytes | None, exif: bytes | None) -> None:
    """A 16-bit-per-channel RGB PNG (a designer's export), which Pillow cannot write."""
    width, height = rgb.size
    data = rgb.tobytes()
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        row = data[y * width * 3:(y + 1) * width * 3]
        for value in row:
            rows += struct.pack(">H", value * 257)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)  # 16 bits, RGB
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    if icc:
        png += chunk(b"iCCP", b"sRGB\x00\x00" + zlib.compress(icc))
    if exif:
        png += chunk(b"eXIf", exif.removeprefix(b"Exif\x00\x00"))
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")
    path.write_bytes(png)


def make_picture(folder: Path, name: str, rng: random.Random, *, modes: tuple[str, ...] = MODES,
                 huge: bool = False, tall: bool = True) -> Picture:
    """One picture file in ``folder`` (``name`` without suffix) of a mode from ``modes``."""
    mode = rng.choice(modes)
    size = picture_size(rng, huge, tall)
    if mode == "RGB;16":  # written row by row in Python: keep it small
        size = (min(size[0], 800), min(size[1], 800))
    animated = mode in ("P", "P+transparency") and rng.random() < 0.3
    orientation = 1 if animated else rng.randint(1, 8)
    icc = rng.random() < 0.4 and icc_profile(mode) is not None
    stored = size if orientation < 5 else (size[1], size[0])  # a camera stores it turned
    image = in_mode(drawing(rng, stored), mode, rng)
    exif = Image.Exif()
    if orientation != 1:
        exif[0x0112] = orientation
    options: dict = {"exif": exif.tobytes()} if orientation != 1 else {}
    if icc:
        options["icc_profile"] = icc_profile(mode)
    folder.mkdir(parents=True, exist_ok=True)
    if mode == "RGB;16":
        path = folder / f"{name}.png"
        write_png48(path, image, options.get("icc_profile"), options.get("exif"))
    elif animated:
        path = folder / f"{name}.gif"
        frames = [image] + [image.transpose(Image.Transpose.ROTATE_180)] * rng.randint(1, 3)
        extra = {"transparency": 0} if mode == "P+transparency" else {}
        image.save(path, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0,
                   **extra)
    elif mode == "CMYK" or (mode in ("L", "RGB") and rng.random() < 0.6):
        path = folder / f"{name}.jpg"
        image.save(path, "JPEG", quality=rng.choice((70, 85, 95)), **options)
    else:
        path = folder / f"{name}.png"
        if mode == "P+transparency":
            options["transparency"] = 0
        elif mode == "I;16+transparency":
            options["transparency"] = TRANSPARENT_16
        image.save(path, "PNG", **options)
    return Picture(path, mode, size, orientation, bool(icc), animated)
