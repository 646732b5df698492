"""Errors a user can cause, carrying where they happened and what would be right.

The CLI is the only place that prints them; everything below it raises
:class:`ContentError` with every problem of a run, never just the first, so an
editor fixes a file once instead of once per error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file: 1-based line (and column, where one helps: an invisible
    tab), so it matches what editors see and editors can jump to ``file:line:column``."""

    file: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        name = display_path(self.file)
        if not self.line:
            return name
        return f"{name}:{self.line}:{self.column}" if self.column else f"{name}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class NewsletterError(Exception):
    """Base of every error that is the user's to fix (the CLI prints it, no traceback)."""


class TemporaryFailure(NewsletterError):
    """A fault that is nobody's mistake and may pass: a locked database, a full disk, a
    server not answering. The CLI prints it in one line and exits with 75 (EX_TEMPFAIL,
    which systemd, Postfix's pipe and cron wrappers read as "try again later")."""


class ContentError(NewsletterError):
    """One or more problems in issue files, the theme or the site configuration."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems), key=_problem_order)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ContentError], tuple[list[Problem]]]:
        """Pickled with its problems (not its message): it crosses from a build's worker
        processes to the CLI as it was raised."""
        return (ContentError, (self.problems,))


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    return (str(problem.location.file), problem.location.line or 0, problem.message)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice an editor most likely meant by ``word``, if one is close enough."""
    import difflib  # only on the error path: keeps every command's start-up shorter

    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A suffix like " — did you mean 'title'?" when a close choice exists, else a list."""
    choices = sorted(set(choices))
    close = closest(word, choices)
    if close:
        return f" — did you mean '{close}'?"
    if choices:
        return " (expected one of: " + ", ".join(f"'{c}'" for c in choices) + ")"
    return ""


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def database_fault(exc: BaseException) -> str | None:
    """One line for a database that cannot be used now (locked past its timeout, a full
    disk, a server away), or None when ``exc`` is something else. SQLAlchemy is only
    looked up if a command loaded it, so start-up stays light."""
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is None or not isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return None
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = (lines[0] if lines else type(exc).__name__)[:200]
    return f"the database cannot be used now ({reason}): run the command again when it can"
