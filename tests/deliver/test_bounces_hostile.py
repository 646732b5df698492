"""`newsletter bounces` against hostile and broken input, through the real CLI as a
process (issue 20, items 3, 5 and 6): megabyte messages built for each pattern's worst
case are read in linear time, a message over the CPU bound fails alone and is not read
again, empty and header-less messages and file names that are not UTF-8 do not fail
every run, and a full or locked database is one line and exit 75.
"""

from __future__ import annotations

import email
import importlib.util
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from mailhelpers import SECRET
from test_bounces import _config, postfix_dsn, status, verp

from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import open_database
from newsletter.deliver.returns import bounces as bounces_module
from newsletter.deliver.returns import reports

NEWSLETTER = str(Path(sys.executable).with_name("newsletter"))


def _bench():
    """bench/bounces_hostile.py, whose hostile messages these tests read."""
    spec = importlib.util.spec_from_file_location("bounces_hostile",
                                                  ROOT / "bench" / "bounces_hostile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def engine(tmp_path: Path):
    engine = open_database(tmp_path / "list.db")
    with engine.begin() as connection:
        people = ("anna@example.com", "jan@example.com", "ola@example.com")
        subs.save(connection, [subs.candidate(a, None, "pl", "test") for a in people])
    return engine


def maildir(folder: Path, messages: dict[str | bytes, bytes]) -> Path:
    for sub in ("new", "cur", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for name, data in messages.items():
        raw = name if isinstance(name, bytes) else name.encode()
        with open(os.fsencode(folder / "new") + b"/" + raw, "wb") as handle:
            handle.write(data)
    return folder


def bounces(tmp_path: Path, *args: str, config: Path | None = None, timeout: float = 300,
            stdin: bytes | None = None, env: dict[str, str] | None = None):  # fmt: skip
    command = [NEWSLETTER, "--config", str(config or _config(tmp_path)), "bounces", "--db",
               str(tmp_path / "list.db"), *args]  # fmt: skip
    return subprocess.run(command, input=stdin, capture_output=True, timeout=timeout,
                          env={**os.environ, "NEWSLETTER_SECRET": SECRET, **(env or {})})


def test_megabyte_hostile_messages_are_read_in_linear_time(engine, tmp_path: Path):
    """A hang detector, not a speed test: each 1.5 MB message (a run of letters, digits,
    dots, line ends, "said:", semicolons, addresses, unfinished encoded words, a long
    header…) is read well within the CPU bound; before issue 20 a run of letters alone
    took hours (137 KB: 203 s)."""
    bench = _bench()
    kinds = [k for k in bench.KINDS if not k.startswith("nested")]
    folder = maildir(tmp_path / "Maildir", {k: bench.hostile(k, 1_500_000) for k in kinds})
    start = time.monotonic()
    result = bounces(tmp_path, str(folder), timeout=600)
    seconds = time.monotonic() - start
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, out
    assert "took over" not in out and "Traceback" not in out
    assert f"{len(kinds)} messages read" in out and "0 unreadable" in out
    assert seconds < 20 * len(kinds), seconds  # hours before


def test_a_message_over_the_cpu_bound_fails_alone_and_is_not_read_again(engine, tmp_path):
    config = _config(tmp_path)
    text = config.read_text().replace("[bounces]\n", "[bounces]\nread_seconds = 0.05\n")
    config.write_text(text)
    slow = _bench().hostile("line-ends", 6_000_000)  # linear, but more than 0.05 s
    real = postfix_dsn(verp(engine, "anna@example.com"), "anna@example.com", "5.1.1", "550")
    folder = maildir(tmp_path / "Maildir", {"1-slow": slow, "2-real": real})
    first = bounces(tmp_path, str(folder), config=config)
    err = first.stderr.decode()
    assert first.returncode == 1, err
    assert "1-slow: unreadable: took over 0.05 s of CPU to read" in err
    assert "Traceback" not in err and "1 hard bounces" in first.stdout.decode()
    assert status(engine, "anna@example.com") == "bounced"  # the run went on
    again = bounces(tmp_path, str(folder), config=config)
    assert again.returncode == 0, again.stderr.decode()
    assert "2 already seen, 0 unreadable" in again.stdout.decode()
    kept = bounces(tmp_path, "--kept", config=config)
    assert "1-slow" in kept.stdout.decode() and "took over" in kept.stdout.decode()


def test_the_cpu_bound_is_not_swallowed_by_a_bounce_detector():
    """flufl.bounce's detectors run inside ``except Exception``: the bound's signal must
    get through them (else the message is read on, unbounded)."""
    data = b"From: x@y\r\nSubject: Undelivered Mail\r\n\r\n" + b"\n" * 4000  # read whole
    message = email.message_from_bytes(data)
    reports._flufl_failures(email.message_from_bytes(b"From: x@y\r\n\r\nx"))  # imported
    with pytest.raises(bounces_module.ReadTimeout), bounces_module.cpu_limit(0.01):
        reports._flufl_failures(message, data)  # about 0.3 s of CPU


def test_deeply_nested_mime_is_refused_named_and_kept(engine, tmp_path: Path):
    bench = _bench()
    nested = {k: bench.hostile(k, 1_000_000) for k in ("nested-multipart", "nested-messages")}
    deep_lines = (b"Subject: x\r\n" + b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (d, d)
        for d in range(60)) + b"Content-Type: text/plain\r\n\r\n" + b"\n" * 1_000_000)  # fmt: skip
    real = postfix_dsn(verp(engine, "jan@example.com"), "jan@example.com", "5.1.1", "550")
    folder = maildir(tmp_path / "Maildir", {**nested, "deep-lines": deep_lines, "z-real": real})
    result = bounces(tmp_path, str(folder), timeout=120)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    for name in (*nested, "deep-lines"):
        assert f"{name}: unreadable" in err, err
    assert "Traceback" not in err and status(engine, "jan@example.com") == "bounced"
    again = bounces(tmp_path, str(folder))
    assert again.returncode == 0 and "4 already seen" in again.stdout.decode()


def test_empty_and_headerless_messages_and_odd_file_names_fail_no_run(engine, tmp_path):
    folder = maildir(tmp_path / "Maildir", {
        "1-empty": b"", "2-no-header": b"just a line of text\n\nand more\n",
        b"3-\xff\xfe-latin": b"Subject: hello\n\nnot a bounce\n",
        "4-real": postfix_dsn(verp(engine, "ola@example.com"), "ola@example.com", "5.1.1",
                              "550"),
    })  # fmt: skip
    for _run in (1, 2):
        result = bounces(tmp_path, str(folder))
        out = result.stdout.decode() + result.stderr.decode()
        assert result.returncode == 0, out
        assert "Traceback" not in out and "0 unreadable" in out
    assert status(engine, "ola@example.com") == "bounced"
    assert "4 already seen" in out  # the second run: every one recorded once
    empty = bounces(tmp_path, "-", stdin=b"")
    assert empty.returncode == 0, empty.stderr.decode()


# Runs the CLI with every new SQLite connection capped at the file's current size, as a
# full disk would stop it (SQLITE_FULL).
_FULL_DISK = """
import sys
import sqlalchemy as sa
from newsletter.cli import main

@sa.event.listens_for(sa.engine.Engine, "connect")
def _cap(dbapi_connection, _record):
    dbapi_connection.execute(f"PRAGMA max_page_count={int(sys.argv[1])}")

main(sys.argv[2:], prog_name="newsletter")
"""


@pytest.mark.parametrize("where", ["maildir", "stdin"])
def test_a_full_or_locked_database_is_one_line_and_exit_75(engine, tmp_path, where: str):
    engine.dispose()
    db = tmp_path / "list.db"
    # Kept aside, so their bytes are stored: each needs new pages.
    messages = {f"{n}-kept": postfix_dsn("x@elsewhere.example", f"n{n}@nowhere.example",
                                         "5.1.1", "550") + b"\n" + b"x " * 50_000
                for n in range(5)}  # fmt: skip
    folder = maildir(tmp_path / "Maildir", messages)
    args = [str(folder)] if where == "maildir" else ["-"]
    stdin = messages["0-kept"] if where == "stdin" else None
    config = _config(tmp_path)
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    full = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(pages), "--config", str(config), "bounces",
         "--db", str(db), *args], input=stdin, capture_output=True, timeout=120,
        env={**os.environ, "NEWSLETTER_SECRET": SECRET})  # fmt: skip
    err = full.stderr.decode()
    assert full.returncode == 75, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "disk is full" in err

    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")  # another writer holds the lock
    try:
        locked = bounces(tmp_path, *args, config=config, stdin=stdin, timeout=120,
                         env={"NEWSLETTER_BUSY_TIMEOUT": "0.2"})
    finally:
        holder.rollback()
        holder.close()
    err = locked.stderr.decode()
    assert locked.returncode == 75, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "locked" in err
    done = bounces(tmp_path, *args, config=config, stdin=stdin)  # and later it goes through
    assert done.returncode == 0, done.stderr.decode()
