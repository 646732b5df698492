"""Benchmark of delivery: prints figures, asserts nothing.

    .venv/bin/python bench/send.py [--messages 3000] [--concurrency 4] [--big 100000] [--window 1]

1. Messages built per second (MessageFactory.message on the sample issue).
2. Delivered messages per second into Postfix's ``smtp-sink`` (C, its own process, so the
   bench measures the sender, not a Python server): the machine's ceiling measured with
   Postfix's ``smtp-source`` (C client, same message, same connections), a plain smtplib
   loop, and the journaled send (claims + group commit on SQLite, or on ``--pg URL``) in
   one process and with ``--workers 2``; msg/s, CPU ms per message, peak RSS, ratios.
   A list half English, half Polish (each reader their edition) against a one-language
   list, in one process. ``--dkim``: the journaled sends sign every message.
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

from newsletter.deliver.db import now, open_database, subscribers
from newsletter.deliver.sending import send as sending
from newsletter.deliver.sending.messages import MessageFactory, Recipient
from newsletter.deliver.sending.smtp_settings import smtp_settings
from newsletter.load import load_issue, load_project
from newsletter.render.email import render_email

SAMPLE = ROOT / "issues" / "2020-12"
KEY = b"bench-secret-0123456789"


SIGNER = None  # --dkim: the DkimSigner every journaled send's messages are signed with
WINDOW = 1  # --window: messages a connection hands over ahead of the journal


def factory(message_key: str | None = None) -> MessageFactory:
    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    edition = render_email(issue, project)
    return MessageFactory.for_edition(project.site, issue.subject_line, edition, KEY, message_key,
                                      signer=SIGNER)  # fmt: skip


def language_factories() -> dict[str, MessageFactory]:
    """The sample's message factory in each of its languages (en, pl)."""
    from newsletter.render.email import email_editions

    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    return {
        lang: MessageFactory.for_edition(project.site, issue.in_language(lang).subject_line,
                                         edition, KEY, None, lang, signer=SIGNER)
        for lang, edition in email_editions(issue, project).items()
    }  # fmt: skip


def fill(db: Path, count: int, mixed: bool = False) -> None:
    """``count`` subscribers, inserted in bulk (the bench is about sending, not importing);
    ``mixed``: every other one reads English, the rest Polish."""
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
                        "language": "en" if mixed and n % 2 else "pl",
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
    """Postfix's smtp-sink (Debian's postfix package, no daemon) on a loopback port."""
    port = free_port()
    user = ["-u", "postfix"] if os.geteuid() == 0 else []
    process = subprocess.Popen(["smtp-sink", *user, "-c", f"127.0.0.1:{port}", "256"],
                               stdout=subprocess.DEVNULL)  # fmt: skip
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
    # Built beforehand, so this loop measures SMTP alone; 1,000 of them, sent in turn
    # (20,000 would hold 1.8 GB, which the peak RSS below would report as the send's).
    messages = [
        made.message(Recipient(n, f"user{n}@example.com", f"Użytkownik {n}"))
        for n in range(1, min(count, 1000) + 1)
    ]

    def worker(numbers: range) -> None:
        client = smtplib.SMTP(host, int(port))
        for n in numbers:
            client.sendmail(made.sender, [f"user{n}@example.com"], messages[n % len(messages)])
        client.quit()

    threads = [
        threading.Thread(target=worker, args=(range(i, count, concurrency),))
        for i in range(concurrency)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - start)


