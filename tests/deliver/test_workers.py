"""Several senders on one send: real processes, a real journal, killed ones taken over."""

from __future__ import annotations

import itertools
import signal
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from mailhelpers import Recorder, fill_list, smtp_server
from test_send_kill import CONCURRENCY, newsletter_send, wait_for

from newsletter.deliver.db import deliveries, open_database
from newsletter.deliver.sending import send as sending


def finish(*processes) -> list[bytes]:
    """Wait for each process to succeed; their standard outputs (the summaries)."""
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
        outputs.append(out)
    return outputs


@pytest.mark.parametrize("stagger", [0.0, 3.0])
def test_two_senders_of_one_send_mail_everyone_exactly_once(tmp_path: Path, stagger: float):
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 500)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        first = newsletter_send(db, url, rate="300")
        time.sleep(stagger)  # the operator who thinks the first one hung
        second = newsletter_send(db, url, rate="300")
        finish(first, second)
    assert recorder.recipients() == {a: 1 for a in addresses}
    journal = sending.journal_counts(open_database(db), "2020-12")
    assert journal["sent"] == len(addresses) and journal["pending"] == 0


def test_workers_option_starts_processes_that_share_the_send(tmp_path: Path):
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 400)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        (out,) = finish(newsletter_send(db, url, "--workers", "2", rate="1000"))
    assert b"400 sent, 0 failed" in out
    assert recorder.recipients() == {a: 1 for a in addresses}


def test_a_worker_killed_while_holding_a_lease_is_taken_over(tmp_path: Path):
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 300)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        first = newsletter_send(db, url, "--lease", "2")
        wait_for(recorder, 60, first)
        first.send_signal(signal.SIGKILL)
        first.wait()
        engine = open_database(db)
        with engine.connect() as connection:
            held = connection.execute(
                sa.select(sa.func.count()).where(deliveries.c.lease_owner.is_not(None))
            ).scalar()
        assert held  # it died holding claimed rows
        killed_at = len(recorder.received)
        finish(newsletter_send(db, url, "--lease", "2", rate="1000"))
    got = recorder.recipients()
    assert set(got) == set(addresses)
    assert sum(n - 1 for n in got.values()) <= CONCURRENCY, killed_at


def test_a_lease_of_another_machine_is_taken_only_once_it_expires(tmp_path: Path):
    db = tmp_path / "list.db"
    engine = open_database(db)
    addresses = fill_list(engine, 20)
    sending.prepare_send(engine, "2020-12", "2020-12")
    expiry = time.time() + 2
    with engine.begin() as connection:  # a worker elsewhere holds the first five rows
        connection.execute(
            deliveries.update()
            .where(deliveries.c.subscriber_id <= 5)
            .values(lease_owner="elsewhere.example:1:cafe", lease_until=expiry)
        )
    outbox = sending.JournalOutbox(engine, "2020-12", lease=2)
    outbox.start()
    try:
        first = outbox.claim(50)
        assert [r.subscriber_id for r in first] == list(range(6, 21))
        assert outbox.claim(50) == [] and outbox.wait() is not None
        while time.time() < expiry + 0.1:
            time.sleep(0.1)
        assert [r.subscriber_id for r in outbox.claim(50)] == [1, 2, 3, 4, 5]
    finally:
        outbox.close()
    assert len(addresses) == 20


def test_a_sender_frozen_past_its_lease_sends_none_of_the_rows_taken_over(tmp_path: Path):
    """SIGSTOP holds a live sender (and its lease renewals) longer than its lease: a
    second sender takes its rows and sends them. Woken up, the first must not send the
    rows it still has queued: each row's lease is checked before its message. Only the
    messages it had on a connection when frozen may go twice."""
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 300)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        frozen = newsletter_send(db, url, "--lease", "2", rate="60")
        wait_for(recorder, 20, frozen)
        frozen.send_signal(signal.SIGSTOP)
        try:
            time.sleep(2.5)  # past its lease
            finish(newsletter_send(db, url, "--lease", "2", rate="1000"))
        finally:
            frozen.send_signal(signal.SIGCONT)
        finish(frozen)
    got = recorder.recipients()
    assert set(got) == set(addresses)
    duplicates = sum(n - 1 for n in got.values())
    print(f"stalled: {duplicates} sent twice")
    assert duplicates <= CONCURRENCY, duplicates


