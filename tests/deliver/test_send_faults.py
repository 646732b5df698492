"""Faults during a send, caused for real: a locked database, a full disk, a sender frozen
past its lease. Each ends in one line and exit 75 (or a clean stop), a resume reaches
everyone, and the copies each reader received stay within the bound: one message per
connection in flight."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE
from mailhelpers import SECRET, Recorder, approved, fill_list, smtp_server
from test_send_kill import CONCURRENCY, newsletter_send, wait_for

from newsletter.deliver.db import deliveries, open_database
from newsletter.deliver.sending import send as sending

SEND_ID = "2020-12"


def one_line_exit_75(process: subprocess.Popen) -> str:
    """The run ended with EX_TEMPFAIL and a single line, no traceback; that line."""
    _out, err = process.communicate(timeout=120)
    text = err.decode()
    assert process.returncode == 75, text
    assert "Traceback" not in text and "Exception in thread" not in text, text
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, text
    return errors[0]


def resume(db: Path, url: str) -> None:
    again = newsletter_send(db, url, rate="1000")
    _out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()
    assert b"resuming 2020-12" in err


def copies_within_the_bound(recorder: Recorder, addresses: list[str], connections: int) -> int:
    """Everyone received the issue, and at most one message per connection went twice."""
    got = recorder.recipients()
    assert set(got) == set(addresses)
    duplicates = sum(n - 1 for n in got.values())
    assert duplicates <= connections, duplicates
    return duplicates


@pytest.mark.parametrize("workers", [1, 2])
def test_a_database_locked_past_its_timeout_stops_the_send_within_the_bound(
    tmp_path: Path, workers: int
):
    """Before, outcomes whose commit failed counted as committed: each connection handed
    over one more message (5-7 duplicates at 4 connections, 11 at 2 × 4)."""
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 400)
    recorder = Recorder()
    env = {"NEWSLETTER_BUSY_TIMEOUT": "0.5"}
    connections = workers * CONCURRENCY
    with smtp_server(recorder) as url:
        process = newsletter_send(db, url, "--workers", str(workers), rate="200", env=env)
        wait_for(recorder, 40, process)
        blocker = sqlite3.connect(db)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock for 3 s
        at_lock = len(recorder.received)
        try:
            deadline = time.monotonic() + 3
            while process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            after_lock = len(recorder.received) - at_lock
        finally:
            blocker.rollback()
            blocker.close()
        line = one_line_exit_75(process)
        assert "database is locked" in line and "run the" in line, line
        assert after_lock <= connections, after_lock
        resume(db, url)
    duplicates = copies_within_the_bound(recorder, addresses, connections)
    print(f"locked: {after_lock} handed over after the lock; {duplicates} sent twice")
    assert sending.journal_counts(open_database(db), SEND_ID)["sent"] == len(addresses)


# `newsletter send` with every connection's database file capped at its size plus a few
# pages (SQLite's max_page_count): the journal runs out of room mid-send with SQLITE_FULL,
# as on a full disk.
_FULL_DISK = """
import sys
import sqlalchemy as sa
from newsletter.cli import main

pages = int(sys.argv[1])

@sa.event.listens_for(sa.engine.Engine, "connect")
def _cap(dbapi_connection, _record):
    dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

main(sys.argv[2:], prog_name="newsletter")
"""


def test_a_full_disk_stops_the_send_within_the_bound_and_it_resumes(tmp_path: Path):
    db = tmp_path / "list.db"
    engine = open_database(db)
    addresses = fill_list(engine, 600)
    approved(db)  # before the disk is measured: the approval's editions take pages too
    sending.prepare_send(engine, SEND_ID, "2020-12", ["pl", "en"], "en")  # journal written
    # Every row under an expired lease of another machine, its name as long as any of
    # ours: a claim then grows no row, and the first page the journal lacks is one an
    # outcome's commit needs — the commit that must not count when it fails.
    longest = len(f"{socket.gethostname()}:{4194304}:{'0' * 8}")
    with engine.begin() as connection:
        connection.execute(
            deliveries.update().values(lease_owner="elsewhere.example:1:".ljust(longest, "0"),
                                       lease_until=1.0)
        )  # fmt: skip
    engine.dispose()
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    recorder = Recorder()
    env = {**os.environ, "NEWSLETTER_SECRET": SECRET, "NEWSLETTER_DB": str(db)}
    with smtp_server(recorder) as url:
        full = subprocess.Popen(
            [sys.executable, "-c", _FULL_DISK, str(pages), "send", str(SAMPLE),
             "--smtp", url, "--concurrency", str(CONCURRENCY), "--rate", "300"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        line = one_line_exit_75(full)
        assert "full" in line, line
        stopped_at = len(recorder.received)
        assert 0 < stopped_at < len(addresses)  # it stopped partway
        resume(db, url)
    duplicates = copies_within_the_bound(recorder, addresses, CONCURRENCY)
    print(f"full: stopped after {stopped_at}; {duplicates} sent twice")
