"""Make sure a picture file is a whole PNG, JPEG or GIF of a sensible size, cheaply.

Pictures come from cameras, phones, web pages and e-mail attachments, renamed at will.
Every edition relies on them (mail programs show only PNG, JPEG and GIF; WeasyPrint and
the e-mail build decode them), so the check reads the real format from the first bytes,
the size from the header, and only then decodes the whole file, in little memory:

- a file name says nothing: a WebP renamed ``.png`` is named as WebP;
- width × height comes from the header, before anything is decoded: Pillow's own guard
  (``DecompressionBombError``, over 179 megapixels) is not an ``OSError`` and far too high;
- a truncated file opens fine (``Image.open`` reads only the header) and prints as a grey
  block; the whole stream is decoded here: JPEG at 1/8 scale (``draft``, still every
  byte), PNG by inflating its data and checking every chunk's CRC without keeping rows.
"""

from __future__ import annotations

import contextlib
import functools
import struct
import threading
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from newsletter.limits import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_IMAGE_SIDE,
    MEGABYTE,
    human_size,
)

_PNG = b"\x89PNG\r\n\x1a\n"
_FORMATS = ((_PNG, "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"))
# What editors send instead, so the message can name it (first bytes → name).
_OTHERS = (
    (b"RIFF", "WebP", 8, b"WEBP"),
    (b"BM", "BMP", 0, b""),
    (b"II*\x00", "TIFF", 0, b""),
    (b"MM\x00*", "TIFF", 0, b""),
    (b"%PDF", "PDF", 0, b""),
    (b"8BPS", "Photoshop (PSD)", 0, b""),
    (b"\x00\x00\x01\x00", "Windows icon (ICO)", 0, b""),
    (b"\xff\x0a", "JPEG XL", 0, b""),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL", 0, b""),
)
_ISO_MEDIA = {b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF", b"avif": "AVIF"}


class BadImage(Exception):
    """What is wrong with a picture file, in an editor's words (without the file's name)."""


def check_image(path: Path) -> tuple[int, int]:
    """Width and height of a whole PNG, JPEG or GIF within the limits; else BadImage.

    Remembered per file version (size and time), so an image used by several blocks, or
    checked again by the live preview, is decoded once.
    """
    stat = path.stat()
    if stat.st_size > MAX_IMAGE_BYTES:
        raise BadImage(
            f"is {human_size(stat.st_size)}, over the limit of {human_size(MAX_IMAGE_BYTES)}: "
            "save it smaller (the e-mail downloads it)"
        )
    return _checked(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _checked(path: Path, size: int, mtime_ns: int) -> tuple[int, int]:
    with path.open("rb") as file:
        head = file.read(32)
        kind = _format(head)
        width, height = _header_size(kind, head, file)
    if width * height > MAX_IMAGE_PIXELS:
        raise BadImage(
            f"is {width} × {height} pixels ({width * height / 1e6:.0f} megapixels, the limit "
            f"is {MAX_IMAGE_PIXELS / 1e6:.0f}): resize it to at most {MAX_IMAGE_SIDE} px on "
            "the long side"
        )
    if kind == "PNG":
        _inflate_png(path, width, height)
    else:
        _decode(path, kind)
    return width, height


def _format(head: bytes) -> str:
    for magic, name in _FORMATS:
        if head.startswith(magic):
            return name
    raise BadImage(f"{_describe(head)}, not a PNG, JPEG or GIF: {_advice(head)}")


def _describe(head: bytes) -> str:
    if not head:
        return "is an empty file"
    for magic, name, at, then in _OTHERS:
        if head.startswith(magic) and head[at : at + len(then)] == then:
            return f"is a {name} image"
    if head[4:8] == b"ftyp" and head[8:12] in _ISO_MEDIA:
        return f"is a {_ISO_MEDIA[head[8:12]]} image"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")):
        return "is an SVG drawing (or other XML)"
    if text.startswith((b"<!doctype", b"<html")):
        return "is a web page (HTML)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "is not a readable image (unknown format)"
    return "is a text file"


def _advice(head: bytes) -> str:
    if head.lstrip().lower().startswith((b"<svg", b"<?xml")):
        return "export it as PNG"
    return "open it in an image editor and save it as PNG or JPEG"


def _header_size(kind: str, head: bytes, file: BinaryIO) -> tuple[int, int]:
    """Width and height as the header states them, reading no pixel data."""
    if kind == "PNG":
        if len(head) < 24 or head[12:16] != b"IHDR":
            raise BadImage("is truncated or corrupt (no PNG header): save it again")
        width, height = struct.unpack(">II", head[16:24])
        return width, height
    if kind == "GIF":
        width, height = struct.unpack("<HH", head[6:10])
        return width, height
    return _jpeg_size(file)


# Start-of-frame markers, which carry the size (C4, C8 and CC are other tables).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(file: BinaryIO) -> tuple[int, int]:
    """Walk the JPEG's segments (skipping EXIF and other metadata) to the frame header."""
    read, seek = file.read, file.seek
    seek(2)
    while True:
        marker = read(2)
        while marker[:1] == b"\xff" and marker[1:2] == b"\xff":  # fill bytes
            marker = marker[1:] + read(1)
        length = read(2)
        if len(marker) < 2 or marker[0] != 0xFF or len(length) < 2:
            raise BadImage("is truncated or corrupt (no JPEG frame header): save it again")
        (size,) = struct.unpack(">H", length)
        if marker[1] in _SOF:
            frame = read(5)
            if len(frame) < 5:
                break
            height, width = struct.unpack(">HH", frame[1:5])
            return width, height
        seek(size - 2, 1)
    raise BadImage("is truncated or corrupt (no JPEG frame header): save it again")


_TRUNCATED = "is truncated or corrupt ({}): open it in an image editor and save it again"


def _decode(path: Path, kind: str) -> None:
    """Decode every byte of a JPEG (at 1/8 scale: a few MB) or a GIF's first frame.

    WeasyPrint sets Pillow's global ``LOAD_TRUNCATED_IMAGES`` when it is imported (the
    preview keeps it imported between checks): a truncated file would then decode "fine",
    padded with grey. The check sets it off for its own decoding."""

    with _STRICT_DECODING, _truncated_images_refused():
        _decode_strictly(path, kind)


_STRICT_DECODING = threading.Lock()


@contextlib.contextmanager
def _truncated_images_refused() -> Iterator[None]:
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _decode_strictly(path: Path, kind: str) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[kind]) as image:
                if kind == "JPEG":
                    image.draft("RGB", (image.width // 8, image.height // 8))
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadImage(f"is too large to decode safely ({exc})") from None
    except Exception as exc:
        # Pillow's decoders raise OSError, SyntaxError, ValueError, struct.error,
        # IndexError… on a broken file: here they all mean the same.
        raise BadImage(_TRUNCATED.format(str(exc) or type(exc).__name__)) from None


def _inflate_png(path: Path, width: int, height: int) -> None:
    """Check every chunk's CRC and inflate all pixel data, keeping none of it.

    Pillow would hold the whole decoded picture (up to 160 MB at the pixel limit); this
    streams the compressed data through zlib and only counts the bytes.
    """
    inflater = zlib.decompressobj()
    produced = 0
    depth, colour, interlace = 8, 6, 0  # IHDR comes first: _header_size made sure
    try:
        with path.open("rb") as file:
            file.seek(len(_PNG))
            while True:
                header = file.read(8)
                if len(header) < 8:
                    raise BadImage(_TRUNCATED.format("it ends before its last chunk"))
                size, chunk = struct.unpack(">I4s", header)
                data = file.read(size)
                crc = file.read(4)
                if len(data) < size or len(crc) < 4:
                    raise BadImage(_TRUNCATED.format("it ends in the middle of a chunk"))
                if zlib.crc32(chunk + data) != struct.unpack(">I", crc)[0]:
                    raise BadImage(_TRUNCATED.format(f"damaged {chunk.decode('latin-1')} chunk"))
                if chunk == b"IHDR":
                    depth, colour, interlace = data[8], data[9], data[12]
                elif chunk == b"IDAT":
                    produced += _inflate(inflater, data)
                elif chunk == b"IEND":
                    break
    except zlib.error as exc:
        raise BadImage(_TRUNCATED.format(f"damaged pixel data: {exc}")) from None
    expected = _png_data_size(width, height, depth, colour, interlace)
    if not inflater.eof or produced < expected:
        raise BadImage(_TRUNCATED.format("pixel data missing"))


def _inflate(inflater: zlib._Decompress, data: bytes) -> int:
    """Bytes ``data`` inflates to, 1 MB at a time (a zlib bomb never sits in memory)."""
    chunk = inflater.decompress(data, MEGABYTE)
    produced = len(chunk)
    while inflater.unconsumed_tail or len(chunk) == MEGABYTE:
        chunk = inflater.decompress(inflater.unconsumed_tail, MEGABYTE)
        produced += len(chunk)
    return produced


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by PNG colour type
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))  # interlace passes: x start, y start, x step, y step


def _png_data_size(width: int, height: int, depth: int, colour: int, interlace: int) -> int:
    """Bytes of filtered rows a complete PNG of this shape inflates to."""
    bits = depth * _CHANNELS.get(colour, 4)
    if not interlace:
        return height * (1 + (width * bits + 7) // 8)
    total = 0
    for x0, y0, dx, dy in _ADAM7:
        columns = (width - x0 + dx - 1) // dx
        rows = (height - y0 + dy - 1) // dy
        if columns > 0 and rows > 0:
            total += rows * (1 + (columns * bits + 7) // 8)
    return total
