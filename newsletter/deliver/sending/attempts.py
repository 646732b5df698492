"""One recipient's attempt: is the row still to go, the message, its hand-over and what
the server's answer means for the journal (sent, retry later, deferred, failed, bounced,
unknown).

Kept apart from the delivery loop (send.py), which moves recipients from the outbox to
the connections: this changes with the rules for answers and retries, that with how the
work is shared out.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.sending.journal import (
    BOUNCED,
    DEFERRED,
    FAILED,
    GO,
    LEFT,
    RETRY,
    SENT,
    SKIPPED,
    UNKNOWN,
    Outcome,
)
from newsletter.deliver.sending.leases import LeaseLost
from newsletter.deliver.sending.messages import MessageFactory, Recipient, envelope
from newsletter.deliver.sending.smtp import Pending
from newsletter.deliver.sending.smtp_replies import (
    PermanentFailure,
    ReplyUnknown,
    SmtpUnavailable,
    TemporaryFailure,
)
from newsletter.exceptions import NewsletterError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from newsletter.deliver.sending.send import Outbox, SendCounts, Transport

# Addresses that need no closer look: ASCII, one @, a dotted domain. Anything else (from
# another route into the database) is checked by the rules `add` and `import` apply.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry 4xx replies and dropped connections."""

    attempts: int = 5
    first_delay: float = 2.0
    max_delay: float = 120.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff: first_delay, ×2 each attempt, capped at max_delay."""
        return min(self.first_delay * 2 ** (attempt - 1), self.max_delay)


class TokenBucket:
    """At most ``rate`` takes per second over all threads, starting empty: the first
    second lets ``rate`` messages through, not a burst on top of them."""

    def __init__(self, rate: float):
        self.rate = rate
        self.tokens = 0.0
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> None:
        """Wait for a token. Takers reserve in turn, so waiting threads stay in order."""
        with self.lock:
            moment = time.monotonic()
            self.tokens = min(1.0, self.tokens + (moment - self.last) * self.rate)
            self.last = moment
            self.tokens -= 1
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait:
            time.sleep(wait)


@dataclass
class Attempts:
    """The attempts of one run: recipients' messages over a connection, each outcome to
    ``outbox`` and ``counts``."""

    outbox: Outbox
    factory: MessageFactory
    editions: Mapping[str, MessageFactory]
    retry: RetryPolicy
    counts: SendCounts
    bucket: TokenBucket | None
    stop: threading.Event

    def record(self, recipient: Recipient, status: str, attempts: int, reply: str,
               retry_at: float | None = None) -> Pending:  # fmt: skip
        saved = self.outbox.record(Outcome(recipient, status, attempts, reply, retry_at))
        if status == RETRY:
            with self.counts.lock:
                self.counts.retries += 1
            return saved
        self.counts.add(FAILED if status == BOUNCED else status, recipient.email, reply)
        if status == BOUNCED:
            with self.counts.lock:
                self.counts.bounced += 1
        return saved

    def deliver(self, transport: Transport, recipient: Recipient,
                previous: Pending) -> Pending:  # fmt: skip
        """Send to one recipient; return the journal's handle of the outcome.

        ``previous`` (the outcome of this connection's last message) is committed before
        this message is handed over: a kill finds at most one message per connection
        delivered but not journaled. The row is looked at again first (the send paused
        or cancelled, the reader gone, the lease lost: it does not go out).
        """
        verdict = self.outbox.admit(recipient)
        if verdict == LEFT:
            return self.record(recipient, SKIPPED, recipient.attempts,
                               "not subscribed at send time")  # fmt: skip
        if verdict != GO:
            self.outbox.drop(recipient)
            return previous  # the row stays open; closing the outbox gives it back
        try:  # everything about this one recipient: a bad one fails alone
            if not _PLAIN_ADDRESS.fullmatch(recipient.email):  # the same rules as `add`
                subs.check_address(recipient.email, smtputf8=True)
            to = envelope(recipient.email)
            factory = self.editions.get(recipient.language or "", self.factory)
            data = factory.message(recipient, to, getattr(transport, "dot_stuffed", False))
            sender = factory.return_path(recipient.subscriber_id)  # VERP, when configured
        except (NewsletterError, ValueError, UnicodeError) as exc:
            reason = str(exc) if recipient.email in str(exc) else f"{recipient.email}: {exc}"
            return self.record(recipient, FAILED, recipient.attempts, reason)
        unreachable = 0
        attempt = recipient.attempts + 1
        while True:
            if self.bucket:
                self.bucket.take()
            try:
                handover = self.outbox.handover(recipient, previous)
                reply = transport.send(sender, to.address, data, to.utf8, handover)
            except LeaseLost:  # held up past our lease: the row may be another's now
                self.outbox.drop(recipient)
                return previous
            except TemporaryFailure as exc:
                if _connection_failure(exc):  # the server, not this message
                    unreachable += 1
                    if unreachable >= self.retry.attempts:
                        raise SmtpUnavailable(exc.reply) from None
                    if self.stop.wait(self.retry.delay(unreachable)):
                        self.outbox.drop(recipient)
                        return previous  # stopping: the row stays pending for the next run
                    continue
                if attempt >= self.retry.attempts:
                    return self.record(recipient, DEFERRED, attempt, exc.reply)
                due = time.time() + self.retry.delay(attempt)
                return self.record(recipient, RETRY, attempt, exc.reply, due)
            except ReplyUnknown as exc:  # the server may have it: never resent on its own
                return self.record(recipient, UNKNOWN, attempt, exc.reply)
            except PermanentFailure as exc:
                status = BOUNCED if exc.hard_bounce else FAILED
                return self.record(recipient, status, attempt, f"{recipient.email}: {exc.reply}")
            return self.record(recipient, SENT, attempt, reply)


def _connection_failure(exc: TemporaryFailure) -> bool:
    """A failure to reach the server at all (not a reply about this message)."""
    return exc.reply.startswith("cannot connect")
