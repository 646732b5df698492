"""The edges of talking SMTP: the password only over TLS, and a reply that never comes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from mailhelpers import SECRET, Recorder, approved, fill_list, free_port, smtp_server

from newsletter.cli import main
from newsletter.deliver.db import open_database
from newsletter.deliver.sending import send as sending
from newsletter.deliver.sending.smtp_settings import SmtpSettingsError, smtp_settings

ISSUE = "issues/2020-12"
PASSWORD = {"NEWSLETTER_SMTP_PASSWORD": "s3cret"}


@pytest.fixture
def listed(monkeypatch, tmp_path: Path) -> tuple[Path, list[str]]:
    """Six subscribers in a fresh list that the commands find through the environment."""
    for name, value in (("NEWSLETTER_SECRET", SECRET), ("NEWSLETTER_DB", tmp_path / "l.db")):
        monkeypatch.setenv(name, str(value))
    addresses = fill_list(open_database(tmp_path / "l.db"), 6)
    approved(tmp_path / "l.db")
    return tmp_path / "l.db", addresses


def test_a_password_is_never_sent_in_clear_unless_the_url_says_so():
    with pytest.raises(SmtpSettingsError) as refused:
        smtp_settings("smtp://news@mail.example.com", PASSWORD)
    assert str(refused.value) == (
        "smtp://news@mail.example.com would send the password in clear: use "
        "'smtp://news@mail.example.com:587?starttls' or 'smtps://news@mail.example.com:465' "
        "(or add ?insecure=1 for a server on a network you trust)"
    )
    assert smtp_settings("smtp://news@mail.example.com?starttls", PASSWORD).security == "starttls"
    assert smtp_settings("smtps://news@mail.example.com", PASSWORD).security == "tls"
    relay = smtp_settings("smtp://news@relay.lan:2525?insecure=1", PASSWORD)
    assert (relay.security, relay.insecure) == ("plain", True)
    assert str(relay) == "smtp://news@relay.lan:2525?insecure=1"
    assert smtp_settings("smtp://relay.lan", {}).username is None  # no login: nothing to hide


def test_insecure_login_works_when_asked_for_and_is_refused_otherwise(listed):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=True)

    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=port, authenticator=authenticator,
        auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    runner = CliRunner(env=PASSWORD)
    try:
        args = ["send", ISSUE, "--to", "editor@example.com", "--smtp"]
        clear = runner.invoke(main, [*args, f"smtp://news@127.0.0.1:{port}"])
        assert clear.exit_code == 1 and "would send the password in clear" in clear.output
        assert "Traceback" not in clear.output and logins == [] and not recorder.received
        asked = runner.invoke(main, [*args, f"smtp://news@127.0.0.1:{port}?insecure=1"])
        assert asked.exit_code == 0, asked.output
    finally:
        controller.stop()
    assert logins == [("PLAIN", b"news", b"s3cret")]
    assert recorder.recipients() == {"editor@example.com": 1}


class SlowData(Recorder):
    """Takes ``delay`` seconds to confirm DATA for the addresses in ``slow``."""

    def __init__(self, slow: set[str], delay: float):
        super().__init__()
        self.slow, self.delay = slow, delay

    async def handle_DATA(self, server, session, envelope):
        if self.slow & set(envelope.rcpt_tos):
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def test_a_data_reply_that_never_comes_is_unknown_and_resent_only_when_asked(
    listed, monkeypatch
):
    env, addresses = listed
    slow = addresses[2]
    # Long enough for a loaded machine's prompt replies, short against the slow one.
    monkeypatch.setenv("NEWSLETTER_SMTP_DATA_TIMEOUT", "2")
    server = SlowData({slow}, delay=5.0)
    runner = CliRunner()
    with smtp_server(server) as url:
        first = runner.invoke(main, ["send", ISSUE, "--smtp", url, "--concurrency", "2"])
        assert first.exit_code == 0, first.output
        assert "5 sent" in first.output and "1 unknown" in first.output
        assert f"{slow}: no reply after the message was sent (waited up to 2 s)" in first.output
        journal = sending.journal_counts(open_database(env), "2020-12")
        assert (journal["sent"], journal["unknown"]) == (5, 1)
        assert server.attempts[slow] == 1  # tried once: not retried like a 4xx

        again = runner.invoke(main, ["send", ISSUE, "--smtp", url])
        assert "nothing left to send" in again.output and "--resend-unknown" in again.output
        assert server.attempts[slow] == 1

        server.slow = set()
        resent = runner.invoke(main, ["send", ISSUE, "--smtp", url, "--resend-unknown"])
        assert resent.exit_code == 0, resent.output
        assert "1 sent" in resent.output
    assert server.attempts[slow] == 2
    assert sending.journal_counts(open_database(env), "2020-12")["sent"] == 6
