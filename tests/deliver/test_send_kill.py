"""kill -9 in the middle of a send, then the same command again: nobody lost, few twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, SAMPLE
from mailhelpers import SECRET, Recorder, fill_list, smtp_server

from newsletter.deliver import send as sending
from newsletter.deliver.db import open_database

CONCURRENCY = 4


def newsletter_send(
    db: Path | str, url: str, *extra: str, rate: str = "150", env: dict[str, str] | None = None
) -> subprocess.Popen:
    """``newsletter send`` of the sample issue in its own process (``--db`` a path or URL;
    ``env``: more environment variables)."""
    exe = Path(sys.executable).with_name("newsletter")
    env = {**os.environ, "NEWSLETTER_SECRET": SECRET, "NEWSLETTER_DB": str(db), **(env or {})}
    command = [str(exe), "send", str(SAMPLE), "--smtp", url, "--concurrency", str(CONCURRENCY)]
    # the rate keeps the first run going long enough to be killed in the middle
    return subprocess.Popen(
        [*command, "--rate", rate, *extra], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for(recorder: Recorder, count: int, process: subprocess.Popen) -> None:
    """Until the server has ``count`` messages (the process must still be running)."""
    deadline = time.monotonic() + 120  # a bound on the loop, not a timing assertion
    while len(recorder.received) < count and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)


def test_sigkill_midway_then_resume_loses_nobody(tmp_path: Path):
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 600)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        first = newsletter_send(db, url)
        wait_for(recorder, 150, first)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert first.returncode == -signal.SIGKILL
        killed_at = len(recorder.received)
        assert killed_at < len(addresses)  # it really died partway

        second = newsletter_send(db, url)
        _out, err = second.communicate(timeout=300)
        assert second.returncode == 0, err.decode()
        assert b"resuming 2020-12" in err

    got = recorder.recipients()
    assert set(got) == set(addresses)  # every subscriber received the issue
    duplicates = sum(n - 1 for n in got.values())
    print(f"killed after {killed_at} received; {duplicates} sent twice")
    assert duplicates <= CONCURRENCY
    assert sending.journal_counts(open_database(db), "2020-12")["sent"] == len(addresses)


def test_a_journal_that_cannot_commit_holds_every_connection_after_one_message(tmp_path):
    """While another process holds the database's write lock, the sender's outcomes
    cannot be committed: each connection may hand over the message it is on, then waits
    before the next final dot. So a kill at that moment would resend at most one message
    per connection — however long the journal stalls."""
    import sqlite3

    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 120)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        process = newsletter_send(db, url, rate="60")
        wait_for(recorder, 10, process)
        blocker = sqlite3.connect(db, timeout=30)
        blocker.execute("BEGIN IMMEDIATE")  # the write lock: no commit gets through
        at_lock = len(recorder.received)
        time.sleep(2.0)  # at 60/s, 120 messages would go out if nothing held them
        during = len(recorder.received) - at_lock
        blocker.rollback()
        blocker.close()
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    assert during <= CONCURRENCY, during
    got = recorder.recipients()
    assert set(got) == set(addresses) and all(n == 1 for n in got.values())
