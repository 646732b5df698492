"""The picture check: every kind of real PNG, JPEG and GIF passes; its size is the header's."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from newsletter.image_files import BadImage, check_image

PNG_MODES = ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"]


def _picture(mode: str, size: tuple[int, int] = (203, 97)) -> Image.Image:
    picture = Image.linear_gradient("L").resize(size).convert(mode)
    return picture


@pytest.mark.parametrize("interlace", [False, True])
@pytest.mark.parametrize("mode", PNG_MODES)
def test_real_pngs_pass(mode: str, interlace: bool, tmp_path: Path):
    path = tmp_path / "picture.png"
    _picture(mode).save(path, interlace=interlace)
    assert check_image(path) == (203, 97)


@pytest.mark.parametrize("options", [{}, {"progressive": True}, {"subsampling": 0}])
def test_real_jpegs_pass_even_with_metadata_first(options: dict, tmp_path: Path):
    path = tmp_path / "photo.jpg"
    exif = Image.Exif()
    exif[0x010E] = "x" * 30_000  # a long description before the frame header
    _picture("RGB").save(path, exif=exif, **options)
    assert check_image(path) == (203, 97)


def test_cmyk_jpeg_and_gif_pass(tmp_path: Path):
    _picture("CMYK").save(tmp_path / "print.jpg")
    _picture("P").save(tmp_path / "anim.gif", save_all=True,
                       append_images=[_picture("P", (203, 97))])
    assert check_image(tmp_path / "print.jpg") == (203, 97)
    assert check_image(tmp_path / "anim.gif") == (203, 97)


def test_png_missing_its_last_rows_is_refused(tmp_path: Path):
    """CRCs all right, but the compressed data stops early: only inflating it shows that."""
    import struct
    import zlib

    rows = b"".join(b"\x00" + bytes(40) for _ in range(30))
    data = zlib.compress(rows[: len(rows) // 2])

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))

    path = tmp_path / "short.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40, 30, 8, 0,
                     0, 0, 0)) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    with pytest.raises(BadImage, match="truncated or corrupt"):
        check_image(path)


def test_truncated_jpeg_is_refused_even_after_weasyprint_is_imported(tmp_path):
    """WeasyPrint sets Pillow's global LOAD_TRUNCATED_IMAGES on import (the preview keeps it
    imported): the check must still see a cut file."""
    import weasyprint  # noqa: F401
    from PIL import Image, ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    path = tmp_path / "cut.jpg"
    Image.new("RGB", (640, 480), (200, 30, 40)).save(path, quality=90)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(BadImage, match="truncated or corrupt"):
        check_image(path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # left as WeasyPrint wants it
