"""Backups of the list and the send journal that restore, taken while `serve` and `send` write.

Copying the SQLite file with ``cp`` while a send commits after every message gives a file
that may not open (a page of the main file newer than another, the WAL left behind), so
:func:`backup` uses SQLite's online backup API: all pages copied under one read
transaction, a snapshot of one moment that writers do not wait for (WAL). PostgreSQL's own
tool does the same for a server: ``pg_dump --format=custom`` reads in one snapshot.

Every backup is checked before it takes the file's name (SQLite: ``integrity_check`` and our
schema; PostgreSQL: ``pg_restore --list``), so a backup that exists is one that restores.
:func:`restore` refuses to replace a list unless told to (``--force``), and brings a
backup from an older version up to date (migrations run when the database opens).

A restore and a send: the journal in the backup knows what was sent up to the backup's
moment. A send resumed on the restored database re-sends what was sent after it (those
readers get the issue twice) and reaches everyone; nobody is lost.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from newsletter.deliver.db import MIGRATIONS, busy_timeout_from, database_url, open_database
from newsletter.exceptions import NewsletterError

TABLES = ("subscribers", "consent_events", "sends", "deliveries", "forgotten",
          "bounce_messages")
"""What a backup's summary counts (every table is in the backup)."""

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class Backup:
    """A backup file: which database kind and, for SQLite, the rows per table it holds."""

    path: Path
    kind: str  # "sqlite" or "postgresql"
    counts: dict[str, int]
    version: int | None = None  # the schema version it holds (None: not read)

    def summary(self) -> str:
        rows = ", ".join(f"{count} {table}" for table, count in self.counts.items())
        size = self.path.stat().st_size
        return f"{self.path} ({self.kind}, {size:,} bytes){': ' + rows if rows else ''}"


def backup(db: str, file: Path) -> Backup:
    """Write a consistent backup of the database ``db`` (``--db``) to ``file``."""
    url = make_url(database_url(db))
    partial = file.with_name(f".{file.name}.partial")
    if not file.parent.is_dir():
        raise NewsletterError(f"{file}: the folder for the backup does not exist")
    try:
        if url.get_backend_name() == "sqlite":
            made = _sqlite_backup(Path(url.database or ""), partial)
        elif url.get_backend_name() == "postgresql":
            made = _pg_dump(url, partial)
        else:
            raise NewsletterError(f"cannot back up a {url.get_backend_name()} database")
        os.chmod(partial, 0o600)  # addresses and names: as private as the database
        os.replace(partial, file)
    except (OSError, sqlite3.Error) as exc:  # unwritable folder, full disk, locked source
        raise NewsletterError(f"cannot write the backup {file}: {_reason(exc)} (check the "
                              "folder's permissions and free space)") from None
    finally:
        partial.unlink(missing_ok=True)
    return Backup(file, made.kind, made.counts)


def restore(file: Path, db: str, force: bool = False) -> Backup:
    """Put the backup ``file`` in place of the database ``db``; refused over a database
    that holds a list or sends unless ``force``."""
    checked = check(file)
    _refuse_newer(file, checked.version)
    url = make_url(database_url(db))
    kind = "sqlite" if url.get_backend_name() == "sqlite" else url.get_backend_name()
    if kind != checked.kind:
        raise NewsletterError(f"{file} is a {checked.kind} backup: it restores into a "
                              f"{checked.kind} database, not {kind}")
    engine = open_database(db)
    held = _counts_of(engine)
    engine.dispose()
    if not force and (held.get("subscribers") or held.get("sends")):
        raise NewsletterError(
            f"{db} already holds a list ({held.get('subscribers', 0)} subscribers, "
            f"{held.get('sends', 0)} sends): stop `serve`, `worker` and any `send` using it, "
            "then restore with --force to replace it")
    if kind == "sqlite":
        _sqlite_restore(file, Path(url.database or ""), db)
    else:
        _pg_restore(file, url)
    restored = open_database(db)  # a backup of an older version is migrated here
    counts = _counts_of(restored)
    restored.dispose()
    return Backup(file, kind, counts)


def check(file: Path) -> Backup:
    """The backup ``file`` if it restores; a NewsletterError saying why not."""
    if not file.is_file():
        raise NewsletterError(f"{file}: no such backup file")
    with file.open("rb") as stream:
        head = stream.read(len(SQLITE_MAGIC))
    if head.startswith(PG_DUMP_MAGIC):
        _pg_list(file)
        return Backup(file, "postgresql", {}, _pg_schema_version(file))
    if head != SQLITE_MAGIC:
        raise NewsletterError(f"{file} is not a backup made by `newsletter backup` "
                              "(neither SQLite nor pg_dump's custom format)")
    try:
        with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if verdict != "ok":
                raise NewsletterError(f"{file} is damaged: {verdict}")
            if not {"schema_version", "subscribers"} <= tables:
                raise NewsletterError(f"{file} is an SQLite file but not a newsletter database")
            counts = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                      for t in TABLES if t in tables}
            version = connection.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise NewsletterError(f"{file} cannot be read as a backup: {exc}") from None
    return Backup(file, "sqlite", counts, version)


