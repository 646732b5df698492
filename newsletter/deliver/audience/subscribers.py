"""The mailing list: who is on it, who left, and the rules for changing that.

One rule matters above the others: an address that unsubscribed, bounced or complained is
never put back on the list by an import or an ``add``. Rows are kept when someone leaves
(``remove`` unsubscribes), so that a later import of an old file cannot re-add them. The
same holds for someone who asked to be forgotten, whose row has lost its address: a keyed
hash of it (:mod:`newsletter.deliver.audience.forgotten`) keeps them off.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver.audience import consent, forgotten
from newsletter.deliver.db import now, subscribers
from newsletter.exceptions import NewsletterError

SUBSCRIBED = "subscribed"
UNSUBSCRIBED = "unsubscribed"
BOUNCED = "bounced"
COMPLAINED = "complained"
PENDING = "pending"  # signed up through the form, confirmation link not yet used
EXPIRED = "expired"  # signed up, never confirmed: the link expired (name dropped)
FORGOTTEN = "forgotten"  # asked to be forgotten: address and name erased, row kept for counts
STATUSES = (SUBSCRIBED, UNSUBSCRIBED, BOUNCED, COMPLAINED, PENDING, EXPIRED, FORGOTTEN)
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")
"""A preferred language as a code (``pl``, ``uk``); which ones the site has is the
caller's to say (:func:`newsletter.words.language_codes`)."""
LEFT = (UNSUBSCRIBED, BOUNCED, COMPLAINED)
"""Statuses of people who left: no import or ``add`` puts them back (only their own
confirmed sign-up does)."""

FORMULA_STARTS = tuple("=+-@\t\r")
EXPORT_COLUMNS = (
    "email", "name", "language", "status", "source", "subscribed_at", "unsubscribed_at",
)  # fmt: skip


class InvalidSubscriber(NewsletterError):
    """An address, name or language that cannot go on the list (the message says why)."""


@dataclass(frozen=True)
class Subscriber:
    """One row of the list, as the commands show it."""

    id: int
    email: str
    name: str | None
    language: str | None
    status: str
    source: str | None
    subscribed_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None


@dataclass(frozen=True)
class Candidate:
    """A checked address with its details, ready to be added."""

    email: str
    name: str | None = None
    language: str | None = None
    source: str | None = None
    status: str = SUBSCRIBED  # an exported list keeps who left: they stay off on import
    origin: str = "command"  # where the change came from, for the consent record
    # When they subscribed and left, as an exported list says (default: now, as added).
    subscribed_at: dt.datetime | None = None
    unsubscribed_at: dt.datetime | None = None
    # Consent given in the tool the list comes from, recorded before the import's event.
    history: tuple[consent.Earlier, ...] = ()

    @property
    def key(self) -> str:
        return self.email.lower()


def check_address(email: str, smtputf8: bool = False) -> str:
    """The normalized address, or InvalidSubscriber naming it and saying why.

    Checked by syntax only (no DNS: imports must work offline and fast). A domain may be
    internationalized (it goes out in its ASCII, IDNA form); a local part only when
    ``smtputf8`` says the relay takes SMTPUTF8, since no other server can carry it.
    """
    try:
        checked = validate_email(email.strip(), check_deliverability=False,
                                 allow_smtputf8=smtputf8)  # fmt: skip
    except EmailNotValidError as exc:
        hint = _hint(email.strip(), smtputf8)
        raise InvalidSubscriber(
            f"'{email.strip()}' is not a valid e-mail address: {exc}{hint}"
        ) from None
    return checked.normalized


_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_IN_BRACKETS = re.compile(r"<([^<>\s]+@[^<>\s]+)>")
_ADDRESS = re.compile(r"[^\s,;<>()\[\]\"']+@[^\s,;<>()\[\]\"']+")


def _hint(email: str, smtputf8: bool) -> str:
    """What the person fixing the file should do, for the slips that are not typos: a
    link copied with its ``mailto:``, an address with its display name from a mail
    program, two addresses in one cell, punctuation after it; SMTPUTF8 only when the
    part before the @ is not ASCII (the one case that switch changes)."""
    found = _ADDRESS.findall(_MAILTO.sub("", email).split("?", 1)[0])
    if _MAILTO.match(email) and len(found) == 1:
        return f" (a link's 'mailto:' was copied with it: write {found[0]})"
    bracketed = _IN_BRACKETS.search(email)
    if bracketed:
        return (f" (write the address alone, {bracketed.group(1)}; a name goes in the "
                "name column)")
    if len(found) > 1:
        return " (one address per row: put each of them on a row of its own)"
    if len(found) == 1 and (meant := found[0].rstrip(".")) != email and email.startswith(meant):
        return f" (did you mean {meant}?)"
    local = email.rpartition("@")[0]
    if not smtputf8 and not local.isascii():
        return " (use --smtputf8 if your relay accepts SMTPUTF8)"
    return ""


