"""Options shared by several commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from newsletter.exceptions import NewsletterError


class IssueFolder(click.Path):
    """An issue folder argument: as given, from the working directory; when it is not
    there and ``--config`` names a site folder, from that folder. A server's commands run
    from anywhere (`newsletter --config /srv/business-krakow/newsletter.toml send
    issues/2021-01`, as docs/deployment.md writes them): the issue is the site's. Found
    there, the path is absolute, so what is journaled (a scheduled send) is found again by
    the worker whatever its working directory."""

    def __init__(self, exists: bool = False) -> None:
        super().__init__(exists=exists, file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        given = Path(value)
        config = (ctx.find_root().obj or {}).get("config") if ctx else None
        if not given.exists() and not given.is_absolute() and config:
            in_site = Path(config).resolve().parent / given
            if in_site.is_dir():
                value = in_site
        return super().convert(value, param, ctx)


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
    from newsletter.deliver.audience.unsubscribes import apply_queued
    from newsletter.deliver.db import open_database

    engine = open_database(require_db(db))
    apply_queued(engine)
    return engine


def comma_list(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str] | None:
    """A click callback: ``"a, b,c"`` → ``["a", "b", "c"]`` (None when not given)."""
    if not value:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


class TimeType(click.ParamType):
    """A moment: ISO 8601 with an offset, or "2021-01-15 08:00" in the local time zone.

    Local means this machine's zone (``TZ``, else /etc/localtime), stated back to the
    user by :func:`describe_time`, so that "08:00" is never silently UTC. A time already
    past is refused: it is almost always a typo (a wrong month or year).
    """

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):  # type: ignore[no-untyped-def]
        if isinstance(value, dt.datetime):
            return value
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"'{value}' is not a time: write e.g. \"2021-01-15 08:00\" (local time) "
                      "or 2021-01-15T08:00+01:00", param, ctx)  # fmt: skip
        moment = moment.astimezone()  # a naive time is taken as local
        if moment < dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1):
            self.fail(f"{describe_time(moment)} is in the past", param, ctx)
        return moment


TIME = TimeType()


def describe_time(moment: dt.datetime) -> str:
    """``2021-01-15 08:00 CET (07:00 UTC)``: the local time with its zone, and UTC."""
    local = moment.astimezone()
    utc = moment.astimezone(dt.UTC)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({utc:%H:%M} UTC)"
