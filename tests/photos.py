"""A camera-like test photo made at test time (nothing large lives in the repository)."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageFilter


def make_photo(path: Path, size: tuple[int, int] = (4000, 3000), seed: int = 2020) -> Path:
    """A deterministic 'photo': colour gradients with fine grain and soft blotches, saved
    as JPEG quality 95 the way cameras do (a few MB for 4000×3000, thousands of colours)."""
    width, height = size
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.linear_gradient("L").rotate(90).resize(size)
    gradient = Image.merge("RGB", (red, green, blue))
    rng = random.Random(seed)
    blotches = Image.frombytes("RGB", (width // 40, height // 40),
                               rng.randbytes(width // 40 * (height // 40) * 3))
    blotches = blotches.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(8))
    grain = Image.frombytes("RGB", (width // 2, height // 2),
                            rng.randbytes(width // 2 * (height // 2) * 3)).resize(size)
    photo = Image.blend(Image.blend(gradient, blotches, 0.35), grain, 0.12)
    path.parent.mkdir(parents=True, exist_ok=True)
    photo.save(path, "JPEG", quality=95)
    return path
