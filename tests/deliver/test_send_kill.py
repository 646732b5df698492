"""kill -9 in the middle of a send, then the same command again: nobody lost, few twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, SAMPLE
from mailhelpers import SECRET, Recorder, approved, fill_list, smtp_server

from newsletter.deliver.db import open_database
from newsletter.deliver.sending import send as sending

CONCURRENCY = 4


def newsletter_send(
    db: Path | str, url: str, *extra: str, rate: str = "150", env: dict[str, str] | None = None
) -> subprocess.Popen:
    """``newsletter send`` of the sample issue in its own process (``--db`` a path or URL;
    ``env``: more environment variables); the issue is approved first."""
    approved(db)
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


def sent_while_the_journal_stalls(tmp_path: Path, *extra: str) -> int:
    """Messages the server got while another process held SQLite's write lock for 2 s
    (no outcome could be committed) in a send of 150 at 60/s; the send then finished and
    everyone got exactly one copy."""
    import sqlite3

    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 150)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        process = newsletter_send(db, url, *extra, rate="60")
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
    got = recorder.recipients()
    assert set(got) == set(addresses) and all(n == 1 for n in got.values())
    return during


def test_a_journal_that_cannot_commit_holds_every_connection_after_one_message(tmp_path):
    """While another process holds the database's write lock, the sender's outcomes
    cannot be committed: each connection may hand over the message it is on, then waits
    before the next final dot. So a kill at that moment would resend at most one message
    per connection — however long the journal stalls."""
    during = sent_while_the_journal_stalls(tmp_path)
    assert during <= CONCURRENCY, during


WINDOW = 5


def test_with_a_window_a_stalled_journal_holds_each_connection_after_that_many(tmp_path):
    """`send --window N`: a connection hands over N messages ahead of the journal, then
    waits, however long the journal stalls; so a kill re-sends at most N per connection."""
    during = sent_while_the_journal_stalls(tmp_path, "--window", str(WINDOW))
    assert CONCURRENCY < during <= CONCURRENCY * WINDOW, during


def test_sigkill_with_a_window_then_resume_loses_nobody(tmp_path: Path):
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 600)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        first = newsletter_send(db, url, "--window", str(WINDOW))
        wait_for(recorder, 150, first)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert len(recorder.received) < len(addresses)  # it really died partway
        second = newsletter_send(db, url)
        _out, err = second.communicate(timeout=300)
        assert second.returncode == 0, err.decode()
    got = recorder.recipients()
    assert set(got) == set(addresses)
    assert sum(n - 1 for n in got.values()) <= CONCURRENCY * WINDOW
    assert sending.journal_counts(open_database(db), "2020-12")["sent"] == len(addresses)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (the `--workers` processes of a send)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def gone(pid: int) -> bool:
    """The process has ended (a zombie nobody reaped yet counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def until(condition, seconds: float = 30) -> bool:
    """Whether ``condition()`` became true within ``seconds`` (a bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stopped_cleanly(process: subprocess.Popen) -> str:
    """Exited as on Ctrl-C: status 1 and the one line that says how to resume."""
    _out, err = process.communicate(timeout=60)
    text = err.decode()
    assert process.returncode == 1, text
    assert "Traceback" not in text and "interrupted; what was sent is recorded" in text, text
    return text


def test_sigterm_stops_a_send_as_ctrl_c_does_and_nobody_gets_two(tmp_path: Path):
    """Before, SIGTERM killed `send` at once: 22 duplicates over 3 stops."""
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 600)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        for stop in (1, 2, 3):
            process = newsletter_send(db, url)
            wait_for(recorder, 100 * stop, process)
            process.send_signal(signal.SIGTERM)
            stopped_cleanly(process)
        last = newsletter_send(db, url, rate="1000")
        _out, err = last.communicate(timeout=300)
        assert last.returncode == 0, err.decode()
    assert recorder.recipients() == {a: 1 for a in addresses}


def test_a_killed_worker_stops_the_others_cleanly_and_the_send_resumes(tmp_path: Path):
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 600)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        parent = newsletter_send(db, url, "--workers", "2")
        wait_for(recorder, 60, parent)
        workers = children(parent.pid)
        assert len(workers) == 2, workers
        os.kill(workers[0], signal.SIGKILL)
        _out, err = parent.communicate(timeout=60)
        text = err.decode()
        assert parent.returncode == 75, text
        assert "Traceback" not in text and "BrokenProcessPool" not in text, text
        (line,) = [x for x in text.splitlines() if x.startswith("error:")]
        assert f"(pid {workers[0]}) was killed by SIGKILL" in line, line
        assert "run the same command to resume" in line
        assert gone(workers[1])
        stopped_at = len(recorder.received)
        again = newsletter_send(db, url, rate="1000")
        _out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err.decode()
    got = recorder.recipients()
    assert set(got) == set(addresses) and stopped_at < len(addresses)
    duplicates = sum(n - 1 for n in got.values())
    print(f"killed worker: {duplicates} sent twice")
    assert duplicates <= CONCURRENCY  # the killed one's messages in flight, no more


def test_workers_die_with_their_parent(tmp_path: Path):
    """kill -9 of `send --workers 2`: its workers stop too (as on SIGTERM), instead of
    sending on alone; the same command resumes."""
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 1200)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        parent = newsletter_send(db, url, "--workers", "2", rate="100")  # 12 s in all
        wait_for(recorder, 60, parent)
        workers = children(parent.pid)
        assert len(workers) == 2, workers
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert until(lambda: all(gone(w) for w in workers), 5), "the workers live on"
        stopped_at = len(recorder.received)
        assert stopped_at < len(addresses)
        again = newsletter_send(db, url, rate="1000")
        _out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err.decode()
    got = recorder.recipients()
    assert set(got) == set(addresses)
    assert sum(n - 1 for n in got.values()) <= 2 * CONCURRENCY


def test_sigterm_to_send_with_workers_stops_every_worker_cleanly(tmp_path: Path):
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 600)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        parent = newsletter_send(db, url, "--workers", "2")
        wait_for(recorder, 60, parent)
        workers = children(parent.pid)
        parent.send_signal(signal.SIGTERM)
        stopped_cleanly(parent)
        assert all(gone(w) for w in workers)
        assert len(recorder.received) < len(addresses)
        again = newsletter_send(db, url, rate="1000")
        _out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err.decode()
    assert recorder.recipients() == {a: 1 for a in addresses}
