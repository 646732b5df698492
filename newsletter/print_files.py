"""What a font or colour profile file really is, checked before a PDF is built.

WeasyPrint drops what it cannot use and carries on: a broken font file gives text in a
system font (and a PDF/UA with a font we never licensed), a broken ICC profile gives a
printer's PDF without its output intent. Both would reach readers or the print shop
unnoticed, so each file is opened here first and refused with a reason. The results are
remembered per file version: the preview rebuilds the PDF on every save.
"""

from __future__ import annotations

import functools
import struct
from pathlib import Path

ICC_HEADER = 128  # ICC.1:2022 7.2: the fixed header before the tag table


class BadFile(ValueError):
    """A file that is not what it should be; the message says what is wrong with it."""


def check_font(path: Path) -> None:
    """A TrueType/OpenType font whose tables are all there and whose basic tables parse."""
    stat = path.stat()
    _check_font(path, stat.st_size, stat.st_mtime_ns)


def check_icc_profile(path: Path) -> None:
    """An ICC profile of a CMYK output device (what a PDF/X output intent must be) that
    LittleCMS can build a transform with."""
    stat = path.stat()
    _check_icc_profile(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _check_font(path: Path, size: int, _mtime: int) -> None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(path, lazy=True)
        for tag, entry in font.reader.tables.items():  # a truncated file loses its last tables
            if entry.offset + entry.length > size:
                raise BadFile(
                    f"it is cut short: its '{tag.strip()}' table ends at byte "
                    f"{entry.offset + entry.length:,}, the file has {size:,}"
                )
        for tag in ("head", "hhea", "maxp", "cmap", "name"):
            font[tag]  # reading decompiles it: a garbled table raises
    except BadFile:
        raise
    except (TTLibError, KeyError, ValueError, AssertionError, EOFError, struct.error) as exc:
        reason = exc or type(exc).__name__
        raise BadFile(f"it is not a font file that can be read: {reason}") from None


@functools.lru_cache(maxsize=8)
def _check_icc_profile(path: Path, size: int, _mtime: int) -> None:
    with path.open("rb") as file:
        header = file.read(ICC_HEADER)
    if len(header) < ICC_HEADER or header[36:40] != b"acsp":
        raise BadFile("it is not an ICC profile (no 'acsp' signature in its header)")
    declared = int.from_bytes(header[:4], "big")
    if declared > size:
        raise BadFile(f"it is cut short: its header says {declared:,} bytes, the file has {size:,}")
    space, device = header[16:20].decode("latin-1"), header[12:16].decode("latin-1")
    if space != "CMYK":
        raise BadFile(f"it is a {space.strip()} profile; the printer's PDF needs a CMYK one")
    if device != "prtr":
        raise BadFile(
            f"it is a '{device.strip()}' profile, not an output (printer, 'prtr') profile"
        )
    from PIL import ImageCms

    try:
        ImageCms.buildTransform(
            ImageCms.createProfile("sRGB"), ImageCms.getOpenProfile(str(path)), "RGB", "CMYK"
        )
    except (ImageCms.PyCMSError, OSError) as exc:
        raise BadFile(f"LittleCMS cannot use it: {exc}") from None
