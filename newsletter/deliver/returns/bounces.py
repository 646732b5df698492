"""Bounces and complaints after the relay accepted a message: who they are about, and what
they change on the list.

Each message (newsletter/deliver/returns/mailboxes.py, imap.py) is read (reports.py), attributed
to a subscriber, and applied in one transaction with its row in ``bounce_messages``, so
a message read twice — the same folder again, a second copy — changes nothing the
second time.

**Attribution**, most trusted first:

1. the VERP token of the envelope recipient (``--recipient``, as Postfix's pipe passes
   ``${original_recipient}``, or the Delivered-To / X-Original-To / To headers): signed,
   so nobody can name someone else;
2. what the bounce quotes of our message: a VERP token in its Return-Path, the signed
   unsubscribe or preference link in its List-Unsubscribe or body, or our signed
   Message-ID (``<send key-signature.subscriber id@domain>``, message_ids.py). An
   unsigned one (the older form) or one with another id put in proves nothing: every
   reader sees the send's key in their own copy, and ids are sequential;
3. the addresses the report names (DSN recipients, flufl.bounce's scan, an ARF report's
   Original-Rcpt-To) when exactly one of them is on the list. Anyone can write such a
   message (to the bounce address, or to the sender's address when there is none), so
   it is never trusted alone: a bounce attributed this way counts as a soft one (a real
   dead address reaches the threshold over the days its bounces keep coming), a
   complaint is kept aside for a person.

Only a signed token acts at once. A bounce, complaint or unsubscribe request attributed
to nobody is **kept aside**: its bytes stay in ``bounce_messages`` with the reason,
listed by ``newsletter bounces --kept``; nothing is deleted. Auto-replies and unrelated
mail are recorded as ignored and never change anyone.

**Hostile input**: anyone can write to the bounce address. Reading a message is linear
in its size (reports.py, verp.py, message_ids.py) and bounded by ``[bounces]
read_seconds`` of CPU; a message over it, too deeply nested or unparsable is recorded as
unreadable with its bytes (``--kept``) and never read again. Two reports about one person
read at once by two processes are both recorded and both count (the score row is
upserted and locked; SQLite's transaction takes the write lock first).

**What changes**: a hard bounce marks the subscriber bounced; soft and other permanent
failures add to a score (Mailman's model, config.BounceSettings) that marks them bounced
at the threshold; a complaint (ARF abuse) unsubscribes them, recorded as ``complained``;
a ``mailto:`` unsubscribe unsubscribes them. Every change is a consent event with source
``bounces: <where the message was>``. Nobody who unsubscribed is ever marked bounced
(subscribers.set_status).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsletter.config import BounceSettings
from newsletter.deliver.audience import consent, forgotten
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import (
    bounce_messages,
    bounce_scores,
    deliveries,
    now,
    sends,
)
from newsletter.deliver.db import forgotten as forgotten_table
from newsletter.deliver.returns.mailboxes import Incoming
from newsletter.deliver.returns.reports import (
    BOUNCE,
    COMPLAINT,
    HARD,
    IGNORED,
    SOFT,
    UNSUBSCRIBE,
    Failure,
    Report,
    UnreadableMessage,
    read_report,
)
from newsletter.deliver.sending.message_ids import SignedId, read_message_ids
from newsletter.deliver.sending.verp import VerpId, read_verp
from newsletter.deliver.tokens import PREFERENCES, read_token
from newsletter.deliver.tokens import UNSUBSCRIBE as UNSUBSCRIBE_PURPOSE

# Outcomes recorded per message (bounce_messages.outcome) and counted in the summary.
HARD_BOUNCE, SOFT_BOUNCE = "hard", "soft"
COMPLAINED, UNSUBSCRIBED = "complaint", "unsubscribe"
UNATTRIBUTED = "unattributed"
UNREADABLE = "unreadable"  # refused unread (too slow, too deep, broken): kept for a person
OUTCOMES = (HARD_BOUNCE, SOFT_BOUNCE, COMPLAINED, UNSUBSCRIBED, IGNORED, UNATTRIBUTED,
            UNREADABLE)  # fmt: skip
APPLIED = (HARD_BOUNCE, SOFT_BOUNCE, COMPLAINED, UNSUBSCRIBED)
"""The outcomes that changed (or counted towards changing) someone: done with."""
ERROR = "error"

_LINK_TOKEN = re.compile(r"/([up])/([1-9][0-9]{0,17}-[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])")
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])([1-9][0-9]{0,17}-[A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])")
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_DATE_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class Attribution:
    """Who a message is about, and how we know (for the record)."""

    subscriber_id: int
    how: str  # "verp", "verp (returned message)", "link token", "message-id", "address"
    message_key: str | None = None


@dataclass
class Summary:
    """What a run did, per outcome, with the messages kept aside and the errors."""

    read: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    already_seen: int = 0
    changed: int = 0  # subscribers whose status changed
    kept: list[str] = field(default_factory=list)  # "source: reason"
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        c = self.counts
        return (
            f"{self.read} messages read: {c[HARD_BOUNCE]} hard bounces, {c[SOFT_BOUNCE]} soft, "
            f"{c[COMPLAINED]} complaints, {c[UNSUBSCRIBED]} unsubscribes, {c[IGNORED]} "
            f"ignored, {c[UNATTRIBUTED]} unattributed (kept aside), {self.already_seen} "
            f"already seen, {len(self.errors)} unreadable; {self.changed} subscribers changed"
        )


@dataclass
class Context:
    """What attribution and scoring need, fixed for a run."""

    key: bytes
    bounce_address: str | None
    sender_domain: str
    settings: BounceSettings
    recipient: str | None = None  # the envelope recipient, when the MTA passed it
    clock: Callable[[], dt.datetime] = now


def process(
    engine: Engine,
    messages: Iterable[Incoming],
    context: Context,
    on_outcome: Callable[[Incoming, str], None] | None = None,
) -> Summary:
    """Read, attribute and apply every message; one bad message fails alone.

    ``on_outcome`` is told each message's outcome (an IMAP mailbox flags or moves it by
    it): for a message read before, the outcome it was recorded with then, so a message
    is filed the same way however often it is read (a person's message read again is
    still left alone), and one whose filing was interrupted is filed the next time.
    """
    summary = Summary()
    for incoming in messages:
        summary.read += 1
        if incoming.error or incoming.data is None:
            summary.errors.append(incoming.error or f"{incoming.source}: not read")
            outcome = ERROR
        else:
            try:
                outcome = _one(engine, incoming, context, summary)
            except (sa.exc.OperationalError, sa.exc.InterfaceError):
                raise  # the database, not the message: stop the run
            except Exception as exc:  # hostile or broken input fails alone, named
                summary.errors.append(f"{incoming.source}: cannot be read as a message: "
                                      f"{type(exc).__name__}: {exc}"[:500])  # fmt: skip
                outcome = ERROR
        if on_outcome is not None:
            on_outcome(incoming, outcome)
    return summary


def _one(engine: Engine, incoming: Incoming, context: Context, summary: Summary) -> str:
    assert incoming.data is not None
    raw = _raw_fingerprint(incoming.data)
    with engine.connect() as connection:
        seen = _recorded_outcome(connection, raw)  # refused before: never parsed again
    if seen:
        summary.already_seen += 1
        return seen
    try:
        with cpu_limit(context.settings.read_seconds):
            report = read_report(incoming.data)
            evidence = gather(report, context)
    except (sa.exc.OperationalError, sa.exc.InterfaceError):
        raise
    except (Exception, ReadTimeout) as exc:  # hostile or broken: fails alone, on record
        return _unreadable(engine, incoming, raw, exc, summary)
    source = f"bounces: {incoming.source}"
    for attempt in range(_ATTEMPTS):
        try:
            with _writing(engine) as connection:
                seen = _recorded_outcome(connection, report.fingerprint)
                if seen:
                    summary.already_seen += 1
                    return seen
                outcome, who, detail, changed = _apply(connection, report, evidence, context,
                                                       source)  # fmt: skip
                connection.execute(
                    bounce_messages.insert().values(
                        fingerprint=report.fingerprint, source=incoming.source[:300], at=now(),
                        outcome=outcome, subscriber_id=who.subscriber_id if who else None,
                        message_key=who.message_key if who else None, detail=detail[:500],
                        raw=incoming.data if outcome == UNATTRIBUTED else None,
                    )
                )  # fmt: skip
            break
        except sa.exc.IntegrityError:
            # Another process recorded this very message first: seen. Or it recorded
            # another message about the same person at the same moment (their score's
            # row, a consent event): ours is not on record yet, so run it again.
            with engine.connect() as connection:
                seen = _recorded_outcome(connection, report.fingerprint)
            if seen:
                summary.already_seen += 1
                return seen
            if attempt == _ATTEMPTS - 1:
                raise
    summary.counts[outcome] += 1
    summary.changed += changed
    if outcome == UNATTRIBUTED:
        summary.kept.append(f"{incoming.source}: {detail}")
    return outcome


_ATTEMPTS = 5


@contextlib.contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that writes. On SQLite it takes the write lock at once (BEGIN
    IMMEDIATE): one that read first and wrote later would fail at once, not wait, when
    another process wrote in between (SQLITE_BUSY_SNAPSHOT in WAL mode)."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


class ReadTimeout(BaseException):
    """A message took longer than ``[bounces] read_seconds`` of CPU to read. A
    BaseException (as KeyboardInterrupt is), so that no ``except Exception`` in a parser
    or a detector on the way swallows it and reads on unbounded."""


@contextlib.contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`ReadTimeout` in the block after ``seconds`` of this process's CPU.

    Every parser here is linear, so this only guards against what we did not foresee
    (a library's super-linear case): one message fails alone instead of stalling a
    Maildir run or holding one of the mail server's pipe slots. A CPU-time signal
    (SIGPROF), so a busy machine does not make a message time out; Python's regular
    expression engine checks for signals, so a runaway pattern stops too. Only in the
    main thread (signals are delivered there); elsewhere there is no limit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise ReadTimeout(f"took over {seconds:g} s of CPU to read")

    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _raw_fingerprint(data: bytes) -> str:
    """What recognises a message refused unread: a hash of all its bytes."""
    return f"raw:{hashlib.sha256(data).hexdigest()}"


def _unreadable(engine: Engine, incoming: Incoming, fingerprint: str,
                exc: Exception | ReadTimeout, summary: Summary) -> str:  # fmt: skip
    """Record a message that cannot be read (hostile, broken, too slow), with its bytes
    for a person (``--kept``), so the next run does not parse it again; name it once."""
    why = f"{exc}" if isinstance(exc, ReadTimeout | UnreadableMessage) else \
        f"cannot be read as a message: {type(exc).__name__}: {exc}"  # fmt: skip
    detail = f"unreadable: {why}"[:500]
    try:
        with engine.begin() as connection:
            connection.execute(bounce_messages.insert().values(
                fingerprint=fingerprint, source=incoming.source[:300], at=now(),
                outcome=UNREADABLE, detail=detail, raw=incoming.data))  # fmt: skip
    except sa.exc.IntegrityError:  # another process recorded it first
        summary.already_seen += 1
        return UNREADABLE
    summary.counts[UNREADABLE] += 1
    summary.errors.append(f"{incoming.source}: {detail} (recorded: not read again; "
                          "see --kept)"[:600])  # fmt: skip
    return UNREADABLE


def _recorded_outcome(connection: Connection, fingerprint: str) -> str | None:
    """The outcome a message was recorded with when it was first read, if it was."""
    return connection.execute(
        sa.select(bounce_messages.c.outcome).where(bounce_messages.c.fingerprint == fingerprint)
    ).scalar()  # fmt: skip


def _apply(
    connection: Connection, report: Report, evidence: Evidence, context: Context, source: str
) -> tuple[str, Attribution | None, str, int]:
    """(outcome, attribution, detail, subscribers changed) for one report."""
    if report.kind == IGNORED:
        return IGNORED, None, report.reason, 0
    if _about_the_forgotten(connection, report, evidence, context):
        # Nothing about them is kept (not even the bytes of a message kept aside).
        return IGNORED, None, "about a person who asked to be forgotten", 0
    who = attribute(connection, report, context, evidence)
    if who is None:
        return UNATTRIBUTED, None, f"{report.reason}: {_nobody(report)}", 0
    person = subs.by_id(connection, who.subscriber_id)
    assert person is not None  # attribute() only names rows that exist
    details: dict[str, object] = {"by": who.how}
    # A report that names a reader only by address could have been written by anyone (a
    # forged DSN or complaint): it may add to a score, never remove someone at once. With
    # VERP our own bounces carry a signed token; without it, most quote our signed
    # Message-ID.
    guessed = who.how == "address"
    if guessed and report.kind == COMPLAINT:
        return UNATTRIBUTED, who, f"{report.reason} naming subscriber {person.id} by address " \
            "only (no token): a person decides", 0  # fmt: skip
    if report.kind == COMPLAINT:
        changed = subs.set_status(connection, person.id, subs.UNSUBSCRIBED)
        details["report"] = report.reason
        if changed:
            details["status"] = subs.UNSUBSCRIBED
        # Recorded even when they had left already: a complaint is evidence to keep.
        consent.record(connection, person.id, consent.COMPLAINED, source, details=details)
        return COMPLAINED, who, f"{report.reason} ({who.how})", int(changed)
    if report.kind == UNSUBSCRIBE:
        changed = subs.set_status(connection, person.id, subs.UNSUBSCRIBED)
        if changed:
            consent.record(connection, person.id, consent.UNSUBSCRIBED, source, details=details)
        return UNSUBSCRIBED, who, f"mailto unsubscribe ({who.how})", int(changed)
    assert report.kind == BOUNCE
    if not report.failures:  # a bounce no detector could read: a person decides
        return UNATTRIBUTED, who, f"{report.reason} (about subscriber {person.id})", 0
    failure = _failure_of(report, person.email)
    details.update(status=failure.status or failure.severity, reason=failure.diagnostic[:200])
    if failure.severity == HARD and not guessed:
        changed = _mark_bounced(connection, person.id, source, details)
        return HARD_BOUNCE, who, failure.describe(), int(changed)
    weight = context.settings.soft_score if failure.severity == SOFT or guessed else \
        context.settings.permanent_score  # fmt: skip
    day = _bounce_day(report, context)
    score = _add_score(connection, person.id, day, weight, context.settings)
    changed = False
    if score >= context.settings.threshold:
        details["score"] = round(score, 2)
        changed = _mark_bounced(connection, person.id, source, details)
    note = ", by address only: scored as soft" if guessed else ""
    return SOFT_BOUNCE, who, f"{failure.describe()} (score {score:g}{note})", int(changed)


def _mark_bounced(connection: Connection, subscriber_id: int, source: str,
                  details: dict[str, object]) -> bool:  # fmt: skip
    """Bounced, with the reason on the record; False when nothing changed (already
    bounced, or unsubscribed: leaving is one-way)."""
    changed = subs.set_status(connection, subscriber_id, subs.BOUNCED)
    if changed:
        consent.record(connection, subscriber_id, consent.BOUNCED, source, details=details)
    return changed


def _failure_of(report: Report, email: str) -> Failure:
    """The failure about this person's address, else the report's worst one."""
    for failure in report.failures:
        if failure.address.lower() == email.lower():
            return failure
    worst = report.worst()
    assert worst is not None
    return worst


def _bounce_day(report: Report, context: Context) -> dt.date:
    """The UTC day a bounce counts for: its Date, when plausible (a backlog read a week
    late still counts on the days the bounces came), else today."""
    today = context.clock()
    if report.date is not None:
        moment = dt.datetime.fromtimestamp(report.date, dt.UTC)
        if today - _DATE_WINDOW <= moment <= today + dt.timedelta(days=1):
            return moment.date()
    return today.date()


def _add_score(connection: Connection, subscriber_id: int, day: dt.date, weight: float,
               settings: BounceSettings) -> float:  # fmt: skip
    """Mailman's bounce score: at most one bounce counts per day (the heaviest), and a
    score whose last bounce is more than ``reset_after_days`` old starts again."""
    moment = now()
    # The row is made if missing (an upsert: two reports about one person at the same
    # moment must not both insert it), then read locked (PostgreSQL: FOR UPDATE; SQLite
    # holds the write lock already), so concurrent reports add up, none is lost.
    insert = _dialect_insert(connection)(bounce_scores).values(
        subscriber_id=subscriber_id, score=0.0, last_day=day, day_score=0.0,
        updated_at=moment).on_conflict_do_nothing(index_elements=["subscriber_id"])  # fmt: skip
    connection.execute(insert)
    row = connection.execute(
        sa.select(bounce_scores).where(bounce_scores.c.subscriber_id == subscriber_id)
        .with_for_update()
    ).mappings().one()  # fmt: skip
    score, last_day, day_score = row["score"], row["last_day"], row["day_score"]
    if day < last_day:  # older than a day already counted: its day has passed
        return score
    if day == last_day:
        added = max(0.0, weight - day_score)
        score, day_score = score + added, max(day_score, weight)
    elif (day - last_day).days > settings.reset_after_days:
        score, day_score = weight, weight
    else:
        score, day_score = score + weight, weight
    connection.execute(
        bounce_scores.update().where(bounce_scores.c.subscriber_id == subscriber_id)
        .values(score=score, last_day=day, day_score=day_score, updated_at=moment)
    )  # fmt: skip
    return score


@dataclass(frozen=True)
class Evidence:
    """The signed tokens a message carries, read from its text once (in the time bound,
    before the database is touched): each names one subscriber, none can be forged."""

    verp: tuple[tuple[VerpId, str], ...] = ()  # (token, where: "verp" or "… (returned …)")
    link: int | None = None  # an unsubscribe or preference link's token
    subject: int | None = None  # a mailto: request's token
    message_ids: tuple[SignedId, ...] = ()

    def ids(self) -> list[int]:
        """Every subscriber id a signed token names."""
        found = [v.subscriber_id for v, _ in self.verp] + [m.subscriber_id
                                                           for m in self.message_ids]
        return found + [i for i in (self.link, self.subject) if i]


def gather(report: Report, context: Context) -> Evidence:
    """The signed tokens of ``report``; linear in its size (every pattern has a fixed
    start and bounded repeats)."""
    verp = []
    for text, how in ((context.recipient or "", "verp"), (report.envelope, "verp"),
                      (report.returned, "verp (returned message)")):  # fmt: skip
        found = read_verp(context.key, text, context.bounce_address)
        if found:
            verp.append((found, how))
    subject = _subject_token(context.key, report.subject) if report.kind == UNSUBSCRIBE \
        else None  # fmt: skip
    return Evidence(
        verp=tuple(verp), link=_link_token(context.key, report.returned), subject=subject,
        message_ids=tuple(read_message_ids(context.key, report.returned,
                                           context.sender_domain))[:20],
    )  # fmt: skip


def _dialect_insert(connection: Connection):  # type: ignore[no-untyped-def]
    """The INSERT with ON CONFLICT of this database (SQLite and PostgreSQL have it)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def attribute(connection: Connection, report: Report, context: Context,
              evidence: Evidence | None = None) -> Attribution | None:  # fmt: skip
    """The subscriber a report is about (see the module's docstring for the order)."""
    evidence = evidence or gather(report, context)
    for found, how in evidence.verp:
        if _exists(connection, found.subscriber_id):
            return Attribution(found.subscriber_id, how, found.message_key)
    by_link = evidence.subject or evidence.link
    if by_link and _exists(connection, by_link):
        return Attribution(by_link, "link token")
    by_id = _our_message_id(connection, evidence.message_ids)
    if by_id:
        return by_id
    if report.kind == UNSUBSCRIBE:
        return None  # a request without its token: anyone can write a From line
    return _by_address(connection, report)


