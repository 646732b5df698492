"""Benchmark of reading hostile bounces: CPU seconds per message, asserts nothing.

    .venv/bin/python bench/bounces_hostile.py [--sizes 137000,1000000] [--only KIND]

Anyone can mail the bounce address, so every parser of the returned text must run in
time linear in its size. Each kind below is one message of the given size built to hit
one pattern's worst case (long runs of digits, dots, letters, line ends, "said:",
semicolons, addresses, encoded words, a megabyte header, deeply nested MIME…); each is
read by `newsletter bounces`' own code (bounces.process: parse, attribute, record) into
a fresh SQLite list, and the CPU seconds of that one message are printed, worst last.

Measured 2026-12-03 (2-core machine, CPU seconds of one message):

    before issue 20 (f2f24c1)      letters 20 KB 12.0 s, 40 KB 48.2 s, 137 KB 554 s;
                                   1 MB about 29,500 s (8 h; quadratic, extrapolated)
                                   encoded-subject 137 KB 68 s; line-ends 137 KB 5.5 s
    after                          worst of 24 kinds: 137 KB 0.30 s, 1 MB 1.0 s

The letters (or digits, dots, dashes) were the VERP pattern, which began with the local
part's run of characters and retried it from each one, twice per message.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and bench/email.py would
# hide the standard library's `email` package: take the folder off before importing.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import datetime as dt
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsletter.config import BounceSettings
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import open_database
from newsletter.deliver.returns import bounces
from newsletter.deliver.returns.mailboxes import Incoming

KEY = b"bench-secret-0123456789abcdef"
HEAD = (b"From: MAILER-DAEMON@mx.example.net\r\nTo: bounces@news.example.org\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <%d@mx>\r\n")  # fmt: skip


def _repeat(unit: bytes, size: int) -> bytes:
    return (unit * (size // len(unit) + 1))[:size]


def _nested(size: int, mime: bool) -> bytes:
    """Messages inside messages (or multiparts inside multiparts) as deep as fits."""
    if not mime:
        level = b"Content-Type: message/rfc822\r\n\r\n"
        return level * (size // len(level)) + b"Content-Type: text/plain\r\n\r\nx\r\n"
    parts, depth = [], 0
    while sum(map(len, parts)) < size // 2:
        parts.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n'
                     % (depth, depth))  # fmt: skip
        depth += 1
    closing = [b"\r\n--b%d--\r\n" % d for d in reversed(range(depth))]
    return b"".join(parts) + b"Content-Type: text/plain\r\n\r\nx" + b"".join(closing)


def hostile(kind: str, size: int) -> bytes:
    """One message of about ``size`` bytes of the given kind."""
    body_kinds = {
        "letters": b"a", "digits": b"1", "dots": b".", "digit-dots": b"5.5.", "spaces": b" ",
        "line-ends": b"\n", "crlf-spaces": b"\r\n ", "said": b"said:", "semicolons": b";",
        "brackets": b"]:", "addresses": b"a.b@c.d ", "plus-tokens": b"a+1-0123456789abcdef-",
        "domains": b"a@b.", "message-ids": b"<0123456789abcdef.1", "link-paths": b"/u/1-",
        "smtp-codes": b"; 5", "encoded-words": b"=?x?q?a",
    }
    if kind in body_kinds:
        return HEAD % size + b"\r\n" + _repeat(body_kinds[kind], size)
    if kind == "long-header":  # one megabyte header of words and addresses
        return HEAD % size + b"X-Long: " + _repeat(b"a+b@c ", size) + b"\r\n\r\nx\r\n"
    if kind == "encoded-subject":
        return (b"From: x@y\r\nSubject: " + _repeat(b"=?x?q?a", size)
                + b"\r\n\r\nunsubscribe %d\r\n" % size)  # fmt: skip
    if kind == "comment-from":  # a From of nested comments: the address parser recurses
        return b"From: " + _repeat(b"(", size) + b"\r\nSubject: Undelivered Mail\r\n\r\nx\r\n"
    if kind == "arf-recipients":  # a complaint naming one long run of addresses
        return (HEAD % size + b"Content-Type: multipart/report; report-type=feedback-report;"
                b' boundary="b"\r\n\r\n--b\r\nContent-Type: message/feedback-report\r\n\r\n'
                b"Feedback-Type: abuse\r\nOriginal-Rcpt-To: " + _repeat(b"<a@b.c>,", size)
                + b"\r\n\r\n--b--\r\n")  # fmt: skip
    if kind == "nested-messages":
        return HEAD % size + _nested(size, mime=False)
    if kind == "nested-multipart":
        return HEAD % size + _nested(size, mime=True)
    if kind == "dsn-blocks":  # a delivery-status part of many recipient blocks
        block = b"Final-Recipient: rfc822; a@b.c\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        return (HEAD % size + b"Content-Type: multipart/report; report-type=delivery-status;"
                b' boundary="b"\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n'
                + _repeat(block, size) + b"\r\n--b--\r\n")  # fmt: skip
    raise ValueError(kind)


KINDS = ("letters", "digits", "dots", "digit-dots", "spaces", "line-ends", "crlf-spaces",
         "said", "semicolons", "brackets", "addresses", "plus-tokens", "domains",
         "message-ids", "link-paths", "smtp-codes", "encoded-words", "long-header",
         "encoded-subject", "comment-from", "arf-recipients", "nested-messages",
         "nested-multipart", "dsn-blocks")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="137000,1000000")
    parser.add_argument("--only", action="append", help="one kind (repeatable)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(Path(folder) / "list.db")
        with engine.begin() as connection:
            subs.save(connection, [subs.candidate("a@b.c", None, "pl", "bench")])
        context = bounces.Context(KEY, "bounces@news.example.org", "news.example.org",
                                  BounceSettings(), clock=lambda: dt.datetime.now(dt.UTC))
        for size in sizes:
            results = []
            for kind in args.only or KINDS:
                data = hostile(kind, size)
                start = time.process_time()
                summary = bounces.process(engine, [Incoming(f"{kind}-{size}", data)], context)
                seconds = time.process_time() - start
                outcome = next((k for k, v in summary.counts.items() if v),
                               "already seen" if summary.already_seen else "error")
                results.append((seconds, kind, len(data), outcome))
                print(f"  {kind:18} {len(data):>9,} bytes {seconds:8.3f} s CPU  {outcome}",
                      flush=True)
            worst = max(results)
            print(f"{size:,} bytes: worst {worst[1]} {worst[0]:.3f} s CPU "
                  f"(total {sum(r[0] for r in results):.2f} s for {len(results)} kinds)")


if __name__ == "__main__":
    main()