def check_name(email: str, name: str | None, exact: bool = False) -> str | None:
    """The name stripped (None when empty), or InvalidSubscriber: it goes into To:.
    ``exact``: the name is kept as given, spaces around it included (an export read back)."""
    name = (name if exact else (name or "").strip()) or None
    if name is not None:
        if any(ch in name for ch in "\r\n\x00"):
            raise InvalidSubscriber(f"the name of {email} contains a line break")
        if len(name) > 200:
            raise InvalidSubscriber(f"the name of {email} is over 200 characters")
    return name


def candidate(
    email: str,
    name: str | None = None,
    language: str | None = None,
    source: str | None = None,
    smtputf8: bool = False,
    status: str | None = None,
    languages: Collection[str] | None = None,
) -> Candidate:
    """Check and normalize one subscriber's details; raise InvalidSubscriber saying why.

    ``languages``: the site's (the blocks of strings.yaml); without them, any language
    code is taken."""
    if not email.strip():
        raise InvalidSubscriber("no e-mail address")
    address = check_address(email, smtputf8)
    name = check_name(address, name)
    language = (language or "").strip().lower() or None
    if language is not None and (not LANGUAGE_CODE.match(language) or
                                 (languages is not None and language not in languages)):
        expected = f" (expected one of: {', '.join(languages)})" if languages else ""
        raise InvalidSubscriber(f"unknown language '{language}'{expected}")
    source = (source or "").strip() or None
    status = (status or "").strip().lower() or SUBSCRIBED
    if status not in (SUBSCRIBED, *LEFT):  # pending/expired: nobody confirmed; not for files
        raise InvalidSubscriber(
            f"unknown status '{status}' of {address} (expected one of: "
            f"{', '.join((SUBSCRIBED, *LEFT))})"
        )
    return Candidate(address, name, language, source, status)


def save(
    connection: Connection, batch: Iterable[Candidate], key: bytes | None = None
) -> list[str]:
    """Add new addresses and update details of subscribed ones, in the caller's transaction.

    Returns, for each candidate, what happened: ``added``, ``updated``, ``unchanged``,
    ``kept`` (the address left the list and stays off it) or ``forgotten`` (the person
    asked to be forgotten: nothing is stored). Looked up in one query per batch, so an
    import of 100,000 rows does not make 100,000 round trips. ``key``: the secret of the
    forgotten addresses' hashes (default: NEWSLETTER_SECRET, needed only when someone
    was forgotten).
    """
    batch = list(batch)
    keys = {c.key for c in batch}
    rows = connection.execute(
        sa.select(subscribers).where(subscribers.c.email_key.in_(keys))
    ).mappings()
    existing = {row["email_key"]: dict(row) for row in rows}
    # Who is not on the list, or only as a sign-up nobody confirmed, may have been forgotten.
    unlisted = [k for k in keys if existing.get(k, {}).get("status") in (None, PENDING, EXPIRED)]
    erased = forgotten.screen(connection, unlisted, key)
    outcomes = []
    moment = now()
    for item in batch:
        row = existing.get(item.key)
        if item.key in erased:
            outcomes.append("forgotten")
        elif row is None:
            values = {
                "email": item.email,
                "email_key": item.key,
                "name": item.name,
                "language": item.language,
                "status": item.status,
                "source": item.source,
                "subscribed_at": item.subscribed_at or moment,
                "unsubscribed_at": item.unsubscribed_at
                or (moment if item.status == UNSUBSCRIBED else None),
                "created_at": moment,
                "updated_at": moment,
            }
            inserted = connection.execute(subscribers.insert(), values)  # bound, not built
            values["id"] = inserted.inserted_primary_key[0]
            existing[item.key] = values
            _earlier(connection, values["id"], item)
            consent.record(connection, values["id"], consent.IMPORTED, item.origin,
                           details=_imported(item))  # fmt: skip
            outcomes.append("added")
        elif row["status"] in LEFT:
            outcomes.append("kept")
        elif row["status"] != SUBSCRIBED:  # a sign-up never confirmed: the editor's consent
            connection.execute(
                subscribers.update()
                .where(subscribers.c.id == row["id"])
                .values(status=item.status, name=item.name or row["name"], source=item.source,
                        language=item.language or row["language"],
                        subscribed_at=item.subscribed_at or moment,
                        updated_at=moment)
            )  # fmt: skip
            row["status"] = item.status
            _earlier(connection, row["id"], item)
            consent.record(connection, row["id"], consent.IMPORTED, item.origin,
                           details=_imported(item))  # fmt: skip
            outcomes.append("updated")
        elif item.status != SUBSCRIBED:  # the file says they left: they leave here too
            set_status(connection, row["id"], item.status, item.origin)
            row["status"] = item.status
            outcomes.append("updated")
        else:
            changes = {
                field: getattr(item, field)
                for field in ("name", "language")
                if getattr(item, field) is not None and getattr(item, field) != row[field]
            }
            if changes:
                connection.execute(
                    subscribers.update()
                    .where(subscribers.c.email_key == item.key)
                    .values(**changes, updated_at=moment)
                )
                row.update(changes)
                consent.record(connection, row["id"], consent.CHANGED, item.origin,
                               details=_changes(changes))  # fmt: skip
                outcomes.append("updated")
            else:
                outcomes.append("unchanged")
    return outcomes


