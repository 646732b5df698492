"""Sending an issue: journaled, shared by workers, rate-limited, over reused connections.

The journal is in :mod:`newsletter.deliver.sending.journal` (its outbox, claims and leases
beside it); one recipient's attempt and what an answer means in
:mod:`newsletter.deliver.sending.attempts`. This module runs one worker process: a thread
claims rows in small batches and hands them to ``concurrency`` connections. A temporary
refusal goes back to the journal with the time of its next attempt (the retry queue), so
no connection sleeps on it. Each claimed row is looked at again just before its message
(JournalOutbox.admit: the send's state, the reader's status, the row's lease), so a
pause, a cancel or an unsubscribe during a send is obeyed within the batch, and a row
another worker took over does not go twice.
"""

from __future__ import annotations

import collections
import contextlib
import heapq
import queue
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from newsletter.deliver.sending.attempts import Attempts, RetryPolicy, TokenBucket
from newsletter.deliver.sending.journal import (  # noqa: F401  (the journal's names, for callers)
    BOUNCED,
    DEFERRED,
    FAILED,
    GO,
    LEFT,
    LOST,
    PENDING,
    RETRY,
    SENT,
    SKIPPED,
    UNKNOWN,
    Outcome,
    Send,
    journal_counts,
    prepare_send,
    reopen_failed,
)
from newsletter.deliver.sending.messages import MessageFactory, Recipient
from newsletter.deliver.sending.outbox import JournalOutbox  # noqa: F401  (for callers)
from newsletter.deliver.sending.smtp import DONE, Pending, SmtpConnection
from newsletter.deliver.sending.smtp_settings import SmtpSettings


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
    unknown: int = 0
    retries: int = 0
    halted: str | None = None  # the send's state when a pause or cancel stopped this run
    failures: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.deferred + self.skipped + self.unknown

    def add(self, status: str, email: str, reply: str | None = None, number: int = 1) -> None:
        with self.lock:
            setattr(self, status, getattr(self, status) + number)
            if status in (FAILED, DEFERRED, UNKNOWN) and len(self.failures) < 100:
                self.failures.append((email, reply or ""))


class Transport(Protocol):
    """A way to hand over messages. ``previous`` is the journal's handle of the outcome
    of this connection's previous message: the transport waits for it before the moment
    the message is handed over for good (SMTP's final dot)."""

    def send(self, sender: str, recipient: str, data: bytes, utf8: bool = False,
             previous: Pending = DONE) -> str: ...  # fmt: skip
    def close(self) -> None: ...


