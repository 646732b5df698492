"""A recipient that cannot be mailed fails alone, with a reason that names it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from mailhelpers import Recorder, fill_list, smtp_server
from test_send import run_send

from newsletter.cli import main
from newsletter.deliver.db import deliveries, now, open_database, subscribers
from newsletter.deliver.sending import send as sending
from newsletter.render.email import render_email


def put_directly(engine, email: str, name: str | None = None) -> None:
    """A row written by another route than `add` or `import` (no checks)."""
    moment = now()
    with engine.begin() as connection:
        connection.execute(
            subscribers.insert().values(
                email=email, email_key=email.lower(), name=name, status="subscribed",
                created_at=moment, updated_at=moment,
            )
        )  # fmt: skip


def test_poison_recipients_among_a_thousand_fail_alone(tmp_path: Path, project, sample):
    engine = open_database(tmp_path / "list.db")
    addresses = fill_list(engine, 996)
    put_directly(engine, "jan@żółw.pl")  # IDNA domain: fine, sent as xn--
    put_directly(engine, "zoë@example.com")  # needs SMTPUTF8, which the server lacks
    put_directly(engine, "anna@example.com", "Anna\r\nBcc: all@example.com")
    put_directly(engine, "not-an-address")
    recorder = Recorder()
    with smtp_server(recorder, smtputf8=False) as url:
        counts = run_send(engine, project, sample, render_email(sample, project), url)
    assert (counts.sent, counts.failed) == (997, 3)
    got = recorder.recipients()
    assert got == {**{a: 1 for a in addresses}, "jan@xn--w-uga1v8h.pl": 1}
    with engine.connect() as connection:
        failed = dict(
            connection.execute(
                sa.select(subscribers.c.email, deliveries.c.reply)
                .join(deliveries, deliveries.c.subscriber_id == subscribers.c.id)
                .where(deliveries.c.status == sending.FAILED)
            ).all()
        )
    assert set(failed) == {"zoë@example.com", "anna@example.com", "not-an-address"}
    for address, reason in failed.items():
        assert address in reason
    assert "SMTPUTF8" in failed["zoë@example.com"]
    assert "line break" in failed["anna@example.com"]


def test_a_non_ascii_local_part_goes_to_a_server_with_smtputf8(tmp_path: Path, project, sample):
    engine = open_database(tmp_path / "list.db")
    put_directly(engine, "zoë@żółw.pl", "Zoë")
    recorder = Recorder()
    with smtp_server(recorder) as url:
        counts = run_send(engine, project, sample, render_email(sample, project), url)
    assert counts.sent == 1
    ((to, data),) = recorder.received
    assert to == "zoë@xn--w-uga1v8h.pl"
    assert data.startswith("To: =?utf-8?q?Zo=C3=AB?= <zoë@xn--w-uga1v8h.pl>\r\n".encode())


def test_add_and_import_apply_the_same_rules(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("NEWSLETTER_DB", str(tmp_path / "list.db"))
    runner = CliRunner()
    assert "added" in runner.invoke(main, ["subscribers", "add", "jan@żółw.pl"]).output
    refused = runner.invoke(main, ["subscribers", "add", "zoë@example.com"])
    assert refused.exit_code == 1 and "--smtputf8" in refused.output
    assert "Traceback" not in refused.output
    accepted = runner.invoke(main, ["subscribers", "add", "--smtputf8", "zoë@example.com"])
    assert accepted.exit_code == 0
    csv = tmp_path / "list.csv"
    csv.write_text("email,name\nola@example.com,Ola\nłucja@example.com,Łucja\n", "utf-8")
    result = runner.invoke(main, ["subscribers", "import", str(csv)])
    assert f"{csv}:3:" in result.output and "1 added" in result.output
