"""Derivatives of editors' pictures: format from the content, upright, never upscaled,
CMYK for print, and made once (the cache)."""

from __future__ import annotations

from pathlib import Path

import pytest
from photos import make_photo
from PIL import Image

from newsletter.images import UnreadableImage, derivative, upright_size
from newsletter.load import Project, load_issue
from newsletter.publish import build, choose_editions

PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("NEWSLETTER_IMAGE_CACHE", str(cache))
    return cache


def drawing(path: Path, mode: str = "RGB") -> Path:
    """Flat shapes in a few colours (with a transparent corner in RGBA)."""
    image = Image.new(mode, (900, 450), "white")
    image.paste((0, 60, 125) if mode == "RGB" else (0, 60, 125, 255), (100, 100, 500, 300))
    if mode == "RGBA":
        image.paste((0, 0, 0, 0), (0, 0, 200, 200))
    image.save(path)
    return path


def test_photo_is_a_progressive_jpeg_and_drawings_are_palette_pngs(tmp_path):
    photo = derivative(make_photo(tmp_path / "p.jpg", (800, 600)), 400)
    with Image.open(photo.path) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (400, 300))
        assert image.info.get("progressive")
    for mode in ("RGB", "RGBA"):
        flat = derivative(drawing(tmp_path / f"d-{mode}.png", mode), 600)
        with Image.open(flat.path) as image:
            assert (image.format, image.mode, image.size) == ("PNG", "P", (600, 300))


def test_never_upscaled_and_turned_upright(tmp_path):
    small = derivative(drawing(tmp_path / "d.png"), 5000)
    assert (small.width, small.height) == (900, 450)
    portrait = tmp_path / "portrait.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated 90°: what phones write
    make_photo(tmp_path / "l.jpg", (600, 400))
    Image.open(tmp_path / "l.jpg").save(portrait, exif=exif)
    assert upright_size(portrait) == (400, 600)
    made = derivative(portrait, 200)
    assert (made.width, made.height) == (200, 300)


def test_print_derivative_is_cmyk_with_transparency_flattened_onto_white(tmp_path):
    made = derivative(drawing(tmp_path / "d.png", "RGBA"), 450, PROFILE)
    with Image.open(made.path) as image:
        assert (image.format, image.mode) == ("JPEG", "CMYK")
        assert image.getpixel((10, 10)) == pytest.approx((0, 0, 0, 0), abs=3)  # white paper


def test_an_unreadable_picture_is_named(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    with pytest.raises(UnreadableImage, match=r"broken\.jpg: not a readable image"):
        derivative(broken, 100)


def test_a_rebuild_reuses_every_derivative(project: Project, photo_issue_dir, own_cache,
                                           tmp_path):
    issue = load_issue(photo_issue_dir, project)
    editions = choose_editions(["email", "web", "print"])
    build(issue, project, editions, tmp_path / "out")
    made = {p: p.stat().st_mtime_ns for p in own_cache.rglob("*") if p.is_file()}
    published = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("images/*")}
    assert len(made) > 10 and len(published) > 10
    build(issue, project, editions, tmp_path / "out")
    assert {p: p.stat().st_mtime_ns for p in own_cache.rglob("*") if p.is_file()} == made
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("images/*")} == published


def test_a_cmyk_file_without_a_profile_shows_its_inks_on_screens(tmp_path):
    """E-mail, web and the readers' PDF show a CMYK file without a profile as its inks
    print (the press profile), not by Pillow's formula: pure cyan ink was 0/255/255 on
    screen, the ink is about 0/175/239; 100 % black was 0/0/0, the ink is a dark grey."""
    picture = Image.new("CMYK", (400, 200), (0, 0, 0, 0))
    picture.paste((255, 0, 0, 0), (0, 0, 200, 200))
    picture.paste((0, 0, 0, 255), (200, 0, 400, 200))
    picture.save(tmp_path / "cmyk.jpg", quality=95)
    with Image.open(derivative(tmp_path / "cmyk.jpg", 400).path) as shown:
        rgb = shown.convert("RGB")
    cyan, black = rgb.getpixel((100, 100)), rgb.getpixel((300, 100))
    assert cyan[0] < 20 and 150 < cyan[1] < 200 and cyan[2] > 215, cyan
    assert min(black) > 25 and max(black) < 60, black
