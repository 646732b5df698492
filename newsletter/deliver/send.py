"""Sending an issue: journaled, resumable, rate-limited, over reused SMTP connections.

The guarantee after ``kill -9`` at any moment: nobody is lost, and at most the messages in
flight are sent twice. It comes from two rules:

1. Before the first message, the whole recipient list of the send is written to the
   ``deliveries`` journal in one transaction (``INSERT … SELECT``: the list never passes
   through Python, so memory stays flat on 100,000 recipients). Either the send exists
   with its complete list, or it does not exist at all.
2. Each worker commits a row as sent right after the server's 250 and before taking the
   next message. A kill can only hit messages between the server's reply and that
   commit: at most one per connection, i.e. at most ``--concurrency`` duplicates.

Running the same send again takes the rows that are still pending (or deferred after
temporary failures) and carries on. Recipients are re-read from the database just before
each message, so someone who unsubscribes during a send is not mailed.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsletter.deliver import subscribers as subs
from newsletter.deliver.db import deliveries, now, sends, subscribers
from newsletter.deliver.messages import MessageFactory, Recipient
from newsletter.deliver.smtp import (
    PermanentFailure,
    SmtpConnection,
    SmtpSettings,
    SmtpUnavailable,
    TemporaryFailure,
)
from newsletter.exceptions import NewsletterError

PENDING, SENT, FAILED, DEFERRED, SKIPPED = "pending", "sent", "failed", "deferred", "skipped"
BOUNCED = "bounced"  # recorded as failed in the journal, and the subscriber marked bounced
PAGE = 500


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry 4xx replies and dropped connections."""

    attempts: int = 5
    first_delay: float = 2.0
    max_delay: float = 120.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff: first_delay, ×2 each attempt, capped at max_delay."""
        return min(self.first_delay * 2 ** (attempt - 1), self.max_delay)


@dataclass
class SendCounts:
    """Progress of a run (updated by the workers, read by the progress display)."""

    total: int = 0
    already_sent: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    deferred: int = 0
    skipped: int = 0
    retries: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.deferred + self.skipped

    def add(self, status: str, email: str, reply: str | None = None) -> None:
        with self.lock:
            setattr(self, status, getattr(self, status) + 1)
            if status in (FAILED, DEFERRED) and len(self.failures) < 100:
                self.failures.append((email, reply or ""))


class TokenBucket:
    """At most ``rate`` takes per second over all threads, with a burst of ``burst``."""

    def __init__(self, rate: float, burst: float = 1.0):
        self.rate = rate
        self.capacity = max(1.0, burst)
        self.tokens = self.capacity
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> None:
        """Wait for a token. Takers reserve in turn, so waiting threads stay in order."""
        with self.lock:
            moment = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (moment - self.last) * self.rate)
            self.last = moment
            self.tokens -= 1
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait:
            time.sleep(wait)


class Transport(Protocol):
    def send(self, sender: str, recipient: str, data: bytes) -> str: ...
    def close(self) -> None: ...


class DirectoryTransport:
    """``--dry-run DIR``: each message into ``DIR/<address>.eml`` instead of a server."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, sender: str, recipient: str, data: bytes) -> str:
        name = re.sub(r"[^A-Za-z0-9@._+-]", "_", recipient)
        (self.folder / f"{name}.eml").write_bytes(data)
        return "written"

    def close(self) -> None:
        pass


class Outbox(Protocol):
    """Where the recipients of a run come from and where outcomes go."""

    def recipients(self) -> Iterator[Recipient]: ...
    def allowed(self, recipient: Recipient) -> bool: ...
    def record(self, recipient: Recipient, status: str, attempts: int, reply: str) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Send:
    """A send as journaled: its id, its issue and the key of its Message-IDs."""

    id: str
    issue_id: str
    message_key: str
    recipients: int
    resumed: bool


def prepare_send(engine: Engine, send_id: str, issue_id: str) -> Send:
    """Find the send, or create it with its whole recipient list in one transaction."""
    import secrets

    with engine.begin() as connection:
        row = connection.execute(sa.select(sends).where(sends.c.id == send_id)).mappings().first()
        if row:
            if row["issue_id"] != issue_id:
                raise NewsletterError(
                    f"send '{send_id}' was made for issue {row['issue_id']}, not {issue_id}: "
                    "choose another --send-id"
                )
            return Send(send_id, issue_id, row["message_key"], row["recipients"], True)
        key = secrets.token_hex(8)
        connection.execute(
            sends.insert().values(
                id=send_id, issue_id=issue_id, message_key=key, recipients=0, created_at=now()
            )
        )
        listed = connection.execute(
            deliveries.insert().from_select(
                ["send_id", "subscriber_id", "status", "attempts"],
                sa.select(
                    sa.literal(send_id), subscribers.c.id, sa.literal(PENDING), sa.literal(0)
                ).where(subscribers.c.status == subs.SUBSCRIBED),
            )
        ).rowcount
        if not listed:  # raising rolls the new send back: a later run starts afresh
            raise NewsletterError("the list has no subscribers: nothing to send")
        connection.execute(sends.update().where(sends.c.id == send_id).values(recipients=listed))
    return Send(send_id, issue_id, key, listed, False)


