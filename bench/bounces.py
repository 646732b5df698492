"""Benchmark of reading bounces: prints figures, asserts nothing.

    .venv/bin/python bench/bounces.py [--messages 3000]

The real corpus of tests/data/bounces/ (see its README), repeated to ``--messages``
messages, each with a fresh Message-ID so none is "already seen", written as a Maildir and
read by `newsletter bounces`' own code into a fresh SQLite list holding the corpus's
addresses. Prints: parsing alone (email + flufl.bounce, no database) in messages per
second, the whole run (parse, attribute, one transaction per message) in messages per
second, and the share of the corpus given the outcome and subscriber expected.csv names.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and bench/email.py would
# hide the standard library's `email` package: take the folder off before importing.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import csv
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa

from newsletter.config import BounceSettings
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import bounce_messages, open_database, subscribers
from newsletter.deliver.returns import bounces, mailboxes
from newsletter.deliver.returns.reports import read_report
from newsletter.deliver.sending.verp import verp_address

DATA = ROOT / "tests" / "data" / "bounces"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    with (DATA / "expected.csv").open(encoding="utf-8") as handle:
        expected = list(csv.DictReader(handle))
    corpus = [(row, (DATA / row["file"]).read_bytes()) for row in expected]

    # 1. Accuracy: the corpus once, into a list of its addresses.
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(Path(folder) / "list.db")
        addresses = sorted({row["subscriber"] for row in expected if row["subscriber"]})
        with engine.begin() as connection:
            subs.save(connection, [subs.candidate(a, None, None, "bench") for a in addresses])
        # Each message as the relay hands it over with VERP: its reader's signed token in
        # the envelope recipient (read by address only, a bounce would just score).
        key, bounce_address = b"bench-secret-0123456789", "bounces@news.example.org"
        with engine.connect() as connection:
            ids = dict(connection.execute(sa.select(subscribers.c.email_key,
                                                    subscribers.c.id)).all())
        for row, data in corpus:
            who = row["subscriber"]
            context = bounces.Context(
                key, bounce_address, "um.krakow.pl", BounceSettings(),
                recipient=verp_address(key, bounce_address, ids[who], "0" * 16) if who else None)
            bounces.process(engine, [mailboxes.Incoming(row["file"], data)], context)
        query = sa.select(bounce_messages.c.source, bounce_messages.c.outcome,
                          subscribers.c.email_key).outerjoin(
            subscribers, subscribers.c.id == bounce_messages.c.subscriber_id)  # fmt: skip
        with engine.connect() as connection:
            got = {s: (o, e or "") for s, o, e in connection.execute(query)}
        right = sum(got.get(r["file"]) == (r["outcome"], r["subscriber"]) for r in expected)
        attributable = [r for r in expected if r["subscriber"]]
        attributed = sum(got.get(r["file"]) == (r["outcome"], r["subscriber"])
                         for r in attributable)  # fmt: skip

        # 2. Speed: the corpus repeated, each copy its own message.
        copies = []
        for n in range(args.messages):
            _row, data = corpus[n % len(corpus)]
            copies.append(f"Message-ID: <bench.{n}@bench.example>\n".encode() + data)
        total = sum(len(c) for c in copies)
        started = time.process_time()
        for data in copies:
            read_report(data)
        parse_cpu = time.process_time() - started

        maildir = Path(folder) / "Maildir"
        for sub in ("new", "cur", "tmp"):
            (maildir / sub).mkdir(parents=True)
        for n, data in enumerate(copies):
            (maildir / "new" / f"{n:07d}.bench").write_bytes(data)
        context = bounces.Context(key, bounce_address, "um.krakow.pl", BounceSettings())
        wall = time.perf_counter()
        cpu = time.process_time()
        summary = bounces.process(engine, mailboxes.read_path(maildir), context)
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall

    print(f"corpus: {len(expected)} real messages ({len(attributable)} name a subscriber)")
    print(f"outcome and subscriber as expected: {right}/{len(expected)} "
          f"({right / len(expected):.1%}); of those naming a subscriber: "
          f"{attributed}/{len(attributable)} ({attributed / len(attributable):.1%})")
    print(f"parse only (email + flufl.bounce): {args.messages:,} messages, "
          f"{total / 1e6:.1f} MB, {args.messages / parse_cpu:,.0f} msg/s "
          f"({parse_cpu / args.messages * 1000:.2f} ms CPU each)")
    print(f"whole run from a Maildir into SQLite: {summary.read:,} messages in {wall:.1f} s, "
          f"{summary.read / wall:,.0f} msg/s ({cpu / summary.read * 1000:.2f} ms CPU each); "
          f"{summary.line()}")


if __name__ == "__main__":
    main()
