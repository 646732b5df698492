"""The delivery database: subscribers and the send journal, migrated on first use.

SQLAlchemy Core rather than sqlite3, so that ``NEWSLETTER_DB=postgresql://…`` serves a
bigger list later with the same queries; a plain path means a SQLite file. The schema is
versioned in ``schema_version`` and every migration below runs once, in order, the first
time a newer version of the program opens an older database.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from newsletter.exceptions import NewsletterError, TemporaryFailure

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

subscribers = sa.Table(
    "subscribers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(320), nullable=False),
    # Lower-cased address: uniqueness is case-insensitive on every database, without
    # relying on SQLite's NOCASE or PostgreSQL's citext.
    sa.Column("email_key", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200)),
    sa.Column("language", sa.String(8)),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("source", sa.String(200)),  # where the consent was given (form, event, file)
    sa.Column("subscribed_at", sa.DateTime(timezone=True)),
    sa.Column("unsubscribed_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

sends = sa.Table(
    "sends",
    metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("issue_id", sa.String(100), nullable=False),
    # Part of every Message-ID of this send: a resent message keeps its Message-ID, so
    # a recipient's mailbox may fold the duplicate left by a crash.
    sa.Column("message_key", sa.String(32), nullable=False),
    sa.Column("recipients", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Version 3: send control (newsletter/deliver/sending/control.py). ``state`` is what the
    # workers obey: they claim rows only while it is "running". ``start_at`` (epoch
    # seconds) is when a scheduled send is due; ``issue_path`` and ``options`` (JSON, no
    # secrets) are what `newsletter worker` needs to build the messages and run the send.
    sa.Column("state", sa.String(16), nullable=False, server_default="running"),
    sa.Column("start_at", sa.Float),
    sa.Column("issue_path", sa.String(1000)),
    sa.Column("options", sa.String(2000)),
    # Version 7: the approval whose stored editions this send carries (newsletter/review/).
    sa.Column("approval_id", sa.Integer),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("send_id", sa.String(100), sa.ForeignKey("sends.id"), primary_key=True),
    sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id"), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("reply", sa.String(500)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    # Version 2. Which edition the message carries: chosen when the list is journaled,
    # kept on resume.
    sa.Column("language", sa.String(8)),
    # A worker's claim: rows are taken in small batches, and a claim whose worker stops
    # renewing it (killed, machine gone) expires and is taken by another. Epoch seconds:
    # compared the same way on every database, with no time-zone conversions.
    sa.Column("lease_owner", sa.String(120)),
    sa.Column("lease_until", sa.Float),
    # When a temporarily refused message may be tried again (the retry queue).
    sa.Column("next_attempt_at", sa.Float),
    sa.Index("deliveries_pending", "send_id", "status", "subscriber_id"),
)

consent_events = sa.Table(
    "consent_events",
    metadata,
    # Version 3. Append-only: what a person agreed to or withdrew, when, where and how.
    # No code path updates or deletes a row; a person's history is their rows in id order.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id"), nullable=False, index=True
    ),
    sa.Column("kind", sa.String(20), nullable=False),  # see newsletter.deliver.audience.consent
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    # form, "import list.csv:12", "command: subscribers add", "unsubscribe link", …
    sa.Column("source", sa.String(300), nullable=False),
    sa.Column("consent_version", sa.String(40)),  # the [consent] text agreed to, if any
    sa.Column("ip", sa.String(50)),  # truncated: /24 for IPv4, /48 for IPv6
    sa.Column("details", sa.JSON),  # what changed: language, name, status
)

forgotten = sa.Table(
    "forgotten",
    metadata,
    # Version 5: people who asked to be forgotten (newsletter/deliver/audience/forgotten.py). Not
    # their address: its HMAC-SHA256 under NEWSLETTER_SECRET (hex), so an import or a
    # sign-up can be checked against it, and nobody can read it back.
    sa.Column("address_hash", sa.String(64), primary_key=True),
    # Which key made the hash (an HMAC of a fixed label): a changed NEWSLETTER_SECRET is
    # noticed, not silently taken as "nobody was forgotten".
    sa.Column("key_id", sa.String(16), nullable=False),
    # An operator said the person asked to come back: the form may sign them up (double
    # opt-in); import and add still refuse.
    sa.Column("signup_allowed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=False),
)

bounce_messages = sa.Table(
    "bounce_messages",
    metadata,
    # Version 6: every message `newsletter bounces` has read, so a second run over the same
    # folder recognises it (``fingerprint``: its Message-ID, else a hash of its bytes) and
    # changes nothing. Messages that could not be attributed keep their bytes here (``raw``,
    # at most the size limit of newsletter/deliver/returns/mailboxes.py): kept aside, never lost.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("fingerprint", sa.String(250), nullable=False, unique=True),
    sa.Column("source", sa.String(300), nullable=False),  # file, mbox#n, imap uid, stdin
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),  # see newsletter.deliver.returns.bounces
    sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id"), index=True),
    sa.Column("message_key", sa.String(32)),  # the send the bounce is about, when known
    sa.Column("detail", sa.String(500)),  # status code and diagnostic, or why kept aside
    sa.Column("raw", sa.LargeBinary),
)

bounce_scores = sa.Table(
    "bounce_scores",
    metadata,
    # Version 6: soft bounces adding up (Mailman's model, see config.BounceSettings).
    sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id"), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),  # UTC day of the last bounce counted
    sa.Column("day_score", sa.Float, nullable=False),  # what that day added
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


approvals = sa.Table(
    # Version 7 (newsletter/review/): who approved which version of an issue, when. The
    # version is the hash of the issue folder's files (``sources``: name → sha256) and of
    # the e-mail editions built from them (``editions_hash``, over approval_files), whose
    # bytes are kept in approved_blobs: a send carries them, never the folder.
    "approvals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("issue_id", sa.String(100), nullable=False, index=True),
    sa.Column("issue_path", sa.String(1000)),
    sa.Column("approved_by", sa.String(200)),  # None: a snapshot with [review] approvals = 0
    sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sources_hash", sa.String(64), nullable=False),
    sa.Column("sources", sa.JSON, nullable=False),
    sa.Column("editions_hash", sa.String(64), nullable=False),
    sa.Column("languages", sa.String(200), nullable=False),  # the main language first
)

approval_files = sa.Table(
    "approval_files",
    metadata,
    sa.Column("approval_id", sa.Integer, sa.ForeignKey("approvals.id"), primary_key=True),
    sa.Column("language", sa.String(8), primary_key=True),
    sa.Column("name", sa.String(500), primary_key=True),  # subject, email.html, images/…
    sa.Column("sha256", sa.String(64), nullable=False),
)

approved_blobs = sa.Table(
    # Content-addressed: an approval of an unchanged picture stores nothing new.
    "approved_blobs",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

test_sends = sa.Table(
    # `send --to`: not journaled (no recipients' rows), but recorded as tests.
    "test_sends",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("issue_id", sa.String(100), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recipients", sa.Integer, nullable=False),
    sa.Column("sources_hash", sa.String(64), nullable=False),
    sa.Column("approval_id", sa.Integer),  # the folder was approved as it was then
)


rate_limits = sa.Table(
    "rate_limits",
    metadata,
    # Version 8: the reader's pages' rate limits, one budget for every `serve` process
    # (newsletter/app/limits.py): a token bucket per limit and key ("network:203.0.113.7").
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("tokens", sa.Float, nullable=False),
    sa.Column("at", sa.Float, nullable=False),  # epoch seconds of the last change
)


def _create_v1(connection: Connection) -> None:
    metadata.create_all(connection, tables=[subscribers, sends, deliveries])


def _claims_and_languages_v2(connection: Connection) -> None:
    """Worker claims, the retry queue and each message's language (deliveries).

    A database created by this version already has them (version 1 creates the current
    tables): only the columns missing are added.
    """
    _add_missing_columns(
        connection, deliveries, ("language", "lease_owner", "lease_until", "next_attempt_at")
    )


def _add_missing_columns(connection: Connection, table: sa.Table, names: tuple[str, ...]) -> None:
    """``ALTER TABLE … ADD COLUMN`` for each of ``names`` the table does not have yet
    (with its server default, so a NOT NULL column fills the rows already there)."""
    present = {c["name"] for c in sa.inspect(connection).get_columns(table.name)}
    preparer = connection.dialect.identifier_preparer
    for name in names:
        column = table.c[name]
        if name in present:
            continue
        ddl = f"{preparer.quote(column.name)} {column.type.compile(dialect=connection.dialect)}"
        if column.server_default is not None:
            ddl += f" NOT NULL DEFAULT '{column.server_default.arg}'"
        connection.execute(sa.text(f"ALTER TABLE {preparer.quote(table.name)} ADD COLUMN {ddl}"))


def _consent_events_v3(connection: Connection) -> None:
    """The append-only record of consent (sign-up, confirmation, changes, leaving)."""
    consent_events.create(connection, checkfirst=True)


def _send_control_v4(connection: Connection) -> None:
    """Each send's state, start time, issue folder and options (sends).

    A send of an older version is "done" when none of its rows is left open, else
    "running" (it was stopped, and resumes as before).
    """
    _add_missing_columns(connection, sends, ("state", "start_at", "issue_path", "options"))
    still_open = (
        sa.select(deliveries.c.send_id)
        .where(deliveries.c.send_id == sends.c.id)
        .where(deliveries.c.status.in_(("pending", "retry")))
    )
    connection.execute(sends.update().where(~sa.exists(still_open)).values(state="done"))


def _forgotten_v5(connection: Connection) -> None:
    """Keyed hashes of the addresses of people who asked to be forgotten."""
    forgotten.create(connection, checkfirst=True)


def _bounces_v6(connection: Connection) -> None:
    """Bounces and complaints read after sending: the messages read, soft-bounce scores."""
    bounce_messages.create(connection, checkfirst=True)
    bounce_scores.create(connection, checkfirst=True)


def _approvals_v7(connection: Connection) -> None:
    """Approvals with their editions' bytes, test sends, and the approval of each send."""
    for table in (approvals, approval_files, approved_blobs, test_sends):
        table.create(connection, checkfirst=True)
    _add_missing_columns(connection, sends, ("approval_id",))


