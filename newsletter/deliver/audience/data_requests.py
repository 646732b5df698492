"""A person's data requests (GDPR articles 15 and 17): everything we hold, and erasure.

``person_data`` gathers what the list stores about one address — the subscriber row, the
consent record, the journal of every send that listed them — as one plain document, so
that an answer to an access request is one command, not a query written by hand.

``forget`` erases it. The rows stay (the journal's counts and the record of consent keep
adding up, and foreign keys stay whole), but nothing in them names the person any more:
the address and name are gone from the subscriber row, the network and details from their
consent events, and the address from every free text (a server's reply such as
``jan@example.com: 550 5.1.1 unknown user`` in the journal or an event's source). A keyed
hash of the address is kept (:mod:`newsletter.deliver.audience.forgotten`) so that no later
import puts them back, and one ``forgotten`` event says that an erasure happened.

Other people's records may name them too (a consent source "recommended by Jan…", a
bounce about someone else, a message kept aside), and not always in plain text: every
free-text column of the schema (:data:`FREE_TEXT`) is searched with everything decoded
(:mod:`newsletter.deliver.audience.traces`). Last, the copies a database keeps of what was
overwritten are cleared: SQLite's write-ahead log, PostgreSQL's dead row versions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver.audience import consent, forgotten, traces
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import (
    bounce_messages,
    bounce_scores,
    consent_events,
    deliveries,
    metadata,
    now,
    sends,
    subscribers,
)
from newsletter.deliver.sending.messages import envelope
from newsletter.exceptions import NewsletterError

ERASED = "[forgotten]"
"""What stands in free text where a forgotten person's address or name was."""
FORGET_SOURCE = "command: subscribers forget"


def person_data(engine: Engine, email: str) -> dict[str, Any] | None:
    """Everything stored about the person with this address, as JSON-ready data (keys in
    a fixed order, times in ISO 8601 UTC); None when the address is not on the list."""
    key = forgotten.address_key(email)
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(subscribers).where(subscribers.c.email_key == key)
        ).mappings().first()  # fmt: skip
        if row is None:
            return None
        events = connection.execute(
            sa.select(consent_events)
            .where(consent_events.c.subscriber_id == row["id"])
            .order_by(consent_events.c.id)
        ).mappings().all()  # fmt: skip
        journal = connection.execute(
            sa.select(deliveries, sends.c.issue_id, sends.c.created_at.label("send_created_at"))
            .join(sends, sends.c.id == deliveries.c.send_id)
            .where(deliveries.c.subscriber_id == row["id"])
            .order_by(sends.c.created_at, sends.c.id)
        ).mappings().all()  # fmt: skip
        bounces = connection.execute(
            sa.select(bounce_messages.c.at, bounce_messages.c.source, bounce_messages.c.outcome,
                      bounce_messages.c.message_key, bounce_messages.c.detail)
            .where(bounce_messages.c.subscriber_id == row["id"])
            .order_by(bounce_messages.c.id)
        ).mappings().all()  # fmt: skip
        score = connection.execute(
            sa.select(bounce_scores.c.score, bounce_scores.c.last_day)
            .where(bounce_scores.c.subscriber_id == row["id"])
        ).mappings().first()  # fmt: skip
    return {
        "subscriber": {column.name: _plain(row[column.name]) for column in subscribers.c},
        "consent_events": [
            {column.name: _plain(event[column.name]) for column in consent_events.c}
            for event in events
        ],
        "deliveries": [
            {
                "send_id": entry["send_id"],
                "issue_id": entry["issue_id"],
                "send_created_at": _plain(entry["send_created_at"]),
                "status": entry["status"],
                "language": entry["language"],
                "attempts": entry["attempts"],
                "reply": entry["reply"],
                "updated_at": _plain(entry["updated_at"]),
            }
            for entry in journal
        ],
        "bounce_reports": [{name: _plain(value) for name, value in b.items()} for b in bounces],
        "bounce_score": {name: _plain(value) for name, value in score.items()} if score else None,
    }


