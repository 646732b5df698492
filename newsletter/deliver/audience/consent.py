"""The consent record: an append-only history of what each person agreed to and withdrew.

EU law asks a sender to be able to show when, where and how each person consented, and
to which text (listmonk #1106, #1329). The subscriber row says only how things stand
now; every change to it that a person or an editor caused is appended here as an event,
with its source (the form, an import file and line, a command), the version of the
consent text shown, and the network the request came from. Rows are never updated or
deleted, so the history cannot be rewritten by a later change.

IP addresses are truncated, not hashed: IPv4 to its /24 and IPv6 to its /48. A hash of
an IPv4 address is reversed by trying all 2³² of them in minutes, and a keyed hash says
nothing an auditor can read (and nothing at all once the key is rotated); the network
prefix still shows the provider and rough place a request came from, which is what
evidence of consent needs, without naming one household's connection.
The one exception to "never updated": a person's right to erasure outranks the record.
``subscribers forget`` (:mod:`newsletter.deliver.audience.data_requests`) blanks the network and
details of their events and takes their address out of every source text, keeping kind,
time, consent version and the rest of the source, and appends a ``forgotten`` event that
says only that an erasure happened.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver.db import consent_events, now, subscribers

SUBSCRIBED = "subscribed"  # asked to join through the form (not on the list until confirmed)
CONFIRMED = "confirmed"  # opened the confirmation link and pressed the button
CHANGED = "changed"  # changed their preferences (language, name)
UNSUBSCRIBED = "unsubscribed"
IMPORTED = "imported"  # put on the list by an editor: import or `subscribers add`
EXPIRED = "expired"  # a sign-up never confirmed, dropped after its link expired
BOUNCED = "bounced"
COMPLAINED = "complained"
FORGOTTEN = "forgotten"  # the person's data was erased on request (the event holds none)
KINDS = (
    SUBSCRIBED, CONFIRMED, CHANGED, UNSUBSCRIBED, IMPORTED, EXPIRED, BOUNCED, COMPLAINED,
    FORGOTTEN,
)  # fmt: skip


@dataclass(frozen=True)
class Earlier:
    """A step of a person's consent taken in another tool (an opt-in, a confirmation in
    Mailchimp), recorded at its own time, before the import's own event."""

    kind: str  # SUBSCRIBED or CONFIRMED
    at: dt.datetime
    source: str
    ip: str | None = None


@dataclass(frozen=True)
class Event:
    """One row of a person's history."""

    id: int
    subscriber_id: int
    kind: str
    at: dt.datetime
    source: str
    consent_version: str | None
    ip: str | None
    details: dict[str, Any]

    def describe(self) -> str:
        """One line for ``subscribers show``: time, kind, source, and what else is known."""
        parts = [f"{self.at:%Y-%m-%d %H:%M:%S}", f"{self.kind:<12}", self.source]
        if self.consent_version:
            parts.append(f"consent {self.consent_version}")
        if self.ip:
            parts.append(f"ip {self.ip}")
        parts += [f"{key}={value}" for key, value in sorted(self.details.items())]
        return "  ".join(parts)


def truncate_ip(address: str | None) -> str | None:
    """The network an address belongs to (IPv4 /24, IPv6 /48), as stored; None if unknown."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def record(
    connection: Connection,
    subscriber_id: int,
    kind: str,
    source: str,
    *,
    consent_version: str | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Append one event in the caller's transaction; its id. ``ip`` is truncated here, so
    a full address never reaches the database. ``at``: when it happened, if not now (a
    step taken in another tool, kept with its own time)."""
    assert kind in KINDS, kind
    # One statement, values bound as parameters: building .values(...) per event cost
    # more than the INSERT itself (an import of 10,000 people writes 30,000 events).
    result = connection.execute(_INSERT, {
        "subscriber_id": subscriber_id, "kind": kind, "at": at or now(),
        "source": source[:300], "consent_version": consent_version, "ip": truncate_ip(ip),
        "details": details or {},
    })
    return result.inserted_primary_key[0]


_INSERT = consent_events.insert()


def event(connection: Connection, event_id: int) -> Event | None:
    """One event by id (a confirmation link names the sign-up event it confirms)."""
    row = connection.execute(
        sa.select(consent_events).where(consent_events.c.id == event_id)
    ).first()
    return _event(row) if row else None


def later_events(connection: Connection, after: Event) -> list[Event]:
    """The same person's events after ``after``, oldest first."""
    rows = connection.execute(
        sa.select(consent_events)
        .where(consent_events.c.subscriber_id == after.subscriber_id)
        .where(consent_events.c.id > after.id)
        .order_by(consent_events.c.id)
    )
    return [_event(row) for row in rows]


def history(engine: Engine, email: str) -> list[Event]:
    """Every event of the person with this address, oldest first (empty if unknown)."""
    query = (
        sa.select(consent_events)
        .join(subscribers, subscribers.c.id == consent_events.c.subscriber_id)
        .where(subscribers.c.email_key == email.strip().lower())
        .order_by(consent_events.c.id)
    )
    with engine.connect() as connection:
        return [_event(row) for row in connection.execute(query)]


def _event(row: Any) -> Event:
    return Event(
        row.id, row.subscriber_id, row.kind, row.at, row.source, row.consent_version, row.ip,
        dict(row.details or {}),
    )  # fmt: skip
