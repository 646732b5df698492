"""Sign-ups that could not be written at once, kept durably and written later.

The same promise as :mod:`newsletter.deliver.audience.unsubscribes`: when SQLite's write lock is
held longer than the server waits (a big import, a send's burst of commits), a reader's
valid sign-up is not lost and not answered with an error. Each is one small JSON file
in a folder beside the database (``LIST.db.signup-queue/``), written under a temporary
name, synced, renamed into place and the folder synced, so a crash leaves either the
whole request or nothing. ``serve`` writes the files when the database is free again
(at start, after a write that succeeded, and every few seconds while any wait) and then
sends their confirmations, which only ``serve`` can send. The files hold a person's
address: they are readable by their owner only, and each is removed once written.
PostgreSQL locks rows, not the database: it needs no queue.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from newsletter.deliver.audience import signup

log = logging.getLogger("newsletter.signup_queue")
SUFFIX = ".json"


def queue_dir(engine: Engine) -> Path | None:
    """The queue folder of a SQLite database (None for other databases)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    return Path(engine.url.database + ".signup-queue")


def enqueue(folder: Path, asked: signup.SignupRequest, at: float) -> Path:
    """Keep one sign-up on disk, synced, before the reader gets an answer; its file.
    Raises OSError when it cannot (a full disk): then nothing is kept."""
    folder.mkdir(mode=0o700, exist_ok=True)
    name = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
    record = {"email": asked.email, "name": asked.name, "language": asked.language,
              "consent_version": asked.consent_version, "ip": asked.ip, "asked_at": at}  # fmt: skip
    temporary, final = folder / f".{name}.tmp", folder / f"{name}{SUFFIX}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(record, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return final


def waiting(folder: Path | None) -> list[Path]:
    """The queued sign-ups, oldest first."""
    if folder is None or not folder.is_dir():
        return []
    return sorted(folder.glob(f"*{SUFFIX}"))


def apply_queued(
    engine: Engine, secret: bytes | None, requested: Callable[[signup.SignupRequest, int], None]
) -> int:
    """Write every queued sign-up, oldest first, each in its own transaction, and call
    ``requested(asked, event_id)`` for each that needs a confirmation; how many were
    written. A database still locked raises (``sqlalchemy.exc.OperationalError``) and
    leaves that sign-up and the later ones queued for the next try.

    A crash between a write and its file's removal writes that sign-up once more later:
    a second pending event and a second link, which is what signing up twice does.
    """
    written = 0
    for path in waiting(queue_dir(engine)):
        try:
            record = json.loads(path.read_text("utf-8"))
            asked = signup.SignupRequest(
                record["email"], record["name"], record["language"],
                record["consent_version"], record["ip"],
            )  # fmt: skip
        except FileNotFoundError:  # taken meanwhile
            continue
        except (ValueError, KeyError, TypeError) as exc:
            log.error("queued sign-up %s unreadable (%s): kept as .bad", path.name, exc)
            path.rename(path.with_name(path.name + ".bad"))
            continue
        event_id = signup.request(engine, asked, secret)
        path.unlink(missing_ok=True)
        written += 1
        if event_id is not None:
            requested(asked, event_id)
    return written


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a file's own fsync does not cover its name)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