def _plain(value: Any) -> Any:
    """A stored value as JSON has it: times in ISO 8601 UTC (SQLite's come back naive)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    return value


@dataclass(frozen=True)
class Erasure:
    """What ``forget`` did: whether the address was on the list, rows scrubbed, and a
    warning when the database could not be cleared of old copies at once."""

    listed: bool
    events: int = 0
    deliveries: int = 0
    others: int = 0  # rows of other records (other people's, kept messages) that named them
    kept: int = 0  # messages kept aside whose bytes were erased because they named them
    warning: str | None = None


FREE_TEXT: dict[str, dict[str, str]] = {
    "subscribers": {"name": "own name", "source": "text"},
    "consent_events": {"source": "text", "details": "json"},
    "deliveries": {"reply": "text"},
    "sends": {"issue_path": "text", "options": "json text"},
    "bounce_messages": {"fingerprint": "unique text", "source": "text", "detail": "text",
                        "raw": "message"},
    "approvals": {"approved_by": "own name", "issue_path": "text"},
}  # fmt: skip
"""Every column that can hold someone's address or name in free text, of anyone's row:
``forget`` searches each (how: ``text``, JSON, a whole message's bytes). ``own name``:
another subscriber's name may be the same as the person's (two Jan Kowalskis): it is
theirs, and only an address in it is taken out."""
NOT_FREE_TEXT = {
    "subscribers": ("email", "email_key", "language", "status"),  # each row's own address
    "sends": ("id", "issue_id", "message_key", "state"),
    "deliveries": ("send_id", "status", "language", "lease_owner"),
    "consent_events": ("kind", "consent_version", "ip"),
    "forgotten": ("address_hash", "key_id"),
    "bounce_messages": ("outcome", "message_key"),
    # what editors wrote and approved, and hashes of it: no subscriber's data
    "approvals": ("issue_id", "sources_hash", "sources", "editions_hash", "languages"),
    "approval_files": ("language", "name", "sha256"),
    "approved_blobs": ("sha256", "data"),
    "test_sends": ("issue_id", "sources_hash"),
    # keyed hashes of readers' networks and addresses (app/limits.py), and used salts
    "rate_limits": ("key",),
}
"""Text columns that hold codes, keys and each row's own address, never free text."""
VACUUMED = ("subscribers", "consent_events", "deliveries", "sends", "bounce_messages",
            "bounce_scores", "approvals")  # fmt: skip
"""The tables ``forget`` writes to (PostgreSQL keeps their old row versions until VACUUM)."""


def forget(engine: Engine, email: str, key: bytes) -> Erasure:
    """Erase the person with this address (see the module's docstring); one transaction,
    then the old copies of what it overwrote are cleared (:func:`clear_old_versions`).

    An address not on the list is still remembered as forgotten (someone may ask before
    an import would have added them). ``key``: NEWSLETTER_SECRET, the key of the hash.
    """
    address = email.strip()
    if not address or "@" not in address:
        raise NewsletterError(f"'{address}' is not an e-mail address")
    # As import and add normalise it, so the hash is the one they compute; an address
    # stored by another route may not pass: it is erased as it is.
    with contextlib.suppress(subs.InvalidSubscriber):
        address = subs.check_address(address, smtputf8=True)
    with engine.begin() as connection:
        row = connection.execute(
            sa.select(subscribers.c.id, subscribers.c.email, subscribers.c.name)
            .where(subscribers.c.email_key == forgotten.address_key(address))
        ).first()  # fmt: skip
        forgotten.remember(connection, key, address)
        # Never listed, or forgotten before: other records may still name them.
        stored = row.email if row is not None else address
        person = _person(stored, row.name if row is not None else None)
        if row is not None:
            events = _scrub_events(connection, row.id, person.plain)
            journal = _scrub_journal(connection, row.id, person.plain)
            _drop_bounces(connection, row.id)
            moment = now()
            connection.execute(
                subscribers.update()
                .where(subscribers.c.id == row.id)
                .values(email="", email_key=f"forgotten:{row.id}", name=None, language=None,
                        source=None, status=subs.FORGOTTEN, subscribed_at=None,
                        unsubscribed_at=None, updated_at=moment)
            )  # fmt: skip
            consent.record(connection, row.id, consent.FORGOTTEN, FORGET_SOURCE)
        others, kept = _scrub_free_text(connection, person, _person(stored, None))
    warning = clear_old_versions(engine)
    if row is None:
        return Erasure(False, others=others, kept=kept, warning=warning)
    return Erasure(True, events, journal, others, kept, warning)


def _person(email: str, name: str | None) -> traces.Person:
    """The address (as stored and as sent, IDNA domain) and the name."""
    sent_as = None
    with contextlib.suppress(NewsletterError, ValueError, UnicodeError):
        sent_as = envelope(email).address
    return traces.Person.of(email, name, sent_as)


def _scrub_events(connection: Connection, subscriber_id: int, pattern: re.Pattern[str]) -> int:
    rows = connection.execute(
        sa.select(consent_events.c.id, consent_events.c.source)
        .where(consent_events.c.subscriber_id == subscriber_id)
    ).all()  # fmt: skip
    for event_id, source in rows:
        connection.execute(
            consent_events.update()
            .where(consent_events.c.id == event_id)
            .values(source=pattern.sub(ERASED, source), ip=None, details={})
        )
    return len(rows)


def _scrub_journal(connection: Connection, subscriber_id: int, pattern: re.Pattern[str]) -> int:
    """The person's journal rows keep send, status, attempts and language (the send's
    counts stay right); a reply naming them loses the name."""
    rows = connection.execute(
        sa.select(deliveries.c.send_id, deliveries.c.reply)
        .where(deliveries.c.subscriber_id == subscriber_id)
        .where(deliveries.c.reply.is_not(None))
    ).all()  # fmt: skip
    scrubbed = 0
    for send_id, reply in rows:
        cleaned = pattern.sub(ERASED, reply)
        if cleaned != reply:
            connection.execute(
                deliveries.update()
                .where(deliveries.c.send_id == send_id)
                .where(deliveries.c.subscriber_id == subscriber_id)
                .values(reply=cleaned)
            )
            scrubbed += 1
    return scrubbed


def _drop_bounces(connection: Connection, subscriber_id: int) -> None:
    """Bounce reports about the person lose their text, bytes and score (the outcome
    and time stay)."""
    connection.execute(bounce_scores.delete().where(bounce_scores.c.subscriber_id == subscriber_id))
    connection.execute(
        bounce_messages.update()
        .where(bounce_messages.c.subscriber_id == subscriber_id)
        .values(detail=None, raw=None)
    )


def _scrub_free_text(
    connection: Connection, person: traces.Person, address: traces.Person
) -> tuple[int, int]:
    """Every row of every table whose free text (:data:`FREE_TEXT`) names the person, in
    any encoding, gets :data:`ERASED` in its place; a message kept aside that names them
    loses its bytes (rewriting each encoded occurrence would leave the next encoding
    nobody thought of). ``address``: the person by address only, for other people's
    names. Returns (rows changed, messages erased)."""
    rows_changed = messages = 0
    for name, columns in FREE_TEXT.items():
        table = metadata.tables[name]
        keys = list(table.primary_key.columns)
        present = [table.c[c] for c in columns]
        query = sa.select(*keys, *present).where(sa.or_(*(c.is_not(None) for c in present)))
        updates = []
        for row in connection.execute(query).mappings():
            values: dict[str, Any] = {}
            for column, how in columns.items():
                value = row[column]
                if value is None:
                    continue
                if how == "message":
                    if person.named_in_message(value):
                        values[column] = None
                    continue
                cleaned = _scrubbed(value, how, address if how == "own name" else person)
                if cleaned != value:
                    values[column] = cleaned
            if "raw" in values:
                messages += 1
                reason = f"{ERASED} the message named a person who asked to be forgotten"
                values["detail"] = f"{reason}; {values.get('detail', row['detail']) or ''}"[:500]
            if "fingerprint" in values:  # unique: the row's own id keeps it so
                values["fingerprint"] = f"{ERASED}:{row['id']}"
            if values:
                updates.append(({k.name: row[k.name] for k in keys}, values))
        for key, values in updates:
            condition = sa.and_(*(table.c[k] == v for k, v in key.items()))
            connection.execute(table.update().where(condition).values(**values))
        rows_changed += len(updates)
    return rows_changed, messages


def _scrubbed(value: Any, how: str, person: traces.Person) -> Any:
    """A free-text value without the person: text, JSON data, or JSON kept as text."""
    if isinstance(value, str) and how == "json text":
        try:
            data = json.loads(value)
        except ValueError:
            return person.scrub(value, ERASED)
        cleaned = _scrubbed(data, "json", person)
        return value if cleaned == data else json.dumps(cleaned, ensure_ascii=False)
    if isinstance(value, str):
        return person.scrub(value, ERASED)
    if isinstance(value, dict):
        return {_scrubbed(k, "json", person): _scrubbed(v, "json", person)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [_scrubbed(v, "json", person) for v in value]
    return value


def clear_old_versions(engine: Engine) -> str | None:
    """Clear the copies a database keeps of overwritten rows; a warning when it could not.

    SQLite zeroes what is deleted or overwritten (``secure_delete``, set on every
    connection by :mod:`newsletter.deliver.db`), but the write-ahead log still holds the
    pages as they were: it is checkpointed and truncated. PostgreSQL keeps old row
    versions until VACUUM, which cannot run inside a transaction: it runs here, on its
    own connection, over the tables ``forget`` writes to.
    """
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
                if busy is not None and busy[0]:
                    return ("another process was reading the database, so its write-ahead "
                            "log (-wal file) still holds old copies of the erased data; run "
                            "the same `subscribers forget` again when `serve` and `send` "
                            "are stopped")  # fmt: skip
            elif engine.dialect.name == "postgresql":
                vacuum = connection.execution_options(isolation_level="AUTOCOMMIT")
                vacuum.exec_driver_sql(f"VACUUM {', '.join(VACUUMED)}")
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return (f"the erasure is saved, but old copies of the rows could not be cleared "
                f"now ({reason}); run the same `subscribers forget` again later")  # fmt: skip
    return None


def allow_back(engine: Engine, email: str, key: bytes) -> bool:
    """An operator lets a forgotten person sign up again through the form (double
    opt-in); True when the address was forgotten. Nothing is added."""
    with engine.begin() as connection:
        return forgotten.allow_signup(connection, key, email)
