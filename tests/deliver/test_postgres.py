"""The same list and journal on PostgreSQL: a private server started for these tests.

The delivery code is SQLAlchemy Core so a bigger list can move from a SQLite file to
PostgreSQL by changing NEWSLETTER_DB; this proves it on a real server (Debian's
postgresql, run from a temporary data folder on a loopback port, stopped afterwards).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from mailhelpers import Recorder, fill_list, free_port, smtp_server
from test_import import SITE, write_csv
from test_send import run_send
from test_send_kill import CONCURRENCY, newsletter_send

from newsletter.deliver.audience import subscribers
from newsletter.deliver.audience.importer import import_csv
from newsletter.deliver.db import deliveries, now, open_database
from newsletter.deliver.sending import send as sending
from newsletter.exceptions import NewsletterError
from newsletter.render.email import render_email


def _postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert versions, "Debian's postgresql is not installed (bash .ci/install installs it)"
    return versions[-1].parent


def _as_server_user(command: list[str], owner: str | None) -> list[str]:
    # PostgreSQL refuses to run as root: as root (CI), run it as the packaged 'postgres'.
    return ["runuser", "-u", owner, "--", *command] if owner else command


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A SQLAlchemy URL of a fresh, empty PostgreSQL server on 127.0.0.1."""
    bindir = _postgres_bin()
    owner = "postgres" if os.geteuid() == 0 else None
    data = Path(tempfile.mkdtemp(prefix="newsletter-pg-"))
    if owner:
        shutil.chown(data, owner)
    port = free_port()
    subprocess.run(
        _as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                         "--auth=trust", "--encoding=UTF8", "--no-instructions"], owner),
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                         "-l", str(data / "server.log"), "start"], owner),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                            owner),
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(data, ignore_errors=True)


def test_import_is_idempotent_on_postgresql(postgres: str, tmp_path: Path):
    engine = open_database(postgres)
    assert engine.dialect.name == "postgresql"
    data = write_csv(tmp_path / "list.csv", "utf-8", ",").read_bytes()
    first = import_csv(engine, data, "list.csv", languages=SITE)
    again = import_csv(engine, data, "list.csv", languages=SITE)
    assert first.outcomes["added"] == 2
    assert again.outcomes == {"added": 0, "updated": 0, "unchanged": 2, "kept": 0}
    lines = [[p.location.line for p in r.rejected] for r in (first, again)]
    assert lines == [[3, 5, 6, 7], [3, 5, 6, 7]]
    assert subscribers.find(engine, "JAN.KOWALSKI@example.com").name == "Jan Kowalski"
    subscribers.remove(engine, "anna@firma.pl")
    # never resubscribes someone who left
    last = import_csv(engine, data, "list.csv", languages=SITE)
    assert last.outcomes["kept"] == 1
    assert subscribers.find(engine, "anna@firma.pl").status == "unsubscribed"
    assert sum(1 for _ in subscribers.iter_subscribers(engine)) == 2  # Jan and Anna


def clean(postgres: str):
    """The server's database, emptied for one test."""
    engine = open_database(postgres)
    with engine.begin() as connection:
        for table in ("deliveries", "sends", "consent_events", "subscribers"):
            connection.execute(sa.text(f"DELETE FROM {table}"))
    return engine


def test_recipients_are_counted_not_taken_from_the_driver(postgres: str):
    engine = clean(postgres)
    with pytest.raises(NewsletterError, match="no subscribers"):  # psycopg says -1 rows
        sending.prepare_send(engine, "2020-12", "2020-12")
    fill_list(engine, 7)
    assert sending.prepare_send(engine, "2020-12", "2020-12").recipients == 7


def test_two_senders_started_together_on_postgresql(postgres: str):
    engine = clean(postgres)
    addresses = fill_list(engine, 300)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        runs = [newsletter_send(postgres, url, rate="400") for _ in range(2)]
        runs.append(newsletter_send(postgres, url, "--workers", "2", rate="400"))
        for run in runs:
            _out, err = run.communicate(timeout=300)
            assert run.returncode == 0, err.decode()
    assert recorder.recipients() == {a: 1 for a in addresses}


def test_journaled_send_and_resume_on_postgresql(postgres: str, project, sample):
    engine = clean(postgres)
    addresses = fill_list(engine, 40)
    edition = render_email(sample, project)
    recorder = Recorder(replies={addresses[7]: ["451 4.7.1 greylisted"] * 4})
    with smtp_server(recorder) as url:
        counts = run_send(engine, project, sample, edition, url)
        assert (counts.sent, counts.deferred) == (39, 1)
        counts = run_send(engine, project, sample, edition, url)  # resumes: only the rest
        assert (counts.sent, counts.deferred) == (1, 0)
    assert recorder.recipients() == {a: 1 for a in addresses}
    assert sending.journal_counts(engine, "2020-12")["sent"] == 40


