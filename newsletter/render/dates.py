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

from newsletter.kept_strings import KeptStrings

_KEPT = KeptStrings("dates", "babel")


def format_date(date: dt.date, pattern: str, locale: str) -> str:
    """``babel.dates.format_date(date, pattern, locale=locale)``, from disk when kept."""
    def written() -> str:
        from babel.dates import format_date as babel_format_date

        return babel_format_date(date, pattern, locale=locale)

    return _KEPT.get(f"{locale}|{pattern}|{date.isoformat()}", written)
