"""`newsletter bounces` on bounces to our own messages: VERP attribution, hard and soft
bounces with Mailman's scoring, complaints, mailto: unsubscribes, auto-replies, forged
tokens, messages kept aside, hostile input.

The bounces are real messages (Postfix's DSN and Yahoo's ARF report from
tests/data/bounces/) with their recipient, status and date set to ours, as Postfix writes
them when a message of ours bounces (tests/deliver/test_bounces_postfix.py does it for
real, end to end).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import ROOT
from mailhelpers import SECRET

from newsletter.cli import main
from newsletter.config import BounceSettings
from newsletter.deliver.audience import consent
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import bounce_messages, open_database
from newsletter.deliver.returns import bounces, mailboxes
from newsletter.deliver.returns.mailboxes import Incoming
from newsletter.deliver.sending.verp import read_verp, verp_address
from newsletter.deliver.tokens import make_token

DATA = Path(__file__).resolve().parent.parent / "data" / "bounces"
KEY = SECRET.encode()
BOUNCE_ADDRESS = "bounces@news.example.org"
SEND_KEY = "0123456789abcdef"
NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def postfix_dsn(envelope_to: str, recipient: str, status: str, reply: str,
                date: dt.datetime = NOW) -> bytes:  # fmt: skip
    """Postfix's real DSN (sisimai-lhost-postfix-05.eml) made about our recipient."""
    text = (DATA / "sisimai-lhost-postfix-05.eml").read_text("latin-1")
    text = text.replace("shironeko@example.co.jp", envelope_to)
    text = text.replace("kijitora@example.org", recipient)
    text = text.replace("Status: 4.1.1", f"Status: {status}")
    text = text.replace("450 4.1.1", reply).replace("450\n    4.1.1", reply)
    text = text.replace("Thu, 22 Feb 2012 20:50:02 +0800 (WST)",
                        date.strftime("%a, %d %b %Y %H:%M:%S +0000"))  # fmt: skip
    text = text.replace("<00000000000000.FFFFFFFFFFF@v1.example.com>",
                        f"<{secrets.token_hex(8)}@v1.example.com>")  # each its own
    assert f"Status: {status}" in text and envelope_to in text
    return text.encode("latin-1")


def context(bounce_address: str | None = BOUNCE_ADDRESS, **settings: float) -> bounces.Context:
    return bounces.Context(KEY, bounce_address, "um.krakow.pl",
                           BounceSettings(**settings), clock=lambda: NOW)  # fmt: skip


@pytest.fixture
def engine(tmp_path: Path):
    engine = open_database(tmp_path / "list.db")
    with engine.begin() as connection:
        people = ("anna@example.com", "jan@example.com", "ola@example.com")
        subs.save(connection, [subs.candidate(a, None, "pl", "test") for a in people])
    return engine


def sid(engine, email: str) -> int:
    found = subs.find(engine, email)
    assert found is not None
    return found.id


def status(engine, email: str) -> str:
    found = subs.find(engine, email)
    assert found is not None
    return found.status


def run(engine, *messages: tuple[str, bytes], bounce_address: str | None = BOUNCE_ADDRESS,
        **settings: float) -> bounces.Summary:  # fmt: skip
    items = [Incoming(name, data) for name, data in messages]
    return bounces.process(engine, items, context(bounce_address, **settings))


def verp(engine, email: str) -> str:
    return verp_address(KEY, BOUNCE_ADDRESS, sid(engine, email), SEND_KEY)


def test_verp_address_is_short_lower_case_signed_and_survives_lower_casing():
    address = verp_address(KEY, BOUNCE_ADDRESS, 123456789012, SEND_KEY)
    local = address.rpartition("@")[0]
    assert len(local) <= 64 and re.fullmatch(r"[a-z0-9._=+-]+", local), address
    found = read_verp(KEY, address.upper(), BOUNCE_ADDRESS)  # some servers change case
    assert found is not None and (found.subscriber_id, found.message_key) == (123456789012,
                                                                              SEND_KEY)  # fmt: skip
    forged = address.replace("123456789012-", "123456789013-")
    assert read_verp(KEY, forged, BOUNCE_ADDRESS) is None
    assert read_verp(b"another-secret-0123456789", address, BOUNCE_ADDRESS) is None
    assert read_verp(KEY, address.replace("news.example.org", "evil.example"),
                     BOUNCE_ADDRESS) is None  # fmt: skip


