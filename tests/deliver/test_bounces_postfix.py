"""End to end: a send with VERP through a real Postfix, a recipient refused *after*
Postfix accepted the message, the DSN Postfix itself writes, and `newsletter bounces`
reading it from a Maildir: that one subscriber is bounced, nobody else changes."""

from __future__ import annotations

import mailbox
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from mailhelpers import SECRET, Recorder, fill_list
from test_bounces import BOUNCE_ADDRESS, _config
from test_postfix import running_postfix
from test_send_kill import newsletter_send

from newsletter.cli import main
from newsletter.deliver.audience import consent, subscribers
from newsletter.deliver.db import open_database
from newsletter.deliver.sending import send as sending
from newsletter.deliver.tokens import make_token


def test_postfix_dsn_to_a_verp_address_bounces_exactly_that_subscriber(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    db = tmp_path / "list.db"
    engine = open_database(db)
    addresses = fill_list(engine, 5)
    refused = addresses[2]
    # The final server takes everything Postfix relays but this one mailbox (at RCPT).
    recorder = Recorder(replies={refused: [f"550 5.1.1 <{refused}>: no such user"]})
    monkeypatch.setenv("NEWSLETTER_CONFIG", str(_config(tmp_path)))
    with running_postfix(recorder) as url:
        process = newsletter_send(db, url, rate="1000")
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
        # Postfix accepted all five: the journal cannot know of the bounce yet.
        assert sending.journal_counts(engine, "2020-12")["sent"] == 5
        deadline = time.monotonic() + 60  # bounds the wait; not a timing assertion
        while time.monotonic() < deadline and not _dsns(recorder):
            time.sleep(0.1)
    [(envelope_to, dsn)] = _dsns(recorder)
    assert envelope_to.startswith("bounces+") and envelope_to.endswith("@news.example.org")
    assert b"message/delivery-status" in dsn  # Postfix's own RFC 3464 report
    assert recorder.recipients()[envelope_to] == 1
    assert {to for to, _ in recorder.received} - {envelope_to} == set(addresses) - {refused}
    ids = {s.email: s.id for s in subscribers.iter_subscribers(engine)}
    for to, message in recorder.messages():
        if to != envelope_to:  # the mailto: unsubscribe carries the reader's token
            token = make_token(SECRET.encode(), ids[to])
            assert f"<mailto:{BOUNCE_ADDRESS}?subject=unsubscribe%20{token}>" in \
                " ".join(message["List-Unsubscribe"].split())  # fmt: skip

    folder = mailbox.Maildir(tmp_path / "Maildir", create=True)
    folder.add(b"X-Original-To: " + envelope_to.encode() + b"\n" + dsn)  # a local delivery
    result = CliRunner().invoke(
        main, ["--config", str(_config(tmp_path)), "bounces", "--db", str(db),
               str(tmp_path / "Maildir")], env={"NEWSLETTER_SECRET": SECRET})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 messages read: 1 hard bounces" in result.output
    statuses = {s.email: s.status for s in subscribers.iter_subscribers(engine)}
    assert statuses == {a: "bounced" if a == refused else "subscribed" for a in addresses}
    [*_, event] = consent.history(engine, refused)
    assert event.kind == "bounced" and event.details["by"] == "verp"
    assert event.details["status"] == "5.1.1"
    assert BOUNCE_ADDRESS.partition("@")[2] in envelope_to


def _dsns(recorder: Recorder) -> list[tuple[str, bytes]]:
    with recorder.lock:
        return [(to, data) for to, data in recorder.received if to.startswith("bounces+")]
