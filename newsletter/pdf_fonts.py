"""Fonts as the PDFs embed them: one glyph per character, so copied text is what was written.

A PDF maps each *glyph* back to text (the font's ToUnicode map), and WeasyPrint writes for
each glyph the first character it drew with it. Source Sans 3 draws U+002D, U+00AD, U+2010
and U+2011 with one glyph ("hyphen"), and U+0020 and U+00A0 with another ("space"). So
when a page's first hyphen was one added by hyphenation (U+2010), every hyphen-minus the
editor typed in that font copied out of the PDF as U+2010 (an address copied from the
Polish PDF was broken; the English PDF happened to draw a typed hyphen first), and a
no-break space drawn first would turn every space into U+00A0.

The fix is at that cause: the PDFs embed a copy of each face in which every character has
a glyph of its own (same outline and advance), plus one more, :data:`INSERTED_HYPHEN`, that
the print CSS names as ``hyphenate-character``. A finisher then maps that glyph to U+00AD,
how PDF marks a hyphen added by line breaking (ISO 32000-1, 14.8.2.2.3), so a reader's copy
has no hyphen where the editor wrote none, and maps the no-break spaces our typography adds
(:mod:`newsletter.typography`) back to the space the editor typed.

The copies are made once per font file version and kept in the user's cache folder; they
are never distributed, only embedded (subset) in the PDFs, as the SIL OFL allows.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from pathlib import Path
from typing import Any

from newsletter.cache_home import cache_home

INSERTED_HYPHEN = "\ue0ad"
"""A private-use character drawn as a hyphen: the one hyphenation adds (print CSS
``hyphenate-character``). Editors never type it, so its glyph is only ever that hyphen."""

_VERSION = "1"  # bump when the derived fonts change


def faithful_font(path: Path) -> Path:
    """A copy of a font file with one glyph per character and the inserted-hyphen glyph;
    made once per version of the file (its path, size and time), then reused."""
    stat = path.stat()
    key = hashlib.sha256(
        f"{_VERSION}\0{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()
    ).hexdigest()[:16]
    target = _cache_folder() / f"{path.stem}-{key}{path.suffix}"
    if not target.is_file():
        partial = target.with_name(f".{target.name}.{os.getpid()}")
        _derive(path, partial)
        os.replace(partial, target)  # parallel PDF workers may race: last one wins, same bytes
    return target


def _cache_folder() -> Path:
    folder = cache_home() / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _derive(source: Path, target: Path) -> None:
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    if "glyf" not in font:  # a CFF font: left as it is (shared glyphs copy as one character)
        font.save(str(target))
        return
    order = list(font.getGlyphOrder())
    glyf, hmtx = font["glyf"], font["hmtx"]
    names = set(order)

    def duplicate(base: str, name: str) -> str:
        while name in names:
            name += "_"
        glyf.glyphs[name] = copy.deepcopy(glyf[base])
        hmtx.metrics[name] = hmtx.metrics[base]
        order.append(name)
        names.add(name)
        return name

    cmap = font.getBestCmap()
    first_user: dict[str, int] = {}
    remap: dict[int, str] = {}
    for codepoint in sorted(cmap):
        glyph = cmap[codepoint]
        if glyph in first_user:  # a second character on one glyph: give it its own
            remap[codepoint] = duplicate(glyph, f"{glyph}.u{codepoint:04X}")
        else:
            first_user[glyph] = codepoint
    hyphen = cmap.get(ord("-"))
    if hyphen is not None:
        remap[ord(INSERTED_HYPHEN)] = duplicate(hyphen, "hyphen.inserted")
    font.setGlyphOrder(order)
    font["maxp"].numGlyphs = len(order)
    if "hdmx" in font:
        del font["hdmx"]  # per-size advances, recomputed by no one: drop rather than stale
    for table in font["cmap"].tables:
        if table.isUnicode() and table.format in (4, 12):
            for codepoint, glyph in remap.items():
                if table.format == 12 or codepoint <= 0xFFFF:
                    table.cmap[codepoint] = glyph
    font.save(str(target))


# The inserted hyphen copies as a soft hyphen; a bound space as a space; an address's
# no-break hyphen (typography.hyphens_start_lines) as the hyphen-minus typed.
_TO_UNICODE = {b"<e0ad>": b"<00ad>", b"<00a0>": b"<0020>", b"<2011>": b"<002d>"}
_BFCHAR = re.compile(rb"(<[0-9a-f]+> )(<[0-9a-f]+>)")


def faithful_copy(document: Any, pdf: Any) -> None:
    """A ``write_pdf`` finisher: the inserted hyphen copies as a soft hyphen (U+00AD, which
    readers drop when they join lines), a bound space as the space the editor typed, and
    an address's no-break hyphen as the hyphen-minus typed in it."""
    import pydyf

    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Stream) and isinstance(obj.stream, list)):
            continue
        if b"/CMapName /Adobe-Identity-UCS def" not in obj.stream:
            continue
        obj.stream = [_BFCHAR.sub(_mapped, item) if isinstance(item, bytes) else item
                      for item in obj.stream]


def _mapped(match: re.Match[bytes]) -> bytes:
    return match.group(1) + _TO_UNICODE.get(match.group(2), match.group(2))