def _earlier(connection: Connection, subscriber_id: int, item: Candidate) -> None:
    """The consent the person gave in the tool the list comes from, each step at its time."""
    for step in item.history:
        consent.record(connection, subscriber_id, step.kind, step.source, ip=step.ip,
                       at=step.at)


def _imported(item: Candidate) -> dict[str, str]:
    """What an import event records besides its source: the consent source the file
    names, the language, and the status when the row says the person left."""
    details = {"consent": item.source, "language": item.language}
    if item.status != SUBSCRIBED:
        details["status"] = item.status
    return {key: value for key, value in details.items() if value}


def _changes(changes: dict[str, object]) -> dict[str, object]:
    """Changed fields for the record; a name is noted as changed, not copied (the record
    is kept longer than the row's personal details need to be)."""
    return {key: ("changed" if key == "name" else value) for key, value in changes.items()}


def add(engine: Engine, item: Candidate, key: bytes | None = None) -> str:
    """Add one subscriber (see :func:`save` for what the result means)."""
    with engine.begin() as connection:
        return save(connection, [item], key)[0]


def find(engine: Engine, email: str) -> Subscriber | None:
    """The subscriber with this address, in any letter case."""
    with engine.connect() as connection:
        row = (
            connection.execute(
                sa.select(subscribers).where(subscribers.c.email_key == email.strip().lower())
            )
            .mappings()
            .first()
        )
    return _subscriber(row) if row else None


def remove(engine: Engine, email: str, source: str = "command: subscribers remove") -> Subscriber:
    """Unsubscribe an address (the row stays, so no import can bring it back)."""
    found = find(engine, email)
    if found is None:
        raise NewsletterError(f"{email.strip()} is not on the list")
    with engine.begin() as connection:
        set_status(connection, found.id, UNSUBSCRIBED, source)
    return found


def set_status(
    connection: Connection,
    subscriber_id: int,
    status: str,
    source: str | None = None,
    ip: str | None = None,
) -> bool:
    """Change a subscriber's status; True when it changed. With a ``source``, a change is
    appended to the consent record (kind: the new status).

    Leaving the list is one-way: an unsubscribed address is never marked bounced or
    subscribed again, so the reason it left is kept (only the person's own confirmed
    sign-up brings them back, see :mod:`newsletter.deliver.audience.signup`). A forgotten row is
    never changed (a late bounce names nobody any more).
    """
    moment = now()
    values: dict[str, object] = {"status": status, "updated_at": moment}
    if status == UNSUBSCRIBED:
        values["unsubscribed_at"] = moment
    query = (
        subscribers.update()
        .where(subscribers.c.id == subscriber_id)
        .where(subscribers.c.status != status)
        .where(subscribers.c.status.not_in((UNSUBSCRIBED, FORGOTTEN)))
        .values(**values)
    )
    changed = connection.execute(query).rowcount > 0
    if changed and source is not None:
        consent.record(connection, subscriber_id, status, source, ip=ip)
    return changed