def test_hard_bounce_to_a_verp_address_marks_that_subscriber_bounced(engine):
    # The DSN names another address (a forward): the envelope recipient decides.
    dsn = postfix_dsn(verp(engine, "anna@example.com"), "anna.forward@elsewhere.example",
                      "5.1.1", "550 5.1.1")  # fmt: skip
    summary = run(engine, ("new/1", dsn))
    assert summary.counts["hard"] == 1 and summary.changed == 1
    assert status(engine, "anna@example.com") == "bounced"
    assert status(engine, "jan@example.com") == "subscribed"
    [*_, event] = consent.history(engine, "anna@example.com")
    assert (event.kind, event.source) == ("bounced", "bounces: new/1")
    assert event.details["by"] == "verp" and event.details["status"] == "5.1.1"


def test_soft_bounces_reach_the_threshold_only_after_enough_days(engine):
    to = verp(engine, "jan@example.com")

    def full(days_ago: int) -> bytes:
        return postfix_dsn(to, "jan@example.com", "4.2.2", "452 4.2.2 Mailbox full",
                           NOW - dt.timedelta(days=days_ago, hours=days_ago))  # fmt: skip

    # Four bounces on three days (two on one day count once): 3 × 0.5 = 1.5 < 2.
    summary = run(engine, *[(f"soft/{n}", full(n)) for n in (5, 4, 4, 3)], threshold=2.0,
                  soft_score=0.5)  # fmt: skip
    assert summary.counts["soft"] == 4 and summary.changed == 0
    assert status(engine, "jan@example.com") == "subscribed"
    summary = run(engine, ("soft/2", full(2)), threshold=2.0, soft_score=0.5)
    assert summary.changed == 1 and status(engine, "jan@example.com") == "bounced"
    [*_, event] = consent.history(engine, "jan@example.com")
    assert event.kind == "bounced" and event.details["score"] == 2.0


def test_a_score_starts_again_after_a_quiet_spell(engine):
    to = verp(engine, "ola@example.com")
    dates = [NOW - dt.timedelta(days=n) for n in (25, 24, 23, 10, 9)]  # a 13-day gap
    run(engine, *[(f"m{n}", postfix_dsn(to, "ola@example.com", "5.7.1", "554 5.7.1 spam",
                                        day)) for n, day in enumerate(dates)],
        threshold=4.0, permanent_score=1.0, reset_after_days=7)  # fmt: skip
    assert status(engine, "ola@example.com") == "subscribed"  # 3, then reset to 1, 2
    run(engine, ("m5", postfix_dsn(to, "ola@example.com", "5.7.1", "554 5.7.1 spam",
                                   NOW - dt.timedelta(days=8))),
        ("m6", postfix_dsn(to, "ola@example.com", "5.7.1", "554 5.7.1 spam",
                           NOW - dt.timedelta(days=7))),
        threshold=4.0, permanent_score=1.0, reset_after_days=7)  # fmt: skip
    assert status(engine, "ola@example.com") == "bounced"  # 2 + 1 + 1 = 4


def test_reading_the_same_messages_again_changes_nothing(engine):
    dsn = postfix_dsn(verp(engine, "anna@example.com"), "anna@example.com", "5.1.1", "550")
    run(engine, ("a", dsn))
    events = len(consent.history(engine, "anna@example.com"))
    again = run(engine, ("a", dsn), ("copy", b"Delivered-To: x@y\r\n" + dsn))
    assert again.already_seen == 2 and again.changed == 0
    assert sum(again.counts.values()) == 0
    assert len(consent.history(engine, "anna@example.com")) == events


def test_an_unsubscribed_reader_is_never_marked_bounced(engine):
    subs.remove(engine, "anna@example.com")
    summary = run(engine, ("a", postfix_dsn(verp(engine, "anna@example.com"),
                                            "anna@example.com", "5.1.1", "550 5.1.1")))  # fmt: skip
    assert summary.counts["hard"] == 1 and summary.changed == 0
    assert status(engine, "anna@example.com") == "unsubscribed"


