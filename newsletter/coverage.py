"""Characters of an issue that no font of the PDFs has: they would print as boxes.

The PDFs embed the theme's fonts (the first body family's faces, then the fallback
families such as Noto Emoji) and WeasyPrint draws a character none of them has from
whatever the build machine offers, or as a box, without a word. This check reads the
fonts' character maps with fontTools and names the file and line of every such character.

It is about the PDFs only: the e-mail and the web page embed nothing and are shown in the
reader's own fonts (colour emoji included), which no build can know.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from newsletter.exceptions import Location, Problem
from newsletter.fields import Node
from newsletter.model import Issue
from newsletter.theme import Theme
from newsletter.words import Language

NOT_DRAWN = {
    "id", "type", "kind", "language",  # identifiers, never shown
    "Issue.title", "Issue.subject", "Issue.preheader",  # e-mail and PDF metadata only
    "Image.alt",  # read by screen readers, not drawn
}
"""Fields whose text the PDFs do not draw with their fonts (``Model.field`` or ``field``)."""


def uncovered(issue: Issue, theme: Theme) -> list[Problem]:
    """A warning for each character the PDFs draw that none of their fonts has (once per
    character and line), and for each font file of the theme that cannot be read.

    Fonts are read in the theme's order only while characters are left to find: an issue
    without emoji needs the regular face alone (the faces of Source Sans 3 map the same
    characters), which keeps ``newsletter check`` quick.
    """
    texts = list(_texts(issue))
    missing = {ord(c) for _, text in texts for c in text if not _needs_no_glyph(c)}
    problems: list[Problem] = []
    for path, where in _pdf_fonts(theme):
        if not missing:
            break
        try:
            missing -= cmap(path)
        except FileNotFoundError:
            problems.append(Problem(where, f"font file not found: {path}; the characters "
                                           "are checked without it"))
        except Exception as exc:  # fontTools raises many kinds for a damaged file
            problems.append(Problem(where, f"{path.name} is not a font fontTools can read "
                                           f"({type(exc).__name__}: {exc})"))
    families = ", ".join(theme.fonts.embedded(theme.fonts.body))
    seen: set[tuple[Location, str]] = set()
    for start, text in texts:
        for index, char in enumerate(text):
            if ord(char) not in missing:
                continue
            location = _line_of(start, text, index)
            if (location, char) not in seen:
                seen.add((location, char))
                problems.append(Problem(location, f"{_describe(char)} is in no font the PDFs "
                                        f"embed ({families}); they print it as a box or in a "
                                        "font of the machine that builds them (e-mail and "
                                        "web use the reader's fonts)"))
    return sorted(problems, key=lambda p: (str(p.location.file), p.location.line or 0))


def cmap(path: Path) -> frozenset[int]:
    """The code points a font file maps to glyphs, read once per process and file version
    (the preview server lives long; a cmap takes 4 to 25 ms, importing fontTools 10 to
    100 ms, as measured on this machine)."""
    stat = path.stat()
    return _cmap(path, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _cmap(path: Path, _mtime_ns: int, _size: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap() or ())


def _pdf_fonts(theme: Theme) -> list[tuple[Path, Location]]:
    fonts = theme.fonts
    faces = [(theme.font_path(file), fonts.where.of("files")) for file in fonts.files.values()]
    return faces + [(theme.font_path(font.file), font.where.of("file")) for font in fonts.fallback]


def _texts(node: Node) -> Iterator[tuple[Location, str]]:
    """Every drawn text under ``node`` with where it starts."""
    model = type(node).__name__
    for name in type(node).model_fields:
        if name in NOT_DRAWN or f"{model}.{name}" in NOT_DRAWN:
            continue
        value = getattr(node, name)
        if isinstance(value, str):
            yield node.where.text_of(name), value
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, Node):
                yield from _texts(child)


def _line_of(start: Location, text: str, index: int) -> Location:
    """The line of ``text[index]``: found in the file from where the text starts, since a
    folded scalar (``lead: >-``) has lost its line breaks; else counted from the text's."""
    if not start.line:
        return start
    char, nth = text[index], text.count(text[index], 0, index)
    for number, line in enumerate(_source_lines(start.file)[start.line - 1 :], start.line):
        if nth < line.count(char):
            return Location(start.file, number)
        nth -= line.count(char)
    return Location(start.file, start.line + text.count("\n", 0, index))  # written escaped


def _source_lines(file: Path) -> tuple[str, ...]:
    # Not cached: only read for a missing character, and the preview edits files while
    # it runs.
    try:
        return tuple(file.read_text(encoding="utf-8-sig").splitlines())
    except OSError:
        return ()


def _needs_no_glyph(char: str) -> bool:
    """Spaces, line breaks and format characters (ZWJ, soft hyphen, variation selectors):
    shaping uses them, fonts need not map them."""
    return (
        char.isspace()
        or unicodedata.category(char) in ("Cc", "Cf")
        or 0xFE00 <= ord(char) <= 0xFE0F
        or 0xE0100 <= ord(char) <= 0xE01EF
    )


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"'{char}' (U+{ord(char):04X}{' ' + name if name else ''})"



def uncovered_languages(languages: dict[str, Language], theme: Theme) -> list[Problem]:
    """A warning for each language whose words (its block of strings.yaml) have letters
    none of the PDFs' fonts has: a script the theme's font does not cover (Cyrillic,
    Greek, Arabic…) would print from a font of the build machine, or as boxes."""
    problems = []
    fonts: frozenset[int] = frozenset()
    for path, _ in _pdf_fonts(theme):
        try:
            fonts |= cmap(path)
        except Exception:  # uncovered() names an unreadable font file
            continue
    families = ", ".join(theme.fonts.embedded(theme.fonts.body))
    for language in languages.values():
        text = "".join([language.name, *language.words.values()])
        missing = sorted({c for c in text if not _needs_no_glyph(c) and ord(c) not in fonts})
        if missing:
            shown = ", ".join(_describe(c) for c in missing[:3])
            problems.append(Problem(language.where.location, (
                f"'{language.code}': {len(missing)} of its letters are in no font the PDFs "
                f"embed ({families}), e.g. {shown}: its PDFs would print them from another "
                "font or as boxes; give the theme a font that covers its script "
                "(assets/theme.yaml, fonts)")))
    return problems
