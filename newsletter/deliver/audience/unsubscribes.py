"""Unsubscribes that could not be written at once, kept durably and applied later.

A one-click unsubscribe must never be lost, and a mail client that gets a 500 does not
come back. When SQLite's write lock is held longer than the server waits (a big import,
a send's burst of commits), the subscriber's id is appended to a file beside the
database, synced to disk, and the reader is told they are unsubscribed. The file is
applied by the next request that can write, by ``serve`` when it starts and by ``send``
before it claims a row. PostgreSQL locks rows, not the database: it needs no queue.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from sqlalchemy.engine import Engine

from newsletter.deliver.audience import subscribers as subs

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

    The file is renamed first (atomically, to a name of this process and call), so
    unsubscribes queued meanwhile go to a new file; if the write fails, the taken lines
    are put back for the next try. Files taken by a process that died before it was done
    are taken over, so a crash mid-way loses nothing either.
    """
    path = queue_path(engine)
    if path is None:
        return 0
    taking = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    with contextlib.suppress(FileNotFoundError):  # nothing queued, or another caller took it
        path.rename(taking)
    taken = [f for f in (taking, *_orphans(path)) if f.exists()]
    if not taken:
        return 0
    ids = [int(word) for f in taken for word in f.read_text("ascii").split() if word.isdigit()]
    try:
        with engine.begin() as connection:
            for subscriber_id in ids:
                subs.set_status(connection, subscriber_id, subs.UNSUBSCRIBED, QUEUED_SOURCE)
    except BaseException:
        for subscriber_id in ids:
            enqueue(path, subscriber_id)
        for f in taken:
            f.unlink(missing_ok=True)
        raise
    for f in taken:
        f.unlink(missing_ok=True)
    return len(ids)


def _orphans(path: Path) -> list[Path]:
    """Queue files taken by processes that are gone (``<queue>.<pid>.<nonce>``)."""
    found = []
    for taken in path.parent.glob(f"{path.name}.*"):
        pid = taken.name[len(path.name) + 1 :].split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            orphan = taken.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            with contextlib.suppress(FileNotFoundError):  # two takers: one wins the rename
                taken.rename(orphan)
                found.append(orphan)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True
