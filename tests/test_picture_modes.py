"""Every kind of file an editor can hand in gives derivatives that show it as it is: not
blank, upright, greyscale on black ink only, a greyscale photo as a JPEG, transparency as
the slot behind it. The files are made here, in every mode Pillow opens a PNG, JPEG or GIF
in, with and without ICC profiles, in all eight EXIF orientations, at seeded random sizes
from 16 px and aspect ratios from 1:6 to 6:1."""

from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps, ImageStat

from newsletter.images import derivative, upright_8bit

ICC = Path("/usr/share/color/icc/ghostscript")
PRINT_PROFILE = ICC / "default_cmyk.icc"
SCREEN_WIDTH = 1200  # the web's widest slot file
PRINT_WIDTH = 2102  # an article's 178 mm at 300 ppi
TINT = (0, 10, 25, 0)  # a card's panel, 0–255 per ink

# Image.transpose that undoes EXIF orientation n (what a camera stores for it).
STORED_AS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@dataclass(frozen=True)
class Kind:
    """One kind of editor's file: how it is saved, whether it is greyscale, has
    transparency (a hole in the middle) and is a photo (not flat shapes)."""

    name: str
    grey: bool = False
    alpha: bool = False
    photo: bool = True
    icc: str = ""  # a profile in /usr/share/color/icc/ghostscript embedded when asked


KINDS = [
    Kind("1-png", grey=True, photo=False),
    Kind("L-png", grey=True, icc="sgray.icc"),
    Kind("L-jpeg", grey=True, icc="sgray.icc"),
    Kind("LA-png", grey=True, alpha=True),
    Kind("P-png", photo=False),
    Kind("P-transparent-png", alpha=True, photo=False),
    Kind("I16-png", grey=True, icc="sgray.icc"),
    Kind("I16-transparent-png", grey=True, alpha=True),
    Kind("RGB-png", icc="a98.icc"),
    Kind("RGB-jpeg", icc="a98.icc"),
    Kind("RGB-grey-jpeg", grey=True),
    Kind("RGBA-png", alpha=True, icc="a98.icc"),
    Kind("CMYK-jpeg", icc="default_cmyk.icc"),
    Kind("RGB16-png"),
    Kind("animated-gif", photo=False),
]


