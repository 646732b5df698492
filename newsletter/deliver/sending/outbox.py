"""The outbox of a journaled send: its open rows, claimed in leased batches, looked at
again before each message, and their outcomes committed in groups.

The guarantee it keeps is told in :mod:`newsletter.deliver.sending.journal`; its parts
live in rooms of their own: the claims' SQL (claims.py), the leases and their renewal
(leases.py), the group commit (group_commit.py) and the connections it holds on
PostgreSQL (lanes.py).
"""

from __future__ import annotations

import threading
import time
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import deliveries, now, sends, subscribers
from newsletter.deliver.sending.claims import claim_statements
from newsletter.deliver.sending.control import RUNNING
from newsletter.deliver.sending.group_commit import GroupCommit, Saved
from newsletter.deliver.sending.journal import (
    BOUNCED,
    DEFERRED,
    FAILED,
    GO,
    HALT,
    LEASE_SECONDS,
    LEFT,
    LOST,
    OPEN,
    PENDING,
    RECHECK_SECONDS,
    SKIPPED,
    UNKNOWN,
    Outcome,
)
from newsletter.deliver.sending.lanes import Lanes
from newsletter.deliver.sending.leases import Handover, Leases, alive_here
from newsletter.deliver.sending.messages import Recipient


class _Person(NamedTuple):
    """A claimed row's subscriber, as the claim read them."""

    id: int
    email: str
    name: str | None
    status: str


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
        self._lanes = Lanes(engine)  # PostgreSQL: a held connection per hot-path job
        # The rows claimed and not yet done, with the lease expiry this worker knows it
        # holds, so a message goes out only while its row is ours (leases.py).
        self._leases = Leases(self._lanes, send_id, lease)
        self.owner = self._leases.owner
        # Group commit: outcomes queue here; one waiting worker writes them all at once.
        self._commits: GroupCommit[Outcome] = GroupCommit(self._write_batch)
        # admit(): the send's state and who left the list, read again every RECHECK.
        self.recheck = RECHECK_SECONDS
        self._checked = 0.0
        self._left: set[int] = set()
        self._checking = threading.Lock()
        self.skipped = 0
        self.state: str | None = RUNNING  # the send's state when last read
        # due retries first, then pending rows (claims.py)
        postgres = self._postgres = engine.dialect.name == "postgresql"
        self._claims = claim_statements(send_id, self.owner, language, postgres)
        # The people of the rows claimed, and which of the rows held here left the list.
        # PostgreSQL: the ids as one array, so the statement is the same whatever their
        # number (an IN list of n parameters is a new statement for the server, and for
        # SQLAlchemy's compiler, on every read).
        among = (
            subscribers.c.id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.Integer)))
            if postgres else subscribers.c.id.in_(sa.bindparam("ids", expanding=True))
        )  # fmt: skip
        self._left_of = (
            sa.select(subscribers.c.id).where(among)
            .where(subscribers.c.status != subs.SUBSCRIBED)
        )  # fmt: skip
        self._state = sa.select(sends.c.state).where(sends.c.id == send_id)
        # PostgreSQL: the send's state and who left, in one statement (one round trip;
        # read every RECHECK by each worker, it was an eighth of a worker's CPU as two).
        self._state_and_left = sa.select(
            sends.c.state, sa.func.array(self._left_of.scalar_subquery())
        ).where(sends.c.id == send_id)
        self._people = sa.select(
            subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.status
        ).where(among)
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
            dead = [o for o in owners if not alive_here(o)]
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
        self._leases.start()

    def admit(self, recipient: Recipient) -> str:
        """Whether a claimed row may go out now (GO), or why not (HALT, LEFT, LOST).

        Read just before each message, so a pause, a cancel or an unsubscribe after the
        claim is obeyed within the batch: the send's state and which of the rows held
        here left the list are read in one go, at most ``recheck`` seconds before (one
        read per message would cost 0.4 ms, a fifth of a message's work). One connection
        reads; the others go on with what was read while it is under twice ``recheck``
        old, rather than wait for the read (they waited there a fifth of their time on
        PostgreSQL: py-spy of bench/send.py --pg).
        """
        age = time.monotonic() - self._checked
        if age > self.recheck and self._checking.acquire(blocking=age > 2 * self.recheck):
            try:
                if time.monotonic() - self._checked > self.recheck:
                    self._read_states()
            finally:
                self._checking.release()
        if self.state != RUNNING:
            return HALT
        if recipient.subscriber_id in self._left:
            return LEFT
        if not self._leases.ours(recipient.subscriber_id):
            self._leases.give_back(recipient.subscriber_id)
            return LOST
        return GO

    def _read_states(self) -> None:
        started = time.monotonic()
        ids = self._leases.held()
        with self._lanes.read("check") as connection:
            if self._postgres:
                row = connection.execute(self._state_and_left, {"ids": ids}).first()
                self.state, left = (row[0], row[1]) if row else (None, [])
            else:
                self.state = connection.execute(self._state).scalar()
                found = connection.execute(self._left_of, {"ids": ids}) if ids else None
                left = found.scalars().all() if found is not None else []
        self._left = set(left)
        self._checked = started

    def drop(self, recipient: Recipient) -> None:
        """Forget a claimed row that does not go out from here (close() frees it)."""
        self._leases.release(recipient.subscriber_id)

    def handover(self, recipient: Recipient, previous: Saved | Any) -> Handover:
        """What the connection waits for before the final dot of ``recipient``'s message:
        ``previous`` committed, and the row's lease still ours (else LeaseLost)."""
        return Handover(self._leases, recipient.subscriber_id, previous)

    def claim(self, limit: int) -> list[Recipient]:
        """Take up to ``limit`` open rows nobody holds; skip (and record) those who left.
        Nothing while the send is not running (paused, cancelled).

        PostgreSQL locks the chosen rows with ``FOR UPDATE SKIP LOCKED``, so concurrent
        claims pass each other by; SQLite has one writer at a time, so the ``UPDATE …
        RETURNING`` is the claim (its ``FOR UPDATE`` is left out by the dialect).
        """
        self._leases.check()
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
            claimed, left = [], []
            for person in self._people_of(connection, rows):
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
        # committed: the rows are ours until the lease's end
        self._leases.hold((r.subscriber_id for r in claimed), values["until"])
        self.skipped += len(left)
        return claimed

    def _people_of(self, connection: Connection, rows: dict[int, Any]) -> list[Any]:
        """The people of the rows claimed, by subscriber: PostgreSQL's claim returned
        them with the rows (claims.py); SQLite reads them in a second statement. A row
        whose subscriber is gone has no person and is not claimed."""
        if self._postgres:
            return sorted(
                _Person(i, r.person_email, r.person_name, r.person_status)
                for i, r in rows.items() if r.person_status is not None
            )  # fmt: skip
        return sorted(connection.execute(self._people, {"ids": list(rows)}).all())

    def take_skipped(self) -> int:
        """How many claimed rows were skipped (left the list) since the last call."""
        skipped, self.skipped = self.skipped, 0
        return skipped

    def active(self) -> bool:
        """Whether the send is still running (not paused or cancelled meanwhile)."""
        self._leases.check()
        with self._lanes.read("producer") as connection:
            self.state = connection.execute(self._state).scalar()
        return self.state == RUNNING

    def wait(self) -> float | None:
        """None when no open row is left or the send is no longer running; else how long
        to wait before claiming again (until a retry is due or another worker's lease
        may have expired: at most 50 ms while rows are on a connection, else 1 s)."""
        self._commits.wait_all()  # queued outcomes close rows: commit them before counting
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
        saved = self._commits.record(outcome)
        self._leases.release(outcome.recipient.subscriber_id)
        return saved

    def _write_batch(self, outcomes: list[Outcome]) -> None:
        """One group commit's outcomes. A bounce changes the row and the subscriber:
        together, in a transaction (a lane commits statement by statement)."""
        together = self._lanes.autocommit and any(o.status == BOUNCED for o in outcomes)
        lane = self._lanes.transaction() if together else self._lanes.write("commit")
        with lane as connection:
            self._write(connection, outcomes)

    def _write(self, connection: Connection, outcomes: list[Outcome]) -> None:
        moment = now()
        # One prepared UPDATE for the batch (executemany): psycopg 3 sends it pipelined, in
        # one round trip. Two one-statement designs measured slower on PostgreSQL
        # (bench/send.py --pg): VALUES lists (a new statement per batch size) and unnest()
        # over arrays (394 → 171 msg/s in one process): see issue 19's note. Tried again
        # (stop 27): UPDATE … FROM unnest() was 0.61 against 0.91 ms a batch of 16 with
        # fresh statistics, but with statistics that believe the journal empty it read
        # 800–1,500 pages where these 16 UPDATEs read 208 (the planner finds each row of
        # "send_id = … AND subscriber_id = …" by its key, and no join form kept that).
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
        if self._commits.error is None:
            self._commits.wait_all()
        self._leases.stop()
        with self.engine.begin() as connection:
            connection.execute(
                deliveries.update()
                .where(deliveries.c.send_id == self.send_id)
                .where(deliveries.c.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )
        self._lanes.close()
