"""Pixel sizes of pictures and of their cached derivatives, without Pillow once known.

An e-mail build asks every picture for its upright size and for a derivative at its slot's
width; after the first build the derivatives are all in the cache, and what is left is
reading sizes. Pillow's import alone was about 65 ms of a 900 ms ``build --only email``,
and a PNG's EXIF orientation is only reached by decoding its pixels (about 7 ms a
picture). So each size is written once, as a small text file beside the derivatives
(``<key>.size``, "width height"), and read from there by later processes; this module
imports Pillow (through :mod:`newsletter.images`) only for a size it does not know.

Sizes are keyed by the file's content (its SHA-256, the same digest that names its
derivatives), never by its name or time: an edited picture gets new sizes.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from newsletter.cache_home import cache_home

FORMAT_VERSION = 6
"""Part of every derivative's cache key: raise it when the encoding in
:mod:`newsletter.images` changes, so old files are not reused (they are left to age out of
the cache folder)."""

CMYK = tuple[int, int, int, int]
WHITE_PAPER: CMYK = (0, 0, 0, 0)


@dataclass(frozen=True)
class Derivative:
    """A picture made for one slot: its file in the cache and its pixel size."""

    path: Path
    width: int
    height: int

    @property
    def suffix(self) -> str:
        return self.path.suffix


def cache_folder() -> Path:
    """Where derivatives are kept between builds (see :mod:`newsletter.images`)."""
    configured = os.environ.get("NEWSLETTER_IMAGE_CACHE")
    if configured:
        return Path(configured)
    return cache_home() / "images"


def upright_size(source: Path) -> tuple[int, int]:
    """Width and height of ``source`` as shown (EXIF orientation applied): from the
    size file when known, else measured by :func:`newsletter.images.upright_size` and
    kept."""
    from_file = None
    try:
        key = hashlib.sha256(f"upright|{_file_digest(source)}".encode()).hexdigest()
        from_file = _size_file(key)
    except OSError:
        pass  # missing or unreadable: newsletter.images says so, as an UnreadableImage
    known = _read_size(from_file) if from_file else None
    if known is not None:
        return known
    from newsletter.images import upright_size as measured

    size = measured(source)
    if from_file:
        _write_size(from_file, size)
    return size


def derivative(source: Path, width: int, cmyk_profile: Path | None = None,
               background: CMYK = WHITE_PAPER, paper: bool = False) -> Derivative:
    """:func:`newsletter.images.derivative`, answered without Pillow when the derivative
    and its size are in the cache already."""
    key = cache_key(source, width, cmyk_profile, background) + ("w" if paper else "")
    known = _read_size(_size_file(key))
    for suffix in (".jpg", ".png"):
        cached = cache_folder() / key[:2] / f"{key}{suffix}"
        if known is not None and cached.is_file():
            return Derivative(cached, *known)
    from newsletter.images import derivative as made

    result = made(source, width, cmyk_profile, background, paper)
    _write_size(_size_file(key), (result.width, result.height))
    return result


def cache_key(source: Path, width: int, cmyk_profile: Path | None, background: CMYK) -> str:
    """A derivative's name in the cache: the source's content and every parameter."""
    target = f"cmyk:{_file_digest(cmyk_profile)}:{background}" if cmyk_profile else "srgb"
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


def _size_file(key: str) -> Path:
    return cache_folder() / key[:2] / f"{key}.size"


def _read_size(path: Path) -> tuple[int, int] | None:
    """The size kept in ``path``, or None (none kept, or unreadable: measure again)."""
    try:
        width, height = (int(n) for n in path.read_text(encoding="ascii").split())
    except (OSError, ValueError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def _write_size(path: Path, size: tuple[int, int]) -> None:
    """Keep a size (written whole, then renamed); a cache that cannot be written only
    means measuring again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(prefix=f".{path.stem}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(f"{size[0]} {size[1]}\n")
        os.replace(partial, path)
    except OSError:
        pass
