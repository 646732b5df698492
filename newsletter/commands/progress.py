"""How far a send is: a bar on a terminal, a line a minute in a log (cron, systemd).

A bar redrawn ten times a second is noise in a journal, and a log with nothing for an
hour looks like a hang: so the display depends on whether stderr is a terminal.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, Protocol

import click


class Counted(Protocol):
    @property
    def done(self) -> int: ...


class LogProgress:
    """One line per ``interval`` seconds, and one at the end: done, rate and ETA."""

    def __init__(self, total: int, label: str, file: IO[str], interval: float = 60.0):
        self.total, self.label, self.file, self.interval = total, label, file, interval
        self.started = self.last = time.monotonic()
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done
        if time.monotonic() - self.last >= self.interval:
            self.write()

    def write(self) -> None:
        self.last = time.monotonic()
        click.echo(line(self.label, self.done, self.total, self.last - self.started), self.file)


def line(label: str, done: int, total: int, elapsed: float) -> str:
    """``sending 2020-12: 1,200 of 20,000 (6%), 600/s, ETA 0:00:28``."""
    rate = done / elapsed if elapsed > 0 else 0.0
    share = f"{done / total:.0%}" if total else "100%"
    eta = str(timedelta(seconds=round((total - done) / rate))) if rate and done < total else "-"
    return f"{label}: {done:,} of {total:,} ({share}), {rate:,.0f}/s, ETA {eta}"


@contextmanager
def progress_display(
    total: int, label: str, file: IO[str] | None = None, interval: float = 60.0
) -> Iterator[Any]:
    """A callable taking a run's counts (anything with ``done``), shown as it goes."""
    out = file or sys.stderr
    if out.isatty():
        started = time.monotonic()
        shown = {"done": 0}

        def rate(_item: object) -> str:
            return f"{shown['done'] / max(time.monotonic() - started, 1e-6):,.0f}/s"

        with click.progressbar(length=max(total, 1), label=label, show_eta=True,
                               show_pos=True, item_show_func=rate, file=out) as bar:  # fmt: skip

            def on_bar(counts: Counted) -> None:
                bar.update(counts.done - shown["done"])
                shown["done"] = counts.done

            yield on_bar
        return
    log = LogProgress(total, label, out, interval)
    try:
        yield lambda counts: log.update(counts.done)
    finally:
        log.write()


def report_counts(counts: Any, dry_run: Path | None = None) -> None:
    """A run's outcome in one line (stdout), then up to 20 failures (stderr)."""
    verb = "written" if dry_run else "sent"
    click.echo(
        f"{counts.sent:,} {verb}, {counts.failed:,} failed ({counts.bounced:,} hard bounces "
        f"marked), {counts.deferred:,} deferred, {counts.skipped:,} skipped (unsubscribed), "
        f"{counts.retries:,} retries" + (f", {counts.unknown:,} unknown" if counts.unknown else "")
    )
    for address, reply in counts.failures[:20]:
        click.secho(f"  {address}: {reply}", fg="yellow", err=True)
    if counts.deferred:
        click.echo("some messages were deferred: run the same command again to retry them")
    unknown_hint(counts.unknown)
    if dry_run:
        click.echo(f"messages in {dry_run}")


def unknown_hint(unknown: int) -> None:
    """Say what the 'unknown' messages are, and how to send them again."""
    if unknown:
        noun = "message" if unknown == 1 else "messages"
        click.echo(
            f"{unknown:,} {noun} got no reply after they were sent (journaled 'unknown'): "
            "the server may have them, so they are not resent; --resend-unknown sends them "
            "again"
        )
