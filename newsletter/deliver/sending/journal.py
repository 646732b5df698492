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
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import deliveries, now, sends, subscribers
from newsletter.deliver.sending.control import RUNNING, SCHEDULED
from newsletter.deliver.sending.lanes import Lanes
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


class LeaseLost(Exception):
    """The lease of a row ran out before its message was handed over (the renewal
    stalled): another worker may be sending it, so this one must not."""


class Saved:
    """An outcome handed to the journal; ``wait()`` returns once it is committed (and
    raises the database's error if the commit failed). An outcome whose commit failed
    is never ``done``: the connection waiting for it does not hand over another message.
    """

    __slots__ = ("_outbox", "_ticket")

    def __init__(self, outbox: JournalOutbox, ticket: int):
        self._outbox = outbox
        self._ticket = ticket

    @property
    def done(self) -> bool:
        return self._outbox._committed >= self._ticket

    def wait(self) -> None:
        if not self.done:
            self._outbox._wait(self._ticket)


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


def worker_name() -> str:
    """``host:pid:random``: unique per run, and says whether the process still lives."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _alive_here(owner: str) -> bool:
    """False only for a worker of this machine whose process is gone."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JournalOutbox:
    """The rows of a journaled send that are still to do, claimed in leased batches.

    ``language`` restricts the run to the rows of one edition. ``lease`` is how long a
    claim holds without renewal: a killed worker's rows wait that long on another machine.
    """

    def __init__(
        self,
        engine: Engine,
        send_id: str,
        *,
        language: str | None = None,
        lease: float = LEASE_SECONDS,
        resend_unknown: bool = False,
    ):
        self.engine = engine
        self.send_id = send_id
        self.language = language
        self.lease = lease
        self.resend_unknown = resend_unknown
        self.owner = worker_name()
        self._postgres = engine.dialect.name == "postgresql"
        self._lanes = Lanes(engine)  # PostgreSQL: a held connection per hot-path job
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        # Group commit: outcomes queue here; one waiting worker writes them all at once.
        self._commit = threading.Condition()
        self._queued: list[tuple[int, Outcome]] = []
        self._tickets = 0
        self._committed = 0
        self._committing = False
        self._error: BaseException | None = None
        self._renewal_error: BaseException | None = None
        # The rows claimed and not yet done, with the lease expiry this worker *knows* it
        # holds (a claim's or a renewal's, taken only once committed), so a message goes
        # out only while its row is ours; the margin covers the time to the final dot.
        self._held: dict[int, float] = {}
        self._margin = min(5.0, lease / 10)
        # admit(): the send's state and who left the list, read again every RECHECK.
        self.recheck = RECHECK_SECONDS
        self._checked = 0.0
        self._left: set[int] = set()
        self._checking = threading.Lock()
        self.skipped = 0
        self.state: str | None = RUNNING  # the send's state when last read
        self._claims = self._claim_statements()  # due retries first, then pending rows
        self._people = sa.select(
            subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.status
        ).where(subscribers.c.id.in_(sa.bindparam("ids", expanding=True)))
        self._record = (
            deliveries.update()
            .where(deliveries.c.send_id == sa.bindparam("send"))
            .where(deliveries.c.subscriber_id == sa.bindparam("subscriber"))
            .values(
                status=sa.bindparam("status"),
                attempts=sa.bindparam("attempts"),
                reply=sa.bindparam("reply"),
                updated_at=sa.bindparam("moment"),
                next_attempt_at=sa.bindparam("retry_at"),
                lease_owner=None,
                lease_until=None,
            )
        )

    def _claim_statements(self) -> list[Any]:
        """The claims of up to ``:limit`` free rows, due retries first, then pending rows,
        lowest subscriber first in each; run in turn until ``limit`` rows are taken.

        One status at a time, by equality: an index then hands the rows over in order
        (SQLite: deliveries_pending; PostgreSQL: the partial deliveries_open). With
        ``status IN (pending, retry)`` SQLite walked the primary key past every row already
        sent, on every claim: a claim took 6 ms at the end of 20,000 rows, and would take
        seconds near the end of a million. Built once: SQLAlchemy's statement building
        cost as much CPU as the query.
        """
        running = (
            sa.select(sends.c.id).where(sends.c.id == self.send_id).where(sends.c.state == RUNNING)
        )
        claim = deliveries.update()
        if not self._postgres:
            claim = claim.where(deliveries.c.send_id == self.send_id)
        claim = (
            claim.where(sa.exists(running))  # paused or cancelled: nothing more is claimed
            .values(lease_owner=self.owner, lease_until=sa.bindparam("until", type_=sa.Float))
            .returning(deliveries.c.subscriber_id, deliveries.c.language, deliveries.c.attempts)
        )
        if not self._postgres:
            column = deliveries.c.subscriber_id
            return [
                claim.where(column.in_(self._free(deliveries, status, column)))
                for status in (RETRY, PENDING)
            ]
        # PostgreSQL: one statement, one round trip. Both statuses' rows are chosen in
        # one list (retries first: UNION ALL keeps the order, and stops at the limit, so
        # the pending rows past it are not even locked), then found again by their
        # address (ctid = ANY(ARRAY(…))): the ARRAY is computed once (an InitPlan) and
        # read with a TID scan, whatever the planner believes of the table. Joined back
        # by key instead (IN, or a MATERIALIZED CTE), a planner with stale statistics (a
        # journal just written, reltuples 0) walked the whole send for every claim: 3.1 s
        # a claim on 1,000,000 rows (EXPLAIN ANALYZE, docs/delivery.md). The rows are
        # locked by the same statement, so their ctid cannot change before the UPDATE.
        # Each status in its own subquery: FOR UPDATE is not allowed in a UNION's arms.
        arms = []
        for status in (RETRY, PENDING):
            name = f"{status}_rows"
            ctid = sa.literal_column(f"{name}.ctid").label("ctid")
            free = self._free(deliveries.alias(name), status, ctid)
            rows = free.subquery(f"{status}_arm")
            arms.append(sa.select(rows.c.ctid))
        chosen = sa.union_all(*arms).limit(sa.bindparam("limit", type_=sa.Integer))
        address = sa.literal_column("deliveries.ctid")
        return [claim.where(address == sa.func.any(sa.func.array(chosen.scalar_subquery())))]

    def _free(self, table: sa.FromClause, status: str, column: sa.ColumnElement) -> Any:
        """``column`` of up to ``:limit`` rows of ``table`` (the journal or an alias of it)
        of one status that nobody holds and that are due, locked with SKIP LOCKED."""
        moment = sa.bindparam("moment", type_=sa.Float)
        c = table.c
        query = sa.select(column).where(c.send_id == self.send_id)
        if self.language:
            query = query.where(c.language == self.language)
        return (
            query
            .where(c.status == status)
            .where(sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= moment))
            .where(sa.or_(c.lease_until.is_(None), c.lease_until < moment))
            .order_by(c.subscriber_id)
            .limit(sa.bindparam("limit", type_=sa.Integer))
            .with_for_update(skip_locked=True)
        )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """A transaction beside the lanes (renewals, a row given back). On PostgreSQL it does
        not wait for the disk (``synchronous_commit = off``): a killed sender loses
        nothing (the server has the commit), and only a crash of the database server
        itself can drop the last fraction of a second of commits, whose messages would
        then go again — the rule SQLite's ``synchronous=NORMAL`` already follows (db.py).
        Waiting for the disk made each commit 1 ms and each claim 4 ms here."""
        with self.engine.begin() as connection:
            if self._postgres:
                connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
            yield connection

    def _mine(self, query):  # type: ignore[no-untyped-def]
        query = query.where(deliveries.c.send_id == self.send_id)
        if self.language:
            query = query.where(deliveries.c.language == self.language)
        return query

    def start(self) -> None:
        """Free the claims of dead workers of this machine, put deferred rows (and, when
        asked, unknown ones) back in the queue, and start renewing our own leases."""
        reopen = [DEFERRED, UNKNOWN] if self.resend_unknown else [DEFERRED]
        with self.engine.begin() as connection:
            owners = connection.execute(
                self._mine(sa.select(deliveries.c.lease_owner).distinct())
                .where(deliveries.c.lease_owner.is_not(None))
            ).scalars().all()  # fmt: skip
            dead = [o for o in owners if not _alive_here(o)]
            if dead:
                connection.execute(
                    self._mine(deliveries.update())
                    .where(deliveries.c.lease_owner.in_(dead))
                    .values(lease_owner=None, lease_until=None)
                )
            connection.execute(
                self._mine(deliveries.update())
                .where(deliveries.c.status.in_(reopen))
                .values(status=PENDING, attempts=0, next_attempt_at=None)
            )
        self._renewer = threading.Thread(target=self._renew, daemon=True)
        self._renewer.start()

    def _renew(self) -> None:
        """Every third of a lease, extend ours. The rows it returns are the ones still
        ours; a row another worker took meanwhile (our renewal came too late) is not
        among them and keeps its old expiry here, so it does not go out from here. An
        error stops the renewals and, through claim() and active(), the sender."""
        renew = (
            deliveries.update()
            .where(deliveries.c.send_id == self.send_id)
            .where(deliveries.c.lease_owner == self.owner)
            .values(lease_until=sa.bindparam("until", type_=sa.Float))
            .returning(deliveries.c.subscriber_id)
        )
        while not self._stop.wait(self.lease / 3):
            until = time.time() + self.lease
            try:
                with self._transaction() as connection:
                    renewed = connection.execute(renew, {"until": until}).scalars().all()
            except Exception as exc:
                self._renewal_error = exc
                return
            with self._commit:
                for subscriber_id in renewed:
                    if subscriber_id in self._held:
                        self._held[subscriber_id] = until

    def _check_renewal(self) -> None:
        if self._renewal_error is not None:
            raise self._renewal_error

    def admit(self, recipient: Recipient) -> str:
        """Whether a claimed row may go out now (GO), or why not (HALT, LEFT, LOST).

        Read just before each message, so a pause, a cancel or an unsubscribe after the
        claim is obeyed within the batch: the send's state and which of the rows held
        here left the list are read in one go, at most ``recheck`` seconds before (one
        read per message would cost 0.4 ms, a fifth of a message's work).
        """
        if time.monotonic() - self._checked > self.recheck:
            with self._checking:
                if time.monotonic() - self._checked > self.recheck:
                    self._read_states()
        if self.state != RUNNING:
            return HALT
        if recipient.subscriber_id in self._left:
            return LEFT
        if not self._ours(recipient.subscriber_id):
            self._give_back(recipient.subscriber_id)
            return LOST
        return GO

    def _read_states(self) -> None:
        started = time.monotonic()
        with self._commit:
            ids = list(self._held)
        with self._lanes.read("check") as connection:
            self.state = connection.execute(
                sa.select(sends.c.state).where(sends.c.id == self.send_id)
            ).scalar()
            left = connection.execute(
                sa.select(subscribers.c.id)
                .where(subscribers.c.id.in_(ids))
                .where(subscribers.c.status != subs.SUBSCRIBED)
            ).scalars().all() if ids else []  # fmt: skip
        self._left = set(left)
        self._checked = started

    def _ours(self, subscriber_id: int) -> bool:
        until = self._held.get(subscriber_id)
        return until is not None and time.time() + self._margin < until

    def _give_back(self, subscriber_id: int) -> None:
        """A row whose lease we no longer trust: free it if it is still ours, so it is
        claimed again (by us or another worker) instead of being renewed by us unsent."""
        with self._commit:
            self._held.pop(subscriber_id, None)
        with self._transaction() as connection:
            connection.execute(
                deliveries.update()
                .where(deliveries.c.send_id == self.send_id)
                .where(deliveries.c.subscriber_id == subscriber_id)
                .where(deliveries.c.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )

    def drop(self, recipient: Recipient) -> None:
        """Forget a claimed row that does not go out from here (close() frees it)."""
        with self._commit:
            self._held.pop(recipient.subscriber_id, None)

    def handover(self, recipient: Recipient, previous: Saved | Any) -> Handover:
        """What the connection waits for before the final dot of ``recipient``'s message:
        ``previous`` committed, and the row's lease still ours (else LeaseLost)."""
        return Handover(self, recipient.subscriber_id, previous)

    def claim(self, limit: int) -> list[Recipient]:
        """Take up to ``limit`` open rows nobody holds; skip (and record) those who left.
        Nothing while the send is not running (paused, cancelled).

        PostgreSQL locks the chosen rows with ``FOR UPDATE SKIP LOCKED``, so concurrent
        claims pass each other by; SQLite has one writer at a time, so the ``UPDATE …
        RETURNING`` is the claim (its ``FOR UPDATE`` is left out by the dialect).
        """
        self._check_renewal()
        moment = time.time()
        values = {"moment": moment, "until": moment + self.lease}
        rows: dict[int, Any] = {}
        with self._lanes.write("claim") as connection:
            for statement in self._claims:  # due retries first, then pending rows
                if len(rows) < limit:
                    found = connection.execute(statement, {**values, "limit": limit - len(rows)})
                    rows.update((r.subscriber_id, r) for r in found)
            if not rows:
                return []
            people = connection.execute(self._people, {"ids": list(rows)}).all()
            claimed, left = [], []
            for person in sorted(people):
                row = rows[person.id]
                recipient = Recipient(
                    person.id, person.email, person.name, row.language, row.attempts
                )
                (claimed if person.status == subs.SUBSCRIBED else left).append(recipient)
            if left:
                self._write(
                    connection,
                    [Outcome(r, SKIPPED, r.attempts, "not subscribed at send time") for r in left],
                )
        with self._commit:  # committed: the rows are ours until the lease's end
            self._held.update((r.subscriber_id, values["until"]) for r in claimed)
        self.skipped += len(left)
        return claimed

    def take_skipped(self) -> int:
        """How many claimed rows were skipped (left the list) since the last call."""
        skipped, self.skipped = self.skipped, 0
        return skipped

    def active(self) -> bool:
        """Whether the send is still running (not paused or cancelled meanwhile)."""
        self._check_renewal()
        with self._lanes.read("producer") as connection:
            self.state = connection.execute(
                sa.select(sends.c.state).where(sends.c.id == self.send_id)
            ).scalar()
        return self.state == RUNNING

    def wait(self) -> float | None:
        """None when no open row is left or the send is no longer running; else how long
        to wait before claiming again (until a retry is due or another worker's lease
        may have expired: at most 50 ms while rows are on a connection, else 1 s)."""
        self._wait(self._tickets)  # queued outcomes close rows: commit them before counting
        if not self.active():
            return None
        moment = time.time()
        with self._lanes.read("producer") as connection:
            left, due, expiry = connection.execute(
                self._mine(
                    sa.select(
                        sa.func.count(),
                        sa.func.min(deliveries.c.next_attempt_at),
                        sa.func.min(deliveries.c.lease_until),
                    )
                ).where(deliveries.c.status.in_(OPEN))
            ).one()
        if not left:
            return None
        soonest = min(t for t in (due, expiry, moment + 1.0) if t is not None)
        # Rows on a connection (ours or another worker's) close within milliseconds: look
        # again soon, or the last worker of a send idles up to a second after the end.
        ceiling = 1.0 if expiry is None else 0.05
        return min(ceiling, max(0.005, soonest - moment))

    def record(self, outcome: Outcome) -> Saved:
        """Queue one outcome for the journal; the handle says when it is committed.

        Nothing is written here: the next caller of :meth:`Saved.wait` that finds no
        commit under way writes everything queued so far in one transaction.
        """
        with self._commit:
            if self._error is not None:
                raise self._error
            self._held.pop(outcome.recipient.subscriber_id, None)
            self._tickets += 1
            self._queued.append((self._tickets, outcome))
            return Saved(self, self._tickets)

    def _wait(self, ticket: int) -> None:
        with self._commit:
            while self._committed < ticket:
                if self._error is not None:
                    raise self._error
                if self._committing:
                    self._commit.wait()
                    continue
                self._flush_locked()

    def _flush_locked(self) -> None:
        """Commit what is queued (called holding ``_commit``, which it lets go meanwhile)."""
        self._committing = True
        batch, self._queued = self._queued, []
        self._commit.release()
        written = False
        try:
            if batch:
                outcomes = [o for _, o in batch]
                # A bounce changes the row and the subscriber: together, in a transaction.
                together = self._lanes.autocommit and any(o.status == BOUNCED for o in outcomes)
                lane = self._transaction() if together else self._lanes.write("commit")
                with lane as connection:
                    self._write(connection, outcomes)
            written = True
        except BaseException as exc:
            self._error = exc
            raise
        finally:
            self._commit.acquire()
            self._committing = False
            # Only a commit that succeeded counts: when it failed (a locked database, a
            # full disk), the connections waiting for it must not send their final dot.
            if batch and written:
                self._committed = max(self._committed, batch[-1][0])
            self._commit.notify_all()

    def _write(self, connection: Connection, outcomes: list[Outcome]) -> None:
        moment = now()
        # One prepared UPDATE for the batch (executemany): psycopg 3 sends it pipelined, in
        # one round trip. Two one-statement designs measured slower on PostgreSQL
        # (bench/send.py --pg): VALUES lists (a new statement per batch size) and unnest()
        # over arrays (394 → 171 msg/s in one process): see issue 19's note.
        connection.execute(
            self._record,
            [
                {
                    "send": self.send_id,
                    "subscriber": o.recipient.subscriber_id,
                    "status": FAILED if o.status == BOUNCED else o.status,
                    "attempts": o.attempts,
                    "reply": o.reply[:500],
                    "moment": moment,
                    "retry_at": o.retry_at,
                }
                for o in outcomes
            ],
        )
        for o in outcomes:
            if o.status == BOUNCED:
                subs.set_status(connection, o.recipient.subscriber_id, subs.BOUNCED,
                                f"send {self.send_id}: {o.reply[:200]}")  # fmt: skip

    def close(self) -> None:
        """Commit the outcomes still queued, stop renewing and give back the rows claimed
        but not done."""
        if self._error is None:
            self._wait(self._tickets)
        self._stop.set()
        if self._renewer:
            self._renewer.join()
        with self.engine.begin() as connection:
            connection.execute(
                deliveries.update()
                .where(deliveries.c.send_id == self.send_id)
                .where(deliveries.c.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )
        self._lanes.close()


class Handover:
    """The moment a message is handed over for good (SMTP's final dot) waits for this:
    the connection's previous outcome committed, and the row's lease still ours."""

    __slots__ = ("_outbox", "_previous", "_subscriber_id")

    def __init__(self, outbox: JournalOutbox, subscriber_id: int, previous: Any):
        self._outbox = outbox
        self._subscriber_id = subscriber_id
        self._previous = previous

    @property
    def done(self) -> bool:
        return self._previous.done and self._outbox._ours(self._subscriber_id)

    def wait(self) -> None:
        self._previous.wait()
        if not self._outbox._ours(self._subscriber_id):
            self._outbox._give_back(self._subscriber_id)
            raise LeaseLost(f"the lease of row {self._subscriber_id} ran out before its message")
