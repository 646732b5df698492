"""What became of a send: its journal counted, what came back later, who did not get it.

The journal says what the relay answered: sent (accepted), failed (refused for good;
``bounced`` when the refusal also took the address off the list), deferred (refused for
now, five times), unknown (no reply after the message), skipped (left the list before
their turn) and pending (not tried yet, or waiting for a retry). What happened after the
relay accepted a message comes back as consent events — ``bounced`` and ``complained``
(written by ``newsletter bounces``) and ``unsubscribed`` — and is counted here for the
send's recipients from the moment the send started (by time: an unsubscribe in that
window may have come from an older issue's link).

Everything is counted in the database (GROUP BY), so a report on 100,000 rows reads no
more than a few dozen rows into Python; the CSV of who did not get it is streamed.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver.audience import consent
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import consent_events, deliveries, sends, subscribers
from newsletter.deliver.sending.journal import (
    DEFERRED,
    FAILED,
    PENDING,
    RETRY,
    SENT,
    SKIPPED,
    UNKNOWN,
)
from newsletter.exceptions import NewsletterError

BOUNCED = "bounced"  # a failed row whose refusal marked the subscriber bounced
ORDER = (SENT, FAILED, BOUNCED, DEFERRED, UNKNOWN, SKIPPED, PENDING)
LATER_KINDS = (consent.BOUNCED, consent.COMPLAINED, consent.UNSUBSCRIBED)
CSV_COLUMNS = ("email", "name", "status", "reply", "attempts")


@dataclass(frozen=True)
class SendReport:
    """One send's outcome: rows per status (per language too), later events per kind."""

    send_id: str
    issue_id: str
    state: str
    started: dt.datetime
    recipients: int
    counts: dict[str, int]
    languages: dict[str, dict[str, int]] = field(default_factory=dict)
    later: dict[str, int] = field(default_factory=dict)

    @property
    def not_delivered(self) -> int:
        return sum(n for status, n in self.counts.items() if status != SENT)


def _bounced_here(send_id: str) -> sa.Select:
    """Subscribers this send's own refusals marked bounced (their event's source is
    ``send <id>: <reply>``, see the journal)."""
    prefix = send_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (
        sa.select(consent_events.c.subscriber_id)
        .where(consent_events.c.kind == consent.BOUNCED)
        .where(consent_events.c.source.like(f"send {prefix}: %", escape="\\"))
    )


def _status_column(send_id: str) -> sa.ColumnElement:
    """The row's status as the report names it: retry is pending, a bounce is bounced."""
    bounced = sa.and_(
        deliveries.c.status == FAILED, deliveries.c.subscriber_id.in_(_bounced_here(send_id))
    )
    return sa.case(
        (deliveries.c.status == RETRY, sa.literal(PENDING)),
        (bounced, sa.literal(BOUNCED)),
        else_=deliveries.c.status,
    )


def send_report(engine: Engine, send_id: str) -> SendReport:
    """Count a send's journal and what came back later; NewsletterError if no such send."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(sends).where(sends.c.id == send_id)).mappings().first()
        if row is None:
            raise NewsletterError(f"no send '{send_id}' (`newsletter sends` lists them)")
        started = _started(row["created_at"], row["start_at"])
        status = _status_column(send_id).label("status")
        counted = connection.execute(
            sa.select(deliveries.c.language, status, sa.func.count())
            .where(deliveries.c.send_id == send_id)
            .group_by(deliveries.c.language, status)
        ).all()  # fmt: skip
        later = _later(connection, send_id, started)
    totals: Counter[str] = Counter()
    languages: dict[str, dict[str, int]] = {}
    for language, name, number in counted:
        totals[name] += number
        per = languages.setdefault(language or "-", dict.fromkeys(ORDER, 0))
        per[name] = per.get(name, 0) + number
    return SendReport(
        send_id, row["issue_id"], row["state"], started, row["recipients"],
        {name: totals.get(name, 0) for name in ORDER},
        languages if len(languages) > 1 else {}, later,
    )  # fmt: skip


def _started(created: dt.datetime, start_at: float | None) -> dt.datetime:
    """When the send started: its scheduled time, else its creation (UTC)."""
    if start_at:
        return dt.datetime.fromtimestamp(start_at, dt.UTC)
    return created if created.tzinfo else created.replace(tzinfo=dt.UTC)


def _later(connection: Connection, send_id: str, started: dt.datetime) -> dict[str, int]:
    """Bounces, complaints and unsubscribes of the send's recipients since it started,
    apart from the bounces the send's own refusals recorded (counted in the journal)."""
    recipients = sa.select(deliveries.c.subscriber_id).where(deliveries.c.send_id == send_id)
    prefix = send_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = connection.execute(
        sa.select(consent_events.c.kind, sa.func.count(sa.distinct(consent_events.c.subscriber_id)))
        .where(consent_events.c.subscriber_id.in_(recipients))
        .where(consent_events.c.kind.in_(LATER_KINDS))
        .where(consent_events.c.at >= started)
        .where(~consent_events.c.source.like(f"send {prefix}: %", escape="\\"))
        .group_by(consent_events.c.kind)
    ).all()  # fmt: skip
    counted = dict(rows)
    return {kind: counted.get(kind, 0) for kind in LATER_KINDS}


def write_undelivered(engine: Engine, send_id: str, out: TextIO) -> tuple[int, int]:
    """CSV of the send's recipients who did not get it (every status but sent): address,
    name, status, the server's last reply, attempts. Cells a spreadsheet would run as a
    formula are neutralised. Returns (rows written, forgotten people left out: they have
    no address any more)."""
    status = _status_column(send_id).label("status")
    query = (
        sa.select(subscribers.c.email, subscribers.c.name, subscribers.c.status.label("person"),
                  status, deliveries.c.reply, deliveries.c.attempts)
        .join(subscribers, subscribers.c.id == deliveries.c.subscriber_id)
        .where(deliveries.c.send_id == send_id)
        .where(deliveries.c.status != SENT)
        .order_by(deliveries.c.subscriber_id)
    )  # fmt: skip
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    written = left_out = 0
    with engine.connect() as connection:
        if connection.execute(sa.select(sends.c.id).where(sends.c.id == send_id)).first() is None:
            raise NewsletterError(f"no send '{send_id}' (`newsletter sends` lists them)")
        for row in connection.execution_options(yield_per=2000).execute(query):
            if row.person == subs.FORGOTTEN:
                left_out += 1
                continue
            cells = (row.email, row.name or "", row.status, row.reply or "")
            writer.writerow([subs.neutralise_formula(c) for c in cells] + [row.attempts])
            written += 1
    return written, left_out
