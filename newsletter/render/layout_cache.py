"""What page fitting decided for a PDF, remembered so the same document is laid out once.

A PDF's final layout comes from decisions that each need a layout to make: which picture
to resize to fill a short page (render/page_fit.py) and which paragraphs to set ragged
(render/word_gaps.py). Three or four layouts of a long issue are most of a build. The
decisions are a pure function of the document WeasyPrint is given, so they are stored
under a digest of everything that document is made of: its HTML, the bytes' versions of
every local file it loads (fonts, pictures, colour profile), WeasyPrint's version and
this program's layout code. Building the same issue again (``build`` after ``preview``,
``site``, a second language's run, the print shop's re-send) replays them in one layout
and gets the very same PDF; any change to any of those inputs is a new digest and the
decisions are made afresh. Like LaTeX's ``.aux`` file, but never stale.

The HTML the decisions made (pictures resized or moved, rows split) is kept beside them
(:func:`store_html`): a warm build lays out that HTML instead of making it again, a third
of a second a PDF of a long issue. Since that HTML also depends on code and templates
that the first HTML may not show (how a moved picture is written), the digest covers
every module of the program and every template file too.

A warm build need not even write the first HTML (a third of a second a PDF of a long
issue, the key's only use then): :func:`inputs_key` digests what that HTML is made from
(the loaded issue and site, the theme's, templates', program's and issue folder's files,
the installed libraries' versions), :func:`remember` points it at the layout key, and
:func:`shortcut` gives back the decisions and their HTML while every file that HTML loads
is as it was (the same path, size and time). Any other input, or a changed file, takes
the long way: the first HTML and its digest.

Stored in ``$XDG_CACHE_HOME/business-krakow-newsletter/layouts`` (the newest
:data:`KEEP` entries); ``NEWSLETTER_LAYOUT_CACHE=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from newsletter.cache_home import cache_home

KEEP = 500
"""Entries kept (a few hundred bytes each): a year of issues in every edition and
language, many times over."""

_FILE_URL = re.compile(r"""file://[^"')\s]+""")
_CODE = ("layout_cache.py", "page_fit.py", "word_gaps.py", "print.py", "paper_grids.py",
         "cover_fit.py", "page_spread.py", "weasyprint_fixes.py", "address_breaks.py",
         "element_styles.py", "lone_links.py", "page_end_hyphens.py", "body_cuts.py")


@dataclass
class Decisions:
    """Picture heights in mm by placement (print.Pictures.place), and the ragged paragraphs'
    places in document order."""

    heights: dict[str, float] = field(default_factory=dict)
    ragged: set[int] = field(default_factory=set)
    moved: dict[str, int] = field(default_factory=dict)  # placement → paragraphs above it
    split: set[tuple[str, int]] = field(default_factory=set)  # card rows that may break
    cover: int = 0  # what the cover leaves out to stay one page (cover_fit.py)
    tight: set[str] = field(default_factory=set)  # sections set tight (their band's id)
    spread: dict[int, float] = field(default_factory=dict)  # place → margin-top (page_spread)
    widows: dict[int, int] = field(default_factory=dict)  # place → widows (address_breaks)
    carried: set[str] = field(default_factory=set)  # blocks or sections carried to a new page
    whole: set[tuple[str, int]] = field(default_factory=set)  # addresses kept on one line
    glued: set[int] = field(default_factory=set)  # links lists kept with lines (lone_links)
    unhyphenated: set[int] = field(default_factory=set)  # page_end_hyphens: not hyphenated
    narrow: dict[tuple[str, int], int] = field(default_factory=dict)  # addresses broken more


def digest(html: str, variant: str, templates: Path | None = None) -> str:
    """The key of a document: its HTML, the versions of the files it loads, the program's
    code (the layout code's bytes; every other module's and template's version) and
    WeasyPrint."""
    hasher = _program(variant, templates)
    hasher.update(html.encode())
    for url in sorted(set(_FILE_URL.findall(html))):
        path = Path(unquote(urlparse(url).path))
        try:
            stat = path.stat()
        except OSError:
            hasher.update(f"{path}\0missing".encode())
            continue
        hasher.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return hasher.hexdigest()