def bench_source(url: str, count: int, concurrency: int, folder: Path) -> float:
    """The ceiling: Postfix's C client sending the same message over the same sessions."""
    made = factory()
    message = folder / "message.eml"
    data = made.message(Recipient(1, "user1@example.com", "Użytkownik 1"))
    message.write_bytes(data.replace(b"\r\n", b"\n"))
    host_port = url.removeprefix("smtp://")
    start = time.perf_counter()
    subprocess.run(["smtp-source", "-d", "-s", str(concurrency), "-m", str(count),
                    "-F", str(message), "-f", made.sender, "-t", "user@example.com", host_port],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return count / (time.perf_counter() - start)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) another process of this machine has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """CPU of this process and its finished children (worker processes), user + system."""
    import resource

    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bench_journaled(
    url: str, count: int, concurrency: int, database: str, workers: int = 1,
    mixed: bool = False,
) -> tuple[float, float]:
    """msg/s and CPU ms per message of a journaled send (journaling counted, rendering not);
    ``mixed``: half the list in each of the sample's languages, each their own edition."""
    from newsletter.deliver.sending.control import SendPlan
    from newsletter.deliver.sending.runner import run_journaled

    engine = open_database(database)
    with engine.begin() as connection:
        for table in ("deliveries", "sends", "subscribers"):
            connection.execute(sa.text(f"DELETE FROM {table}"))
    fill(database, count, mixed)
    made = language_factories() if mixed else {"en": factory()}
    cpu, start = cpu_seconds(), time.perf_counter()
    journal = sending.prepare_send(engine, "bench", "2020-12", list(made), "en")
    for each in made.values():
        each.message_key = journal.message_key
    plan = SendPlan(concurrency=concurrency, workers=workers, window=WINDOW)
    counts = run_journaled(engine, journal.id, "en", made, smtp_settings(url, {}), plan)
    elapsed = time.perf_counter() - start
    assert counts.sent == count, counts
    return count / elapsed, (cpu_seconds() - cpu) * 1000 / count


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
    parser.add_argument("--pg", metavar="URL", help="also on this (empty) PostgreSQL database")
    parser.add_argument("--window", type=int, default=1,
                        help="messages a connection hands over ahead of the journal "
                             "(`send --window`; default 1)")
    parser.add_argument("--dkim", action="store_true",
                        help="sign every message of the journaled sends (a fresh 2048-bit key)")
    parser.add_argument("--child-prepare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dkim:
        from newsletter.deliver.sending.signing import DkimSigner

        global SIGNER
        pem = subprocess.run(["openssl", "genrsa", "2048"], check=True, capture_output=True)
        SIGNER = DkimSigner("um.krakow.pl", "bench", pem.stdout)
    global WINDOW
    WINDOW = args.window
    if args.child_prepare:
        child_prepare(args.child_prepare)
        return

    print(f"{os.cpu_count()} cores, {args.concurrency} connections, {args.messages} messages, "
          f"window {args.window}"
          + (", journaled sends DKIM-signed" if args.dkim else ""))
    built = bench_build(20_000)
    print(f"messages built: {built:,.0f}/s (MessageFactory.message, sample issue)")
    server, url = sink()
    n, c = args.messages, args.concurrency
    try:
        with tempfile.TemporaryDirectory() as tmp:
            before = process_cpu(server.pid)
            ceiling = bench_source(url, n, c, Path(tmp))
            sink_ms = (process_cpu(server.pid) - before) * 1000 / n
            plain = bench_plain(url, n, c)
            print(f"smtp-source (C, the ceiling): {ceiling:,.0f} msg/s")
            if sink_ms:  # the machine's limit: the sink shares the cores with the sender
                print(f"  smtp-sink itself: {sink_ms:.2f} ms CPU/msg (one core fills at "
                      f"{1000 / sink_ms:,.0f} msg/s)")  # fmt: skip
            share = f"{plain / ceiling:.0%} of ceiling"
            print(f"plain smtplib loop:           {plain:,.0f} msg/s ({share})")
            databases = [("SQLite", str(Path(tmp) / "send.db"))]
            databases += [("PostgreSQL", args.pg)] if args.pg else []
            for name, database in databases:
                one, one_cpu = bench_journaled(url, n, c, database)
                two, two_cpu = bench_journaled(url, n, c, database, workers=2)
                print(
                    f"{name} send, 1 process:  {one:,.0f} msg/s, {one_cpu:.2f} ms CPU/msg, "
                    f"{one / plain:.0%} of plain, {one / ceiling:.0%} of ceiling"
                )
                print(
                    f"{name} send, --workers 2: {two:,.0f} msg/s, {two_cpu:.2f} ms CPU/msg, "
                    f"{two / one:.2f}× one process, {two / plain:.0%} of plain, "
                    f"{two / ceiling:.0%} of ceiling"
                )
                mixed, mixed_cpu = bench_journaled(url, n, c, database, mixed=True)
                print(
                    f"{name} send, 1 process, list half en / half pl (each their edition): "
                    f"{mixed:,.0f} msg/s, {mixed_cpu:.2f} ms CPU/msg, {mixed / one:.2f}× the "
                    "one-language list (target ≥ 0.90×)"
                )
    finally:
        server.terminate()
        server.wait()
    import resource

    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(f"peak RSS of the sends: {peak / 1024:.0f} MB (largest of this process and workers)")
    if args.big <= 1000:
        return
    with tempfile.TemporaryDirectory() as tmp:
        small = peak_rss(1000, Path(tmp))
        big = peak_rss(args.big, Path(tmp))
    print(
        f"peak RSS preparing a send: 1,000 recipients {small / 1024:.1f} MB, "
        f"{args.big:,} recipients {big / 1024:.1f} MB ({big / small:.2f}×)"
    )


if __name__ == "__main__":
    main()
