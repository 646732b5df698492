"""The send journal: one row per recipient, claimed by workers in small leased batches.

The guarantee after ``kill -9`` at any moment: nobody is lost, and at most the messages in
flight are sent twice. It comes from four rules:

1. Before the first message, the whole recipient list of the send is written to the
   ``deliveries`` journal in one transaction (``INSERT … SELECT``: the list never passes
   through Python, so memory stays flat on 100,000 recipients). Either the send exists
   with its complete list, or it does not exist at all.
2. A worker *claims* a few rows at a time: it writes its name and a lease expiry on them.
   Any number of workers — threads, processes, machines on one PostgreSQL — share a send,
   and none takes a row another one holds. A live worker renews its leases; a dead one's
   expire and are taken over (on this machine at once: its process id is gone).
3. A row is committed as sent soon after the server's reply, and a connection sends the
   final dot of its next message (the moment the server takes it) only once that commit
   is done. The commit runs while the next message's envelope and body go out, instead
   of between the two messages; the outcomes of all connections are written together
   (group commit), so there are far fewer transactions than messages; and a kill can
   only hit messages between a reply and its commit: one per connection. A commit that
   fails (a locked database, a full disk) holds the connections the same way: an
   outcome counts as committed only once its commit succeeded.
4. A row goes out only while its lease is ours: the expiry this worker knows it holds
   is checked before the message and again before its final dot, so a worker frozen
   past its lease does not send the rows another one took over meanwhile.

Running the same send again — or twice at once — takes the rows that are still pending or
deferred and carries on.

This module holds the journal's rows and statuses: writing a send's list, counting it,
reopening failed rows. The rules run in the outbox (outbox.py) and its parts: claims
(claims.py), leases (leases.py), the group commit (group_commit.py) and, on PostgreSQL,
the connections the hot path holds (lanes.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import deliveries, now, sends, subscribers
from newsletter.deliver.sending.control import RUNNING, SCHEDULED
from newsletter.deliver.sending.messages import Recipient
from newsletter.exceptions import NewsletterError

PENDING, SENT, FAILED, DEFERRED, SKIPPED = "pending", "sent", "failed", "deferred", "skipped"
RETRY = "retry"  # refused for now (4xx): waits in the journal for its next attempt
UNKNOWN = "unknown"  # DATA sent, reply never came: the server may have it (--resend-unknown)
BOUNCED = "bounced"  # recorded as failed in the journal, and the subscriber marked bounced
STATUSES = (PENDING, RETRY, SENT, FAILED, DEFERRED, SKIPPED, UNKNOWN)
OPEN = (PENDING, RETRY)  # rows a worker may still claim
LEASE_SECONDS = 60.0
RECHECK_SECONDS = 0.02  # the send's state and the readers' statuses, at most this old
# What admit() says of a claimed row about to go out.
GO = "go"
HALT = "halt"  # the send is paused or cancelled: leave the row (close() gives it back)
LEFT = "left"  # the reader left the list since the claim: record it skipped
LOST = "lost"  # our lease ran out (or another worker holds the row): leave it


@dataclass(frozen=True)
class Send:
    """A send as journaled: its id, its issue and the key of its Message-IDs."""

    id: str
    issue_id: str
    message_key: str
    recipients: int
    resumed: bool
    state: str = RUNNING  # see newsletter/deliver/sending/control.py


@dataclass(frozen=True)
class Outcome:
    """What happened to one message: the row's new status, attempts so far and reply."""

    recipient: Recipient
    status: str
    attempts: int
    reply: str
    retry_at: float | None = None  # epoch seconds, for RETRY


def prepare_send(
    engine: Engine,
    send_id: str,
    issue_id: str,
    languages: Sequence[str] = (),
    main_language: str | None = None,
) -> Send:
    """Find the send, or create it with its whole recipient list in one transaction.

    Each row gets the language of the edition it will carry: the subscriber's when the
    issue has it (``languages``), else ``main_language``. Two runs that start together
    both end up with the one send: the loser of the insert reads the winner's.

    A scheduled send is started: its list journaled now, its state made running. A
    paused, cancelled or done send is returned as it is (``state`` says which).
    """
    try:
        return _prepare(engine, send_id, issue_id, languages, main_language)
    except (sa.exc.IntegrityError, _StartedElsewhere):  # created or started meanwhile
        return _prepare(engine, send_id, issue_id, languages, main_language)


class _StartedElsewhere(Exception):
    """Another process moved the scheduled send to running between our read and write."""


