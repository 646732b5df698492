"""`newsletter report` after a real send to aiosmtpd that refuses some recipients, its
CSV of who did not get it, and `send --retry-failed` once the server is fixed."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from mailhelpers import SECRET, Recorder, approved, fill_list, smtp_server
from test_control import newsletter, ok

from newsletter.cli import main
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import open_database
from newsletter.deliver.sending import send as sending

SEND_ID = "2020-12"
FORMULA = '=HYPERLINK("http://evil.example/","click")'


def listed(engine) -> tuple[list[str], list[str]]:
    """30 Polish readers (fill_list) and 10 English ones; one name is a formula."""
    polish = fill_list(engine, 30)
    english = [f"reader{n:02d}@example.org" for n in range(1, 11)]
    with engine.begin() as connection:
        subs.save(connection, [subs.candidate(a, f"Reader {a[6:8]}", "en") for a in english])
        subs.save(connection, [subs.candidate(polish[2], FORMULA, "pl", "test")])
    return polish, english


def cli(*args: str, env: dict[str, str]) -> tuple[str, str]:
    result = CliRunner(env=env).invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def counts_of(text: str) -> dict[str, int]:
    """The ``  status   N`` lines of a report."""
    return {m[1]: int(m[2].replace(",", ""))
            for m in re.finditer(r"^  (\w+) +([\d,]+)$", text, re.M)}  # fmt: skip


@pytest.fixture
def sent(tmp_path: Path):
    """A send of the sample issue to 40 readers, five of them refused by the server."""
    db = tmp_path / "list.db"
    engine = open_database(db)
    polish, english = listed(engine)
    bounced, formula, policy, leaves = polish[1], polish[2], polish[3], polish[4]
    refused = {bounced: [f"550 5.1.1 <{bounced}>: no such user"]}
    refused |= {a: [f"554 5.7.1 <{a}>: refused by policy"] for a in (formula, policy, leaves,
                                                                      english[0])}  # fmt: skip
    recorder = Recorder(replies=refused)
    env = {"NEWSLETTER_SECRET": SECRET, "NEWSLETTER_DB": str(db)}
    approved(db)
    with smtp_server(recorder) as url:
        cli("send", str(SAMPLE), "--smtp", url, env=env)
        yield {"db": db, "engine": engine, "env": env, "url": url, "recorder": recorder,
               "polish": polish, "english": english, "bounced": bounced, "formula": formula,
               "policy": policy, "leaves": leaves}  # fmt: skip


def test_report_counts_what_the_server_said_and_what_came_later(sent):
    engine, polish = sent["engine"], sent["polish"]
    subs.remove(engine, sent["leaves"])  # one refused, one delivered reader leave after
    subs.remove(engine, polish[10])
    with engine.begin() as connection:  # what `newsletter bounces` records
        subs.set_status(connection, subs.find(engine, polish[11]).id, subs.COMPLAINED, "ARF")
        subs.set_status(connection, subs.find(engine, polish[12]).id, subs.BOUNCED, "DSN")
    out, _ = cli("report", SEND_ID, env=sent["env"])
    assert counts_of(out) == {"sent": 35, "failed": 4, "bounced": 1, "deferred": 0,
                              "unknown": 0, "skipped": 0, "pending": 0}  # fmt: skip
    assert "  en: 9 sent, 1 failed\n" in out
    assert "  pl: 26 sent, 3 failed, 1 bounced\n" in out
    assert "since the send started: 1 bounced, 1 complained, 2 unsubscribed\n" in out
    assert "--retry-failed" in out
    journal = sending.journal_counts(engine, SEND_ID)
    assert (journal["sent"], journal["failed"]) == (35, 5)  # the bounce is failed there


def test_the_csv_lists_exactly_who_did_not_get_it_with_formulas_neutralised(sent, tmp_path):
    target = tmp_path / "not-delivered.csv"
    _, err = cli("report", SEND_ID, "--csv", str(target), env=sent["env"])
    assert f"5 not delivered, written to {target}" in err
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    expected = {sent["bounced"]: "bounced", sent["formula"]: "failed", sent["policy"]: "failed",
                sent["leaves"]: "failed", sent["english"][0]: "failed"}  # fmt: skip
    assert {r["email"]: r["status"] for r in rows} == expected
    assert set(sent["recorder"].recipients()) & set(expected) == set()  # really not delivered
    by_address = {r["email"]: r for r in rows}
    assert by_address[sent["formula"]]["name"] == "'" + FORMULA
    bounce = f"550 5.1.1 <{sent['bounced']}>: no such user"
    assert by_address[sent["bounced"]]["reply"].endswith(bounce)
    assert {r["attempts"] for r in rows} == {"1"}
    stdout, stderr = cli("report", SEND_ID, "--csv", "-", env=sent["env"])
    assert list(csv.DictReader(io.StringIO(stdout))) == rows  # only the CSV on stdout
    assert "sent" in stderr and "written to standard output" in stderr


def test_retry_failed_sends_to_exactly_the_failed_ones_once(sent):
    recorder, engine = sent["recorder"], sent["engine"]
    subs.remove(engine, sent["leaves"])  # refused, then left: not retried
    before = recorder.recipients()
    recorder.replies.clear()  # the cause is fixed
    retried = [sent["formula"], sent["policy"], sent["english"][0]]
    output = ok(newsletter(sent["db"], "send", str(SAMPLE), "--smtp", sent["url"],
                           "--retry-failed", "--workers", "2"))  # fmt: skip
    assert "retrying 2020-12: 3 failed recipients back in the queue" in output
    after = recorder.recipients()
    assert after - before == {a: 1 for a in retried}
    assert sent["bounced"] not in after and sent["leaves"] not in after
    assert set(after.values()) == {1}
    again = ok(newsletter(sent["db"], "send", str(SAMPLE), "--smtp", sent["url"],
                          "--retry-failed"))  # fmt: skip
    assert "0 failed recipients back in the queue" in again and "nothing left to send" in again
    assert recorder.recipients() == after
    out, _ = cli("report", SEND_ID, env=sent["env"])
    assert counts_of(out)["sent"] == 38 and counts_of(out)["failed"] == 1


def test_a_retry_cut_short_is_finished_by_the_plain_command(sent):
    recorder = sent["recorder"]
    recorder.replies.clear()
    # What a kill right after --retry-failed put the rows back leaves behind:
    assert sending.reopen_failed(sent["engine"], SEND_ID) == 4
    _, err = cli("send", str(SAMPLE), "--smtp", sent["url"], env=sent["env"])
    assert "4 to send" in err
    assert set(recorder.recipients().values()) == {1} and len(recorder.received) == 39


def test_mistakes_are_one_clean_line(sent):
    runner = CliRunner(env=sent["env"])
    cases = {
        ("report", "2099-01"): "no send '2099-01'",
        ("send", str(SAMPLE), "--send-id", "other", "--retry-failed", "--smtp", sent["url"]):
            "no send 'other' to retry",
        ("send", str(SAMPLE), "--retry-failed", "--to", "a@example.com"): "not with --to",
    }  # fmt: skip
    for args, expected in cases.items():
        result = runner.invoke(main, list(args))
        assert result.exit_code == 1 and expected in result.output, result.output
        assert "Traceback" not in result.output