class DirectoryTransport:
    """``--dry-run DIR``: each message into ``DIR/<address>.eml`` instead of a server."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, sender: str, recipient: str, data: bytes, utf8: bool = False,
             previous: Pending = DONE) -> str:  # fmt: skip
        previous.wait()
        name = re.sub(r"[^A-Za-z0-9@._+-]", "_", recipient)
        (self.folder / f"{name}.eml").write_bytes(data)
        return "written"

    def close(self) -> None:
        pass


class Outbox(Protocol):
    """Where the recipients of a run come from and where outcomes go."""

    def start(self) -> None: ...
    def active(self) -> bool: ...
    def claim(self, limit: int) -> list[Recipient]: ...
    def admit(self, recipient: Recipient) -> str: ...
    def drop(self, recipient: Recipient) -> None: ...
    def handover(self, recipient: Recipient, previous: Pending) -> Pending: ...
    def wait(self) -> float | None: ...
    def record(self, outcome: Outcome) -> Pending: ...
    def take_skipped(self) -> int: ...
    def close(self) -> None: ...


class ListOutbox:
    """Recipients given directly (test send, dry run): nothing is journaled; retries wait
    in memory."""

    def __init__(self, recipients: Iterable[Recipient]):
        self._recipients: Iterator[Recipient] = iter(recipients)
        self._exhausted = False
        self._retries: list[tuple[float, int, Recipient]] = []
        self._open = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        pass

    def active(self) -> bool:
        return True

    def claim(self, limit: int) -> list[Recipient]:
        with self._lock:
            moment = time.time()
            taken = []
            while self._retries and self._retries[0][0] <= moment and len(taken) < limit:
                taken.append(heapq.heappop(self._retries)[2])
            while not self._exhausted and len(taken) < limit:
                item = next(self._recipients, None)
                if item is None:
                    self._exhausted = True
                else:
                    taken.append(item)
            self._open += len(taken)
            return taken

    def admit(self, recipient: Recipient) -> str:
        return GO

    def drop(self, recipient: Recipient) -> None:
        with self._lock:
            self._open -= 1

    def handover(self, recipient: Recipient, previous: Pending) -> Pending:
        return previous

    def wait(self) -> float | None:
        with self._lock:
            if self._retries:
                return min(1.0, max(0.0, self._retries[0][0] - time.time()))
            if self._open:
                return 0.02
            return None if self._exhausted else 0.0

    def record(self, outcome: Outcome) -> Pending:
        with self._lock:
            self._open -= 1
            if outcome.status == RETRY:
                again = Recipient(**{**outcome.recipient.__dict__, "attempts": outcome.attempts})
                entry = (outcome.retry_at or 0.0, again.subscriber_id, again)
                heapq.heappush(self._retries, entry)
        return DONE

    def take_skipped(self) -> int:
        return 0

    def close(self) -> None:
        pass


@dataclass
class Delivery:
    """One run: recipients from ``outbox``, messages from ``factory``, over ``transports``.

    ``editions`` holds the factory of each language of a many-language issue: a recipient
    gets their language's, and ``factory`` (the issue's main language) when it is missing.

    ``window``: how many messages a connection hands over before the journal has the
    outcome of the first of them. The final dot of a message waits for the outcome
    ``window`` messages back to be committed, so after a kill at most ``window`` messages
    per connection were delivered but not journaled, and go again on resume. 1 (the
    default) puts a commit in every message's path; 16 lets outcomes be committed in
    batches while the connections go on (PostgreSQL: 1.25–1.35× the messages a second in
    one process and two thirds of the sender's CPU a message: bench/send.py --window 16).
    """

    outbox: Outbox
    factory: MessageFactory
    transport: Callable[[], Transport]
    editions: Mapping[str, MessageFactory] = field(default_factory=dict)
    concurrency: int = 1
    rate: float | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    counts: SendCounts = field(default_factory=SendCounts)
    window: int = 1

    @property
    def claim_size(self) -> int:
        """Rows claimed at a time: enough to keep every connection busy between claims,
        few enough that another worker finds work and a dead one holds little. With a
        window, a connection's window of rows a claim: a claim is a transaction, and at
        16 rows a claim it was a third of the producer's CPU on PostgreSQL (py-spy --gil
        of bench/send.py --pg --window 16)."""
        per_connection = max(4, self.window)
        return min(max(50, 4 * per_connection), max(8, self.concurrency * per_connection))

    def run(self, on_progress: Callable[[SendCounts], None] | None = None) -> SendCounts:
        """Send to every recipient; calls ``on_progress`` from this thread while it works.

        Raises SmtpUnavailable when the server cannot be reached or refuses the sender
        (what was sent stays recorded; run again to resume), and re-raises
        KeyboardInterrupt after the messages in flight are finished and recorded.
        """
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._attempts = Attempts(
            self.outbox, self.factory, self.editions, self.retry, self.counts,
            TokenBucket(self.rate) if self.rate else None, self._stop,
        )  # fmt: skip
        self.outbox.start()
        work: queue.Queue[Recipient | None] = queue.Queue(maxsize=2 * self.claim_size)
        threads = [threading.Thread(target=self._produce, args=(work,), daemon=True)]
        threads += [
            threading.Thread(target=self._work, args=(work,), daemon=True)
            for _ in range(self.concurrency)
        ]
        with _signals_stop(self._stop) as interrupted:
            for thread in threads:
                thread.start()
            while any(t.is_alive() for t in threads):
                threads[-1].join(0.2)
                if on_progress and not interrupted.is_set():
                    on_progress(self.counts)
        self.outbox.close()
        if interrupted.is_set():
            raise KeyboardInterrupt
        if on_progress:
            on_progress(self.counts)
        if self._error:
            raise self._error
        return self.counts

    def _produce(self, work: queue.Queue[Recipient | None]) -> None:
        checked = time.monotonic()
        try:
            while not self._stop.is_set():
                # Claim when one batch is left: a claim is a transaction (4 ms measured on
                # a busy PostgreSQL), and the connections must not run dry meanwhile; rows
                # beyond that would sit here while another worker could be sending them.
                if work.qsize() > self.claim_size:
                    if time.monotonic() - checked > 0.25:  # a slow send obeys a pause too
                        checked = time.monotonic()
                        if not self.outbox.active():
                            return self._halt(work)
                    self._stop.wait(0.002)
                    continue
                batch = self.outbox.claim(self.claim_size)
                skipped = self.outbox.take_skipped()
                if skipped:
                    self.counts.add(SKIPPED, "", number=skipped)
                if batch:
                    for recipient in batch:
                        if not self._put(work, recipient):
                            return
                    continue
                pause = self.outbox.wait()
                if pause is None:
                    return self._halt(work) if not self.outbox.active() else None
                self._stop.wait(pause)
        except BaseException as exc:  # a database error: stop the workers, report it
            self._fail(exc)
        finally:
            for _ in range(self.concurrency):
                self._put(work, None)

    def _halt(self, work: queue.Queue[Recipient | None]) -> None:
        """The send was paused or cancelled: drop the rows claimed but not yet on a
        connection (closing the outbox gives them back); the messages in flight finish."""
        self.counts.halted = getattr(self.outbox, "state", None)
        while True:
            try:
                work.get_nowait()
            except queue.Empty:
                return

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
        # this connection's latest outcomes: the oldest is committed before the next dot
        last: collections.deque[Pending] = collections.deque(maxlen=self.window)
        try:
            while not self._stop.is_set():
                try:
                    recipient = work.get(timeout=0.2)
                except queue.Empty:
                    continue
                if recipient is None:
                    break
                previous = last[0] if len(last) == self.window else DONE
                last.append(self._attempts.deliver(transport, recipient, previous))
            for outcome in last:
                outcome.wait()  # the run ends with every outcome committed
        except BaseException as exc:
            self._fail(exc)
        finally:
            transport.close()

@contextlib.contextmanager
def _signals_stop(stop: threading.Event) -> Iterator[threading.Event]:
    """While the connections run, SIGINT and SIGTERM only set ``stop`` (and the event
    yielded): the messages in flight finish and are recorded, then the caller raises
    KeyboardInterrupt. Python's own handler raises KeyboardInterrupt wherever the main
    thread is, and inside ``Thread.join``/``is_alive`` that marks a running thread as
    ended (CPython 3.11's ``_wait_for_tstate_lock``): the run then returned while a
    connection was still sending, and its delivered message was never recorded, so a
    resume sent it twice. Off the main thread (signals cannot be set there) nothing
    changes."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return

    def on_signal(_signum: int, _frame: object) -> None:
        interrupted.set()
        stop.set()

    previous = {number: signal.signal(number, on_signal)
                for number in (signal.SIGINT, signal.SIGTERM)}  # fmt: skip
    try:
        yield interrupted
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def smtp_transport(settings: SmtpSettings) -> Callable[[], Transport]:
    """A factory of SMTP connections (one per worker, opened on first message)."""
    return lambda: SmtpConnection(settings)