def _rate_limits_v8(connection: Connection) -> None:
    """Rate limits shared by every `serve` process (``serve --workers N``)."""
    rate_limits.create(connection, checkfirst=True)


def _open_rows_index_v9(connection: Connection) -> None:
    """PostgreSQL: a partial index of the rows still to send (pending, retry), for claims.

    The claim takes the lowest open rows of a send. With only the primary key and
    (send_id, status, subscriber_id) to choose from, PostgreSQL's planner took the primary
    key whenever its statistics still said "all pending" (taken when the journal was
    written): mid-send it then walked past every row already sent, 514 ms a claim at
    500,000 of 1,000,000 (EXPLAIN ANALYZE, docs/delivery.md). The partial index holds
    the open rows only, so it is chosen with or without fresh statistics (0.5 ms). SQLite
    keeps its composite index: its planner already uses it (journal.py).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(
            "CREATE INDEX IF NOT EXISTS deliveries_open ON deliveries (send_id, subscriber_id)"
            " WHERE status IN ('pending', 'retry')"
        ))  # fmt: skip


MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_v1,
    _claims_and_languages_v2,
    _consent_events_v3,
    _send_control_v4,
    _forgotten_v5,
    _bounces_v6,
    _approvals_v7,
    _rate_limits_v8,
    _open_rows_index_v9,
]
"""Migration N+1 brings a database from version N to N+1. Append, never edit."""


def now() -> dt.datetime:
    """The current time in UTC (every stored date is UTC)."""
    return dt.datetime.now(dt.UTC)


def database_url(target: str | Path) -> str:
    """A SQLAlchemy URL from ``--db``/``NEWSLETTER_DB``: a URL as it is, a path as SQLite."""
    text = str(target)
    if "://" in text:
        return text
    path = Path(text).expanduser().resolve()
    if not path.parent.is_dir():
        raise NewsletterError(f"{target}: the folder for the database does not exist")
    return f"sqlite:///{path}"


BUSY_TIMEOUT_VARIABLE = "NEWSLETTER_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0


def busy_timeout_from(environ: Mapping[str, str] | None = None) -> float:
    """Seconds a SQLite writer waits for the lock: NEWSLETTER_BUSY_TIMEOUT, else 30. A
    setting so an operator (and a test of a locked database) can make it short."""
    value = (os.environ if environ is None else environ).get(BUSY_TIMEOUT_VARIABLE, "")
    try:
        seconds = float(value) if value.strip() else DEFAULT_BUSY_TIMEOUT
    except ValueError:
        raise NewsletterError(f"{BUSY_TIMEOUT_VARIABLE}={value!r}: give seconds, e.g. 30") \
            from None
    if not 0 <= seconds <= 3600:
        raise NewsletterError(f"{BUSY_TIMEOUT_VARIABLE}={value!r}: give 0 to 3600 seconds")
    return seconds


def open_database(target: str | Path, busy_timeout: float | None = None) -> Engine:
    """Connect to the database and bring its schema up to date.

    ``busy_timeout``: how long a SQLite writer waits for the lock (the unsubscribe server
    waits less than a mail client does, and queues the unsubscribe when the wait runs out);
    by default :func:`busy_timeout_from` the environment.
    """
    if busy_timeout is None:
        busy_timeout = busy_timeout_from()
    url = database_url(target)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ModuleNotFoundError) as exc:
        raise NewsletterError(f"cannot use database '{target}': {exc}") from None
    if engine.dialect.name == "sqlite":
        milliseconds = int(busy_timeout * 1000)
        sa.event.listen(
            engine, "connect", lambda dbapi, record: _sqlite_pragmas(dbapi, record, milliseconds)
        )
    try:
        migrate(engine)
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "unable to open" in reason or "readonly" in reason or "not a database" in reason:
            raise NewsletterError(f"cannot open database '{target}': {reason}") from None
        # Locked past the timeout, a full disk, a server away: may pass, try again.
        raise TemporaryFailure(f"cannot open database '{target}' now: {reason}") from None
    return engine


def _sqlite_pragmas(dbapi_connection, _record, busy_ms: int) -> None:  # type: ignore[no-untyped-def]
    """WAL lets the unsubscribe server read while a send writes. synchronous=NORMAL still
    survives a killed process (only power loss may drop the last commits), and makes the
    commit after every message cheap. busy_timeout makes concurrent writers wait, not fail.
    secure_delete zeroes what a delete or an update leaves behind on a page, so the bytes of
    an erased person (``subscribers forget``) are not still in the file: some SQLite builds
    have it on by default (Debian's), others not (python.org's), so it is not left to them.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def migrate(engine: Engine) -> int:
    """Apply the migrations this database has not seen; return its schema version."""
    with engine.connect() as connection:
        if sa.inspect(connection).has_table("schema_version"):
            seen = connection.execute(sa.select(schema_version.c.version)).scalar()
            if seen == len(MIGRATIONS):
                return seen  # the usual case: no write, no lock
    with engine.begin() as connection:
        schema_version.create(connection, checkfirst=True)
        # Take the write lock (SQLite) or the row's lock (PostgreSQL) before reading the
        # version: two processes opening an older database at once (`send --workers 2`)
        # then migrate one after the other, not both from the same version.
        connection.execute(schema_version.update().values(version=schema_version.c.version))
        current = connection.execute(sa.select(schema_version.c.version)).scalar()
        if current is None:
            current = 0
            connection.execute(schema_version.insert().values(version=0))
        if current > len(MIGRATIONS):
            raise NewsletterError(
                f"the database has schema version {current}, newer than this program "
                f"knows ({len(MIGRATIONS)}): upgrade the newsletter package"
            )
        for version in range(current, len(MIGRATIONS)):
            MIGRATIONS[version](connection)
        connection.execute(schema_version.update().values(version=len(MIGRATIONS)))
    return len(MIGRATIONS)
