"""Add a language to the site: its words, tagline, consent text and section labels, as
copies of the main language's marked for a translator.

A language is data (:mod:`newsletter.words`): a block in ``templates/_shared/strings.yaml``,
a value in each per-language setting of ``newsletter.toml`` (tagline, consent text) and of
the theme (section labels). This writes each of them where it lives, in the main language
with :data:`~newsletter.words.TODO` in front, so the site builds at once, ``check`` counts
what is left to translate, and an edition never shows an untranslated word unmarked.
Files are edited as text, line by line, so their comments and layout stay as written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from newsletter.exceptions import Location, NewsletterError
from newsletter.fields import ANY
from newsletter.load import Project
from newsletter.typography import PASSAGES_FILE
from newsletter.words import CODE, TODO, Language, site_languages, strings_file


@dataclass
class Added:
    """What ``add_language`` wrote, and what it left for a person to do."""

    code: str
    files: list[Path] = field(default_factory=list)
    words: int = 0
    by_hand: list[str] = field(default_factory=list)


def add_language(project: Project, code: str, source: str | None = None) -> Added:
    """Add ``code`` to the site, copying the words of ``source`` (the main language, the
    first block of strings.yaml, when not given)."""
    templates = project.site.templates_path
    table = site_languages(templates)
    if not CODE.match(code):
        raise NewsletterError(f"'{code}' is not a language code: write it as lang attributes "
                              "do, e.g. uk, de, pt-BR")
    if code in table:
        raise NewsletterError(f"'{code}' is already a language of the site "
                              f"({table[code].where.location})")
    source = source or next(iter(table))
    if source not in table:
        raise NewsletterError(f"--from {source}: not a language of the site "
                              f"({', '.join(table)})")
    added = Added(code)
    added.words = _add_words(strings_file(templates), code, table[source])
    added.files.append(strings_file(templates))
    for name, value, where in project.per_language():
        if not value or ANY in value:
            continue  # written once for every language: nothing to translate
        text = value.get(source) or next(iter(value.values()))
        if _add_value(where, code, TODO + text):
            if where.file not in added.files:
                added.files.append(where.file)
        else:
            added.by_hand.append(f"{where}: add the {code} text of '{name}'")
    return added


def _add_words(path: Path, code: str, main: Language) -> int:
    """Append ``code``'s block to strings.yaml: the main language's words marked, its
    name and locale from CLDR (Babel), its hyphenation dictionary if pyphen has one."""
    block: dict[str, object] = {}
    count = 0
    for key, text in main.words.items():
        if key == "language_name":
            block[key] = _own_name(code)
        else:
            block[key] = TODO + text.removeprefix(TODO)
            count += 1
    block["locale"] = _locale(code)
    dictionary = _hyphenation(code)
    if dictionary:
        block["hyphenation"] = dictionary
    block["typography"] = _typography(path, code)
    body = yaml.safe_dump({code: block}, allow_unicode=True, sort_keys=False, width=10_000)
    text = path.read_text(encoding="utf-8")
    header = (f"# {code}: added by `newsletter language add {code}`. Replace each\n"
              f"# '{TODO.strip()} …' with the words in this language, and list in\n"
              "# typography's bind_after the words that must not end a line.\n")
    path.write_text(text.rstrip("\n") + "\n" + header + body, encoding="utf-8")
    return count


def _typography(strings: Path, code: str) -> dict[str, object]:
    """The rules the site already quotes ``code``'s passages by (templates/_shared/
    typography.yaml, :data:`newsletter.typography.PASSAGES_FILE`), so a language the office
    quoted keeps its bindings as an edition; none for a language it never met."""
    quoted = strings.with_name(PASSAGES_FILE)
    known = (yaml.safe_load(quoted.read_text(encoding="utf-8")) or {}) if quoted.exists() \
        else {}
    return dict(known.get(code) or {"bind_after": [], "bind_numbers": False})


def _own_name(code: str) -> str:
    """The language's name in itself ("Українська"), from CLDR; the code if unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


def _locale(code: str) -> str:
    """The Babel locale of ``code`` with its likeliest country ("uk" → "uk_UA", as
    og:locale wants it); the code itself when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    identifier = code.replace("-", "_")
    try:
        found = Locale.parse(get_global("likely_subtags").get(identifier, identifier))
    except (UnknownLocaleError, ValueError):
        return identifier
    return f"{found.language}_{found.territory}" if found.territory else found.language


def _hyphenation(code: str) -> str | None:
    """pyphen's dictionary for ``code`` ("uk_UA"), if it has one."""
    import pyphen

    found = pyphen.language_fallback(code.replace("-", "_"))
    if not found:
        return None
    regional = [name for name in pyphen.LANGUAGES if name.startswith(found + "_")]
    return found if "_" in found or not regional else sorted(regional)[0]


def _add_value(where: Location, code: str, text: str) -> bool:
    """Add ``code = text`` to the per-language value written at ``where`` (a YAML or TOML
    line): inside a one-line ``{…}`` table, after the block's last language line, or after
    a TOML dotted key's last line. False when the layout is none of those."""
    if not where.line:
        return False
    lines = where.file.read_text(encoding="utf-8").split("\n")
    index = where.line - 1
    line = lines[index]
    toml = where.file.suffix == ".toml"
    quoted = json.dumps(text, ensure_ascii=False)  # a valid TOML and YAML double-quoted string
    pair = f"{code} = {quoted}" if toml else f"{code}: {quoted}"
    closing = line.rfind("}")
    if toml and line.strip().startswith("["):  # a table of its own: [tagline] en = …
        last = index
        for number in range(index + 1, len(lines)):
            if lines[number].strip().startswith("["):
                break
            if lines[number].strip() and not lines[number].lstrip().startswith("#"):
                last = number
        lines.insert(last + 1, pair)
    elif "{" in line and closing > line.find("{"):
        before = line[:closing].rstrip()
        lines[index] = f"{before}, {pair} {line[closing:]}" if toml else \
            f"{before}, {pair}{line[closing:]}"
    else:
        indent = len(line) - len(line.lstrip())
        key = line.strip().split("=" if toml else ":")[0].strip()
        last = index
        for number in range(index + 1, len(lines)):
            candidate = lines[number]
            if not candidate.strip() or candidate.lstrip().startswith("#"):
                continue
            deeper = len(candidate) - len(candidate.lstrip()) > indent
            dotted = toml and candidate.strip().startswith(key.split(".")[0] + ".")
            if not (deeper if not toml else dotted):
                break
            last = number
        if last == index and not toml:
            return False
        child = lines[last]
        prefix = child[: len(child) - len(child.lstrip())]
        if toml:
            pair = f"{key.split('.')[0]}.{pair}"
        lines.insert(last + 1, prefix + pair)
    where.file.write_text("\n".join(lines), encoding="utf-8")
    return True
