"""Benchmark of picture derivatives: prints figures, asserts nothing.

    .venv/bin/python bench/images.py

Makes a 4000×3000 camera-like photo (JPEG q95, about 4.6 MB, tests/photos.py) and every
derivative a build of an issue makes from it: the e-mail's 1104 px, the web page's 400 to
1600 px, the download PDF's 150 ppi and the print PDF's 300 ppi CMYK. Times the first
build (nothing cached) and the second (all from the cache), and the bytes of each file.
Then the same photo as an editor's greyscale files (an 8-bit JPEG, a 16-bit PNG scan):
the e-mail's and the printer's derivative of each, their format, bytes, mean lightness
(0 black, 255 white: a blank picture is 255) and the inks the printer's copy uses.
The cache is a temporary folder (NEWSLETTER_IMAGE_CACHE), never the user's.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import os
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from photos import make_photo
from PIL import Image, ImageStat

from newsletter.images import derivative
from newsletter.load import load_project

# (what, width, CMYK?) as a build of the sample asks for them
SLOTS = [("e-mail article (2x 552 px)", 1104, False)]
SLOTS += [(f"web srcset {w} px", w, False) for w in (400, 800, 1200, 1600)]
SLOTS += [("download PDF (178 mm at 150 ppi)", 1051, False),
          ("print PDF (178 mm at 300 ppi, CMYK)", 2102, True)]


def main() -> None:
    site = load_project(ROOT / "newsletter.toml").site
    profile = site.path(site.print.icc_profile)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["NEWSLETTER_IMAGE_CACHE"] = str(Path(tmp) / "cache")
        photo = make_photo(Path(tmp) / "photo.jpg")
        print(f"source: 4000x3000 JPEG q95, {photo.stat().st_size / 1024 / 1024:.1f} MB")
        rows = []
        for cached in (False, True):
            total = 0.0
            for name, width, cmyk in SLOTS:
                start = time.perf_counter()
                made = derivative(photo, width, profile if cmyk else None)
                seconds = time.perf_counter() - start
                total += seconds
                if not cached:
                    rows.append((name, made, seconds))
            print(f"{'cached' if cached else 'first'} build, all {len(SLOTS)} derivatives: "
                  f"{total * 1000:.0f} ms")
        for name, made, seconds in rows:
            size = made.path.stat().st_size
            print(f"  {name}: {made.width}x{made.height} {made.suffix[1:]}, "
                  f"{size / 1024:.0f} KB, {seconds * 1000:.0f} ms")
        greyscale(photo, Path(tmp), profile)


def greyscale(photo: Path, folder: Path, profile: Path) -> None:
    """The photo as the greyscale files editors hand in, and what each edition gets."""
    with Image.open(photo) as image:
        grey = image.convert("L")
    sources = {"greyscale JPEG q95": folder / "grey.jpg",
               "16-bit greyscale PNG scan": folder / "scan.png"}
    grey.save(sources["greyscale JPEG q95"], quality=95)
    grey.convert("I").point(lambda v: v * 257).convert("I;16").save(
        sources["16-bit greyscale PNG scan"])
    for what, source in sources.items():
        print(f"source: {what}, {source.stat().st_size / 1024 / 1024:.1f} MB")
        for name, width, cmyk in (SLOTS[0], SLOTS[-1]):
            start = time.perf_counter()
            made = derivative(source, width, profile if cmyk else None)
            seconds = time.perf_counter() - start
            with Image.open(made.path) as image:
                mode, inks = image.mode, ""
                if image.mode == "CMYK":
                    used = [ink for ink, band in zip("CMYK", image.split(), strict=True)
                            if band.getextrema()[1] > 0]
                    inks = f", inks {''.join(used)}"
                    image = image.convert("RGB")
                mean = ImageStat.Stat(image.convert("L")).mean[0]
                print(f"  {name}: {made.suffix[1:]} {mode}, "
                      f"{made.path.stat().st_size / 1024:.0f} KB, mean lightness {mean:.0f}"
                      f"{inks}, {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
