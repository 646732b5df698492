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
how PDF marks a hyphen added by line breaking (ISO 32000-1, 14.8.2.2.3), and wraps each
place it is drawn in a marked-content span whose replacement text is empty (14.9.4, the
standard's own example is a hyphenated word), so a reader's copy has no hyphen where the
editor wrote none; it maps the no-break spaces our typography adds
(:mod:`newsletter.typography`) back to the space the editor typed.

Both marks are needed, measured on the sample's PDF: with U+00AD alone poppler (pdftotext,
Evince, Okular), pdfminer (pdfplumber) and pypdf copy U+00AD at the line's end; with the
empty span poppler, MuPDF and Acrobat copy nothing there, PDFium (Chrome) marks the hyphen
U+FFFE (its own "hyphen at a line's end", which it drops) and pdf.js drops U+00AD; pdfminer
and pypdf, which read no spans, still copy U+00AD. A ToUnicode entry of no characters
instead would copy the glyph's code as a letter (U+09B7) in PDFium, MuPDF and pdf.js.

The copies are made once per font file's contents and kept in the user's cache folder
(the newest :data:`KEEP`); they are never distributed, only embedded (subset) in the PDFs,
as the SIL OFL allows.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import re
from pathlib import Path
from typing import Any

from newsletter.cache_home import cache_home

INSERTED_HYPHEN = "\ue0ad"
"""A private-use character drawn as a hyphen: the one hyphenation adds (print CSS
``hyphenate-character``). Editors never type it, so its glyph is only ever that hyphen."""

_VERSION = "2"  # bump when the derived fonts change

HYPHEN_GLYPH_ID = 0xAD
"""The inserted hyphen's glyph id, which is its code in the PDFs (WeasyPrint keeps glyph
ids): a reader that finds no text for a glyph takes its code for a character (PDFium,
MuPDF, pdf.js did: U+09B7 for the hyphen appended last), and this code is U+00AD, the
soft hyphen they drop. So its ToUnicode entry can be empty, which pdfminer (pdfplumber)
and pypdf copy as nothing."""

KEEP = 48
"""Copies kept: a theme's dozen faces, four times over. Keyed by the font's contents, so
every checkout of the project shares them (keyed by path, a machine that ran the tests
in many folders held a thousand copies, 363 MB)."""


