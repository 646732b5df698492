"""Benchmark of data requests and the delivery report: prints figures, asserts nothing.

    .venv/bin/python bench/report.py [--rows 100000] [--pg postgresql+psycopg://…]

Fills a list of ``--rows`` subscribers and one send's journal of as many rows (2% failed,
half of those bounced, 1% deferred, 1% unknown, 1% skipped; half the list English), plus
later unsubscribes and complaints, straight into the tables; then times, as a user runs
them: ``newsletter report``, ``report --csv FILE``, ``send --retry-failed``'s reopening
of the failed rows, ``subscribers show --json`` and ``subscribers forget`` of one person
with ten sends' history, and an import of 1,000 rows screened against 1,000 forgotten
addresses.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import datetime as dt
import os
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa

from newsletter.deliver.audience import data_requests
from newsletter.deliver.audience.importer import import_csv
from newsletter.deliver.db import consent_events, deliveries, open_database, sends, subscribers
from newsletter.deliver.sending import journal

SECRET = "bench-secret-0123456789abcdef"


def fill(engine, rows: int) -> None:
    moment = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        for table in (deliveries, consent_events, sends, subscribers):
            connection.execute(table.delete())
        connection.execute(sa.text("DELETE FROM forgotten"))
        connection.execute(sends.insert().values(
            id="big", issue_id="2020-12", message_key="0" * 16, recipients=rows,
            created_at=moment - dt.timedelta(hours=1), state="done"))  # fmt: skip
        for start in range(1, rows + 1, 5000):
            ids = range(start, min(rows, start + 4999) + 1)
            connection.execute(subscribers.insert(), [
                {"id": i, "email": f"user{i}@example.com", "email_key": f"user{i}@example.com",
                 "name": f"=User {i}" if i % 7 == 0 else f"User {i}",
                 "language": "pl" if i % 2 else "en",
                 "status": "bounced" if i % 100 == 1 else "subscribed", "created_at": moment,
                 "updated_at": moment} for i in ids])  # fmt: skip
            statuses = {0: "failed", 1: "failed", 2: "deferred", 3: "unknown", 4: "skipped"}
            connection.execute(deliveries.insert(), [
                {"send_id": "big", "subscriber_id": i, "status": statuses.get(i % 100, "sent"),
                 "attempts": 1, "reply": f"user{i}@example.com: 554 5.7.1 refused" if i % 100 < 2
                 else "250 OK", "language": "pl" if i % 2 else "en", "updated_at": moment}
                for i in ids])  # fmt: skip
            later = []
            for i in ids:
                if i % 100 == 1:
                    later.append({"subscriber_id": i, "kind": "bounced", "at": moment,
                                  "source": f"send big: user{i}@example.com: 550 5.1.1"})
                elif i % 250 == 10:
                    later.append({"subscriber_id": i, "kind": "unsubscribed", "at": moment,
                                  "source": "unsubscribe link"})
                elif i % 1000 == 20:
                    later.append({"subscriber_id": i, "kind": "complained", "at": moment,
                                  "source": "ARF"})
            connection.execute(consent_events.insert(), later)
        if connection.dialect.name == "postgresql":  # ids were given: move the sequence on
            connection.execute(sa.text("SELECT setval(pg_get_serial_sequence('subscribers', "
                                       "'id'), (SELECT max(id) FROM subscribers))"))  # fmt: skip


def timed(label: str, command: list[str], env: dict[str, str]) -> None:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    print(f"{label:<42}{took:7.2f} s  (the whole command, start-up included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", help="a PostgreSQL URL instead of a SQLite file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    db = args.pg or str(folder / "list.db")
    engine = open_database(db)
    start = time.perf_counter()
    fill(engine, args.rows)
    print(f"{engine.dialect.name}: {args.rows:,} subscribers and journal rows made in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    exe = str(Path(sys.executable).with_name("newsletter"))
    env = {**os.environ, "NEWSLETTER_DB": db, "NEWSLETTER_SECRET": SECRET}
    timed("newsletter report big", [exe, "report", "big"], env)
    csv_file = folder / "not-delivered.csv"
    timed("newsletter report big --csv FILE", [exe, "report", "big", "--csv", str(csv_file)], env)
    print(f"  CSV: {sum(1 for _ in csv_file.open()) - 1:,} rows, {csv_file.stat().st_size:,} bytes")
    start = time.perf_counter()
    reopened = journal.reopen_failed(engine, "big")
    print(f"{'reopen failed rows (--retry-failed)':<42}{time.perf_counter() - start:7.2f} s  "
          f"({reopened:,} rows)")  # fmt: skip
    timed("subscribers show --json (one person)", [exe, "subscribers", "show",
          "user5@example.com", "--json"], env)  # fmt: skip
    timed("subscribers forget --yes (one person)", [exe, "subscribers", "forget", "--yes",
          "user5@example.com"], env)  # fmt: skip
    key = SECRET.encode()
    for n in range(1000):
        data_requests.forget(engine, f"gone{n}@example.org", key)
    lines = ["email"] + [f"{'gone' if n % 2 else 'new'}{n}@example.org" for n in range(1000)]
    start = time.perf_counter()
    report = import_csv(engine, "\n".join(lines).encode(), "big.csv", key=key)
    print(f"{'import 1,000 rows, 1,000 forgotten on file':<42}{time.perf_counter() - start:7.2f} s"
          f"  ({report.outcomes['added']} added, {report.forgotten} forgotten)")  # fmt: skip


if __name__ == "__main__":
    main()
