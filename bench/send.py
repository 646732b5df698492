"""Benchmark of delivery: prints figures, asserts nothing.

    .venv/bin/python bench/send.py [--messages 3000] [--concurrency 4] [--big 100000]

1. Messages built per second (MessageFactory.message on the sample issue).
2. Delivered messages per second into a loopback aiosmtpd Sink (its own process), with
   the journal (``Delivery`` + SQLite, a commit per message) against a plain smtplib loop
   sending the same messages over the same number of connections.
3. Peak RSS of a child process that prepares a send (journal INSERT … SELECT) and pages
   through its recipients, for 1,000 and for ``--big`` subscribers.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and bench/email.py would
# hide the standard library's `email` package: take the folder off before importing.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import os
import smtplib
import socket
import subprocess
import tempfile
import threading
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa

from newsletter.deliver import send as sending
from newsletter.deliver.db import now, open_database, subscribers
from newsletter.deliver.messages import MessageFactory, Recipient
from newsletter.deliver.smtp import smtp_settings
from newsletter.load import load_issue, load_project
from newsletter.render.email import render_email

SAMPLE = ROOT / "issues" / "2020-12"
KEY = b"bench-secret-0123456789"


def factory(message_key: str | None = None) -> MessageFactory:
    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    edition = render_email(issue, project)
    return MessageFactory.for_edition(project.site, issue.subject_line, edition, KEY, message_key)


def fill(db: Path, count: int) -> None:
    """``count`` subscribers, inserted in bulk (the bench is about sending, not importing)."""
    engine = open_database(db)
    moment = now()
    with engine.begin() as connection:
        for start in range(1, count + 1, 10_000):
            connection.execute(
                subscribers.insert(),
                [
                    {
                        "email": f"user{n}@example.com",
                        "email_key": f"user{n}@example.com",
                        "name": f"Użytkownik {n}",
                        "language": "pl",
                        "status": "subscribed",
                        "created_at": moment,
                        "updated_at": moment,
                    }
                    for n in range(start, min(start + 10_000, count + 1))
                ],
            )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sink() -> tuple[subprocess.Popen, str]:
    """aiosmtpd's Sink handler in its own process, like a real server would be."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, f"smtp://127.0.0.1:{port}"


def bench_build(count: int) -> float:
    made = factory()
    recipients = [Recipient(n, f"user{n}@example.com", f"Użytkownik {n}") for n in range(1, 1001)]
    made.message(recipients[0])
    start = time.perf_counter()
    for n in range(count):
        made.message(recipients[n % 1000])
    return count / (time.perf_counter() - start)


def bench_plain(url: str, count: int, concurrency: int) -> float:
    """The baseline: smtplib.sendmail in a loop per connection, nothing recorded."""
    made = factory()
    host, port = url.removeprefix("smtp://").split(":")
    messages = [
        made.message(Recipient(n, f"user{n}@example.com", f"Użytkownik {n}"))
        for n in range(1, count + 1)
    ]  # built beforehand: this loop measures SMTP alone

    def worker(share: list[bytes]) -> None:
        client = smtplib.SMTP(host, int(port))
        for n, data in enumerate(share):
            client.sendmail(made.sender, [f"user{n}@example.com"], data)
        client.quit()

    threads = [
        threading.Thread(target=worker, args=(messages[i::concurrency],))
        for i in range(concurrency)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - start)


def bench_journaled(url: str, count: int, concurrency: int, folder: Path) -> float:
    db = folder / "send.db"
    fill(db, count)
    engine = open_database(db)
    start = time.perf_counter()
    journal = sending.prepare_send(engine, "bench", "2020-12")  # journaling counts...
    prepared = time.perf_counter() - start
    made = factory(journal.message_key)  # ...rendering the issue does not (once per send)
    delivery = sending.Delivery(
        sending.JournalOutbox(engine, journal.id),
        made,
        sending.smtp_transport(smtp_settings(url, {})),
        concurrency=concurrency,
    )
    start = time.perf_counter() - prepared
    counts = delivery.run()
    assert counts.sent == count, counts
    return count / (time.perf_counter() - start)


def child_prepare(db: str) -> None:
    """In a fresh process: prepare a send and page through it; print peak RSS in KB."""
    engine = open_database(db)
    journal = sending.prepare_send(engine, "rss", "2020-12")
    outbox = sending.JournalOutbox(engine, journal.id)
    seen = 0
    while batch := outbox.claim(500):
        seen += len(batch)
    assert seen == journal.recipients
    # Not getrusage's ru_maxrss: Linux keeps it across fork+exec, so a child would report
    # the parent's size. VmHWM belongs to the new address space.
    status = Path("/proc/self/status").read_text()
    print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def peak_rss(count: int, folder: Path) -> int:
    db = folder / f"rss-{count}.db"
    fill(db, count)
    with open_database(db).connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(subscribers)).scalar()
    output = subprocess.run(
        [sys.executable, __file__, "--child-prepare", str(db)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return int(output.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--child-prepare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_prepare:
        child_prepare(args.child_prepare)
        return

    print(f"{os.cpu_count()} cores, {args.concurrency} connections, {args.messages} messages")
    built = bench_build(20_000)
    print(f"messages built: {built:,.0f}/s (MessageFactory.message, sample issue)")
    server, url = sink()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            plain = bench_plain(url, args.messages, args.concurrency)
            journaled = bench_journaled(url, args.messages, args.concurrency, Path(tmp))
    finally:
        server.terminate()
        server.wait()
    print(f"plain smtplib loop: {plain:,.0f} messages/s")
    print(f"journaled send:     {journaled:,.0f} messages/s ({journaled / plain:.0%} of plain)")
    with tempfile.TemporaryDirectory() as tmp:
        small = peak_rss(1000, Path(tmp))
        big = peak_rss(args.big, Path(tmp))
    print(
        f"peak RSS preparing a send: 1,000 recipients {small / 1024:.1f} MB, "
        f"{args.big:,} recipients {big / 1024:.1f} MB ({big / small:.2f}×)"
    )


if __name__ == "__main__":
    main()
