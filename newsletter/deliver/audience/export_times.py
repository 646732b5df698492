"""Times in imported files, as the tools and spreadsheets really write them.

A consent time is the evidence an import must keep, and one file holds it in one shape for
every row: a shape we do not read rejects the whole list. The shapes met in practice:

- ISO 8601 (ours, Mailchimp's ``2020-03-15 10:22:33``), offsets as ``Z``, ``+00`` or
  ``+05:30``;
- Go's ``time.Time.String()``, which listmonk's CSV export writes:
  ``2021-02-25 10:29:16.651953 +0530 +0530`` or ``2020-01-10 10:43:02 +0000 UTC``;
- a spreadsheet's re-save (Excel, LibreOffice) in the user's locale: ``15.03.2020 10:22``
  (Polish, German), ``15/03/2020 10:22`` or ``3/15/2020 10:22`` (the seconds dropped).
  Day and month are told apart only when one of them is over 12; a file whose slashes are
  ambiguous is refused with how to save it, never read as the wrong month.

Without an offset a time is UTC, which is what Mailchimp writes (a re-save keeps the
digits, so it stays UTC).
"""

from __future__ import annotations

import datetime as dt
import re

GO_TIME = re.compile(
    r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d\d)(\d\d)(?: [A-Za-z0-9+-]{1,8})?"
    r"(?: m=[+-]\d+(?:\.\d+)?)?")
"""Go's default time format (``2006-01-02 15:04:05.999999999 -0700 MST``), with the
monotonic clock reading Go adds to times it has just taken."""

LOCAL_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:,? +(\d{1,2}):(\d\d)(?::(\d\d))?)?")
"""A date a spreadsheet wrote in the user's locale, with the time of day if any."""

HOW = "write it as 2024-05-01T12:00:00+00:00"


class TimeError(ValueError):
    """A cell that is not a time in any shape we read; the message says how to write it."""


def parse_time(cell: str, column: str) -> dt.datetime | None:
    """The time in ``cell`` (column ``column``, for the message), in UTC; None if empty."""
    text = cell.strip()
    if not text:
        return None
    value = _iso(text) or _go(text) or _local(text, column)
    if value is None:
        raise TimeError(f"'{text}' in {column} is not a time: {HOW}")
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _iso(text: str) -> dt.datetime | None:
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = re.sub(r"(\d\d:\d\d(?::\d\d(?:\.\d+)?)?[+-]\d\d)$", r"\1:00", text)  # +00
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _go(text: str) -> dt.datetime | None:
    match = GO_TIME.fullmatch(text)
    if not match:
        return None
    return _iso(f"{match[1]}{match[2]}:{match[3]}")


def _local(text: str, column: str) -> dt.datetime | None:
    match = LOCAL_DATE.fullmatch(text)
    if not match:
        return None
    first, separator, second, year = int(match[1]), match[2], int(match[3]), int(match[4])
    if separator == "/" and first <= 12 and second <= 12 and first != second:
        raise TimeError(
            f"'{text}' in {column}: day and month cannot be told apart (a spreadsheet saved "
            f"the file in its own date format); {HOW}, e.g. by setting the column's format "
            "to yyyy-mm-dd hh:mm:ss before saving")
    day, month = (second, first) if separator == "/" and second > 12 else (first, second)
    hour, minute, second_ = (int(match[i]) if match[i] else 0 for i in (5, 6, 7))
    try:
        return dt.datetime(year, month, day, hour, minute, second_)
    except ValueError:
        return None
