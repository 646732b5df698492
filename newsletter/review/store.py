"""Approvals and the bytes they cover, in the list's database (SQLite or PostgreSQL).

The database rather than a folder beside it: a PostgreSQL list has no folder, and a send
on another machine needs the same bytes. Files are stored once by content (a picture
approved in ten versions of an issue is kept once) and checked against their hash when
read back, so what is sent is provably what was approved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver.db import (
    approval_files,
    approvals,
    approved_blobs,
    now,
    sends,
    test_sends,
)
from newsletter.exceptions import NewsletterError
from newsletter.review.editions import EditionFile
from newsletter.review.folder import manifest_hash

SHORT = 12
"""Hex digits of a hash shown to people (48 bits: no two versions of an issue collide)."""


@dataclass(frozen=True)
class Approval:
    """One approval of one version of an issue (``approved_by`` None: a snapshot taken
    to send an issue when review is off, ``[review] approvals = 0``)."""

    id: int
    issue_id: str
    issue_path: str | None
    approved_by: str | None
    approved_at: dt.datetime
    sources_hash: str
    sources: dict[str, str]
    editions_hash: str
    languages: list[str]

    @property
    def short(self) -> str:
        """The editions' hash as people see it."""
        return self.editions_hash[:SHORT]

    @property
    def when(self) -> str:
        return f"{self.approved_at:%Y-%m-%d %H:%M} UTC"

    def same_version(self, other: Approval) -> bool:
        """Whether both approved the same folder built into the same editions."""
        return (self.sources_hash, self.editions_hash) == (other.sources_hash,
                                                           other.editions_hash)  # fmt: skip


def record(engine: Engine, issue_id: str, folder: Path, by: str | None,
           sources: dict[str, str], files: list[EditionFile]) -> Approval:  # fmt: skip
    """Store an approval of ``sources`` (the folder's files) and the editions built from
    them; a snapshot (``by`` None) of a version already stored is reused."""
    editions = {f"{f.language}/{f.name}": f.sha256 for f in files}
    values = {
        "issue_id": issue_id, "issue_path": str(folder.resolve()), "approved_by": by,
        "approved_at": now(), "sources_hash": manifest_hash(sources), "sources": sources,
        "editions_hash": manifest_hash(editions),
        "languages": ",".join(dict.fromkeys(f.language for f in files)),
    }  # fmt: skip
    if by is None:
        for earlier in reversed(approvals_of(engine, issue_id)):
            if earlier.approved_by is None and (earlier.sources_hash, earlier.editions_hash) \
                    == (values["sources_hash"], values["editions_hash"]):
                return earlier
    for attempt in (1, 2):  # two approvals storing one new picture at once: one wins
        try:
            with engine.begin() as connection:
                _store_blobs(connection, files)
                inserted = connection.execute(approvals.insert().values(**values))
                approval_id = inserted.inserted_primary_key[0]
                connection.execute(approval_files.insert(), [
                    {"approval_id": approval_id, "language": f.language, "name": f.name,
                     "sha256": f.sha256} for f in files
                ])  # fmt: skip
            break
        except sa.exc.IntegrityError:
            if attempt == 2:
                raise
    found = get(engine, approval_id)
    assert found is not None
    return found


def _store_blobs(connection: Connection, files: list[EditionFile]) -> None:
    wanted = {f.sha256: f.data for f in files}
    present = set(connection.execute(
        sa.select(approved_blobs.c.sha256).where(approved_blobs.c.sha256.in_(list(wanted)))
    ).scalars())  # fmt: skip
    missing = [{"sha256": sha, "data": data} for sha, data in wanted.items() if sha not in present]
    if missing:
        connection.execute(approved_blobs.insert(), missing)


def approvals_of(engine: Engine, issue_id: str) -> list[Approval]:
    """Every approval (and snapshot) of an issue, oldest first."""
    query = sa.select(approvals).where(approvals.c.issue_id == issue_id)
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(approvals.c.id)).mappings().all()
    return [_approval(row) for row in rows]


def get(engine: Engine, approval_id: int) -> Approval | None:
    """One approval by its id."""
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(approvals).where(approvals.c.id == approval_id)
        ).mappings().first()  # fmt: skip
    return _approval(row) if row else None


def _approval(row) -> Approval:  # type: ignore[no-untyped-def]
    at = row["approved_at"]
    return Approval(
        row["id"], row["issue_id"], row["issue_path"], row["approved_by"],
        at if at.tzinfo else at.replace(tzinfo=dt.UTC),  # SQLite gives it back without
        row["sources_hash"], dict(row["sources"]), row["editions_hash"],
        row["languages"].split(","),
    )  # fmt: skip


def stored_files(engine: Engine, approval: Approval) -> dict[tuple[str, str], bytes]:
    """The bytes of every file the approval covers, ``(language, name) → bytes``, each
    checked against the hash recorded at approval (a changed byte is refused)."""
    query = (
        sa.select(approval_files.c.language, approval_files.c.name, approval_files.c.sha256,
                  approved_blobs.c.data)
        .join(approved_blobs, approved_blobs.c.sha256 == approval_files.c.sha256)
        .where(approval_files.c.approval_id == approval.id)
    )  # fmt: skip
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    files = {}
    for language, name, sha, data in rows:
        if hashlib.sha256(data).hexdigest() != sha:
            raise NewsletterError(f"the stored {language}/{name} of approval {approval.id} "
                                  "does not match its hash: approve the issue again")  # fmt: skip
        files[language, name] = bytes(data)
    return files


def bind_send(engine: Engine, send_id: str, approval: Approval) -> None:
    """Record which approval a journaled send carries (a new or a scheduled send)."""
    with engine.begin() as connection:
        connection.execute(sends.update().where(sends.c.id == send_id)
                           .values(approval_id=approval.id))  # fmt: skip


def approval_of_send(engine: Engine, send_id: str) -> Approval | None:
    """The approval a send carries (None: a send made before approvals existed)."""
    with engine.connect() as connection:
        approval_id = connection.execute(
            sa.select(sends.c.approval_id).where(sends.c.id == send_id)
        ).scalar()  # fmt: skip
    return get(engine, approval_id) if approval_id else None


@dataclass(frozen=True)
class RecordedTestSend:
    """A test send (`send --to`) as `newsletter sends` lists it."""

    issue_id: str
    sent_at: dt.datetime
    recipients: int
    approval: Approval | None  # the folder was approved as it was then; None: a draft


def record_test_send(engine: Engine, issue_id: str, recipients: int,
                     sources: dict[str, str], approval: Approval | None) -> None:  # fmt: skip
    """Mark a test send in the records (no addresses: only how many)."""
    with engine.begin() as connection:
        connection.execute(test_sends.insert().values(
            issue_id=issue_id, sent_at=now(), recipients=recipients,
            sources_hash=manifest_hash(sources), approval_id=approval.id if approval else None,
        ))  # fmt: skip


def list_test_sends(engine: Engine) -> list[RecordedTestSend]:
    """Every test send, newest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(test_sends).order_by(test_sends.c.id.desc())
        ).mappings().all()  # fmt: skip
    return [
        RecordedTestSend(row["issue_id"],
                 row["sent_at"] if row["sent_at"].tzinfo else row["sent_at"].replace(tzinfo=dt.UTC),
                 row["recipients"], get(engine, row["approval_id"]) if row["approval_id"] else None)
        for row in rows
    ]  # fmt: skip
