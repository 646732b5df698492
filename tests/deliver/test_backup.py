"""Backups taken while a send writes, restored, and the send resumed on the restored copy:
every reader gets the issue (those sent after the backup's moment may get it twice)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT
from mailhelpers import Recorder, fill_list, smtp_server
from test_postgres import postgres  # noqa: F401  # the fixture: a private PostgreSQL server
from test_send_kill import newsletter_send, wait_for

from newsletter.cli import main
from newsletter.deliver.db import open_database
from newsletter.deliver.sending import send as sending


def newsletter(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("newsletter")
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "NEWSLETTER_DB"})


def test_a_backup_taken_during_a_send_restores_and_the_resumed_send_reaches_everyone(
        tmp_path: Path):
    db = tmp_path / "list.db"
    addresses = fill_list(open_database(db), 600)
    copy = tmp_path / "backups" / "list-backup.db"
    copy.parent.mkdir()
    recorder = Recorder()
    with smtp_server(recorder) as url:
        running = newsletter_send(db, url)
        wait_for(recorder, 150, running)
        made = newsletter("backup", "--db", str(db), str(copy))
        at_backup = len(recorder.received)
        assert made.returncode == 0, made.stderr
        assert "600 subscribers" in made.stdout, made.stdout
        assert running.poll() is None, "the send went on while the backup was taken"
        running.send_signal(signal.SIGKILL)  # the machine is lost with the send half done
        running.wait()
        assert len(recorder.received) < len(addresses)

        # the backup is one self-contained file, readable by its owner only, that opens
        # and holds a consistent journal
        assert not copy.with_name(copy.name + "-wal").exists()
        assert copy.stat().st_mode & 0o077 == 0, oct(copy.stat().st_mode)
        with sqlite3.connect(copy) as backup:
            assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert backup.execute("SELECT count(*) FROM subscribers").fetchone() == (600,)
            journaled = backup.execute(
                "SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone()[0]
        assert 0 < journaled <= at_backup

        restored = tmp_path / "restored.db"
        back = newsletter("restore", "--db", str(restored), str(copy))
        assert back.returncode == 0, back.stderr
        again = newsletter_send(restored, url, rate="1000")
        _out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err.decode()
        assert b"resuming 2020-12" in err
    got = recorder.recipients()
    assert set(got) == set(addresses)  # nobody lost
    assert sending.journal_counts(open_database(restored), "2020-12")["sent"] == 600
    twice = sum(n - 1 for n in got.values())
    print(f"{journaled} journaled in the backup, {at_backup} received by then; {twice} twice")


def test_restore_refuses_to_replace_a_list_and_names_a_file_that_is_no_backup(tmp_path):
    db = tmp_path / "list.db"
    fill_list(open_database(db), 3)
    copy = tmp_path / "copy.db"
    runner = CliRunner()
    assert runner.invoke(main, ["backup", "--db", str(db), str(copy)]).exit_code == 0
    other = tmp_path / "other.db"
    fill_list(open_database(other), 5, domain="example.org")
    refused = runner.invoke(main, ["restore", "--db", str(other), str(copy)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "already holds a list (5 subscribers, 0 sends)" in refused.output
    assert "--force" in refused.output
    forced = runner.invoke(main, ["restore", "--db", str(other), "--force", str(copy)])
    assert forced.exit_code == 0, forced.output
    with sqlite3.connect(other) as connection:
        emails = {row[0] for row in connection.execute("SELECT email FROM subscribers")}
    assert emails == {f"user{n:04d}@example.com" for n in (1, 2, 3)}

    text = tmp_path / "notes.txt"
    text.write_text("not a backup\n", encoding="utf-8")
    damaged = tmp_path / "damaged.db"
    data = bytearray(copy.read_bytes())
    data[len(data) // 2:len(data) // 2 + 4096] = b"\xff" * 4096
    damaged.write_bytes(bytes(data))
    for bad, reason in ((text, "is not a backup made by `newsletter backup`"),
                        (damaged, "damaged")):
        result = runner.invoke(main, ["restore", "--db", str(tmp_path / "new.db"), str(bad)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert str(bad) in result.output and reason in result.output, result.output


def test_postgresql_backup_restores_into_an_empty_database(postgres: str, tmp_path):  # noqa: F811
    import sqlalchemy as sa

    engine = open_database(postgres)  # this module's own server: an empty list
    fill_list(engine, 40)
    copy = tmp_path / "list.pgdump"
    runner = CliRunner()
    made = runner.invoke(main, ["backup", "--db", postgres, str(copy)])
    assert made.exit_code == 0, made.output
    assert copy.read_bytes().startswith(b"PGDMP")
    server = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")  # CREATE DATABASE
    with server.connect() as connection:
        connection.execute(sa.text("CREATE DATABASE restored"))
    server.dispose()
    target = postgres.rsplit("/", 1)[0] + "/restored"
    back = runner.invoke(main, ["restore", "--db", target, str(copy)])
    assert back.exit_code == 0, back.output
    assert "40 subscribers" in back.output
    sqlite_target = tmp_path / "wrong.db"
    wrong = runner.invoke(main, ["restore", "--db", str(sqlite_target), str(copy)])
    assert wrong.exit_code == 1 and "restores into a postgresql database" in wrong.output


def test_a_backup_from_a_newer_version_is_refused_before_the_list_is_replaced(tmp_path):
    """A server downgraded (or a backup carried from a newer install) must not lose the list
    it has: the version is read from the backup, not found out after it was copied in."""
    db, copy = tmp_path / "list.db", tmp_path / "newer.db"
    fill_list(open_database(db), 3)
    runner = CliRunner()
    assert runner.invoke(main, ["backup", "--db", str(db), str(copy)]).exit_code == 0
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE schema_version SET version = version + 5")
    refused = runner.invoke(main, ["restore", "--db", str(db), "--force", str(copy)])
    assert refused.exit_code == 1 and "Traceback" not in refused.output, refused.output
    assert "newer version" in refused.output and "Nothing was replaced" in refused.output
    counted = runner.invoke(main, ["subscribers", "count", "--db", str(db)])
    assert counted.exit_code == 0 and "total                3" in counted.output, counted.output


def test_restore_while_another_process_writes_ends_with_a_message_not_a_hang(tmp_path):
    """Python's sqlite3 backup retries a locked target for ever: a `send` holding the lock
    hung the restore (10 min and counting). It waits NEWSLETTER_BUSY_TIMEOUT, then says
    what to stop."""
    db, copy = tmp_path / "list.db", tmp_path / "copy.db"
    fill_list(open_database(db), 2)
    assert CliRunner().invoke(main, ["backup", "--db", str(db), str(copy)]).exit_code == 0
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "locked"
        exe = Path(sys.executable).with_name("newsletter")
        done = subprocess.run([str(exe), "restore", "--db", str(db), "--force", str(copy)],
                              capture_output=True, text=True, timeout=30,
                              env={**os.environ, "NEWSLETTER_BUSY_TIMEOUT": "0.5"})
    finally:
        writer.kill()
        writer.wait()
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "is in use" in done.stderr and "Nothing was replaced" in done.stderr


def test_a_backup_into_a_folder_it_cannot_write_says_so(tmp_path):
    db = tmp_path / "list.db"
    fill_list(open_database(db), 1)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    target = Path("/proc/list-backup.db") if os.geteuid() == 0 else locked / "copy.db"
    result = CliRunner().invoke(main, ["backup", "--db", str(db), str(target)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"cannot write the backup {target}" in result.output, result.output


def test_a_postgresql_backup_from_a_newer_version_is_refused_before_pg_restore(
        postgres: str, tmp_path):  # noqa: F811
    """pg_restore --clean replaced the list, then the database would not open (a newer
    schema): the version is read from the dump's own data first."""
    import sqlalchemy as sa

    server = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text("CREATE DATABASE newer_source"))
    server.dispose()
    source = postgres.rsplit("/", 1)[0] + "/newer_source"
    engine = open_database(source)
    fill_list(engine, 2)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE schema_version SET version = version + 5"))
    engine.dispose()
    copy = tmp_path / "newer.pgdump"
    runner = CliRunner()
    assert runner.invoke(main, ["backup", "--db", source, str(copy)]).exit_code == 0
    kept = open_database(postgres)
    with kept.connect() as connection:
        before = connection.execute(sa.text("SELECT count(*) FROM subscribers")).scalar_one()
    kept.dispose()
    refused = runner.invoke(main, ["restore", "--db", postgres, "--force", str(copy)])
    assert refused.exit_code == 1 and "newer version" in refused.output, refused.output
    assert "Nothing was replaced" in refused.output
    kept = open_database(postgres)  # opens: its schema is still this package's
    with kept.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM subscribers")).scalar_one() \
            == before
    kept.dispose()