def _prepare(
    engine: Engine,
    send_id: str,
    issue_id: str,
    languages: Sequence[str],
    main_language: str | None,
) -> Send:
    with engine.begin() as connection:
        row = connection.execute(sa.select(sends).where(sends.c.id == send_id)).mappings().first()
        if row:
            if row["issue_id"] != issue_id:
                raise NewsletterError(
                    f"send '{send_id}' was made for issue {row['issue_id']}, not {issue_id}: "
                    "choose another --send-id"
                )
            key, state = row["message_key"], row["state"]
            if state != SCHEDULED:
                return Send(send_id, issue_id, key, row["recipients"], True, state)
            # A scheduled send starts now: its list is the list of this moment. Only the
            # process whose UPDATE moves it out of "scheduled" journals it.
            started = connection.execute(
                sends.update()
                .where(sends.c.id == send_id)
                .where(sends.c.state == SCHEDULED)
                .values(state=RUNNING)
            ).rowcount
            if not started:
                raise _StartedElsewhere(send_id)
        else:
            key = secrets.token_hex(8)
            connection.execute(
                sends.insert().values(
                    id=send_id, issue_id=issue_id, message_key=key, recipients=0,
                    created_at=now(), state=RUNNING,
                )
            )  # fmt: skip
        listed = _journal_list(connection, send_id, languages, main_language)
    _analyze(engine)
    return Send(send_id, issue_id, key, listed, False)


def _analyze(engine: Engine) -> None:
    """PostgreSQL: fresh statistics of the journal once a send's list is in it.

    Statistics from before (an empty journal, or one a tenth the size) made the planner
    find a row of the new send by walking all of them: an outcome's UPDATE took 114 ms
    and a claim 3 s on 1,000,000 rows, until autovacuum came by (EXPLAIN ANALYZE,
    docs/delivery.md). ANALYZE samples 30,000 rows whatever the size: 74 ms there.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE deliveries")


def _journal_list(
    connection: Connection, send_id: str, languages: Sequence[str], main_language: str | None
) -> int:
    """Every subscriber of this moment into the journal, with the language of their
    edition; returns how many."""
    if languages:
        language: sa.ColumnElement = sa.case(
            (subscribers.c.language.in_(list(languages)), subscribers.c.language),
            else_=sa.literal(main_language),
        )
    else:
        language = sa.literal(main_language, sa.String)
    connection.execute(
        deliveries.insert().from_select(
            ["send_id", "subscriber_id", "status", "attempts", "language"],
            sa.select(
                sa.literal(send_id),
                subscribers.c.id,
                sa.literal(PENDING),
                sa.literal(0),
                language,
            ).where(subscribers.c.status == subs.SUBSCRIBED),
        )
    )
    # Counted, not taken from the driver: psycopg reports -1 rows for INSERT … SELECT.
    listed = connection.execute(
        sa.select(sa.func.count()).select_from(deliveries).where(deliveries.c.send_id == send_id)
    ).scalar_one()
    if not listed:  # raising rolls the new send back: a later run starts afresh
        raise NewsletterError("the list has no subscribers: nothing to send")
    connection.execute(sends.update().where(sends.c.id == send_id).values(recipients=listed))
    return listed


def journal_counts(engine: Engine, send_id: str, language: str | None = None) -> dict[str, int]:
    """Rows of a send per status (every status present), of one language if given."""
    query = (
        sa.select(deliveries.c.status, sa.func.count())
        .where(deliveries.c.send_id == send_id)
        .group_by(deliveries.c.status)
    )
    if language:
        query = query.where(deliveries.c.language == language)
    with engine.connect() as connection:
        counted = dict(connection.execute(query).all())
    return {s: counted.get(s, 0) for s in STATUSES}


def reopen_failed(engine: Engine, send_id: str, language: str | None = None) -> int:
    """Put the send's failed rows back in the queue (``send --retry-failed``); how many.

    Only the rows of people still subscribed: a hard bounce took its address off the list
    (and so did an unsubscribe, a complaint or an erasure since), so those stay failed.
    One UPDATE, before any worker starts: from then on the rows are ordinary pending
    rows, claimed and leased like the rest, so a run killed during the retry resumes
    with the same command (or plain ``send``, or the worker) and nobody gets two but the
    messages in flight. Done once by the command, not by each worker process, so a row
    that fails again during this run is not retried a second time by a late starter.
    """
    still_listed = sa.select(subscribers.c.id).where(subscribers.c.status == subs.SUBSCRIBED)
    query = (
        deliveries.update()
        .where(deliveries.c.send_id == send_id)
        .where(deliveries.c.status == FAILED)
        .where(deliveries.c.subscriber_id.in_(still_listed))
        .values(status=PENDING, attempts=0, next_attempt_at=None, lease_owner=None,
                lease_until=None)
    )  # fmt: skip
    if language:
        query = query.where(deliveries.c.language == language)
    with engine.begin() as connection:
        return connection.execute(query).rowcount
