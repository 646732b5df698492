"""A locked database: readers' requests are taken and written later, never lost, never a
500 (a real uvicorn, a real SQLite file whose write lock another connection holds)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from appserver import FAST, KEY, Served, serving
from test_signup_http import form

from newsletter.deliver.audience import consent, subscribers, unsubscribes
from newsletter.deliver.db import open_database
from newsletter.deliver.tokens import PREFERENCES, make_token

QUICK = dataclasses.replace(FAST, retry_seconds=0.2)
CSRF = re.compile(r'name="csrf" value="([^"]*)"')


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "list.db"
    engine = open_database(path)
    for email in ("leaves@example.com", "stays@example.com"):
        subscribers.add(engine, subscribers.candidate(email, None, "pl", "test"))
    engine.dispose()
    return path


@contextlib.contextmanager
def write_lock(db: Path) -> Iterator[None]:
    """Another process's transaction holding SQLite's write lock (a big import, say)."""
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.rollback()
        holder.close()


def status(db: Path, email: str) -> str | None:
    engine = open_database(db)
    try:
        found = subscribers.find(engine, email)
        return found.status if found else None
    finally:
        engine.dispose()


def eventually(check: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def preferences(served: Served, email: str) -> tuple[str, str]:
    """A person's preference page and its form's CSRF token (read before the lock)."""
    person = subscribers.find(open_database(served.db), email)
    path = f"/p/{make_token(KEY, person.id, PREFERENCES)}"
    return path, CSRF.search(httpx.get(served.base + path).text).group(1)


def test_a_leave_and_a_sign_up_under_a_locked_database_are_taken_and_written_later(
    project, db: Path
):
    with serving(project, db, QUICK) as served, httpx.Client(base_url=served.base,
                                                            timeout=30) as client:  # fmt: skip
        path, csrf = preferences(served, "leaves@example.com")
        signed = form(client, "new@example.com")
        with write_lock(db):
            left = client.post(path + "?lang=en", data={"action": "leave", "csrf": csrf})
            joined = client.post("/subscribe?lang=en", data=signed)
            assert left.status_code == 200 and "has been unsubscribed" in left.text
            assert joined.status_code == 200 and "Check your inbox" in joined.text
            # Taken durably, not yet written:
            queued = list(Path(f"{db}.signup-queue").glob("*.json"))
            assert [json.loads(p.read_text())["email"] for p in queued] == ["new@example.com"]
            assert queued[0].stat().st_mode & 0o777 == 0o600  # it holds an address
            # (the retry takes the file under another name while it tries)
            taken = [p.read_text() for p in db.parent.glob("list.db.unsubscribe-queue*")]
            assert set("".join(taken).split()) == {"1"}
            assert status(db, "leaves@example.com") == "subscribed"
            assert status(db, "new@example.com") is None
            assert not served.mail_to("new@example.com", timeout=0.5)
        # The lock is gone: both are written without another request, and the mail goes.
        assert eventually(lambda: status(db, "leaves@example.com") == "unsubscribed")
        assert eventually(lambda: status(db, "new@example.com") == "pending")
        link = served.confirm_link("new@example.com")
        page = client.get(link)
        assert client.post(link, data={"csrf": CSRF.search(page.text).group(1)}).is_success
        assert status(db, "new@example.com") == "subscribed"
        assert status(db, "stays@example.com") == "subscribed"
        assert not list(Path(f"{db}.signup-queue").glob("*"))
        assert not list(db.parent.glob("list.db.unsubscribe-queue*"))
        events = consent.history(open_database(db), "new@example.com")
        assert [e.kind for e in events] == ["subscribed", "confirmed"]
        assert events[0].consent_version == "2021-01" and events[0].ip == "127.0.0.0/24"


def test_a_queued_sign_up_survives_a_restart(project, db: Path):
    with write_lock(db):
        with serving(project, db, QUICK) as served, httpx.Client(base_url=served.base,
                                                                timeout=30) as client:  # fmt: skip
            assert client.post("/subscribe", data=form(client, "later@example.com")).is_success
        assert len(list(Path(f"{db}.signup-queue").glob("*.json"))) == 1  # server gone
    with serving(project, db, QUICK) as served:  # started again, the database free
        assert served.mail_to("later@example.com")
        assert status(db, "later@example.com") == "pending"


def test_what_cannot_be_queued_gets_a_503_page_in_the_readers_language(project, db: Path):
    with serving(project, db, QUICK) as served, httpx.Client(base_url=served.base,
                                                            timeout=30) as client:  # fmt: skip
        assert client.post("/subscribe", data=form(client, "conf@example.com")).is_success
        link = served.confirm_link("conf@example.com")
        confirm_csrf = CSRF.search(client.get(link).text).group(1)
        path, csrf = preferences(served, "stays@example.com")
        with write_lock(db):
            answers = [
                client.post(link, data={"csrf": confirm_csrf}),
                client.post(path, data={"language": "en", "csrf": csrf}),
            ]
        for answer in answers:
            assert answer.status_code == 503 and answer.headers["retry-after"] == "60"
            assert answer.headers["content-type"].startswith("text/html")
            assert "Traceback" not in answer.text and "Internal Server Error" not in answer.text
        assert "The service is busy" in answers[0].text  # the link of an English sign-up
        assert "Serwis jest chwilowo zajęty" in answers[1].text
        assert status(db, "conf@example.com") == "pending"


def test_unsubscribes_taken_by_a_process_that_died_are_applied(db: Path):
    """A process renames the queue while it writes it; if it dies then, the next taker
    finds the file by its dead owner's pid."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    Path(f"{db}.unsubscribe-queue.{gone.pid}.0a1b2c3d").write_text("1\n")
    Path(f"{db}.unsubscribe-queue").write_text("2\n")
    engine = open_database(db)
    try:
        assert unsubscribes.apply_queued(engine) == 2
    finally:
        engine.dispose()
    assert status(db, "leaves@example.com") == status(db, "stays@example.com") == "unsubscribed"
    assert not list(db.parent.glob("list.db.unsubscribe-queue*"))