def held(engine) -> int:
    """Rows of the journal under a lease (claimed, not yet done)."""
    with engine.connect() as connection:
        return connection.execute(
            sa.select(sa.func.count()).where(deliveries.c.lease_owner.is_not(None))
        ).scalar_one()


@pytest.mark.parametrize("listed", [40, 5000])
def test_a_claim_takes_at_most_what_it_asks_for_on_postgresql(postgres: str, listed: int):
    """Before: the planner ran the claim's `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`
    once per row of a small send, so the first claim of a 5,000 send took all 5,000."""
    engine = clean(postgres)
    fill_list(engine, listed)
    sending.prepare_send(engine, "2020-12", "2020-12")
    outbox = sending.JournalOutbox(engine, "2020-12")
    taken = outbox.claim(16)
    print(f"first claim of 16 on a {listed} send: {len(taken)} returned, {held(engine)} held")
    assert [r.subscriber_id for r in taken] == sorted(r.subscriber_id for r in taken)
    assert len(taken) == 16 and held(engine) == 16
    again = outbox.claim(16)
    assert len(again) == 16 and held(engine) == 32
    assert not {r.subscriber_id for r in taken} & {r.subscriber_id for r in again}


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.parametrize("listed", [40, 5000])
def test_the_claim_chooses_its_rows_once_whatever_the_plan(postgres: str, listed: int):
    """EXPLAIN ANALYZE of the claim as it runs: the row locks (FOR UPDATE SKIP LOCKED; one
    per status, due retries then pending rows) are taken in one pass over at most n rows,
    never once per row of the journal."""
    engine = clean(postgres)
    fill_list(engine, listed)
    sending.prepare_send(engine, "2020-12", "2020-12")
    outbox = sending.JournalOutbox(engine, "2020-12")
    (claim,) = [c.compile(dialect=engine.dialect) for c in outbox._claims]  # one statement
    moment = time.time()
    params = {**claim.params, "moment": moment, "until": moment + 60, "limit": 16}
    with engine.connect() as connection:
        (plan,) = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {claim}", params
        ).scalar_one()
        connection.rollback()  # EXPLAIN ANALYZE ran the claim: undo it
    locks = [n for n in _nodes(plan["Plan"]) if n["Node Type"] == "LockRows"]
    assert len(locks) == 2, plan  # retries, then pending rows
    assert [n["Actual Loops"] for n in locks] == [1, 1], locks
    assert sum(n["Actual Rows"] for n in locks) == 16, locks
    updated = plan["Plan"]
    assert updated["Node Type"] == "ModifyTable" and updated["Actual Rows"] == 16
    assert held(engine) == 0


def test_a_reader_who_leaves_after_the_claim_is_not_mailed_on_postgresql(
    postgres: str, project, sample
):
    from test_send import unsubscribed_after_the_claim_is_not_mailed

    engine = clean(postgres)
    edition = render_email(sample.translations["pl"], project)
    unsubscribed_after_the_claim_is_not_mailed(engine, project, sample, edition)


def test_a_pause_is_obeyed_within_one_batch_on_postgresql(postgres: str):
    from test_control import pause_takes_effect_within_one_batch

    engine = clean(postgres)
    fill_list(engine, 2000)
    # at full speed: one claim (4 rows per connection) and the messages in flight at most
    after = pause_takes_effect_within_one_batch(postgres, engine, 2000, "400", 5 * CONCURRENCY)
    print(f"paused on postgresql: {after} messages after the pause")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_batch_of_outcomes_is_written_row_for_row_on_either_database(
        database: str, postgres: str, tmp_path: Path):
    """A batch of outcomes (the journal's group commit) lands row for row on either
    database: NULLs and retry times included, rows of another send untouched (it guarded
    two one-statement designs for PostgreSQL, both measured slower and taken back)."""
    from newsletter.deliver.sending.journal import Outcome
    from newsletter.deliver.sending.messages import Recipient
    from newsletter.deliver.sending.outbox import JournalOutbox

    engine = clean(postgres) if database == "postgresql" else open_database(tmp_path / "l.db")
    fill_list(engine, 6)
    sending.prepare_send(engine, "2020-12", "2020-12")
    sending.prepare_send(engine, "other", "2020-12")
    outbox = JournalOutbox(engine, "2020-12")
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute(sa.text(
            "SELECT subscriber_id FROM deliveries WHERE send_id = '2020-12' "
            "ORDER BY subscriber_id"))]
    outcomes = [Outcome(Recipient(ids[0], "a@x", None), "sent", 1, "250 ok", None),
                Outcome(Recipient(ids[1], "b@x", None), "retry", 2, "451 later", 1234.5),
                Outcome(Recipient(ids[2], "c@x", None), "failed", 1, "550 no such user", None)]
    with engine.begin() as connection:
        outbox._write(connection, outcomes)
    with engine.connect() as connection:
        rows = connection.execute(sa.select(
            deliveries.c.send_id, deliveries.c.subscriber_id, deliveries.c.status,
            deliveries.c.attempts, deliveries.c.reply, deliveries.c.next_attempt_at,
            deliveries.c.lease_owner, deliveries.c.updated_at.is_not(None))
            .order_by(deliveries.c.send_id, deliveries.c.subscriber_id)).all()
    mine = [tuple(r[1:]) for r in rows if r[0] == "2020-12"]
    assert mine[:3] == [(ids[0], "sent", 1, "250 ok", None, None, True),
                        (ids[1], "retry", 2, "451 later", 1234.5, None, True),
                        (ids[2], "failed", 1, "550 no such user", None, None, True)]
    assert all(r[1] == "pending" for r in mine[3:])
    assert all(r[2] == "pending" and r[4] is None for r in rows if r[0] == "other")


