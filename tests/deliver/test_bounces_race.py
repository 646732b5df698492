"""Two different bounces about one person, piped at the same moment (issue 20, item 5):
both are recorded and both count, on SQLite and on PostgreSQL.

Real processes, as Postfix's pipe starts them: each runs `newsletter bounces -` (the
CLI's own main) with one message on standard input. They import first and then wait for
one signal, so they reach the database together, as a burst of bounces after a send
does. Before issue 20 some were answered "already seen" (exit 0) and never recorded:
the second insert of a person's score row failed, and the handler took that for this
message's own duplicate.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from mailhelpers import SECRET
from test_bounces import BOUNCE_ADDRESS, KEY, _config, postfix_dsn
from test_postgres import postgres  # noqa: F401 (a fixture)

from newsletter.config import BounceSettings
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import bounce_messages, bounce_scores, open_database
from newsletter.deliver.returns import bounces
from newsletter.deliver.returns.mailboxes import Incoming
from newsletter.deliver.sending.verp import verp_address

PEOPLE = 10
SEND_KEY = "0123456789abcdef"

# One pipe process: everything imported, then wait for the go file, then the CLI.
_PIPE = """
import os, sys, time
from newsletter.cli import main
import newsletter.deliver.returns.bounces, newsletter.deliver.returns.reports
import flufl.bounce, sqlalchemy
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.002)
main(sys.argv[2:], prog_name="newsletter")
"""


def _people(db: str) -> dict[str, int]:
    engine = open_database(db)
    with engine.begin() as connection:
        if db.startswith("postgresql"):
            for table in ("bounce_messages", "bounce_scores", "consent_events", "deliveries",
                          "sends", "subscribers"):  # fmt: skip
                connection.execute(sa.text(f"DELETE FROM {table}"))
        subs.save(connection, [subs.candidate(f"p{n}@example.com", None, "pl", "test")
                               for n in range(PEOPLE)])  # fmt: skip
    ids = {f"p{n}@example.com": subs.find(engine, f"p{n}@example.com").id for n in range(PEOPLE)}
    engine.dispose()
    return ids


def _race(db: str, tmp_path: Path) -> None:
    ids = _people(db)
    today = dt.datetime.now(dt.UTC).replace(microsecond=0)
    engine = open_database(db)
    # A score from yesterday first: today's two reports must both be applied on top of it
    # (a lost update would keep only one of them).
    context = bounces.Context(KEY, BOUNCE_ADDRESS, "um.krakow.pl", BounceSettings())
    seeds = [Incoming(f"seed-{email}", postfix_dsn(
        verp_address(KEY, BOUNCE_ADDRESS, sid, SEND_KEY), email, "5.7.1", "554 5.7.1 spam",
        today - dt.timedelta(days=1))) for email, sid in ids.items()]  # fmt: skip
    assert bounces.process(engine, seeds, context).counts["soft"] == PEOPLE
    messages = []
    for email, sid in ids.items():
        to = verp_address(KEY, BOUNCE_ADDRESS, sid, SEND_KEY)
        messages.append(postfix_dsn(to, email, "4.2.2", "452 4.2.2 Mailbox full", today))
        messages.append(postfix_dsn(to, email, "5.7.1", "554 5.7.1 spam", today))
    config, go = _config(tmp_path), tmp_path / "go"
    env = {**os.environ, "NEWSLETTER_SECRET": SECRET}
    pipes = [subprocess.Popen([sys.executable, "-c", _PIPE, str(go), "--config", str(config),
                               "bounces", "--db", db, "-"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in messages]  # fmt: skip
    for pipe, data in zip(pipes, messages, strict=True):
        pipe.stdin.write(data)
        pipe.stdin.close()
    time.sleep(3)  # every process imported and waiting (they only poll for the file)
    go.touch()
    results = []
    for pipe in pipes:
        pipe.wait(timeout=180)  # a line of output each: no pipe fills
        results.append((pipe.returncode, pipe.stdout.read().decode(),
                        pipe.stderr.read().decode()))  # fmt: skip
    assert [r for r in results if r[0] != 0] == []
    assert not [r for r in results if "1 already seen" in r[1]], "answered 'already seen'"
    with engine.connect() as connection:
        recorded = connection.execute(
            sa.select(sa.func.count()).select_from(bounce_messages)
            .where(bounce_messages.c.outcome == "soft")).scalar()  # fmt: skip
        scores = dict(connection.execute(
            sa.select(bounce_scores.c.subscriber_id, bounce_scores.c.score)).all())  # fmt: skip
    assert recorded == 3 * PEOPLE  # every fingerprint: the seeds and both of today's
    # Yesterday's 1.0, and today's heaviest (Mailman counts a day once): 1.0 + 1.0.
    assert scores == {sid: 2.0 for sid in ids.values()}, scores
    engine.dispose()


def test_two_bounces_for_one_person_at_once_are_both_recorded_on_sqlite(tmp_path: Path):
    _race(str(tmp_path / "list.db"), tmp_path)


def test_two_bounces_for_one_person_at_once_are_both_recorded_on_postgresql(
    postgres: str, tmp_path: Path  # noqa: F811
):
    _race(postgres, tmp_path)

