"""Report, retry and erasure on PostgreSQL (the private server of test_postgres.py)."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from click.testing import CliRunner
from conftest import SAMPLE
from mailhelpers import SECRET, Recorder, approved, fill_list, smtp_server
from test_forget import text_in_database
from test_postgres import postgres  # noqa: F401  (the fixture)
from test_report import counts_of

from newsletter.cli import main
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import open_database


def test_report_retry_and_forget_on_postgresql(postgres: str):  # noqa: F811
    engine = open_database(postgres)
    with engine.begin() as connection:
        for table in ("deliveries", "sends", "consent_events", "subscribers", "forgotten"):
            connection.execute(sa.text(f"DELETE FROM {table}"))
    addresses = fill_list(engine, 12)
    bounced, failed = addresses[3], addresses[5]
    subs.add(engine, subs.candidate(failed, "Ola Nowak", "pl"))
    recorder = Recorder(replies={bounced: ["550 5.1.1 no such user"],
                                 failed: [f"554 5.7.1 <{failed}> refused"]})  # fmt: skip
    runner = CliRunner(env={"NEWSLETTER_SECRET": SECRET, "NEWSLETTER_DB": postgres})
    approved(postgres)

    def cli(*args: str):
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result

    with smtp_server(recorder) as url:
        cli("send", str(SAMPLE), "--smtp", url)
        report = cli("report", "2020-12", "--csv", "-")
        assert counts_of(report.stderr) == {"sent": 10, "failed": 1, "bounced": 1,
            "deferred": 0, "unknown": 0, "skipped": 0, "pending": 0}  # fmt: skip
        rows = list(csv.DictReader(io.StringIO(report.stdout)))
        assert {r["email"]: r["status"] for r in rows} == {bounced: "bounced", failed: "failed"}
        recorder.replies.clear()
        retried = cli("send", str(SAMPLE), "--smtp", url, "--retry-failed")
        assert "1 failed recipient back in the queue" in retried.stderr
    assert recorder.recipients() == {a: 1 for a in addresses if a != bounced}
    cli("subscribers", "forget", "--yes", bounced)
    cli("subscribers", "forget", "--yes", failed)
    left = text_in_database(engine).lower()
    assert bounced not in left and failed not in left and "nowak" not in left
    assert counts_of(cli("report", "2020-12").stdout)["sent"] == 11
    refused = runner.invoke(main, ["subscribers", "add", failed])
    assert refused.exit_code == 1 and "asked to be forgotten" in refused.output


def test_forget_vacuums_the_tables_it_wrote_to(postgres: str):  # noqa: F811
    """PostgreSQL keeps the old versions of updated rows (the address, the name) until
    VACUUM; forget runs it (outside a transaction) on every table it wrote to."""
    engine = open_database(postgres)
    with engine.begin() as connection:  # the server is the module's: start from empty
        for table in ("deliveries", "sends", "consent_events", "bounce_messages",
                      "bounce_scores", "subscribers", "forgotten"):  # fmt: skip
            connection.execute(sa.text(f"DELETE FROM {table}"))
    addresses = fill_list(engine, 5)
    subs.add(engine, subs.candidate("ewa.vacuum@example.com", "Ewa Próżnia", "pl"))
    with engine.begin() as connection:  # other people's free text names her too
        connection.execute(sa.text("UPDATE subscribers SET source = 'from ewa.vacuum@example.com'"
                                   " WHERE email = :a"), {"a": addresses[0]})  # fmt: skip
    done = CliRunner(env={"NEWSLETTER_SECRET": SECRET, "NEWSLETTER_DB": postgres}).invoke(
        main, ["subscribers", "forget", "--yes", "ewa.vacuum@example.com"])  # fmt: skip
    assert done.exit_code == 0 and "warning" not in done.output, done.output
    with engine.connect() as connection:
        stats = {row.relname: row for row in connection.execute(sa.text(
            "SELECT relname, last_vacuum, n_dead_tup FROM pg_stat_user_tables"))}  # fmt: skip
    for table in ("subscribers", "consent_events", "deliveries", "sends", "bounce_messages",
                  "bounce_scores"):  # fmt: skip
        assert stats[table].last_vacuum is not None, table
        assert stats[table].n_dead_tup == 0, table
    assert "próżnia" not in text_in_database(engine).lower()
