"""A person's data requests (GDPR articles 15 and 17): everything we hold, and erasure.

``person_data`` gathers what the list stores about one address — the subscriber row, the
consent record, the journal of every send that listed them — as one plain document, so
that an answer to an access request is one command, not a query written by hand.

``forget`` erases it. The rows stay (the journal's counts and the record of consent keep
adding up, and foreign keys stay whole), but nothing in them names the person any more:
the address and name are gone from the subscriber row, the network and details from their
consent events, and the address from every free text (a server's reply such as
``jan@example.com: 550 5.1.1 unknown user`` in the journal or an event's source). A keyed
hash of the address is kept (:mod:`newsletter.deliver.forgotten`) so that no later
import puts them back, and one ``forgotten`` event says that an erasure happened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver import consent, forgotten
from newsletter.deliver import subscribers as subs
from newsletter.deliver.db import (
    bounce_messages,
    bounce_scores,
    consent_events,
    deliveries,
    now,
    sends,
    subscribers,
)
from newsletter.deliver.messages import envelope
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
    """What ``forget`` did: whether the address was on the list, and rows scrubbed."""

    listed: bool
    events: int = 0
    deliveries: int = 0


def forget(engine: Engine, email: str, key: bytes) -> Erasure:
    """Erase the person with this address (see the module's docstring); one transaction.

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
        if row is None:
            return Erasure(listed=False)
        pattern = _personal(row.email, row.name)
        events = _scrub_events(connection, row.id, pattern)
        journal = _scrub_journal(connection, row.id, pattern)
        _scrub_bounces(connection, row.id, row.email, row.name)
        moment = now()
        connection.execute(
            subscribers.update()
            .where(subscribers.c.id == row.id)
            .values(email="", email_key=f"forgotten:{row.id}", name=None, language=None,
                    source=None, status=subs.FORGOTTEN, subscribed_at=None,
                    unsubscribed_at=None, updated_at=moment)
        )  # fmt: skip
        consent.record(connection, row.id, consent.FORGOTTEN, FORGET_SOURCE)
    return Erasure(True, events, journal)


def _personal(email: str, name: str | None) -> re.Pattern[str]:
    """The address (as stored and as sent, IDNA domain) and the name, in any letter case."""
    forms = {email}
    with contextlib.suppress(NewsletterError, ValueError, UnicodeError):
        forms.add(envelope(email).address)
    if name and len(name.strip()) >= 3:  # a name of one or two letters would eat words
        forms.add(name.strip())
    alternatives = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in alternatives), re.IGNORECASE)


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


def _scrub_bounces(connection: Connection, subscriber_id: int, email: str,
                   name: str | None) -> None:  # fmt: skip
    """Bounce reports about the person lose their text and score; a message kept aside
    (attributed to nobody) that names them keeps its bytes with the address and name
    blanked out: still there to look at, no longer about anyone."""
    connection.execute(bounce_scores.delete().where(bounce_scores.c.subscriber_id == subscriber_id))
    connection.execute(
        bounce_messages.update()
        .where(bounce_messages.c.subscriber_id == subscriber_id)
        .values(detail=None, raw=None)
    )
    forms = {email.encode(), *(_encoded_forms(email))}
    if name and len(name.strip()) >= 3:
        forms.add(name.strip().encode())
    binary = re.compile(b"|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)),
                        re.IGNORECASE)  # fmt: skip
    kept = connection.execute(
        sa.select(bounce_messages.c.id, bounce_messages.c.raw, bounce_messages.c.detail)
        .where(bounce_messages.c.raw.is_not(None))
    ).all()  # fmt: skip
    for message_id, raw, detail in kept:
        cleaned = binary.sub(ERASED.encode(), raw)
        if cleaned != raw:
            text = binary.sub(ERASED.encode(), (detail or "").encode()).decode(errors="replace")
            connection.execute(
                bounce_messages.update()
                .where(bounce_messages.c.id == message_id)
                .values(raw=cleaned, detail=text or None)
            )


def _encoded_forms(email: str) -> set[bytes]:
    """The address as a message's bytes may carry it: as sent (IDNA domain) and UTF-8."""
    forms = {email.encode("utf-8")}
    with contextlib.suppress(NewsletterError, ValueError, UnicodeError):
        forms.add(envelope(email).address.encode("utf-8"))
    return forms


def allow_back(engine: Engine, email: str, key: bytes) -> bool:
    """An operator lets a forgotten person sign up again through the form (double
    opt-in); True when the address was forgotten. Nothing is added."""
    with engine.begin() as connection:
        return forgotten.allow_signup(connection, key, email)