def _journal(engine, listed: int, send_id: str = "big") -> None:
    """``listed`` subscribers (one INSERT … SELECT: the tests are about the journal) and a
    send of all of them."""
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO subscribers (email, email_key, name, language, status, created_at, "
            "updated_at) SELECT 'u' || n || '@example.com', 'u' || n || '@example.com', "
            f"'U ' || n, 'pl', 'subscribed', now(), now() FROM generate_series(1, {listed}) n"
        )
    sending.prepare_send(engine, send_id, "2020-12")


def _believe_empty(engine) -> None:
    """Statistics as an ANALYZE of the empty journal left them (one page, no rows): what
    the planner believes of a journal written since, until autovacuum comes by."""
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE pg_class SET reltuples = 0, relpages = 1 WHERE relname = 'deliveries'"
        )


def _rows_read(plan: dict) -> int:
    """The most rows any one node of an EXPLAIN ANALYZE plan read from deliveries (rows
    returned plus rows its filter removed, over all its loops)."""
    return max(
        ((n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0)
          + n.get("Rows Removed by Index Recheck", 0)) * n.get("Actual Loops", 1)
         for n in _nodes(plan["Plan"]) if n.get("Relation Name") == "deliveries"),
        default=0,
    )  # fmt: skip


def _explain(engine, statement, params: dict) -> dict:
    """EXPLAIN ANALYZE of ``statement`` as it runs, undone afterwards."""
    compiled = statement.compile(dialect=engine.dialect)
    with engine.connect() as connection:
        (plan,) = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}", {**compiled.params, **params}
        ).scalar_one()
        connection.rollback()
    return plan


def test_a_claim_reads_only_its_rows_whatever_the_statistics_say(postgres: str):
    """Before: the claim joined its chosen rows back by key, and a planner that believed
    the journal empty walked the whole send for every claim (3 s a claim on 1,000,000
    rows); now they are found by address (a TID scan)."""
    engine = clean(postgres)
    _journal(engine, 20_000)
    _believe_empty(engine)
    outbox = sending.JournalOutbox(engine, "big")
    moment = time.time()
    plan = _explain(engine, outbox._claims[-1], {"moment": moment, "until": moment + 60,
                                                 "limit": 16})  # fmt: skip
    print(f"claim of 16 on 20,000 believed empty: {_rows_read(plan)} rows read at most")
    assert plan["Plan"]["Actual Rows"] == 16
    assert _rows_read(plan) <= 100, plan


def _subscriber_rows_read(plan: dict) -> int:
    """All rows the plan's nodes read from subscribers (returned plus filtered out, over
    all their loops)."""
    return sum(
        (n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0)) * n.get("Actual Loops", 1)
        for n in _nodes(plan["Plan"]) if n.get("Relation Name") == "subscribers"
    )  # fmt: skip


def test_a_claim_brings_its_people_by_key_whatever_the_statistics_say(postgres: str):
    """The claim returns each row's subscriber (one statement, not a second read per
    claim): found by primary key for the claimed rows alone, even when the planner
    believes both tables empty (a join in UPDATE … FROM could be planned as a scan of
    every subscriber)."""
    engine = clean(postgres)
    _journal(engine, 20_000)
    _believe_empty(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE pg_class SET reltuples = 0, relpages = 1 WHERE relname = 'subscribers'"
        )
    outbox = sending.JournalOutbox(engine, "big")
    moment = time.time()
    plan = _explain(engine, outbox._claims[-1], {"moment": moment, "until": moment + 60,
                                                 "limit": 16})  # fmt: skip
    assert plan["Plan"]["Actual Rows"] == 16
    assert 0 < _subscriber_rows_read(plan) <= 3 * 16, plan
    claimed = outbox.claim(16)
    assert [r.email for r in claimed] == [f"u{n}@example.com" for n in range(1, 17)]
    assert [r.name for r in claimed] == [f"U {n}" for n in range(1, 17)]