def by_id(connection: Connection, subscriber_id: int) -> Subscriber | None:
    """A subscriber by database id (what an unsubscribe token names); None for a
    forgotten person, so their old links open nothing."""
    row = (
        connection.execute(
            sa.select(subscribers)
            .where(subscribers.c.id == subscriber_id)
            .where(subscribers.c.status != FORGOTTEN)
        )
        .mappings()
        .first()
    )
    return _subscriber(row) if row else None


def iter_subscribers(
    engine: Engine, status: str | None = None, page: int = 1000
) -> Iterator[Subscriber]:
    """Every subscriber in id order, a page at a time (memory stays flat on big lists)."""
    last = 0
    while True:
        query = sa.select(subscribers).where(subscribers.c.id > last)
        if status:
            query = query.where(subscribers.c.status == status)
        with engine.connect() as connection:
            rows = connection.execute(query.order_by(subscribers.c.id).limit(page)).mappings()
            chunk = [_subscriber(row) for row in rows]
        yield from chunk
        if len(chunk) < page:
            return
        last = chunk[-1].id


def count(engine: Engine) -> dict[str, int]:
    """How many subscribers have each status (every status present, zero or not)."""
    query = sa.select(subscribers.c.status, sa.func.count()).group_by(subscribers.c.status)
    with engine.connect() as connection:
        counted = dict(connection.execute(query).all())
    return {status: counted.get(status, 0) for status in STATUSES}


def export(engine: Engine, out: TextIO, status: str | None = None) -> int:
    """Write the list as CSV (UTF-8, comma, header row): re-importable, status included,
    so an import elsewhere keeps everyone who left off the list. Returns the rows.

    Sign-ups never confirmed (pending, expired) are left out unless asked for by status.
    A cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab or CR
    first) gets a leading apostrophe: a name such as ``=HYPERLINK(…)`` typed into a
    sign-up form must not become a live link or command in the editor's Excel. So do a
    cell that begins with an apostrophe and one with spaces around it, so that import
    (:func:`import_cell`) takes back exactly what was exported; times are ISO 8601 UTC.
    Lines end in CRLF (RFC 4180): a cell holding a bare CR is then quoted as well.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    for item in iter_subscribers(engine, status):
        if item.status in (PENDING, EXPIRED) and status is None:
            continue  # sign-ups nobody confirmed are no consent to take elsewhere
        if item.status == FORGOTTEN:
            continue  # no address left to export
        writer.writerow(
            [
                "" if value is None
                else export_time(value) if isinstance(value, dt.datetime)
                else export_cell(value)
                for value in (getattr(item, column) for column in EXPORT_COLUMNS)
            ]
        )  # fmt: skip
        written += 1
    return written


def neutralise_formula(value: str) -> str:
    """``value`` with an apostrophe in front when a spreadsheet would read it as a formula."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def _marked(value: str) -> bool:
    """Whether export puts an apostrophe in front of ``value``."""
    return value[:1] in (*FORMULA_STARTS, "'") or value != value.strip()


def export_cell(value: str) -> str:
    """``value`` as an export writes it: with an apostrophe in front when a spreadsheet
    would run it as a formula (:func:`neutralise_formula`), when it begins with an
    apostrophe itself, or when it begins or ends with spaces (an import strips those)."""
    return "'" + value if _marked(value) else value


def import_cell(cell: str) -> tuple[str, bool]:
    """(the value :func:`export_cell` was given, True) for a cell export marked; else
    (the cell as it is, False). Exactly the inverse: a cell export did not write (an
    editor's ``'Tis``) is left alone, and a marked value is taken as it is, unstripped."""
    if cell[:1] == "'" and _marked(cell[1:]):
        return cell[1:], True
    return cell, False


def export_time(value: dt.datetime) -> str:
    """A stored time as export writes it: ISO 8601 in UTC (SQLite's come back naive)."""
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()


def import_time(cell: str, field: str) -> dt.datetime | None:
    """A time of an imported row (ISO 8601 or a spreadsheet's re-save, :mod:`export_times`;
    without a zone: UTC), or InvalidSubscriber."""
    from newsletter.deliver.audience.export_times import TimeError, parse_time

    try:
        return parse_time(cell, field)
    except TimeError as exc:
        raise InvalidSubscriber(str(exc)) from None


def _subscriber(row) -> Subscriber:  # type: ignore[no-untyped-def]
    return Subscriber(
        row["id"],
        row["email"],
        row["name"],
        row["language"],
        row["status"],
        row["source"],
        row["subscribed_at"],
        row["unsubscribed_at"],
    )
