"""Benchmark of DKIM signing: prints figures, asserts nothing.

    .venv/bin/python bench/dkim.py [--messages 500] [--bits 2048]

The sample issue's message (about 89 KB) built for ``--messages`` recipients, unsigned
and signed (newsletter/deliver/sending/signing.py: relaxed/relaxed, rsa-sha256 in OpenSSL through
``cryptography``, a fresh key from ``openssl genrsa``), and with dkimpy (the reference,
pure Python) for comparison:
CPU ms per message for each, the cost of signing alone, and where it goes (the RSA
operation on a 36-byte stand-in message against the whole message's hashing and
canonicalisation). One core; the send runs one such core per worker process.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and bench/email.py would
# hide the standard library's `email` package: take the folder off before importing.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import subprocess
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsletter.deliver.sending.messages import MessageFactory, Recipient
from newsletter.deliver.sending.signing import DkimSigner
from newsletter.load import load_issue, load_project
from newsletter.render.email import render_email

SAMPLE = ROOT / "issues" / "2020-12"
KEY = b"bench-secret-0123456789"


def per_message_ms(make, count: int) -> float:
    """CPU milliseconds per call of ``make(n)`` over ``count`` calls (best of 3)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for n in range(1, count + 1):
            make(n)
        best = min(best, time.process_time() - started)
    return best / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--bits", type=int, default=2048)
    args = parser.parse_args()

    key = subprocess.run(
        ["openssl", "genrsa", str(args.bits)], check=True, capture_output=True
    ).stdout
    signer = DkimSigner("um.krakow.pl", "bench", key)
    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    edition = render_email(issue, project)

    def made(with_signer: DkimSigner | None) -> MessageFactory:
        return MessageFactory.for_edition(
            project.site, issue.subject_line, edition, KEY, "bench", "en",
            feedback_id="2020-12:bench:business-krakow:newsletter.krakow.example",
            signer=with_signer,
        )  # fmt: skip

    plain, signed = made(None), made(signer)
    size = len(plain.message(Recipient(1, "user0001@example.com")))

    def build(factory: MessageFactory):
        return lambda n: factory.message(Recipient(n, f"user{n:06d}@example.com"), stuffed=True)

    unsigned_ms = per_message_ms(build(plain), args.messages)
    signed_ms = per_message_ms(build(signed), args.messages)
    tiny = b"From: a@um.krakow.pl\r\nSubject: x\r\n\r\nx\r\n"
    rsa_ms = per_message_ms(lambda n: signer.header(tiny), args.messages)
    print(f"message: {size / 1024:.0f} KB, RSA key: {args.bits} bits, {args.messages} messages")
    print(f"build unsigned: {unsigned_ms:.3f} ms/message ({1000 / unsigned_ms:,.0f}/s)")
    print(f"build + sign:   {signed_ms:.3f} ms/message ({1000 / signed_ms:,.0f}/s)")
    print(f"signing alone:  {signed_ms - unsigned_ms:.3f} ms/message, of which the RSA "
          f"operation {rsa_ms:.3f} ms and the 89 KB body's canonicalisation and hash "
          f"{signed_ms - unsigned_ms - rsa_ms:.3f} ms")  # fmt: skip
    try:
        import dkim  # a dev dependency: the tests verify with it
    except ImportError:
        return
    whole = plain.message(Recipient(1, "user0001@example.com"))
    reference_ms = per_message_ms(
        lambda n: dkim.sign(whole, b"bench", b"um.krakow.pl", key,
                            canonicalize=(b"relaxed", b"relaxed")),
        max(20, args.messages // 10),
    )  # fmt: skip
    print(f"dkimpy, same message: {reference_ms:.3f} ms/message "
          f"({reference_ms / (signed_ms - unsigned_ms):.0f}× ours)")


if __name__ == "__main__":
    main()
