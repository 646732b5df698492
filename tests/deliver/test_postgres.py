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
from newsletter.deliver.db import deliveries, open_database
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
    """EXPLAIN ANALYZE of the claim as it runs: the row lock (FOR UPDATE SKIP LOCKED) is
    taken in one pass over at most n rows, never once per row of the journal."""
    engine = clean(postgres)
    fill_list(engine, listed)
    sending.prepare_send(engine, "2020-12", "2020-12")
    outbox = sending.JournalOutbox(engine, "2020-12")
    claim = outbox._claims[-1].compile(dialect=engine.dialect)  # the pending rows' claim
    moment = time.time()
    params = {**claim.params, "moment": moment, "until": moment + 60, "limit": 16}
    with engine.connect() as connection:
        (plan,) = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {claim}", params
        ).scalar_one()
        connection.rollback()  # EXPLAIN ANALYZE ran the claim: undo it
    locks = [n for n in _nodes(plan["Plan"]) if n["Node Type"] == "LockRows"]
    assert len(locks) == 1, plan
    assert locks[0]["Actual Loops"] == 1 and locks[0]["Actual Rows"] == 16, locks[0]
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
    from newsletter.deliver.sending.journal import JournalOutbox, Outcome
    from newsletter.deliver.sending.messages import Recipient

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
