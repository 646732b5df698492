"""The unsubscribe endpoint as mail clients and readers reach it: a running uvicorn."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ROOT
from mailhelpers import SECRET, fill_list, free_port

from newsletter.deliver.audience import subscribers
from newsletter.deliver.db import open_database
from newsletter.deliver.tokens import make_token

KEY = SECRET.encode()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``newsletter serve`` as a process on a free loopback port; yields (base URL, db)."""
    db = tmp_path / "list.db"
    fill_list(open_database(db), 5)
    port = free_port()
    exe = Path(sys.executable).with_name("newsletter")
    env = {**os.environ, "NEWSLETTER_SECRET": SECRET}
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115  (closed with the server)
    process = subprocess.Popen(
        [str(exe), "serve", "--db", str(db), "--port", str(port), "--busy-timeout", "1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # bounded wait for start-up
            try:
                httpx.get(base + "/u/x", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.05)
        yield base, db
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def status(db: Path, email: str) -> str:
    return subscribers.find(open_database(db), email).status


def test_get_asks_and_post_unsubscribes(server):
    base, db = server
    link = f"{base}/u/{make_token(KEY, 2)}"
    page = httpx.get(link)
    assert page.status_code == 200
    assert '<form method="post">' in page.text and "user0002@example.com" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert status(db, "user0002@example.com") == "subscribed"  # a GET changes nothing
    confirmed = httpx.post(link, data={})  # the confirm button
    assert confirmed.status_code == 200 and "wypisany" in confirmed.text
    assert status(db, "user0002@example.com") == "unsubscribed"
    assert httpx.post(link).status_code == 200  # idempotent
    assert status(db, "user0001@example.com") == "subscribed"  # nobody else


def test_one_click_post_from_a_mail_client(server):
    base, db = server
    response = httpx.post(
        f"{base}/u/{make_token(KEY, 3)}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert status(db, "user0003@example.com") == "unsubscribed"


def test_forged_and_truncated_tokens_are_rejected_alike(server):
    base, db = server
    good = make_token(KEY, 4)
    forged = make_token(b"another key 0123456789", 4)
    answers = [
        httpx.request(method, f"{base}/u/{token}")
        for method in ("GET", "POST")
        for token in (forged, good[:-1], good + "A", "4", "0-" + good.split("-", 1)[1],
                      make_token(KEY, 999))
    ]  # fmt: skip
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1  # the same page: it reveals nothing
    assert "user0004" not in answers[0].text
    assert status(db, "user0004@example.com") == "subscribed"


def test_serve_refuses_to_start_without_the_secret(tmp_path: Path):
    exe = Path(sys.executable).with_name("newsletter")
    env = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_SECRET"}
    result = subprocess.run(
        [str(exe), "serve", "--db", str(tmp_path / "list.db")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1 and "NEWSLETTER_SECRET is not set" in result.stderr


def test_a_locked_database_queues_the_unsubscribe_durably(server):
    base, db = server
    link = f"{base}/u/{make_token(KEY, 5)}"
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        response = httpx.post(link, content=b"List-Unsubscribe=One-Click", timeout=30)
        assert response.status_code == 200 and "wypisany" in response.text
        # (serve retries the queue while it waits, under another name while it tries)
        queued = [p.read_text() for p in db.parent.glob("list.db.unsubscribe-queue*")]
        assert set("".join(queued).split()) == {"5"}
        assert status(db, "user0005@example.com") == "subscribed"  # queued, not lost
    finally:
        holder.rollback()
        holder.close()
    for _ in range(150):  # serve writes it once the database is free, unasked (≤ 5 s)
        if status(db, "user0005@example.com") == "unsubscribed":
            break
        time.sleep(0.1)
    assert status(db, "user0005@example.com") == "unsubscribed"
    assert not list(db.parent.glob("list.db.unsubscribe-queue*"))


def test_tokens_never_reach_the_access_log(server, tmp_path: Path):
    base, _db = server
    token = make_token(KEY, 1)
    assert httpx.get(f"{base}/u/{token}").status_code == 200
    log = (tmp_path / "serve.log").read_text()
    assert "GET /u/… HTTP/1.1" in log and token not in log


def test_a_forged_host_header_steers_nothing(server):
    """Behind a proxy the Host header is whatever a client wrote: no redirect, no link and
    no answer may come from it (base_url's host and loopback names only)."""
    base, _db = server
    token = make_token(KEY, 1)
    for path in (f"/u/{token}", f"/u/{token}/", "/u"):
        forged = httpx.get(base + path, headers={"Host": "evil.example"})
        assert forged.status_code == 400 and "location" not in forged.headers
        assert "evil.example" not in forged.text
    public = httpx.get(f"{base}/u/{token}/", headers={"Host": "newsletter.krakow.example"})
    assert public.status_code == 404 and "location" not in public.headers  # no slash redirect
    assert httpx.get(f"{base}/u/{token}", headers={"Host": "newsletter.krakow.example"}).is_success