def test_a_forged_token_attributes_nothing_and_the_message_is_kept_aside(engine, tmp_path):
    forged = verp(engine, "anna@example.com").replace(f"{sid(engine, 'anna@example.com')}-",
                                                      f"{sid(engine, 'jan@example.com')}-")
    dsn = postfix_dsn(forged, "nobody@elsewhere.example", "5.1.1", "550 5.1.1")
    summary = run(engine, ("forged", dsn))
    assert summary.counts["unattributed"] == 1 and summary.changed == 0
    assert {status(engine, a) for a in ("anna@example.com", "jan@example.com")} == \
        {"subscribed"}  # fmt: skip
    [kept] = bounces.kept_messages(engine)
    assert kept.raw == dsn and "nobody@elsewhere.example" in kept.detail
    result = CliRunner().invoke(main, ["bounces", "--db", str(tmp_path / "list.db"), "--kept"])
    assert result.exit_code == 0 and "forged" in result.output


def test_a_complaint_unsubscribes_with_reason_complained(engine):
    # Yahoo's ARF report, the complained-about message being ours (its List-Unsubscribe).
    report = (DATA / "sisimai-arf-14.eml").read_text("latin-1")
    report = report.replace("kijitora@y.example.com", "someone-else@y.example.com")
    link = f"https://newsletter.krakow.example/u/{make_token(KEY, sid(engine, 'ola@example.com'))}"
    head, subject, rest = report.rpartition("\nSubject: ")  # the enclosed message's
    report = f"{head}\nList-Unsubscribe: <{link}>{subject}{rest}"
    assert report.index("message/rfc822") < report.index(link)
    summary = run(engine, ("arf", report.encode("latin-1")))
    assert summary.counts["complaint"] == 1
    assert status(engine, "ola@example.com") == "unsubscribed"
    [*_, event] = consent.history(engine, "ola@example.com")
    assert (event.kind, event.details["by"], event.details["report"]) == \
        ("complained", "link token", "arf abuse")  # fmt: skip


def test_a_mailto_unsubscribe_with_our_token_unsubscribes(engine):
    token = make_token(KEY, sid(engine, "jan@example.com"))
    apple = (DATA / "sisimai-arf-26.eml").read_text("latin-1")  # Apple Mail's request
    request = apple.replace("Subject: unsubscribe", f"Subject: unsubscribe {token}")
    without = apple.replace("898B6152", "898B6153")  # the same without a token: kept aside
    summary = run(engine, ("m", request.encode()), ("n", without.encode()))
    assert summary.counts["unsubscribe"] == 1 and summary.counts["unattributed"] == 1
    assert status(engine, "jan@example.com") == "unsubscribed"
    assert consent.history(engine, "jan@example.com")[-1].kind == "unsubscribed"


def test_auto_replies_and_delay_warnings_change_nobody(engine):
    to = verp(engine, "anna@example.com")
    out_of_office = (
        f"From: Anna <anna@example.com>\r\nTo: {to}\r\nSubject: Automatic reply: Business "
        "Krakow\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <ooo@example.com>\r\n\r\n"
        "I am away until Monday.\r\n"
    )
    delayed = postfix_dsn(to, "anna@example.com", "4.4.1", "451 4.4.1").replace(
        b"Action: failed", b"Action: delayed")  # fmt: skip
    summary = run(engine, ("ooo", out_of_office.encode()), ("delay", delayed))
    assert summary.counts["ignored"] == 2 and summary.changed == 0
    assert status(engine, "anna@example.com") == "subscribed"


def test_hostile_messages_fail_alone_and_are_named(engine, tmp_path: Path):
    folder = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (folder / sub).mkdir(parents=True)
    (folder / "new" / "1-huge").write_bytes(b"Subject: x\r\n\r\n" + b"a" * (11 * 1024 * 1024))
    (folder / "new" / "2-garbage").write_bytes(bytes(range(256)) * 100)
    (folder / "new" / "3-real").write_bytes(
        postfix_dsn(verp(engine, "anna@example.com"), "anna@example.com", "5.1.1", "550"))
    config = _config(tmp_path)
    result = CliRunner().invoke(
        main, ["--config", str(config), "bounces", "--db", str(tmp_path / "list.db"),
               str(folder)], env={"NEWSLETTER_SECRET": SECRET})  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "1-huge: over 10 MB" in result.output
    assert "Traceback" not in result.output
    assert "3 messages read: 1 hard bounces" in result.output
    assert status(engine, "anna@example.com") == "bounced"
    assert mailboxes.MAX_MESSAGE_BYTES == 10 * 1024 * 1024