def test_a_renewal_that_fails_stops_the_sender_instead_of_dying_silently(tmp_path: Path):
    """The lease renewals run in their own thread; when one fails (here the database is
    locked past its timeout), the next claim says so and the sender stops. Before, the
    thread died (a traceback on stderr) and the sender claimed on with leases nobody
    renewed."""
    import sqlite3

    db = tmp_path / "list.db"
    engine = open_database(db, busy_timeout=0.1)
    fill_list(engine, 20)
    sending.prepare_send(engine, "2020-12", "2020-12")
    outbox = sending.JournalOutbox(engine, "2020-12", lease=0.6)  # renewed every 0.2 s
    outbox.start()
    try:
        assert len(outbox.claim(5)) == 5
        blocker = sqlite3.connect(db)
        blocker.execute("BEGIN IMMEDIATE")
        time.sleep(0.6)  # a renewal or two wait 0.1 s for the lock, and fail
        blocker.rollback()
        blocker.close()
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            outbox.claim(5)
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            outbox.active()
    finally:
        outbox.close()


def test_a_row_whose_lease_ran_out_unnoticed_is_given_back_not_kept(tmp_path: Path):
    """The renewal is held up (another writer holds SQLite's lock) past the lease: a row
    about to go out is refused, and given back so it is claimed again. Kept, it would
    stay under our name, renewed forever and never sent: the send would not end."""
    import sqlite3
    import threading

    db = tmp_path / "list.db"
    engine = open_database(db, busy_timeout=10)
    fill_list(engine, 10)
    sending.prepare_send(engine, "2020-12", "2020-12")
    outbox = sending.JournalOutbox(engine, "2020-12", lease=0.6)  # renewed every 0.2 s
    outbox.start()
    try:
        first, *_ = outbox.claim(5)
        blocker = sqlite3.connect(db, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")  # the renewal waits behind it
        threading.Timer(1.0, blocker.rollback).start()
        time.sleep(0.8)  # past the lease, with the renewal stuck
        assert outbox.admit(first) == sending.LOST
        with engine.connect() as connection:
            owner = connection.execute(
                sa.select(deliveries.c.lease_owner).where(
                    deliveries.c.subscriber_id == first.subscriber_id)
            ).scalar()  # fmt: skip
        assert owner is None  # free for the next claim
        assert first.subscriber_id in [r.subscriber_id for r in outbox.claim(10)]
    finally:
        outbox.close()


def test_worker_processes_tell_their_progress_which_adds_up_to_the_send(
        tmp_path: Path, project, sample):
    """``--workers N``: each worker tells the parent its counts as it goes (the parent
    read them from the journal before: a count of every row of the send twice a second,
    145 ms of the database each time on 1,000,000 rows). The display sees them added up,
    sent and failed apart, never going back, ending at the run's own counts."""
    from test_send import SECRET

    from newsletter.deliver.sending.control import SendPlan
    from newsletter.deliver.sending.messages import MessageFactory
    from newsletter.deliver.sending.runner import run_journaled
    from newsletter.deliver.sending.smtp_settings import smtp_settings
    from newsletter.render.email import render_email

    edition = render_email(sample.translations["pl"], project)  # fill_list's readers: pl
    engine = open_database(tmp_path / "list.db")
    addresses = fill_list(engine, 300)
    refused = set(addresses[::10])
    recorder = Recorder(replies={a: ["550 5.1.1 no such user"] for a in refused})
    journal = sending.prepare_send(engine, "2020-12", sample.id)
    factory = MessageFactory(site=project.site, subject=sample.subject_line, html=edition.html,
                             text=edition.text, key=SECRET.encode(),
                             message_key=journal.message_key)  # fmt: skip
    seen: list[tuple[int, int]] = []
    with smtp_server(recorder) as url:
        counts = run_journaled(
            engine, journal.id, "pl", {"pl": factory}, smtp_settings(url, {}),
            SendPlan(concurrency=2, workers=2, rate=600),
            on_progress=lambda c: seen.append((c.sent, c.failed)),
        )  # fmt: skip
    assert (counts.sent, counts.failed) == (270, 30)
    assert seen[-1] == (270, 30)
    assert all(a <= b for a, b in itertools.pairwise(seen))  # sent never goes back
    assert all(f1 <= f2 for (_, f1), (_, f2) in itertools.pairwise(seen))
    assert len(set(seen)) > 2  # told while it went, not only at the end
