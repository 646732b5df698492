"""Problems with a language's typography rules, as data: file, line, key and what is right.

A language's rules are written by people (``typography:`` in each block of
``templates/_shared/strings.yaml``, and ``templates/_shared/typography.yaml`` for the
languages an edition quotes). :func:`newsletter.typography.language_rules` reads them
leniently: a key it does not know is never read, an unknown kind of space becomes a word
space. So a typo ("bind_afer", "narow") would change nothing anyone sees until a reader
finds "w" at a line's end; ``check`` and ``build`` report it here instead.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from newsletter.exceptions import Location, Problem, did_you_mean
from newsletter.source import WHERE, Origin, parse_yaml, read_text

WORD_LISTS = ("bind_after", "bind_units", "street_words")
SWITCHES = ("bind_numbers", "break_at_hyphens", "capitals_mark_names")
SPACES = ("space_before", "space_after")
LIMITS = ("hyphen_limits",)
DASHES = ("dash",)
DASH_FORMS = ("–", "—")
"""The dash a language sets between an issue's name and its month: en or em."""
KEYS = WORD_LISTS + SWITCHES + SPACES + LIMITS + DASHES
YAML_SWITCHES = frozenset(form for word in ("true", "false", "yes", "no", "on", "off")
                          for form in (word, word.title(), word.upper()))
"""How YAML 1.1 (PyYAML reads the rules) writes true and false; anything else it reads as
a text, which is true."""
SPACE_KINDS = ("no-break", "narrow")
"""What a typed space next to a mark becomes: a word space that never breaks, or U+202F."""

_SHAPES = {
    **{key: "a list of words, e.g. [ul., nr, dr]" for key in WORD_LISTS},
    **{key: "true or false" for key in SWITCHES},
    **{key: 'marks and spaces, e.g. {":": no-break, "!": narrow}' for key in SPACES},
    "dash": 'an en dash "–" or an em dash "—"',
    "hyphen_limits": "three whole numbers from 1 to 20: the shortest word hyphenated and "
                     "the fewest letters before and after a hyphen, e.g. [5, 2, 3]",
}


def typography_problems(strings: Path, languages: Iterable[str]) -> list[Problem]:
    """Problems in the typography of ``languages``' blocks of the strings file, and in
    every entry of the quoted languages' file beside it (any of them may be quoted)."""
    problems = []
    table = _parsed(strings, strings.stat().st_mtime_ns)
    for code in languages:
        block = table.get(code)
        if isinstance(block, dict) and "typography" in block:
            problems += rules_problems(block["typography"], f"'{code}'",
                                       block[WHERE].of("typography"))
    quoted = strings.with_name("typography.yaml")
    if quoted.exists():
        entries = _parsed(quoted, quoted.stat().st_mtime_ns)
        origin: Origin = entries.get(WHERE) or Origin(Location(quoted, 1))
        for code, entry in entries.items():
            if code != WHERE:
                problems += rules_problems(entry, f"'{code}'", origin.of(code))
    return problems


@functools.lru_cache(maxsize=8)
def _parsed(path: Path, _mtime: int) -> dict[str, Any]:
    data = parse_yaml(read_text(path), path)
    return data if isinstance(data, dict) else {}


def rules_problems(entry: Any, who: str, where: Location) -> list[Problem]:
    """What is wrong with one language's rules (``entry``, written at ``where``)."""
    if entry is None:
        return []
    if not isinstance(entry, dict):
        return [Problem(where, f"the typography of {who} must be keys and values "
                        f"({', '.join(KEYS)}), not {_kind(entry)}")]
    origin: Origin = entry.get(WHERE) or Origin(where)
    problems = []
    for key, value in entry.items():
        if key == WHERE:
            continue
        at = origin.of(key)
        if key not in KEYS:
            problems.append(Problem(at, f"the typography of {who} has no rule '{key}'"
                                    f"{did_you_mean(key, KEYS)}"))
        elif value is None:
            continue
        elif key in WORD_LISTS:
            problems += _words_problems(value, f"{who}: '{key}'", at, origin, key)
        elif key in SWITCHES and str(value) not in YAML_SWITCHES:
            problems.append(Problem(at, f"{who}: '{key}' must be {_SHAPES[key]}, "
                                    f"not {value!r}"))
        elif key in SPACES:
            problems += _spaces_problems(value, f"{who}: '{key}'", at)
        elif (key in DASHES and str(value) not in DASH_FORMS) or (key in LIMITS and not (
                isinstance(value, list) and len(value) == 3
                and all(str(n).isdigit() and 1 <= int(str(n)) <= 20 for n in value))):
            problems.append(Problem(at, f"{who}: '{key}' must be {_SHAPES[key]}, "
                                    f"not {value!r}"))
    return problems


def _words_problems(value: Any, what: str, at: Location, origin: Origin,
                    key: str) -> list[Problem]:
    if not isinstance(value, list):
        return [Problem(at, f"{what} must be {_SHAPES[key]}, not {_kind(value)}")]
    problems = []
    for index, word in enumerate(value):
        text = str(word) if isinstance(word, (str, int, float)) and word is not True else ""
        if not text.strip() or any(c.isspace() for c in text):
            problems.append(Problem(origin.item(key, index), (
                f"{what}: {word!r} is not one word (each entry is a word the space after "
                "it binds; write two-word abbreviations as two entries)")))
    return problems


def _spaces_problems(value: Any, what: str, at: Location) -> list[Problem]:
    if not isinstance(value, Mapping):
        return [Problem(at, f"{what} must be {_SHAPES['space_before']}, not {_kind(value)}")]
    origin: Origin = value.get(WHERE) or Origin(at)
    problems = []
    for mark, kind in value.items():
        if mark == WHERE:
            continue
        mark_at = origin.of(str(mark))
        if len(str(mark)) != 1 or str(mark).isalnum() or str(mark).isspace():
            problems.append(Problem(mark_at, f"{what}: {str(mark)!r} is not one punctuation "
                                    "mark (write each mark as its own key)"))
        if str(kind) not in SPACE_KINDS:
            problems.append(Problem(mark_at, (
                f"{what}: {str(mark)!r} has no kind of space {str(kind)!r}"
                f"{did_you_mean(str(kind), SPACE_KINDS)}")))
    return problems


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "keys and values"
    return repr(value)