def journal_counts(engine: Engine, send_id: str) -> dict[str, int]:
    """Rows of a send per status."""
    query = (
        sa.select(deliveries.c.status, sa.func.count())
        .where(deliveries.c.send_id == send_id)
        .group_by(deliveries.c.status)
    )
    with engine.connect() as connection:
        counted = dict(connection.execute(query).all())
    return {s: counted.get(s, 0) for s in (PENDING, SENT, FAILED, DEFERRED, SKIPPED)}


class JournalOutbox:
    """The recipients of a journaled send that are still to do, and their outcomes.

    Each worker thread keeps one database connection and the statements are built once:
    per message that leaves one SELECT and one UPDATE + COMMIT (measured: building
    statements and checking connections out of the pool per message cost a fifth of the
    delivery rate on two cores).
    """

    def __init__(self, engine: Engine, send_id: str):
        self.engine = engine
        self.send_id = send_id
        # Our own threads take turns to commit: SQLite would otherwise make a colliding
        # writer sleep in its busy handler (1 ms and more).
        self._write = threading.Lock()
        self._local = threading.local()
        self._connections: list[sa.Connection] = []
        self._status = sa.select(subscribers.c.status).where(
            subscribers.c.id == sa.bindparam("subscriber")
        )
        self._record = (
            deliveries.update()
            .where(deliveries.c.send_id == sa.bindparam("send"))
            .where(deliveries.c.subscriber_id == sa.bindparam("subscriber"))
            .values(
                status=sa.bindparam("status"),
                attempts=deliveries.c.attempts + sa.bindparam("attempts"),
                reply=sa.bindparam("reply"),
                updated_at=sa.bindparam("moment"),
            )
        )

    def _connection(self) -> sa.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self.engine.connect()
            with self._write:
                self._connections.append(connection)
        return connection

    def recipients(self) -> Iterator[Recipient]:
        """Pending and deferred rows in id order, a page at a time (keyset paging)."""
        last = 0
        while True:
            query = (
                sa.select(deliveries.c.subscriber_id, subscribers.c.email, subscribers.c.name)
                .join(subscribers, subscribers.c.id == deliveries.c.subscriber_id)
                .where(deliveries.c.send_id == self.send_id)
                .where(deliveries.c.status.in_([PENDING, DEFERRED]))
                .where(deliveries.c.subscriber_id > last)
                .order_by(deliveries.c.subscriber_id)
                .limit(PAGE)
            )
            with self.engine.connect() as connection:
                page = [Recipient(*row) for row in connection.execute(query)]
            yield from page
            if len(page) < PAGE:
                return
            last = page[-1].subscriber_id

    def allowed(self, recipient: Recipient) -> bool:
        connection = self._connection()
        status = connection.execute(self._status, {"subscriber": recipient.subscriber_id})
        allowed = status.scalar() == subs.SUBSCRIBED
        connection.rollback()  # end the read: hold no snapshot while the message goes
        return allowed

    def record(self, recipient: Recipient, status: str, attempts: int, reply: str) -> None:
        """Commit one outcome at once: this commit is what makes a resume skip the row."""
        connection = self._connection()
        values = {
            "send": self.send_id,
            "subscriber": recipient.subscriber_id,
            "status": FAILED if status == BOUNCED else status,
            "attempts": attempts,
            "reply": reply[:500],
            "moment": now(),
        }
        with self._write:
            try:
                connection.execute(self._record, values)
                if status == BOUNCED:  # the address is bad: keep it off every later send
                    subs.set_status(connection, recipient.subscriber_id, subs.BOUNCED)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise

    def close(self) -> None:
        """Return the workers' connections."""
        for connection in self._connections:
            connection.close()
        self._connections.clear()


