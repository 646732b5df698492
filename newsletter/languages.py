"""One issue in several languages: which languages, and the issue's data in one of them.

An issue declares ``languages: [en, pl]`` (the first is the main one) or, as before, one
``language: en``. Any value may then be given per language::

    subject:
      en: Business Kraków — December 2020
      pl: Business Kraków — grudzień 2020

and any block may be kept to some languages (``only: pl``). Everything not given per
language (pictures, addresses, numbers) is shared. :func:`localize` makes the plain data of
one language from the editor's data, before validation, so the content model and every
renderer stay one-language; what is missing in a language is a problem with its line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from newsletter.exceptions import Location, Problem, did_you_mean
from newsletter.source import WHERE, Origin


@functools.cache
def english_name(code: str) -> str:
    """How problems (written in English) name a language: "Polish", "Ukrainian" (CLDR's
    names, through Babel), or its code when Babel knows none."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en") or code
    except (UnknownLocaleError, ValueError):
        return code

ONLY = "only"
"""The key that keeps a block (or a section) to some of the issue's languages."""


def issue_languages(data: Any, known: Collection[str]) -> tuple[list[str], list[Problem]]:
    """The issue's languages, main first, from ``languages:`` or ``language:``; ``known``
    are the site's (:func:`newsletter.words.language_codes`)."""
    known = tuple(known)
    main = known[0] if known else "en"  # the site's main language: strings.yaml's first
    if not isinstance(data, dict):
        return [main], []
    origin: Origin = data[WHERE]
    if "languages" in data and "language" in data:
        return [main], [Problem(origin.of("language"), "write either 'language' (one) or "
                                "'languages' (several, the main one first), not both")]
    if "languages" not in data:
        value = data.get("language", main)
        if isinstance(value, str) and value in known:
            return [value], []
        return [main], [Problem(origin.of("language"),
                                f"unknown language '{value}'{did_you_mean(str(value), known)}")]
    value = data["languages"]
    where = origin.of("languages")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        return [main], [Problem(where, "'languages' must be a list such as [en, pl]")]
    problems = []
    accepted: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or item not in known:
            hint = did_you_mean(str(item), known)
            problems.append(Problem(origin.item("languages", index),
                                    f"unknown language '{item}'{hint}"))
        elif item in accepted:
            problems.append(Problem(origin.item("languages", index),
                                    f"'{item}' is listed twice"))
        else:
            accepted.append(item)
    return (accepted or [main]), problems


def is_per_language(value: Any, known: Collection[str]) -> bool:
    """Whether a mapping gives one value per language (``{en: …, pl: …}``): one of its
    keys is a language (the others are then mistakes, named as such)."""
    return isinstance(value, dict) and any(k in known for k in value if k != WHERE)


def localize(data: Any, language: str, languages: list[str], problems: list[Problem],
             known: Collection[str] = ()) -> Any:
    """A copy of ``data`` in ``language``: per-language values replaced by that language's,
    entries kept to other languages (``only:``) left out. Missing values are problems.
    ``known``: the site's languages (a key that is one marks a per-language value)."""
    known = frozenset(known) | frozenset(languages)
    if isinstance(data, list):
        kept = []
        for item in data:
            if isinstance(item, dict) and ONLY in item:
                wanted = _only(item, languages, problems)
                if language not in wanted:
                    continue
                item = {k: v for k, v in item.items() if k != ONLY}
            kept.append(localize(item, language, languages, problems, known))
        return kept
    if not isinstance(data, dict):
        return data
    origin: Origin = data[WHERE]
    result: dict[str, Any] = {}
    fields, text = dict(origin.fields), dict(origin.text)
    decided = set(origin.decided)
    for key, value in data.items():
        if key == WHERE:
            continue
        if is_per_language(value, known):
            inner: Origin = value[WHERE]
            if language not in value:
                missing = [english_name(lang) for lang in languages if lang not in value]
                problems.append(Problem(
                    origin.of(key),
                    f"'{key}' has no {' and no '.join(missing)} text (the issue is in "
                    f"{', '.join(languages)}): add '{_first_missing(value, languages)}: …'"))
                continue
            unknown = [k for k in value if k != WHERE and k not in languages]
            for extra in unknown:
                hint = did_you_mean(extra, languages) if extra not in known else ""
                problems.append(Problem(inner.of(extra), f"'{extra}' is not one of the "
                                        f"issue's languages ({', '.join(languages)}){hint}"))
            fields[key], text[key] = inner.of(language), inner.text_of(language)
            decided.add(key)
            value = value[language]
        result[key] = localize(value, language, languages, problems, known)
    result[WHERE] = Origin(origin.location, fields, text, origin.items, frozenset(decided))
    return result


def _first_missing(value: dict[str, Any], languages: list[str]) -> str:
    return next(lang for lang in languages if lang not in value)


def only_languages(value: Any) -> list[str]:
    """The languages an ``only:`` value names (one, or a list)."""
    return [value] if isinstance(value, str) else value if isinstance(value, list) else []


def _only(item: dict[str, Any], languages: list[str], problems: list[Problem]) -> list[str]:
    value = item[ONLY]
    where: Location = item[WHERE].of(ONLY)
    wanted = only_languages(value)
    bad = [w for w in wanted if w not in languages]
    if bad or not wanted:
        problems.append(Problem(where, f"'only' must name the issue's languages "
                                f"({', '.join(languages)}), not {bad or value!r}"))
    return [w for w in wanted if w in languages]


def language_file(issue_dir: Path, name: str, language: str) -> str:
    """``open-city.md`` → ``open-city.pl.md`` when that file exists: a block's text per
    language, beside the shared one."""
    path = Path(name)
    candidate = path.with_name(f"{path.stem}.{language}{path.suffix}")
    return str(candidate) if (issue_dir / candidate).is_file() else name


_LANGUAGE_FILE = re.compile(r"^(?P<stem>.+)\.(?P<code>[a-zA-Z]{2}(?:[-_][A-Za-z]{2})?)"
                            r"(?P<suffix>\.(?i:md|markdown|yaml|yml))$")
"""``x.pl.md``; the suffix in any case (the loader reads ``x.MD``), the code too, since the
loader looks for it in lowercase only: ``x.PL.md`` was never read, without a word."""


def unread_language_files(issue_dir: Path, languages: list[str],
                          known: Collection[str]) -> list[Problem]:
    """``x.de.md`` beside ``x.md`` in an issue that does not list ``de``: the build never
    reads it, so an editor's translation would be lost without a word. One warning each."""
    found = []
    for path in sorted(issue_dir.rglob("*")):
        match = _LANGUAGE_FILE.match(path.name)
        if not match or match["code"] in languages or not path.is_file():
            continue
        if not path.with_name(match["stem"] + match["suffix"]).is_file():
            continue  # not a block file's translation (its shared file is not there)
        code, listed = match["code"].lower(), ", ".join(languages)
        lowercase = f"{match['stem']}.{code}{match['suffix']}"
        if code in languages:  # x.PL.md
            message = f"not read: a language is written in lowercase: rename it {lowercase}"
        elif code in known:
            case = "" if code == match["code"] else f" (and rename it {lowercase})"
            message = (f"not read: the issue's languages are {listed}; add {code} to "
                       f"'languages' in issue.yaml{case}, or delete the file")
        else:
            example = f"{match['stem']}.{languages[-1]}{match['suffix']}"
            message = (f"not read: '{code}' is not a language of the newsletter "
                       f"({', '.join(known)}); rename the file (e.g. {example}) or "
                       "delete it")
        found.append(Problem(Location(path), message))
    return found