def test_the_state_check_reads_only_the_rows_held(postgres: str):
    """The check before each message (the send's state and who of the rows held left
    the list) is one statement that reads the held subscribers by key."""
    engine = clean(postgres)
    _journal(engine, 20_000)
    outbox = sending.JournalOutbox(engine, "big")
    with engine.begin() as connection:
        first = connection.exec_driver_sql("SELECT min(id) FROM subscribers").scalar_one()
        seventh = first + 6
        connection.exec_driver_sql(
            f"UPDATE subscribers SET status = 'unsubscribed' WHERE id = {seventh}"
        )
    plan = _explain(engine, outbox._state_and_left, {"ids": list(range(first, first + 64))})
    assert _subscriber_rows_read(plan) <= 64, plan
    claimed = outbox.claim(16)
    assert seventh not in [r.subscriber_id for r in claimed]  # skipped at the claim
    outbox._read_states()
    assert outbox.state == "running" and outbox._left == set()
    outbox._leases.hold([seventh], time.time() + 60)
    outbox._read_states()
    assert outbox._left == {seventh}


def test_a_new_journal_has_fresh_statistics(postgres: str):
    """Before: statistics from an empty journal stayed until autovacuum came by (a minute
    or more), and with them an outcome's UPDATE could find its row by reading the whole
    send (114 ms on 1,000,000 rows, docs/delivery.md); prepare_send now analyzes the
    journal it wrote."""
    engine = clean(postgres)
    _believe_empty(engine)
    _journal(engine, 20_000)
    with engine.connect() as connection:
        believed = connection.exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE relname = 'deliveries'"
        ).scalar_one()
    print(f"rows the planner believes after journaling 20,000: {believed:,.0f}")
    assert believed >= 18_000
    outbox = sending.JournalOutbox(engine, "big")
    with engine.connect() as connection:  # one in the middle (ids go on across tests)
        middle = connection.exec_driver_sql(
            "SELECT min(subscriber_id) + 10000 FROM deliveries WHERE send_id = 'big'"
        ).scalar_one()
    plan = _explain(engine, outbox._record, {
        "send": "big", "subscriber": middle, "status": "sent", "attempts": 1, "reply": "250",
        "moment": now(), "retry_at": None,
    })  # fmt: skip
    assert 1 <= _rows_read(plan) <= 10, plan


def test_a_claim_mid_send_does_not_walk_past_the_rows_already_sent(postgres: str):
    """Before: with statistics from the send's start ("all pending"), the claim took the
    primary key and stepped over every row sent so far (514 ms a claim at 500,000 of
    1,000,000); the partial index deliveries_open holds the open rows only."""
    engine = clean(postgres)
    _journal(engine, 20_000)  # analyzed: every row pending
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE deliveries SET status = 'sent', attempts = 1 WHERE subscriber_id <= "
            "(SELECT min(subscriber_id) + 10000 FROM deliveries)"
        )
    outbox = sending.JournalOutbox(engine, "big")
    moment = time.time()
    params = {"moment": moment, "until": moment + 60, "limit": 16}
    _explain(engine, outbox._claims[-1], params)  # the first pass marks the dead entries
    plan = _explain(engine, outbox._claims[-1], params)
    print(f"claim of 16 after 10,000 of 20,000 sent: {_rows_read(plan)} rows read at most")
    assert plan["Plan"]["Actual Rows"] == 16
    assert _rows_read(plan) <= 100, plan


def test_the_journal_gives_its_connections_back_as_it_took_them(postgres: str):
    """The journal's lanes (newsletter/deliver/sending/lanes.py) set synchronous_commit =
    off for their sessions; once the outbox closes, every pooled connection has the
    server's own setting again, so nothing else of the program commits without waiting
    for the disk."""
    from newsletter.deliver.sending.journal import Outcome

    engine = clean(postgres)
    fill_list(engine, 20)
    sending.prepare_send(engine, "2020-12", "2020-12")
    outbox = sending.JournalOutbox(engine, "2020-12")
    outbox.start()
    taken = outbox.claim(8)
    assert outbox.admit(taken[0]) == sending.GO and outbox.active()
    outbox.record(Outcome(taken[0], sending.SENT, 1, "250")).wait()
    assert outbox.wait() is not None
    outbox.close()
    connections = [engine.connect() for _ in range(engine.pool.size())]
    try:
        settings = [c.exec_driver_sql("SHOW synchronous_commit").scalar() for c in connections]
    finally:
        for connection in connections:
            connection.close()
    assert settings == ["on"] * len(connections)
    assert sending.journal_counts(engine, "2020-12")[sending.SENT] == 1