def test_the_cli_reads_standard_input_with_the_pipes_recipient(engine, tmp_path: Path):
    # What Postfix's pipe gives: the message on stdin, ${original_recipient} as an option;
    # here the DSN's own headers name no token, only the option does.
    dsn = postfix_dsn("postmaster@news.example.org", "jan@example.com", "5.1.1", "550 5.1.1")
    result = CliRunner().invoke(
        main, ["--config", str(_config(tmp_path)), "bounces", "--db",
               str(tmp_path / "list.db"), "-", "--recipient", verp(engine, "jan@example.com")],
        input=dsn, env={"NEWSLETTER_SECRET": SECRET})  # fmt: skip
    assert result.exit_code == 0, result.output
    assert status(engine, "jan@example.com") == "bounced"
    with engine.connect() as connection:
        row = connection.execute(sa.select(bounce_messages)).one()
    assert (row.source, row.outcome, row.message_key) == ("<stdin>", "hard", SEND_KEY)


def test_bounce_address_is_checked_where_it_is_read(tmp_path: Path):
    config = _config(tmp_path, "Very.Long.Bounces.Local@news.example.org")
    result = CliRunner().invoke(main, ["--config", str(config), "bounces", "--db",
                                       str(tmp_path / "l.db"), str(tmp_path)],
                                env={"NEWSLETTER_SECRET": SECRET})  # fmt: skip
    assert result.exit_code == 1
    assert f"{config.name}:" in result.output and "at most 17" in result.output


def _config(folder: Path, bounce_address: str | None = BOUNCE_ADDRESS) -> Path:
    """The project's newsletter.toml with a bounce address (None: without, so no VERP),
    paths kept absolute."""
    text = (ROOT / "newsletter.toml").read_text(encoding="utf-8")
    for name in ("theme", "issues", "output", "templates"):
        text = re.sub(rf'^{name} = "([^"]+)"', lambda m, n=name: f'{n} = "{ROOT / m.group(1)}"',
                      text, count=1, flags=re.MULTILINE)  # fmt: skip
    if bounce_address:
        text = text.replace("\n[sender]", f'\nbounce_address = "{bounce_address}"\n\n[sender]',
                            1)  # fmt: skip
    path = folder / "newsletter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_report_naming_only_an_address_removes_nobody_at_once(engine):
    """Anyone can mail the bounce address a DSN or an ARF report naming a reader. With
    VERP our own bounces carry a signed token, so one that only names an address adds to a
    soft score and a complaint is kept aside; the same bounce with the token bounces.
    Without VERP the same holds (the sender's own address is as open to forgers)."""
    forged = postfix_dsn(BOUNCE_ADDRESS, "anna@example.com", "5.1.1", "550 5.1.1 unknown")
    arf = (DATA / "sisimai-arf-14.eml").read_text("latin-1")
    arf = arf.replace("kijitora@y.example.com", "jan@example.com").encode("latin-1")
    summary = run(engine, ("forged", forged), ("arf", arf))
    assert (summary.counts["soft"], summary.counts["unattributed"]) == (1, 1), summary
    assert status(engine, "anna@example.com") == status(engine, "jan@example.com") == \
        "subscribed"  # fmt: skip
    assert "by address only" in " ".join(summary.kept) + str(_details(engine, "forged"))
    real = postfix_dsn(verp(engine, "anna@example.com"), "anna@example.com", "5.1.1", "550")
    assert run(engine, ("real", real)).counts["hard"] == 1
    assert status(engine, "anna@example.com") == "bounced"
    # Without VERP, a bounce naming only an address still only adds to the score.
    plain = run(engine, ("plain", postfix_dsn("x@example.net", "jan@example.com", "5.1.1",
                                              "550")), bounce_address=None)  # fmt: skip
    assert (plain.counts["hard"], plain.counts["soft"]) == (0, 1)
    assert status(engine, "jan@example.com") == "subscribed"


def _details(engine, source: str) -> str:
    with engine.connect() as connection:
        return connection.execute(sa.select(bounce_messages.c.detail)
                                  .where(bounce_messages.c.source == source)).scalar_one()
