"""Dates as Babel writes them in a language ("grudzień 2020"), kept on disk between processes.

The editions name an issue by its month in the reader's language, from CLDR through
Babel. Importing Babel and loading a locale's data (a 240 KB pickle, merged with the root
locale's) was about 25 ms of every ``build --only email`` for one or two strings. What
Babel wrote is kept in one small JSON file, by locale, pattern and date, keyed by the
installed Babel (its files' time); a date not kept yet is written by Babel, as before,
and kept. The strings are Babel's own: the editions are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import json
import os
from pathlib import Path

from newsletter.cache_home import cache_home

_MOST = 1_000
"""Dates kept at most (an issue adds one or two per language): past it, start again."""

_kept: dict[str, str] | None = None


def format_date(date: dt.date, pattern: str, locale: str) -> str:
    """``babel.dates.format_date(date, pattern, locale=locale)``, from disk when kept."""
    global _kept
    kept = _kept if _kept is not None else _read()
    _kept = kept
    key = f"{locale}|{pattern}|{date.isoformat()}"
    if key not in kept:
        from babel.dates import format_date as babel_format_date

        kept[key] = babel_format_date(date, pattern, locale=locale)
        _write(kept if len(kept) <= _MOST else {key: kept[key]})
    return kept[key]


@functools.cache
def _file() -> Path:
    spec = importlib.util.find_spec("babel")
    stamp = Path(spec.origin).stat().st_mtime_ns if spec and spec.origin else 0
    return cache_home() / f"dates-{stamp}.json"


def _read() -> dict[str, str]:
    try:
        kept = json.loads(_file().read_text(encoding="utf-8"))
        if isinstance(kept, dict) and all(isinstance(v, str) for v in kept.values()):
            return kept
    except (OSError, ValueError):
        pass
    return {}  # none kept yet, or damaged: Babel writes them again


def _write(kept: dict[str, str]) -> None:
    """Whole, then renamed (a reader never sees half a file); a read-only home only
    means asking Babel again next time."""
    try:
        path = _file()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass
