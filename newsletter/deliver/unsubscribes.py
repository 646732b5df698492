"""Unsubscribes that could not be written at once, kept durably and applied later.

A one-click unsubscribe must never be lost, and a mail client that gets a 500 does not
come back. When SQLite's write lock is held longer than the server waits (a big import,
a send's burst of commits), the subscriber's id is appended to a file beside the
database, synced to disk, and the reader is told they are unsubscribed. The file is
applied by the next request that can write, by ``serve`` when it starts and by ``send``
before it claims a row. PostgreSQL locks rows, not the database: it needs no queue.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import Engine

from newsletter.deliver import subscribers as subs

QUEUED_SOURCE = "unsubscribe link (queued: the database was busy)"


def queue_path(engine: Engine) -> Path | None:
    """The queue file of a SQLite database (None for other databases)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    return Path(engine.url.database + ".unsubscribe-queue")


def enqueue(path: Path, subscriber_id: int) -> None:
    """Append one unsubscribe and sync it to disk before the reader gets an answer."""
    with open(path, "a", encoding="ascii") as queue:
        queue.write(f"{subscriber_id}\n")
        queue.flush()
        os.fsync(queue.fileno())


def apply_queued(engine: Engine) -> int:
    """Apply every queued unsubscribe in one transaction; how many were applied.

    The file is renamed first (atomically), so unsubscribes queued meanwhile go to a new
    file; if the write fails, the taken lines are put back for the next try.
    """
    path = queue_path(engine)
    if path is None or not path.exists():
        return 0
    taking = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        path.rename(taking)
    except FileNotFoundError:  # another process took it
        return 0
    ids = [int(line) for line in taking.read_text("ascii").split() if line.isdigit()]
    try:
        with engine.begin() as connection:
            for subscriber_id in ids:
                subs.set_status(connection, subscriber_id, subs.UNSUBSCRIBED, QUEUED_SOURCE)
    except BaseException:
        for subscriber_id in ids:
            enqueue(path, subscriber_id)
        taking.unlink()
        raise
    taking.unlink()
    return len(ids)
