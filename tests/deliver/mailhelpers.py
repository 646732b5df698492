"""Real SMTP servers on loopback (aiosmtpd) and a filled list, for the delivery tests.

Not a conftest: test folders here have no __init__.py, so a second conftest.py would
clash with tests/conftest.py by module name. Tests import what they need from here.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import functools
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine

from newsletter.deliver.audience import subscribers

SECRET = "test-secret-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "issues" / "2020-12"


@functools.cache
def _built_for_approval(config: Path, folder: Path):  # type: ignore[no-untyped-def]
    """What `newsletter approve` builds of ``folder``, once per test session (the folders
    given here do not change during it)."""
    from newsletter.load import load_issue, load_project
    from newsletter.review.editions import edition_files
    from newsletter.review.folder import folder_files

    project = load_project(config)
    issue = load_issue(folder, project)
    return project, issue.id, folder_files(folder), edition_files(issue, project)


def approved(db: Path | str, folder: Path = SAMPLE, config: Path = ROOT / "newsletter.toml",
             by: str = "Test Reviewer") -> None:  # fmt: skip
    """The issue in ``folder`` approved in the list ``db`` (a path or URL) as `newsletter
    approve` records it, unless it already is: sends to the list need an approval."""
    from newsletter.deliver.db import open_database
    from newsletter.review import store
    from newsletter.review.status import review_status

    project, issue_id, sources, files = _built_for_approval(config, folder)
    engine = open_database(db)
    if not review_status(engine, folder, issue_id, project).approved:
        store.record(engine, issue_id, folder, by, sources, files)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    """Whether a server (Postfix, Dovecot started by a test) accepts on 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@dataclass
class Recorder:
    """Accepts everything and keeps (recipient, message bytes); ``replies`` may script
    answers per recipient first: e.g. {"a@x": ["451 4.3.0 later", "421 4.3.2 bye"]} at RCPT
    ("DROP" closes the connection instead of answering). It offers PIPELINING, as
    Postfix and ESPs do, so the senders pipeline their envelopes (``pipelining=False``:
    one command at a time, as smtplib alone does).
    """

    replies: dict[str, list[str]] = field(default_factory=dict)
    received: list[tuple[str, bytes]] = field(default_factory=list)
    attempts: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pipelining: bool = True

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:  # aiosmtpd reads commands in order; it just does not say so
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.attempts[address] += 1
            scripted = self.replies.get(address)
            if scripted:  # 4xx replies are used up one per attempt, 5xx ones stay
                reply = scripted[0] if scripted[0].startswith("5") else scripted.pop(0)
                if reply == "DROP":  # hang up without a word
                    server.transport.close()
                    return "421 4.4.2 gone"
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received.append((address, envelope.original_content or envelope.content))
        return "250 Message accepted"

    def messages(self) -> list[tuple[str, EmailMessage]]:
        with self.lock:
            return [
                (to, email.message_from_bytes(data, policy=email.policy.default))
                for to, data in self.received
            ]

    def recipients(self) -> Counter:
        with self.lock:
            return Counter(to for to, _ in self.received)


@contextlib.contextmanager
def smtp_server(handler, smtputf8: bool = True) -> Iterator[str]:
    """An aiosmtpd server on 127.0.0.1 for the duration; yields its smtp:// URL."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=smtputf8)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def fill_list(engine: Engine, count: int, domain: str = "example.com") -> list[str]:
    """``count`` subscribers user0001@domain…; returns their addresses."""
    addresses = [f"user{n:04d}@{domain}" for n in range(1, count + 1)]
    with engine.begin() as connection:
        for start in range(0, count, 500):
            batch = [
                subscribers.candidate(a, f"Użytkownik {a[4:8]}", "pl", "test")
                for a in addresses[start : start + 500]
            ]
            subscribers.save(connection, batch)
    return addresses
