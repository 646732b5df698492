"""Draw the stress corpus's pictures (tests/data/stress/images/), deterministically.

A 4000×3000 photo-like JPEG (gradients, shapes and grain, so it compresses like a camera
photo: a few MB) and a 200×150 drawing (flat colours, PNG). Run it again to recreate them;
the tests and bench/images.py use the files as committed.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "stress" / "images"


def photo(width: int = 4000, height: int = 3000, seed: int = 2021) -> Image.Image:
    """Sky, a hill and buildings, with sensor grain."""
    rng = random.Random(seed)
    small = Image.new("RGB", (width // 8, height // 8))
    draw = ImageDraw.Draw(small)
    for y in range(small.height):  # sky: blue to pale orange
        t = y / small.height
        draw.line([(0, y), (small.width, y)],
                  fill=(int(70 + 160 * t), int(120 + 90 * t), int(200 - 60 * t)))
    for _ in range(40):  # buildings
        x = rng.randrange(small.width)
        w, h = rng.randrange(15, 60), rng.randrange(40, 200)
        shade = rng.randrange(60, 160)
        draw.rectangle([x, small.height - h, x + w, small.height],
                       fill=(shade, shade - 20, shade - 40))
    draw.ellipse([small.width * 0.7, 30, small.width * 0.7 + 50, 80], fill=(255, 230, 150))
    big = small.resize((width, height), Image.Resampling.BICUBIC)
    big = big.filter(ImageFilter.GaussianBlur(3))
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    grain = grain.filter(ImageFilter.GaussianBlur(0.6))
    return Image.blend(big, Image.merge("RGB", (grain, grain, grain)), 0.12)


def drawing(width: int = 200, height: int = 150) -> Image.Image:
    """A small flat-colour pictogram: a red pin on a blue map."""
    image = Image.new("RGB", (width, height), (0, 60, 125))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 25):
        draw.line([(x, 0), (x, height)], fill=(40, 100, 170), width=2)
    draw.ellipse([80, 30, 120, 70], fill=(200, 16, 46))
    draw.polygon([(84, 60), (116, 60), (100, 110)], fill=(200, 16, 46))
    return image


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    photo().save(OUT / "krakow-photo.jpg", quality=92, optimize=True)
    drawing().save(OUT / "pin.png", optimize=True)
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
