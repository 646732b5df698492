"""The public app under a real uvicorn on loopback, with aiosmtpd catching its mail.

Not a conftest (test folders have no __init__.py; a second conftest.py would clash by
module name): tests import what they need from here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "deliver"))  # mailhelpers

from mailhelpers import SECRET, Recorder, free_port, smtp_server

from newsletter.app.routes import create_app
from newsletter.app.settings import AppSettings
from newsletter.deliver.confirmations import ConfirmationMailer
from newsletter.deliver.db import open_database
from newsletter.deliver.smtp import smtp_settings
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


@contextlib.contextmanager
def serving(
    project: Project, db: Path, settings: AppSettings = FAST, signup: bool = True
) -> Iterator[Served]:
    """The app on a free loopback port, base_url pointing at it, mail to aiosmtpd."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    project = dataclasses.replace(
        project, site=project.site.model_copy(update={"base_url": base + "/"})
    )
    recorder = Recorder()
    engine = open_database(db, busy_timeout=2)
    with smtp_server(recorder) as url:
        mailer = ConfirmationMailer(project.site, smtp_settings(url)) if signup else None
        app = create_app(engine, project, KEY, settings, mailer)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                proxy_headers=True)  # fmt: skip
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