def _program(variant: str, templates: Path | None) -> hashlib._Hash:
    """A digest begun with the variant, WeasyPrint's version, the layout code's bytes and
    every other module's and template file's version."""
    import weasyprint

    hasher = hashlib.sha256()
    hasher.update(f"{variant}\0{weasyprint.__version__}\0".encode())
    here = Path(__file__).parent
    for name in _CODE:
        hasher.update((here / name).read_bytes())
    hasher.update(_versions(here.parent).encode())
    if templates is not None:
        hasher.update(_versions(templates).encode())
    return hasher


def inputs_key(variant: str, templates: Path, texts: Iterable[str],
               folders: Iterable[Path]) -> str:
    """The key of what a PDF's first HTML is made from: the program (as :func:`digest`),
    Python's and every installed library's version (Babel's month names, Pyphen's
    dictionaries and Jinja shape the HTML too), ``texts`` (the loaded issue and site
    settings, whatever their files said) and every file under ``folders`` (the issue's,
    the theme's) by path, size and time."""
    hasher = _program(variant, templates)
    hasher.update(f"inputs\0{sys.version}\0{_libraries()}\0".encode())
    for text in texts:
        hasher.update(text.encode() + b"\0")
    for folder in folders:
        hasher.update(f"{folder.resolve()}\0{_versions(folder)}".encode())
    return hasher.hexdigest()


def _libraries() -> str:
    """The installed distributions' names and versions, as their metadata folders are
    named (``jinja2-3.1.4.dist-info``): a listing, not an import of every package."""
    names: list[str] = []
    for entry in dict.fromkeys(sys.path):
        folder = Path(entry or ".")
        if folder.name in ("site-packages", "dist-packages") and folder.is_dir():
            names += sorted(str(folder / name) for name in os.listdir(folder)
                            if name.endswith((".dist-info", ".egg-info")))
    return "\0".join(names)


def _file_versions(html: str) -> dict[str, list[int]]:
    """Each local file ``html`` loads, by path: its size and time (absent: none)."""
    versions: dict[str, list[int]] = {}
    for url in sorted(set(_FILE_URL.findall(html))):
        path = unquote(urlparse(url).path)
        try:
            stat = Path(path).stat()
        except OSError:
            continue
        versions[path] = [stat.st_size, stat.st_mtime_ns]
    return versions


def remember(inputs: str, key: str, html: str) -> None:
    """Point ``inputs`` (:func:`inputs_key`) at the layout ``key`` and its final ``html``,
    kept by :func:`store_html` before, with the versions of the files that HTML loads."""
    folder = _folder()
    if folder is None:
        return
    target = folder / f"{inputs}.in"
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        partial.write_text(json.dumps({"key": key, "files": _file_versions(html)}),
                           encoding="utf-8")
        os.replace(partial, target)
    except OSError:
        return


@dataclass
class Shortcut:
    """What a warm build lays out without writing the first HTML (:func:`shortcut`)."""

    key: str
    decisions: Decisions
    html: str
    sources: dict[str, Path]


