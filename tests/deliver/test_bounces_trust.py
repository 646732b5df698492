"""A reader cannot take another reader off the list (issue 20, item 1).

Each subscriber's copy of a send shows them their own Message-ID, List-Unsubscribe URL
and mailto: token, VERP Return-Path, preferences link, List-Id, Feedback-ID and the
send's key. Subscriber A builds, from everything in their real copy (made by the real
MessageFactory of a journaled send), a DSN hard bounce, an ARF complaint, a mailto:
unsubscribe and a plain-text (non-DSN) bounce aimed at subscriber B: B stays subscribed
(at most a soft score, or the report kept aside). A's own signed Message-ID, quoted in
a real bounce, still attributes to A.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mailhelpers import SECRET
from test_bounces import BOUNCE_ADDRESS, context

from newsletter import placeholders
from newsletter.deliver.audience import consent
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import open_database
from newsletter.deliver.returns import bounces
from newsletter.deliver.returns.mailboxes import Incoming
from newsletter.deliver.sending import send as sending
from newsletter.deliver.sending.message_ids import message_id, read_message_ids
from newsletter.deliver.sending.messages import MessageFactory, Recipient

KEY = SECRET.encode()
A, B = "anna@example.com", "bartek@example.com"
DOMAIN = "um.krakow.pl"  # the sender's domain in the project's newsletter.toml


@pytest.fixture
def world(tmp_path: Path, project):
    """A list of A and B, a journaled send to both, and A's real message of it."""
    engine = open_database(tmp_path / "list.db")
    with engine.begin() as connection:
        subs.save(connection, [subs.candidate(a, None, "pl", "test") for a in (A, B)])
    journal = sending.prepare_send(engine, "2026-03", "2026-03")
    site = project.site.model_copy(update={"bounce_address": BOUNCE_ADDRESS})
    assert site.sender.email.endswith("@" + DOMAIN)
    links = f"Preferences: {placeholders.PREFERENCES_URL}\nLeave: {placeholders.UNSUBSCRIBE_URL}\n"
    factory = MessageFactory(
        site=site, subject="Business Kraków, March", html=f"<p>{links}</p>", text=links,
        key=KEY, message_key=journal.message_key, feedback_id="2026-03:business-krakow",
    )  # fmt: skip
    ids = {email: subs.find(engine, email).id for email in (A, B)}
    mine = factory.message(Recipient(ids[A], A)).decode()
    mine = f"Return-Path: <{factory.return_path(ids[A])}>\r\n" + mine
    return engine, ids, mine, journal.message_key


def aimed_at_b(mine: str, ids: dict[str, int], variant: str) -> str:
    """A's copy made to look like B's: B's id in the Message-ID and B's address in To;
    then either A's other tokens removed (``strip``: nothing names A any more), or B's id
    put into every one of them too (``substitute``: the VERP Return-Path, the
    unsubscribe and preference links, the mailto: token, all keeping A's signatures)."""
    forged = re.sub(rf"(Message-ID: <[^>]*)\.{ids[A]}@", rf"\g<1>.{ids[B]}@", mine)
    assert forged != mine
    forged = forged.replace(f"To: {A}", f"To: {B}")
    if variant == "strip":
        forged = re.sub(r"Return-Path: [^\r\n]*\r\n", "", forged)
        forged = re.sub(r"List-Unsubscribe: [^\r\n]*\r\n [^\r\n]*\r\n", "", forged)
        forged = re.sub(r"https?://\S*/[up]/[0-9A-Za-z_=\r\n-]+", "https://x.example/", forged)
    else:
        forged, count = re.subn(rf"(\+|/u/|/p/|%20){ids[A]}-", rf"\g<1>{ids[B]}-", forged)
        assert count >= 5, count  # Return-Path, List-Unsubscribe (2), body links (2+)
    assert f".{ids[A]}@" not in forged and "List-Id:" in forged and "Feedback-ID:" in forged
    return forged


def dsn(returned: str, about: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.net\r\n"
        f"To: {BOUNCE_ADDRESS}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {about}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{about}>: user unknown\r\n\r\n"
        f"--b1\r\nContent-Type: message/rfc822\r\n\r\n{returned}\r\n--b1--\r\n"
    ).encode()


def arf(returned: str, about: str) -> bytes:
    return (
        "From: feedback@fbl.example.net\r\n"
        f"To: {BOUNCE_ADDRESS}\r\n"
        "Subject: Abuse report\r\n"
        "Message-ID: <arf-1@fbl.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b2"\r\n\r\n'
        "--b2\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report.\r\n"
        "--b2\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: fbl/1.0\r\nVersion: 1\r\n"
        f"Original-Rcpt-To: {about}\r\n\r\n"
        f"--b2\r\nContent-Type: message/rfc822\r\n\r\n{returned}\r\n--b2--\r\n"
    ).encode()