def _refuse_newer(file: Path, version: int | None) -> None:
    """A backup of a newer package's schema cannot be opened here: said before a restore
    replaces anything (after, the list would be gone and the copy unreadable)."""
    if (version or 0) > len(MIGRATIONS):
        raise NewsletterError(
            f"{file} was made by a newer version of the newsletter package (schema version "
            f"{version}; this one knows {len(MIGRATIONS)}): upgrade the package before "
            "restoring it. Nothing was replaced.")


def _sqlite_backup(source: Path, partial: Path) -> Backup:
    if not source.is_file():
        raise NewsletterError(f"{source}: no such database")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(source, timeout=30)) as live, \
            closing(sqlite3.connect(partial)) as copy:
        live.backup(copy)  # every page in one step: one read transaction, one moment
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
    with partial.open("rb") as stream:
        os.fsync(stream.fileno())
    return check(partial)


def _sqlite_restore(file: Path, database: Path, db: str) -> None:
    """Copy the backup's pages into the database, waiting for its lock as long as any
    writer does (NEWSLETTER_BUSY_TIMEOUT), not for ever: Python's ``backup`` retries a
    locked target without end, so a running `send` or `serve` would hang the restore."""
    patience = busy_timeout_from()
    started = time.monotonic()

    def waited(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and \
                time.monotonic() - started > patience:
            raise _InUse

    try:
        with closing(sqlite3.connect(file)) as source, \
                closing(sqlite3.connect(database, timeout=patience)) as target:
            source.backup(target, progress=waited, sleep=0.1)
    except _InUse:
        raise NewsletterError(
            f"{db} is in use: another process (`serve`, `worker`, a `send`) held it for "
            f"{patience:g} s. Stop them (systemctl stop business-krakow-serve "
            "business-krakow-worker; wait for a send to end or stop it with Ctrl-C), then "
            "restore again. Nothing was replaced.") from None
    except sqlite3.Error as exc:
        raise NewsletterError(f"cannot restore into {db}: {_reason(exc)}") from None


class _InUse(Exception):
    """The target stayed locked past the wait (raised inside sqlite3's backup loop)."""


def _reason(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _counts_of(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    with engine.connect() as connection:
        names = set(sa.inspect(connection).get_table_names())
        return {t: connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in TABLES if t in names}


def _tool(name: str) -> str:
    """PostgreSQL's client tool ``name``: on PATH, else from Debian's versioned folders
    (the newest), so it matches a recent server."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    path = str(found[-1]) if found else shutil.which(name)
    if not path:
        raise NewsletterError(f"{name} is not installed: install PostgreSQL's client tools "
                              "(Debian: apt-get install postgresql-client)")
    return path


def _connection(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq options for ``url`` and the environment with its password: never on the
    command line, where `ps` shows it to every user of the machine."""
    options = [f"--dbname={url.database or 'postgres'}"]
    if url.host:
        options.append(f"--host={url.host}")
    if url.port:
        options.append(f"--port={url.port}")
    if url.username:
        options.append(f"--username={url.username}")
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return options, environment


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise NewsletterError(f"{what} failed: {reason}")


def _pg_dump(url: URL, partial: Path) -> Backup:
    options, environment = _connection(url)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", *options],
         environment, "pg_dump")
    return check(partial)


def _pg_list(file: Path) -> None:
    _run([_tool("pg_restore"), "--list", str(file)], dict(os.environ),
         f"reading {file} (pg_restore --list)")


def _pg_schema_version(file: Path) -> int | None:
    """The schema version a pg_dump file holds, read from its data (no server needed)."""
    done = subprocess.run([_tool("pg_restore"), "--data-only", "--table=schema_version",
                           "--file=-", str(file)], capture_output=True, text=True)
    if done.returncode != 0:
        return None  # --list passed: the restore itself will say what is wrong
    rows, inside = [], False
    for line in done.stdout.splitlines():
        if line.startswith("COPY ") and "schema_version" in line:
            inside = True
        elif inside and line == "\\.":
            break
        elif inside and line.strip().isdigit():
            rows.append(int(line))
    return max(rows) if rows else None


def _pg_restore(file: Path, url: URL) -> None:
    options, environment = _connection(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          *options, str(file)], environment, "pg_restore")