def faithful_font(path: Path) -> Path:
    """A copy of a font file with one glyph per character and the inserted-hyphen glyph;
    made once per contents of the file, then reused."""
    stat = path.stat()
    key = _contents_key(str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    target = _cache_folder() / f"{path.stem}-{key}{path.suffix}"
    if target.is_file():
        return target
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    _derive(path, partial)
    os.replace(partial, target)  # parallel PDF workers may race: last one wins, same bytes
    _prune(target.parent)
    return target


@functools.lru_cache(maxsize=64)
def _contents_key(path: str, size: int, mtime_ns: int) -> str:
    """The digest of a font file's bytes (read once a process per version of the file)."""
    return hashlib.sha256(_VERSION.encode() + Path(path).read_bytes()).hexdigest()[:16]


def _prune(folder: Path) -> None:
    """The :data:`KEEP` copies made last stay. Not touched when used: the layout cache's
    key holds each loaded file's time (render/layout_cache.py), so a copy in use keeps
    its time, and goes only after KEEP copies of other contents were made since."""
    def age(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    copies = sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                    key=age, reverse=True)
    for old in copies[KEEP:]:
        old.unlink(missing_ok=True)


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
        inserted = remap[ord(INSERTED_HYPHEN)] = duplicate(hyphen, "hyphen.inserted")
        if len(order) > HYPHEN_GLYPH_ID:
            font.ensureDecompiled()  # every table by glyph names before the ids change
            at = order.index(inserted)
            order[HYPHEN_GLYPH_ID], order[at] = order[at], order[HYPHEN_GLYPH_ID]
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


# The inserted hyphen copies as nothing; a bound space as a space; an address's
# no-break hyphen (typography.hyphens_start_lines) as the hyphen-minus typed.
_TO_UNICODE = {b"<e0ad>": b"<>", b"<00a0>": b"<0020>", b"<2011>": b"<002d>"}
_BFCHAR = re.compile(rb"(<[0-9a-f]+> )(<[0-9a-f]+>)")
_UCS_MAP = b"/CMapName /Adobe-Identity-UCS def"
UNCOPIED = b"/Span <</ActualText ()>> BDC"
"""The marked content around each inserted hyphen: replacement text of nothing."""


def faithful_copy(document: Any, pdf: Any) -> None:
    """A ``write_pdf`` finisher: the inserted hyphen copies as nothing (a span with empty
    replacement text, and U+00AD for readers that read no spans), a bound space as the
    space the editor typed, and an address's no-break hyphen as the hyphen-minus typed."""
    import pydyf

    hyphen_codes: dict[bytes, bytes] = {}  # a ToUnicode map's reference → the glyph's code
    drawing: list[Any] = []
    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Stream) and isinstance(obj.stream, list)):
            continue
        if _UCS_MAP not in obj.stream:
            drawing.append(obj)
            continue
        for item in obj.stream:
            if isinstance(item, bytes) and item.endswith(b" <e0ad>"):
                hyphen_codes[obj.reference] = item.split(b" ", 1)[0]
        obj.stream = [_BFCHAR.sub(_mapped, item) if isinstance(item, bytes) else item
                      for item in obj.stream]
    names = _hyphen_by_font_name(pdf, hyphen_codes)
    if names:
        for obj in drawing:
            obj.stream = _uncopied_hyphens(obj.stream, names)


def _mapped(match: re.Match[bytes]) -> bytes:
    code, text = match.group(1), match.group(2)
    if text == b"<e0ad>" and code != b"<%04x> " % HYPHEN_GLYPH_ID:
        return code + b"<00ad>"  # a font too small to put it there: a soft hyphen's text
    return code + _TO_UNICODE.get(text, text)


def _hyphen_by_font_name(pdf: Any, hyphen_codes: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """Each font's resource name as a content stream sets it (``/NAME size Tf``) → the code
    of its inserted-hyphen glyph (each subset numbers its glyphs anew)."""
    import pydyf

    fonts = {obj.reference: hyphen_codes[obj["ToUnicode"]] for obj in pdf.objects
             if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Font"
             and obj.get("ToUnicode") in hyphen_codes}
    return {b"/" + str(name).encode(): fonts[value] for obj in pdf.objects
            if isinstance(obj, pydyf.Dictionary) and not isinstance(obj, pydyf.Stream)
            for name, value in obj.items() if isinstance(value, bytes) and value in fonts}


def _uncopied_hyphens(items: list[Any], names: dict[bytes, bytes]) -> list[Any]:
    """A content stream's operators with each inserted hyphen shown on its own, inside
    :data:`UNCOPIED` (a text-showing operator is split there; its glyphs' places are
    unchanged, as a TJ moves the text position glyph by glyph)."""
    code: bytes | None = None
    out: list[Any] = []
    for item in items:
        if not isinstance(item, bytes):
            out.append(item)
            continue
        if item.endswith(b" Tf"):
            code = names.get(item.split(b" ", 1)[0])
        elif code is not None and item.endswith(b"] TJ") and code in item:
            out.extend(_split_at(item, code))
            continue
        out.append(item)
    return out


def _split_at(item: bytes, code: bytes) -> list[bytes]:
    parts = re.split(rb"(" + re.escape(code) + rb")", item[1:-len(b"] TJ")])
    out: list[bytes] = []
    for part in parts:
        if part == code:
            out += [UNCOPIED, b"[" + code + b"] TJ", b"EMC"]
        elif part:
            out.append(b"[" + part + b"] TJ")
    return out