def shortcut(inputs: str, folder: Path) -> Shortcut | None:
    """The decisions and final HTML remembered for ``inputs``, or None: never remembered,
    unreadable, or a file the HTML loads is gone or changed (a picture's derivative
    cleared, the colour profile replaced). ``folder``: the issue's (:func:`load_html`)."""
    entry = _entry(f"{inputs}.in")
    if entry is None:
        return None
    path, data = entry
    try:
        key, files = str(data["key"]), dict(data["files"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    decisions = load(key)
    kept = load_html(key, folder) if decisions is not None else None
    if decisions is None or kept is None or _file_versions(kept[0]) != files:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used: kept by the pruning
    return Shortcut(key, decisions, kept[0], kept[1])


def _entry(name: str) -> tuple[Path, Any] | None:
    """The cache's file ``name`` and its JSON, or None (turned off, never written,
    unreadable)."""
    folder = _folder()
    if folder is None:
        return None
    path = folder / name
    try:
        return path, json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _versions(folder: Path) -> str:
    """Every file under ``folder`` by path, size and time (read for each PDF, a few
    milliseconds: the preview's process lives while templates are edited)."""
    return "".join(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0"
                   for path in sorted(folder.rglob("*")) if "__pycache__" not in path.parts
                   and path.is_file() and (stat := path.stat()))


def load(key: str) -> Decisions | None:
    """The decisions stored for ``key``, or None (never stored, unreadable, turned off)."""
    entry = _entry(f"{key}.json")
    if entry is None:
        return None
    path, data = entry
    try:
        os.utime(path)  # used: kept by the pruning, which goes by time
        return Decisions({str(k): float(v) for k, v in data["heights"].items()},
                         {int(i) for i in data["ragged"]},
                         {str(k): int(v) for k, v in data.get("moved", {}).items()},
                         {(str(block), int(row)) for block, row in data.get("split", [])},
                         int(data.get("cover", 0)),
                         {str(section) for section in data.get("tight", [])},
                         {int(k): float(v) for k, v in data.get("spread", {}).items()},
                         {int(k): int(v) for k, v in data.get("widows", {}).items()},
                         {str(block) for block in data.get("carried", [])},
                         {(str(text), int(n)) for text, n in data.get("whole", [])},
                         {int(place) for place in data.get("glued", [])},
                         {int(place) for place in data.get("unhyphenated", [])},
                         {(str(text), int(n)): int(level)
                          for text, n, level in data.get("narrow", [])})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store(key: str, decisions: Decisions) -> None:
    """Remember ``decisions`` (best effort: a read-only cache only costs the layouts)."""
    folder = _folder()
    if folder is None:
        return
    data = {"heights": decisions.heights, "ragged": sorted(decisions.ragged),
            "moved": decisions.moved, "split": sorted(decisions.split), "cover": decisions.cover,
            "tight": sorted(decisions.tight), "spread": decisions.spread,
            "widows": decisions.widows, "carried": sorted(decisions.carried),
            "whole": sorted(decisions.whole), "glued": sorted(decisions.glued),
            "unhyphenated": sorted(decisions.unhyphenated),
            "narrow": sorted((text, n, level) for (text, n), level in decisions.narrow.items())}
    target = folder / f"{key}.json"
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, target)  # parallel workers: whole files only
        _prune(folder)
    except OSError:
        return


def store_html(key: str, html: str, sources: dict[str, Path], issue_folder: Path) -> None:
    """Keep the HTML the decisions of ``key`` made, with the pictures' sources (derivative
    URL → the editor's file, for print's resolution warnings), a file in
    ``issue_folder`` by its place there: the same HTML comes of the same pictures in
    another folder (a copy, a test's), and a warning must read the file being built, not
    the one first built. By absolute path, a copy's build read its original's photo.jpg,
    since replaced by a larger one, and warned about nothing (tests/test_picture_notices
    on a second run)."""
    folder = _folder()
    if folder is None:
        return
    target = folder / f"{key}.html.z"
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    data = {"html": html, "sources": {url: _relative(path, issue_folder)
                                      for url, path in sources.items()}}
    try:
        partial.write_bytes(zlib.compress(json.dumps(data).encode(), 1))
        os.replace(partial, target)
    except OSError:
        return


def load_html(key: str, issue_folder: Path) -> tuple[str, dict[str, Path]] | None:
    """The HTML stored for ``key`` and its pictures' sources (those in an issue's folder
    found in ``issue_folder``, :func:`store_html`), or None: never stored, unreadable, or
    a file it loads is gone (a derivative cleared from the cache)."""
    folder = _folder()
    if folder is None:
        return None
    try:
        data = json.loads(zlib.decompress((folder / f"{key}.html.z").read_bytes()))
        html = str(data["html"])
        sources = {str(k): issue_folder / v for k, v in data["sources"].items()
                   if (issue_folder / v).is_file()}  # a file renamed in a copy: not known
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zlib.error):
        return None
    if not all(Path(unquote(urlparse(url).path)).is_file()
               for url in set(_FILE_URL.findall(html))):
        return None
    return html, sources


def _relative(path: Path, folder: Path) -> str:
    """``path`` as stored: relative to ``folder`` when inside it, else absolute (a
    relative path joined to a folder is that path; an absolute one stays itself)."""
    resolved, base = path.resolve(), folder.resolve()
    return resolved.relative_to(base).as_posix() if resolved.is_relative_to(base) \
        else str(resolved)


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
    inputs = sorted(folder.glob("*.in"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in inputs[KEEP:]:
        old.unlink(missing_ok=True)
    kept = {path.stem for path in entries[:KEEP]}
    for page in folder.glob("*.html.z"):
        if page.name.removesuffix(".html.z") not in kept:
            page.unlink(missing_ok=True)


def _folder() -> Path | None:
    if os.environ.get("NEWSLETTER_LAYOUT_CACHE", "").strip() == "0":
        return None
    folder = cache_home() / "layouts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder
