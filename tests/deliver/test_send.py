"""Sending to a real SMTP server (aiosmtpd on loopback) from a real SQLite list."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from mailhelpers import SECRET, Recorder, approved, fill_list, smtp_server

from newsletter.cli import main
from newsletter.deliver.audience import subscribers
from newsletter.deliver.db import deliveries, open_database, sends
from newsletter.deliver.sending import send as sending
from newsletter.deliver.sending.messages import HeaderInjectionError, MessageFactory, Recipient
from newsletter.deliver.sending.smtp_settings import smtp_settings
from newsletter.deliver.tokens import PREFERENCES, make_token, read_token
from newsletter.render.email import render_email

ISSUE = "issues/2020-12"


@pytest.fixture
def edition(sample, project):
    """The edition fill_list's subscribers get: the Polish one."""
    return render_email(sample.translations["pl"], project)


@pytest.fixture
def env(monkeypatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("NEWSLETTER_SECRET", SECRET)
    db = tmp_path / "list.db"
    monkeypatch.setenv("NEWSLETTER_DB", str(db))
    return db


def body(part) -> str:
    return part.get_content().replace("\r\n", "\n")


def test_a_thousand_subscribers_get_exactly_a_thousand_messages(env: Path, project, sample):
    polish = sample.in_language("pl")  # fill_list's subscribers read Polish
    edition = render_email(polish, project)
    engine = open_database(env)
    addresses = fill_list(engine, 1000)
    approved(env)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        result = CliRunner().invoke(
            main, ["send", ISSUE, "--smtp", url, "--concurrency", "4"], catch_exceptions=False
        )
    assert result.exit_code == 0, result.output
    assert "1,000 sent, 0 failed" in result.stdout
    assert recorder.recipients() == {a: 1 for a in addresses}
    ids = {s.email: s.id for s in subscribers.iter_subscribers(engine)}
    for to, message in recorder.messages():
        link = project.site.url("u", make_token(SECRET.encode(), ids[to]))
        preferences = project.site.url("p", make_token(SECRET.encode(), ids[to], PREFERENCES))
        assert message["To"].addresses[0].addr_spec == to
        assert message["To"].addresses[0].display_name == f"Użytkownik {to[4:8]}"
        assert message["From"].addresses[0].display_name == "Business Kraków"
        assert message["From"].addresses[0].addr_spec == project.site.sender.email
        assert message["Subject"] == polish.subject_line
        assert message["Date"].datetime is not None
        assert message["Message-ID"].endswith("@um.krakow.pl>")
        assert message["List-Id"] == f"Business Kraków <{project.site.list_id}>"
        assert message["List-Unsubscribe"] == (
            f"<{link}>, <mailto:{project.site.sender.email}?subject=unsubscribe>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_type() == "multipart/alternative"
        text, html = message.iter_parts()
        assert text.get_content_type() == "text/plain"
        assert html.get_content_type() == "text/html"
        for part, rendered in ((text, edition.text), (html, edition.html)):
            filled = rendered.replace("%%unsubscribe_url%%", link)
            assert body(part) == filled.replace("%%preferences_url%%", preferences)
        assert read_token(SECRET.encode(), link.rsplit("/", 1)[1]) == ids[to]
    message_ids = [m["Message-ID"] for _, m in recorder.messages()]
    assert len(set(message_ids)) == 1000
    with engine.connect() as connection:
        statuses = connection.execute(sa.select(deliveries.c.status).distinct()).scalars().all()
    assert statuses == ["sent"]
    again = CliRunner().invoke(main, ["send", ISSUE, "--smtp", url])
    assert "nothing left to send" in again.output and len(recorder.received) == 1000


def run_send(engine, project, sample, edition, url, retry=None, send_id="2020-12"):
    journal = sending.prepare_send(engine, send_id, sample.id)
    factory = MessageFactory(
        site=project.site,
        subject=sample.subject_line,
        html=edition.html,
        text=edition.text,
        key=SECRET.encode(),
        message_key=journal.message_key,
    )
    delivery = sending.Delivery(
        sending.JournalOutbox(engine, journal.id),
        factory,
        sending.smtp_transport(smtp_settings(url, {})),
        concurrency=3,
        retry=retry or sending.RetryPolicy(attempts=3, first_delay=0.01),
    )
    return delivery.run()


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-by-one"])
def test_temporary_failures_are_retried_and_permanent_ones_recorded(
    tmp_path: Path, project, sample, edition, pipelining: bool
):
    engine = open_database(tmp_path / "list.db")
    addresses = fill_list(engine, 30)
    flaky, dropped, unknown, policy, later = (addresses[i] for i in (1, 3, 5, 7, 9))
    recorder = Recorder(
        replies={
            flaky: ["451 4.3.0 try again later", "421 4.3.2 closing"],
            dropped: ["DROP"],
            unknown: ["550 5.1.1 no such user"],
            policy: ["554 5.7.1 message refused"],
            later: ["451 4.7.1 greylisted"] * 4,  # more than 3 attempts: deferred
        },
        pipelining=pipelining,
    )
    with smtp_server(recorder) as url:
        counts = run_send(engine, project, sample, edition, url)
        assert (counts.sent, counts.failed, counts.deferred, counts.bounced) == (27, 2, 1, 1)
        assert counts.retries >= 2 + 1 + 2
        assert recorder.attempts[flaky] == 3 and recorder.attempts[dropped] == 2
        got = recorder.recipients()
        assert set(got) == set(addresses) - {unknown, policy, later}
        assert set(got.values()) == {1}
        assert subscribers.find(engine, unknown).status == "bounced"  # 5.1.1: bad address
        assert subscribers.find(engine, policy).status == "subscribed"  # 5.7.1: not its fault
        journal = sending.journal_counts(engine, "2020-12")
        assert journal == {
            "pending": 0, "retry": 0, "sent": 27, "failed": 2, "deferred": 1, "skipped": 0,
            "unknown": 0,
        }  # fmt: skip
        # running the send again retries only the deferred message, which now goes
        counts = run_send(engine, project, sample, edition, url)
        assert (counts.sent, counts.failed, counts.deferred) == (1, 0, 0)
    assert recorder.recipients()[later] == 1 and len(recorder.received) == 28


def test_a_send_never_goes_to_an_address_unsubscribed_after_the_list_was_made(
    tmp_path: Path, project, sample, edition
):
    engine = open_database(tmp_path / "list.db")
    addresses = fill_list(engine, 10)
    sending.prepare_send(engine, "2020-12", sample.id)  # the journal holds all ten
    subscribers.remove(engine, addresses[4])
    recorder = Recorder()
    with smtp_server(recorder) as url:
        counts = run_send(engine, project, sample, edition, url)
    assert counts.skipped == 1 and addresses[4] not in recorder.recipients()
    assert len(recorder.received) == 9


def test_test_send_is_not_journaled_and_dry_run_writes_files(env: Path, tmp_path: Path):
    engine = open_database(env)
    fill_list(engine, 5)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        result = CliRunner().invoke(
            main, ["send", ISSUE, "--smtp", url, "--to", "editor@um.krakow.pl,user0002@example.com"]
        )
    assert result.exit_code == 0, result.output
    assert sorted(recorder.recipients()) == ["editor@um.krakow.pl", "user0002@example.com"]
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(sends)).scalar() == 0
    out = tmp_path / "eml"
    dry = CliRunner().invoke(main, ["send", ISSUE, "--dry-run", str(out)])
    assert dry.exit_code == 0, dry.output
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"user{n:04d}@example.com.eml" for n in range(1, 6)]
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in (out / files[0]).read_bytes()


def test_user_errors_are_one_clean_line(env: Path):
    runner = CliRunner()
    cases = {
        ("--smtp", "http://mail.example.com"): "must start with smtp:// or smtps://",
        ("--smtp", "smtp://u:secret@mail.example.com"): "not in the URL",
        ("--smtp", "smtp://u@mail.example.com?starttls"): "set NEWSLETTER_SMTP_PASSWORD",
        ("--smtp", "smtp://u@mail.example.com"): "would send the password in clear",
        ("--smtp", "smtp://mail.example.com?tls=1"): "unknown option",
    }
    for args, expected in cases.items():
        result = runner.invoke(main, ["send", ISSUE, "--to", "a@example.com", *args])
        assert result.exit_code == 1 and expected in result.output, result.output
        assert "Traceback" not in result.output
    no_secret = runner.invoke(
        main, ["send", ISSUE, "--to", "a@example.com", "--smtp", "smtp://h"],
        env={"NEWSLETTER_SECRET": ""},
    )  # fmt: skip
    assert no_secret.exit_code == 1 and "NEWSLETTER_SECRET is not set" in no_secret.output
    approved(env)
    empty = runner.invoke(main, ["send", ISSUE, "--smtp", "smtp://127.0.0.1:9"])
    assert empty.exit_code == 1 and "no subscribers" in empty.output


def test_line_breaks_in_subject_or_names_are_refused(project, edition):
    def factory(subject):
        return MessageFactory(
            site=project.site, subject=subject, html=edition.html, text=edition.text, key=b"k" * 16
        )

    with pytest.raises(HeaderInjectionError):
        factory("Hello\r\nBcc: everyone@example.com")
    with pytest.raises(HeaderInjectionError):
        factory("ok").message(Recipient(1, "a@example.com", "Jan\nBcc: x@example.com"))
    with pytest.raises(subscribers.InvalidSubscriber):
        subscribers.candidate("a@example.com", "Jan\r\nBcc: x@example.com")


def test_an_unreachable_server_stops_the_send_and_keeps_its_place(
    tmp_path: Path, project, sample, edition
):
    from mailhelpers import free_port

    from newsletter.deliver.sending.smtp_replies import SmtpUnavailable

    engine = open_database(tmp_path / "list.db")
    addresses = fill_list(engine, 12)
    closed = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(SmtpUnavailable):
        run_send(engine, project, sample, edition, closed)
    journal = sending.journal_counts(engine, "2020-12")
    assert journal["sent"] == 0 and journal["pending"] == len(addresses)
    recorder = Recorder()
    with smtp_server(recorder) as url:  # the server is back: the same send carries on
        counts = run_send(engine, project, sample, edition, url)
    assert counts.sent == len(addresses)
    assert recorder.recipients() == {a: 1 for a in addresses}


class Unsubscribing(Recorder):
    """Takes the first message, and meanwhile a reader further down the list leaves (as
    if they clicked the link of an earlier issue): after the claim, before their turn."""

    def __init__(self, engine, leaver: str):
        super().__init__()
        self.engine, self.leaver = engine, leaver

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        first = not self.received
        reply = await super().handle_DATA(server, session, envelope)
        if first:
            subscribers.remove(self.engine, self.leaver)
            await asyncio.sleep(0.1)  # longer than the sender's re-read interval
        return reply


def unsubscribed_after_the_claim_is_not_mailed(engine, project, sample, edition) -> None:
    addresses = fill_list(engine, 30)
    leaver = addresses[4]  # in the first claim (8 rows with one connection)
    recorder = Unsubscribing(engine, leaver)
    with smtp_server(recorder) as url:
        journal = sending.prepare_send(engine, "2020-12", sample.id)
        factory = MessageFactory(site=project.site, subject=sample.subject_line,
                                 html=edition.html, text=edition.text, key=SECRET.encode(),
                                 message_key=journal.message_key)  # fmt: skip
        delivery = sending.Delivery(sending.JournalOutbox(engine, journal.id), factory,
                                    sending.smtp_transport(smtp_settings(url, {})))  # fmt: skip
        counts = delivery.run()
    assert leaver not in recorder.recipients()
    assert (counts.sent, counts.skipped) == (29, 1)
    assert recorder.recipients() == {a: 1 for a in addresses if a != leaver}
    assert sending.journal_counts(engine, "2020-12")["skipped"] == 1


def test_a_reader_who_leaves_after_the_claim_is_not_mailed(tmp_path: Path, project, sample,
                                                           edition):  # fmt: skip
    engine = open_database(tmp_path / "list.db")
    unsubscribed_after_the_claim_is_not_mailed(engine, project, sample, edition)
