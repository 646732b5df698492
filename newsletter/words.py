"""The languages a site publishes in, and each one's words: data, not code.

``templates/_shared/strings.yaml`` holds one block per language (``en:``, ``pl:``,
``uk:``): the words the templates print around editors' content, the language's name in
itself (``language_name: Українська``, shown by the web page's language switch and the
sign-up form), its Babel ``locale`` (month names, ``og:locale``), its ``hyphenation``
dictionary (pyphen's name, or none) and its ``typography``. The site's per-language
values (tagline, consent text) are in newsletter.toml, the section labels in the theme.
Adding a language is adding its block and values (``newsletter language add``); no
Python changes.

Nothing falls back to another language: a word missing from a block, or a language
missing from a per-language value, is a problem with its file and line
(:func:`language_problems`), so a Ukrainian page never prints English without a word.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsletter.data_files import plainly_known_dictionary, plainly_known_locale
from newsletter.exceptions import ContentError, Location, Problem, did_you_mean
from newsletter.fields import ANY
from newsletter.source import WHERE, Origin, parse_yaml, read_text
from newsletter.typography_checks import typography_problems

STRINGS = Path("_shared") / "strings.yaml"
"""Where the languages are, under the templates folder."""

SETTINGS = ("language_name", "locale", "hyphenation", "typography")
"""Keys of a language's block that describe the language rather than print a word
(``language_name`` is both: it is also a word, the switch's label)."""

TODO = "TODO translate: "
"""How ``newsletter language add`` marks a word copied from the main language: visible in
an edition, and counted by ``check``, until a translator replaces it."""

CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
"""A language code as ``lang`` attributes and Babel take it (``uk``, ``pt-BR``)."""


@dataclass(frozen=True)
class Language:
    """One language of the site, as its block in strings.yaml declares it."""

    code: str
    name: str
    """The language's name in itself ("Українська", "Polski", "English")."""
    locale: str
    """The Babel locale of its dates ("uk_UA"); the code when not given."""
    hyphenation: str | None
    """The pyphen dictionary the PDFs hyphenate with ("uk_UA"), or None: no hyphenation."""
    words: Mapping[str, str]
    where: Origin
    """Where the block is (its location: the ``uk:`` line) and each of its keys."""

    def __str__(self) -> str:
        return self.code


def strings_file(templates: Path) -> Path:
    """The strings file of a templates folder."""
    return templates / STRINGS


def site_languages(templates: Path) -> dict[str, Language]:
    """Every language of the site, in the order of strings.yaml (the first is the main
    one, which ``language add`` copies). Read again only when the file changes."""
    path = strings_file(templates)
    return _read(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read(path: Path, _mtime: int) -> dict[str, Language]:
    data = parse_yaml(read_text(path), path)
    if not isinstance(data, dict):
        raise ContentError([Problem(Location(path, 1), "expected one block per language "
                                    "(en:, pl:, …) of 'key: words' lines")])
    origin: Origin = data[WHERE]
    languages, problems = {}, []
    for code, block in data.items():
        if code == WHERE:
            continue
        if not CODE.match(code) or not isinstance(block, dict):
            problems.append(Problem(origin.of(code), f"'{code}' is not a language block: each "
                                    "top-level key is a language code (en, pl, uk) over "
                                    "'key: words' lines"))
            continue
        words = {k: v for k, v in block.items()
                 if isinstance(v, str) and k not in SETTINGS[1:]}
        hyphenation = block.get("hyphenation")
        languages[code] = Language(
            code=code, name=str(block.get("language_name") or code),
            locale=str(block.get("locale") or code).replace("-", "_"),
            hyphenation=hyphenation if isinstance(hyphenation, str) and hyphenation else None,
            words=words, where=dataclasses.replace(block[WHERE], location=origin.of(code)))
    if problems:
        raise ContentError(problems)
    return languages


def language_codes(templates: Path) -> tuple[str, ...]:
    """The codes of the site's languages, the main one first."""
    return tuple(site_languages(templates))


def words_of(templates: Path, language: str) -> dict[str, str]:
    """The words of ``language``, and only its own (a missing one is :func:`language_problems`'
    to report, never another language's to fill in)."""
    return dict(site_languages(templates)[language].words)


def language_problems(templates: Path, languages: Iterable[str],
                      per_language: Iterable[tuple[str, Any, Location]] = ()) -> list[Problem]:
    """What the site lacks to publish in ``languages``: a block of strings.yaml, a word
    the other blocks have, a locale Babel knows; and a language of each site value given
    per language (``per_language``: name, the value as read, where it is written); and
    the languages' typography rules as written (:mod:`newsletter.typography_checks`)."""
    table = site_languages(templates)
    path = strings_file(templates)
    languages = list(languages)
    problems = []
    every_key: dict[str, Language] = {}
    for language in table.values():
        for key in language.words:
            every_key.setdefault(key, language)
    for code in languages:
        language = table.get(code)
        if language is None:
            problems.append(Problem(Location(path), (
                f"no words for '{code}': add its block (newsletter language add {code}), "
                f"or choose one of {', '.join(table)}{did_you_mean(code, table)}")))
            continue
        block = language.where
        for key, owner in every_key.items():
            if key not in language.words:
                problems.append(Problem(block.location, (
                    f"'{code}' has no '{key}' ({owner.code} has it on line "
                    f"{owner.where.of(key).line}): add '{key}: …' in {language.name}")))
        problems += _locale_problem(language) + _hyphenation_problem(language)
        for name, value, where in per_language:
            if isinstance(value, Mapping) and code not in value and ANY not in value:
                pair = f'{code} = "…"' if where.file.suffix == ".toml" else f"{code}: …"
                problems.append(Problem(where, (
                    f"'{name}' has no '{code}' text: add {pair} (in {language.name})")))
    return problems + typography_problems(path, [c for c in languages if c in table])


def untranslated(templates: Path, languages: Iterable[str],
                 per_language: Iterable[tuple[str, Any, Location]] = ()) -> list[Problem]:
    """Warnings: words still marked for a translator (:data:`TODO`), one per language
    (its block of strings.yaml) and one per site value (``per_language`` as in
    :func:`language_problems`)."""
    table = site_languages(templates)
    warnings = []
    languages = list(languages)
    for name, value, where in per_language:
        marked = [code for code in languages if isinstance(value, Mapping)
                  and str(value.get(code, "")).startswith(TODO)]
        if marked:
            warnings.append(Problem(where, f"'{name}' is not translated yet in "
                                    f"{', '.join(marked)} (marked '{TODO.strip()}')"))
    for code in languages:
        language = table.get(code)
        if language is None:
            continue
        marked = [key for key, text in language.words.items() if text.startswith(TODO)]
        if marked:
            first = language.where.of(marked[0])
            warnings.append(Problem(first, (
                f"{len(marked)} word{'s' if len(marked) > 1 else ''} of '{code}' not translated "
                f"yet (marked '{TODO.strip()}', first '{marked[0]}' here): the editions print "
                "them as they are")))
    return warnings


def _hyphenation_problem(language: Language) -> list[Problem]:
    name = language.hyphenation
    if name is None or plainly_known_dictionary(name):
        return []
    import pyphen

    if name in pyphen.LANGUAGES:
        return []
    return [Problem(language.where.of("hyphenation"), (
        f"'{language.code}': pyphen has no hyphenation dictionary '{name}'"
        f"{did_you_mean(name, pyphen.LANGUAGES)} (leave 'hyphenation' out: no hyphenation)"))]


def _locale_problem(language: Language) -> list[Problem]:
    if plainly_known_locale(language.locale):
        return []
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(language.locale)
    except (UnknownLocaleError, ValueError):
        where = language.where.of("locale")
        return [Problem(where, f"'{language.code}': Babel knows no locale "
                        f"'{language.locale}' (month names): write e.g. locale: uk_UA")]
    return []