def _about_the_forgotten(connection: Connection, report: Report, evidence: Evidence,
                         context: Context) -> bool:  # fmt: skip
    """Whether the report is about someone erased by ``subscribers forget``: a signed
    token names their (blanked) row, or an address it names matches a forgotten hash."""
    ids = evidence.ids()
    if ids and connection.execute(
        sa.select(subs.subscribers.c.id)
        .where(subs.subscribers.c.id.in_(ids))
        .where(subs.subscribers.c.status == subs.FORGOTTEN)
    ).first():  # fmt: skip
        return True
    named = {f.address for f in report.failures} | set(report.complained)
    hashes = [forgotten.address_hash(context.key, a) for a in named if a]
    return bool(hashes) and connection.execute(
        sa.select(forgotten_table.c.address_hash)
        .where(forgotten_table.c.address_hash.in_(hashes))
    ).first() is not None  # fmt: skip


def _exists(connection: Connection, subscriber_id: int) -> bool:
    return subs.by_id(connection, subscriber_id) is not None


def _link_token(key: bytes, text: str) -> int | None:
    """A genuine unsubscribe or preference token in a link the returned message quotes."""
    for kind, token in _LINK_TOKEN.findall(text):
        found = read_token(key, token, UNSUBSCRIBE_PURPOSE if kind == "u" else PREFERENCES)
        if found:
            return found
    return None


