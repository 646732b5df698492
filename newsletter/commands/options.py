"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from newsletter.exceptions import NewsletterError


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--db PATH|URL`` (or NEWSLETTER_DB): the subscribers' database."""
    return click.option(
        "--db",
        "db",
        envvar="NEWSLETTER_DB",
        metavar="PATH|URL",
        help="Subscribers' database: a SQLite file path or a SQLAlchemy URL "
        "(default: $NEWSLETTER_DB).",
    )(function)


def require_db(db: str | None) -> str:
    """``--db`` as given, or a clear error when none was named."""
    if not db:
        raise NewsletterError(
            "no database given: pass --db PATH (a SQLite file, created if missing) "
            "or set NEWSLETTER_DB"
        )
    return db


def open_db(db: str | None):  # type: ignore[no-untyped-def]
    """The migrated database, with unsubscribes queued while it was locked applied."""
    from newsletter.deliver.db import open_database
    from newsletter.deliver.unsubscribes import apply_queued

    engine = open_database(require_db(db))
    apply_queued(engine)
    return engine


def comma_list(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str] | None:
    """A click callback: ``"a, b,c"`` → ``["a", "b", "c"]`` (None when not given)."""
    if not value:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]