def mailto(returned: str, about: str, subject_token: str) -> bytes:
    forged_id = re.search(r"Message-ID: (<[^>]*>)", returned).group(1)
    return (
        f"From: <{about}>\r\nTo: {BOUNCE_ADDRESS}\r\n"
        f"Subject: unsubscribe {subject_token}\r\n"
        f"In-Reply-To: {forged_id}\r\nReferences: {forged_id}\r\n"
        "Message-ID: <mailto-1@example.com>\r\n\r\n"
        f"> {returned}\r\n"
    ).encode()


def qmail(returned: str, about: str) -> bytes:
    """A plain-text bounce, no DSN part: what flufl.bounce's Qmail detector reads."""
    return (
        "From: MAILER-DAEMON@mx.example.net\r\n"
        f"To: {BOUNCE_ADDRESS}\r\n"
        "Subject: failure notice\r\n"
        "Message-ID: <qmail-1@mx.example.net>\r\n\r\n"
        "Hi. This is the qmail-send program at mx.example.net.\r\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        f"<{about}>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
        "--- Below this line is a copy of the message.\r\n\r\n"
        f"{returned}\r\n"
    ).encode()


@pytest.mark.parametrize("variant", ["strip", "substitute"])
def test_a_reader_cannot_bounce_complain_or_unsubscribe_another(world, variant: str):
    engine, ids, mine, _ = world
    forged = aimed_at_b(mine, ids, variant)
    a_token = re.search(r"subject=unsubscribe%20(\S+?)>", mine).group(1)
    b_token = re.sub(r"^\d+-", f"{ids[B]}-", a_token)  # A's signature, B's id
    reports = {"dsn": dsn(forged, B), "arf": arf(forged, B), "qmail": qmail(forged, B),
               "mailto": mailto(forged, B, b_token)}  # fmt: skip
    summary = bounces.process(engine, [Incoming(n, d) for n, d in reports.items()],
                              context())  # fmt: skip
    assert not summary.errors, summary.errors
    assert {subs.find(engine, who).status for who in (A, B)} == {"subscribed"}, summary
    kinds = {e.kind for e in consent.history(engine, B)}
    assert not kinds & {"bounced", "complained", "unsubscribed"}, kinds
    # B at most a soft score (a bounce naming B's address), the rest kept aside.
    assert summary.counts["soft"] + summary.counts["unattributed"] == 4, summary


def test_the_readers_own_signed_message_id_attributes_a_real_bounce(world):
    engine, _, mine, _ = world
    # Only the Message-ID names A: the Return-Path and links are gone, the DSN names an
    # address that is not on the list (a forward). (This one passes before issue 20 too:
    # it shows the genuine case still works.)
    returned = re.sub(r"Return-Path: [^\r\n]*\r\n", "", mine)
    returned = re.sub(r"List-Unsubscribe: [^\r\n]*\r\n [^\r\n]*\r\n", "", returned)
    returned = re.sub(r"https?://\S*/[up]/[0-9A-Za-z_=\r\n-]+", "https://x.example/", returned)
    summary = bounces.process(engine, [Incoming("real", dsn(returned, "old@forward.example"))],
                              context())  # fmt: skip
    assert summary.counts["hard"] == 1, summary
    assert subs.find(engine, A).status == "bounced"
    [*_, event] = consent.history(engine, A)
    assert event.details["by"] == "message-id"


def test_message_ids_are_signed_deterministic_short_and_lower_case_safe():
    made = message_id(KEY, "0123456789abcdef", 42, DOMAIN)
    assert made == message_id(KEY, "0123456789abcdef", 42, DOMAIN)  # a resend keeps it
    assert re.fullmatch(r"<[0-9a-f]{16}-[a-z2-7]{16}\.42@um\.krakow\.pl>", made), made
    assert len(made) <= 60
    [found] = read_message_ids(KEY, f"References: {made.upper()}", DOMAIN)
    assert (found.subscriber_id, found.message_key) == (42, "0123456789abcdef")
    forged = made.replace(".42@", ".43@")
    assert list(read_message_ids(KEY, forged, DOMAIN)) == []
    assert list(read_message_ids(KEY, "<0123456789abcdef.43@um.krakow.pl>", DOMAIN)) == []
    assert list(read_message_ids(b"another-secret-0123456789", made, DOMAIN)) == []
    assert list(read_message_ids(KEY, made, "evil.example")) == []
