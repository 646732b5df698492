"""The public app under a real uvicorn on loopback, with aiosmtpd catching its mail.

Not a conftest (test folders have no __init__.py; a second conftest.py would clash by
module name): tests import what they need from here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "deliver"))  # mailhelpers

import httpx
from mailhelpers import SECRET, Recorder, free_port, smtp_server

from newsletter.app.connections import head_timeout_protocol
from newsletter.app.routes import create_app
from newsletter.app.settings import AppSettings
from newsletter.deliver.audience.confirmations import ConfirmationMailer
from newsletter.deliver.db import open_database
from newsletter.deliver.sending.smtp_settings import smtp_settings
from newsletter.load import Project

KEY = SECRET.encode()
FAST = AppSettings(pow_max_number=2000, nojs_wait_seconds=1)
"""Test settings: a small proof of work (the browser test uses the real one)."""


@dataclass
class Served:
    """A running app: its base URL, database, the mail it sent and its project."""

    base: str
    db: Path
    recorder: Recorder
    project: Project

    def mail_to(self, address: str, count: int = 1, timeout: float = 15) -> list[EmailMessage]:
        """The messages to ``address``, once ``count`` have arrived (bounded wait)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for to, m in self.recorder.messages() if to == address]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def confirm_link(self, address: str) -> str:
        """The confirmation link in the latest message to ``address``."""
        message = self.mail_to(address)[-1]
        text = message.get_body(("plain",)).get_content()
        return re.search(r"http://\S+/confirm/\S+", text).group(0)


HIDDEN = re.compile(r'name="(csrf|pow_salt|pow_challenge|pow_signature)" value="([^"]*)"')
CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def sign_up(client: httpx.Client, email: str, language: str, **fields: str) -> httpx.Response:
    """Fill and send the sign-up form in ``language`` as its script does (challenge solved)."""
    from newsletter.app.challenge import solve

    page = client.get(f"/subscribe?lang={language}")
    hidden = dict(HIDDEN.findall(page.text))
    number = solve(hidden["pow_salt"], hidden["pow_challenge"], FAST.pow_max_number)
    data = {**hidden, "pow_number": str(number), "email": email, "language": language,
            "consent": "2021-01", **fields}  # fmt: skip
    return client.post(f"/subscribe?lang={language}", data=data)


def post_form(client: httpx.Client, url: str, **fields: str) -> httpx.Response:
    """POST a link page's form as its button does (with the CSRF token it served)."""
    csrf = CSRF.search(client.get(url).text).group(1)
    return client.post(url, data={"csrf": csrf, **fields})


@contextlib.contextmanager
def serving(
    project: Project, db: Path, settings: AppSettings = FAST, signup: bool = True,
    path: str = "/",
) -> Iterator[Served]:
    """The app on a free loopback port, base_url pointing at it (``path``: under a path,
    as behind a proxy that passes it on), mail to aiosmtpd."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    project = dataclasses.replace(
        project, site=project.site.model_copy(update={"base_url": base + path})
    )
    recorder = Recorder()
    engine = open_database(db, busy_timeout=2)
    with smtp_server(recorder) as url:
        mailer = ConfirmationMailer(project.site, smtp_settings(url)) if signup else None
        app = create_app(engine, project, KEY, settings, mailer)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                proxy_headers=True, http=head_timeout_protocol(10))  # fmt: skip
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        for _ in range(200):  # bounded wait for start-up
            if server.started:
                break
            time.sleep(0.05)
        try:
            yield Served(base, db, recorder, project)
        finally:
            server.should_exit = True
            thread.join(10)
            if mailer:
                mailer.close()
            engine.dispose()


@dataclass
class Process:
    """``newsletter serve`` as its own process: its URL, port, pid, database and mail."""

    base: str
    port: int
    process: subprocess.Popen
    db: Path
    recorder: Recorder


@contextlib.contextmanager
def serve_process(db: Path, *options: str) -> Iterator[Process]:
    """The real CLI on a free loopback port with an aiosmtpd for its confirmations (its
    memory, open connections and time-outs are its own, apart from the test's)."""
    root = Path(__file__).resolve().parent.parent.parent
    port = free_port()
    exe = Path(sys.executable).with_name("newsletter")
    env = {**os.environ, "NEWSLETTER_SECRET": SECRET}
    recorder = Recorder()
    with smtp_server(recorder) as url, open(db.with_suffix(".log"), "wb") as log:
        process = subprocess.Popen(
            [str(exe), "serve", "--db", str(db), "--port", str(port), "--smtp", url, *options],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(400):  # bounded wait for start-up
                try:
                    httpx.get(base + "/favicon.ico", timeout=1)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, db.with_suffix(".log").read_text()
                    time.sleep(0.05)
            yield Process(base, port, process, db, recorder)
        finally:
            process.terminate()
            process.wait(10)