def _subject_token(key: bytes, subject: str) -> int | None:
    for token in _TOKEN.findall(subject):
        found = read_token(key, token, UNSUBSCRIBE_PURPOSE)
        if found:
            return found
    return None


def _our_message_id(connection: Connection, found: tuple[SignedId, ...]) -> Attribution | None:
    """The first signed Message-ID of ours (message_ids.py) whose send mailed that
    subscriber. An unsigned or forged one was never read as evidence."""
    for signed in found:
        row = connection.execute(
            sa.select(deliveries.c.subscriber_id)
            .join(sends, sends.c.id == deliveries.c.send_id)
            .where(sends.c.message_key == signed.message_key)
            .where(deliveries.c.subscriber_id == signed.subscriber_id)
        ).first()  # fmt: skip
        if row:
            return Attribution(signed.subscriber_id, "message-id", signed.message_key)
    return None


def _by_address(connection: Connection, report: Report) -> Attribution | None:
    """The one subscriber among the addresses the report names (failed recipients, the
    complaint's Original-Rcpt-To); None when none or several are on the list."""
    named = {f.address.lower() for f in report.failures} | {a.lower() for a in report.complained}
    named = {a for a in named if _ADDRESS.fullmatch(a)}
    if not named:
        return None
    rows = connection.execute(
        sa.select(subs.subscribers.c.id).where(subs.subscribers.c.email_key.in_(sorted(named)))
    ).all()  # fmt: skip
    return Attribution(rows[0][0], "address") if len(rows) == 1 else None


def _nobody(report: Report) -> str:
    """Why a report names nobody on the list, for the person reading the kept messages."""
    named = sorted({f.address for f in report.failures} | set(report.complained))
    if named:
        return f"no subscriber matches {', '.join(named)[:200]}"
    return "no VERP token, link token, Message-ID or address of ours in it"


@dataclass(frozen=True)
class KeptMessage:
    """A message kept aside: where it came from, why, and its bytes."""

    id: int
    at: dt.datetime
    source: str
    detail: str
    raw: bytes


def kept_messages(engine: Engine) -> list[KeptMessage]:
    """Every message kept aside (attributed to nobody, or unreadable), oldest first."""
    query = (
        sa.select(bounce_messages)
        .where(bounce_messages.c.outcome.in_((UNATTRIBUTED, UNREADABLE)))
        .order_by(bounce_messages.c.id)
    )
    with engine.connect() as connection:
        return [
            KeptMessage(row.id, row.at, row.source, row.detail or "", row.raw or b"")
            for row in connection.execute(query)
        ]