def scene(size: tuple[int, int], grey: bool, seed: int) -> Image.Image:
    """What the editor sees, upright: a light, grainy photo-like gradient (colour or
    grey) with a black marker in its top-left corner."""
    width, height = size
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize(size).point(lambda v: 140 + v * 100 // 255)
    if grey:
        picture = base.convert("RGB")
    else:
        other = Image.radial_gradient("L").resize(size).point(lambda v: 150 + v * 90 // 255)
        picture = Image.merge("RGB", (base, other, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    grain = Image.frombytes("L", size, rng.randbytes(width * height)).filter(
        ImageFilter.GaussianBlur(0.6)).convert("RGB")
    picture = Image.blend(picture, grain, 0.08)
    if grey:
        picture = picture.convert("L").convert("RGB")
    marker = (0, 0, max(1, width // 4) - 1, max(1, height // 4) - 1)
    ImageDraw.Draw(picture).rectangle(marker, fill=(0, 0, 0))
    return picture


def with_hole(picture: Image.Image) -> Image.Image:
    """RGBA with a transparent rectangle in the middle (the corners stay opaque)."""
    rgba = picture.convert("RGBA")
    width, height = rgba.size
    hole = Image.new("L", rgba.size, 255)
    ImageDraw.Draw(hole).rectangle(
        (width * 2 // 5, height * 2 // 5, width * 3 // 5, height * 3 // 5), fill=0)
    rgba.putalpha(hole)
    return rgba


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body))


def png_rgb16(picture: Image.Image, orientation: int) -> bytes:
    """A 16-bit-per-channel RGB PNG, written by hand (Pillow cannot write one)."""
    width, height = picture.size
    data = picture.convert("RGB").tobytes()
    rows = b"".join(
        b"\x00" + b"".join(struct.pack(">H", v * 257) for v in data[y * width * 3:(y + 1)
                                                                  * width * 3])
        for y in range(height))
    exif = _exif(orientation)
    exif = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16,
                                                               2, 0, 0, 0))
            + _chunk(b"eXIf", exif) + _chunk(b"IDAT", zlib.compress(rows))
            + _chunk(b"IEND", b""))


def editor_file(kind: Kind, upright: Image.Image, orientation: int, icc: bool,
                folder: Path) -> Path:
    """``upright`` saved as ``kind`` the way a camera or scanner stores it: turned so that
    EXIF ``orientation`` shows it upright (GIF has no EXIF: saved upright)."""
    stored = upright.transpose(STORED_AS[orientation]) if orientation in STORED_AS else upright
    options: dict[str, object] = {}
    if kind.name != "animated-gif":
        options["exif"] = _exif(orientation)
    if icc and kind.icc:
        options["icc_profile"] = (ICC / kind.icc).read_bytes()
    name = kind.name
    path = folder / f"{name}-{orientation}-{int(icc)}.{name.rsplit('-', 1)[1]}"
    if name == "RGB16-png":
        path.write_bytes(png_rgb16(stored, orientation))
    elif name == "animated-gif":
        stored = upright
        later = Image.new("RGB", stored.size, (0, 0, 0))  # a frame that would show as black
        stored.convert("P").save(path, save_all=True, append_images=[later.convert("P")],
                                 duration=200, loop=0)
    elif name.startswith("1-"):
        stored.convert("1").save(path, **options)
    elif name.startswith("L-"):
        stored.convert("L").save(path, **options)
    elif name.startswith("LA-"):
        with_hole(stored).convert("LA").save(path, **options)
    elif name == "P-png":
        stored.quantize(64).save(path, **options)
    elif name == "P-transparent-png":
        with_hole(stored).quantize(64, method=Image.Quantize.FASTOCTREE).save(path, **options)
    elif name == "I16-png":
        grey = stored.convert("L").convert("I").point(lambda v: v * 257)
        grey.convert("I;16").save(path, **options)
    elif name == "I16-transparent-png":
        # tRNS names one 16-bit grey value transparent; the scene's values are multiples of
        # 257, so value 1 is only the hole
        grey = stored.convert("L").convert("I").point(lambda v: v * 257)
        hole = with_hole(stored).getchannel("A").point(lambda v: 255 if v == 0 else 0)
        grey.paste(1, mask=hole)
        grey.convert("I;16").save(path, transparency=1, **options)
    elif name.startswith("RGBA-"):
        with_hole(stored).save(path, **options)
    elif name == "CMYK-jpeg":
        stored.convert("CMYK").save(path, quality=95, **options)
    else:
        stored.convert("RGB").save(path, quality=95, **options)
    return path


def lightness(image: Image.Image) -> Image.Image:
    """Lightness 0–255 of a derivative; for CMYK, paper less the inks laid on it."""
    if image.mode == "CMYK":
        c, m, y, k = image.split()
        colour = Image.merge("RGB", (c, m, y)).convert("L")
        return ImageOps.invert(ImageChops.add(colour, k))
    return image.convert("RGBA").convert("L")


def corner_means(image: Image.Image) -> list[float]:
    """Mean lightness of the four corners (a fifth of each side): top-left first, then
    clockwise."""
    width, height = image.size
    w, h = max(1, width // 5), max(1, height // 5)
    boxes = [(0, 0, w, h), (width - w, 0, width, h), (width - w, height - h, width, height),
             (0, height - h, w, height)]
    return [ImageStat.Stat(image.crop(box)).mean[0] for box in boxes]


def random_size(rng: random.Random) -> tuple[int, int]:
    """A size from 16 px on the short side, any aspect ratio from 1:6 to 6:1."""
    aspect = 6 ** rng.uniform(-1, 1)
    short = rng.randint(16, 160)
    long = min(900, max(short, round(short * max(aspect, 1 / aspect))))
    return (long, short) if aspect >= 1 else (short, long)


CASES = [
    pytest.param(kind, orientation, icc,
                 id=f"{kind.name}-o{orientation}-{'icc' if icc else 'no-icc'}")
    for kind in KINDS for orientation in range(1, 9) for icc in (False, True)
    if not (kind.name == "animated-gif" and (orientation > 1 or icc))
]


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("NEWSLETTER_IMAGE_CACHE", str(cache))
    return cache


@pytest.mark.parametrize(("kind", "orientation", "icc"), CASES)
def test_every_derivative_shows_the_picture_upright(kind: Kind, orientation: int, icc: bool,
                                                     tmp_path: Path):
    rng = random.Random(f"{kind.name}/{orientation}/{icc}")
    size, seed = random_size(rng), rng.randrange(2**16)
    upright = scene(size, kind.grey, seed)
    source = editor_file(kind, upright, orientation, icc, tmp_path)
    with Image.open(source) as opened:
        shown = upright_8bit(opened).convert("RGBA").convert("L")
    assert shown.size == size
    expected = ImageStat.Stat(shown).stddev[0]
    assert expected > 10  # the source is not blank (so neither may its derivatives be)

    screen = derivative(source, SCREEN_WIDTH)
    printed = derivative(source, PRINT_WIDTH, PRINT_PROFILE, TINT)
    for made in (screen, printed):
        with Image.open(made.path) as image:
            image.load()
            assert image.size == size  # never upscaled, never sideways
            seen = lightness(image)
            assert ImageStat.Stat(seen).stddev[0] > 0.4 * expected, (made.path, "blank")
            top_left, *others = corner_means(seen)
            assert top_left < 70 and min(others) > 100, (made.path, "not upright",
                                                         top_left, others)
    with Image.open(screen.path) as image:
        assert image.mode in ("RGB", "L", "P")
        if kind.photo and not kind.alpha:
            assert image.format == "JPEG", "a photo (greyscale too) is a JPEG"
    with Image.open(printed.path) as image:
        assert (image.format, image.mode) == ("JPEG", "CMYK")
        if kind.grey:
            c, m, y, _ = image.split()
            assert {c.getextrema(), m.getextrema(), y.getextrema()} <= {(0, 0)} or (
                kind.alpha), "a greyscale picture prints on black ink only"
        if kind.alpha:
            middle = image.getpixel((image.width // 2, image.height // 2))
            # within JPEG's noise on a hole of a few pixels; white paper is 25 off in Y
            assert middle == pytest.approx(TINT, abs=8), "transparency shows the card"


def test_animated_gif_is_its_first_frame(tmp_path: Path):
    upright = scene((300, 200), False, 7)
    source = editor_file(Kind("animated-gif", photo=False), upright, 1, False, tmp_path)
    made = derivative(source, SCREEN_WIDTH)
    with Image.open(made.path) as image:
        assert corner_means(lightness(image))[1] > 100  # not the black second frame


@pytest.mark.parametrize("bits", [8, 12, 16])
def test_deep_greyscale_is_scaled_not_clipped(bits: int):
    """A 16-bit scan, a 12-bit one in a 16-bit file and 8-bit values in a 16-bit file
    (what Pillow's own convert to I;16 makes) all keep their tones."""
    grey = Image.linear_gradient("L").resize((64, 64))
    top = 2 ** bits - 1
    for mode in ("I", "I;16", "F"):
        deep = grey.convert("I").point(lambda v: v * top / 255).convert(mode)
        shown = upright_8bit(deep)
        assert shown.mode == "L"
        low, high = shown.getextrema()
        assert low <= 2 and high >= 250, (mode, bits, low, high)


def test_greyscale_photo_is_a_jpeg_and_a_grey_drawing_a_png(tmp_path: Path):
    """The issue's case: a greyscale photo went out as a 762 KB palette PNG."""
    photo = scene((800, 600), True, 3).convert("L")
    photo.save(tmp_path / "photo.png")
    flat = Image.new("L", (800, 600), 255)
    ImageDraw.Draw(flat).ellipse((100, 100, 500, 400), fill=40, outline=0, width=6)
    flat.save(tmp_path / "drawing.png")
    with Image.open(derivative(tmp_path / "photo.png", 800).path) as image:
        assert (image.format, image.mode) == ("JPEG", "L")
    with Image.open(derivative(tmp_path / "drawing.png", 800).path) as image:
        assert image.format == "PNG"


def test_a_picture_at_the_pixel_limit_prints_and_shows(tmp_path: Path):
    """6000 × 6666 (the 40-megapixel limit), 16-bit greyscale: the largest scan allowed."""
    size = (6000, 6666)
    grey = Image.linear_gradient("L").resize((600, 666)).resize(size)
    ImageDraw.Draw(grey).rectangle((0, 0, 1499, 1665), fill=0)
    source = tmp_path / "scan.png"
    grey.convert("I").point(lambda v: v * 257).convert("I;16").save(source, compress_level=1)
    for made in (derivative(source, SCREEN_WIDTH), derivative(source, PRINT_WIDTH, PRINT_PROFILE)):
        with Image.open(made.path) as image:
            seen = lightness(image)
            top_left, *others = corner_means(seen)
            assert top_left < 70 and max(others) > 100
            assert ImageStat.Stat(seen).stddev[0] > 30


def test_16bit_rgb_png_is_read(tmp_path: Path):
    """Sanity of the hand-written file: Pillow opens it with its colours."""
    upright = scene((50, 40), False, 1)
    data = png_rgb16(upright, 1)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (50, 40)
        assert ImageStat.Stat(image.convert("L")).stddev[0] > 10