class ListOutbox:
    """Recipients given directly (test send, dry run): nothing is journaled."""

    def __init__(self, recipients: Iterable[Recipient]):
        self._recipients = recipients

    def recipients(self) -> Iterator[Recipient]:
        yield from self._recipients

    def allowed(self, recipient: Recipient) -> bool:
        return True

    def record(self, recipient: Recipient, status: str, attempts: int, reply: str) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class Delivery:
    """One run: recipients from ``outbox``, messages from ``factory``, over ``transports``."""

    outbox: Outbox
    factory: MessageFactory
    transport: Callable[[], Transport]
    concurrency: int = 1
    rate: float | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    counts: SendCounts = field(default_factory=SendCounts)

    def run(self, on_progress: Callable[[SendCounts], None] | None = None) -> SendCounts:
        """Send to every recipient; calls ``on_progress`` from this thread while it works.

        Raises SmtpUnavailable when the server cannot be reached or refuses the sender
        (what was sent stays recorded; run again to resume), and re-raises
        KeyboardInterrupt after the messages in flight are finished and recorded.
        """
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._bucket = (
            TokenBucket(self.rate, burst=min(self.rate, self.concurrency)) if (self.rate) else None
        )
        work: queue.Queue[Recipient | None] = queue.Queue(maxsize=self.concurrency * 4)
        threads = [threading.Thread(target=self._produce, args=(work,), daemon=True)]
        threads += [
            threading.Thread(target=self._work, args=(work,), daemon=True)
            for _ in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        try:
            while any(t.is_alive() for t in threads):
                threads[-1].join(0.2)
                if on_progress:
                    on_progress(self.counts)
        except KeyboardInterrupt:
            self._stop.set()
            for thread in threads:
                thread.join()
            self.outbox.close()
            raise
        self.outbox.close()
        if on_progress:
            on_progress(self.counts)
        if self._error:
            raise self._error
        return self.counts

    def _produce(self, work: queue.Queue[Recipient | None]) -> None:
        try:
            for recipient in self.outbox.recipients():
                if not self._put(work, recipient):
                    return
        except BaseException as exc:  # a database error: stop the workers, report it
            self._fail(exc)
        finally:
            for _ in range(self.concurrency):
                self._put(work, None)

    def _put(self, work: queue.Queue[Recipient | None], item: Recipient | None) -> bool:
        while not self._stop.is_set():
            try:
                work.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _fail(self, exc: BaseException) -> None:
        if self._error is None:
            self._error = exc
        self._stop.set()

    def _work(self, work: queue.Queue[Recipient | None]) -> None:
        transport = self.transport()
        try:
            while not self._stop.is_set():
                try:
                    recipient = work.get(timeout=0.2)
                except queue.Empty:
                    continue
                if recipient is None:
                    return
                self._deliver(transport, recipient)
        except BaseException as exc:
            self._fail(exc)
        finally:
            transport.close()

    def _deliver(self, transport: Transport, recipient: Recipient) -> None:
        if not self.outbox.allowed(recipient):
            self.outbox.record(recipient, SKIPPED, 0, "not subscribed at send time")
            self.counts.add(SKIPPED, recipient.email)
            return
        data = self.factory.message(recipient)
        attempt = 0
        while True:
            attempt += 1
            if self._bucket:
                self._bucket.take()
            try:
                reply = transport.send(self.factory.sender, recipient.email, data)
            except TemporaryFailure as exc:
                if attempt >= self.retry.attempts:
                    if _connection_failure(exc):  # the server, not this message: stop
                        raise SmtpUnavailable(exc.reply) from None
                    self.outbox.record(recipient, DEFERRED, attempt, exc.reply)
                    self.counts.add(DEFERRED, recipient.email, exc.reply)
                    return
                with self.counts.lock:
                    self.counts.retries += 1
                if self._stop.wait(self.retry.delay(attempt)):
                    return  # stopping: the row stays pending for the next run
                continue
            except PermanentFailure as exc:
                status = BOUNCED if exc.hard_bounce else FAILED
                self.outbox.record(recipient, status, attempt, exc.reply)
                self.counts.add(FAILED, recipient.email, exc.reply)
                if exc.hard_bounce:
                    with self.counts.lock:
                        self.counts.bounced += 1
                return
            self.outbox.record(recipient, SENT, attempt, reply)
            self.counts.add(SENT, recipient.email)
            return


def _connection_failure(exc: TemporaryFailure) -> bool:
    """A failure to reach the server at all (not a reply about this message)."""
    return exc.reply.startswith("cannot connect")


def smtp_transport(settings: SmtpSettings) -> Callable[[], Transport]:
    """A factory of SMTP connections (one per worker, opened on first message)."""
    return lambda: SmtpConnection(settings)
