"""The real corpus (tests/data/bounces/, see its README) through `newsletter bounces`, as a
Maildir and as an mbox: each message gets the outcome expected.csv gives it, statuses
follow, and reading the folder again changes nothing."""

from __future__ import annotations

import csv
import mailbox
import shutil
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner
from mailhelpers import SECRET
from test_bounces import BOUNCE_ADDRESS, DATA, KEY, SEND_KEY, _config

from newsletter.cli import main
from newsletter.config import BounceSettings
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import bounce_messages, consent_events, open_database, subscribers
from newsletter.deliver.returns.bounces import Context, process
from newsletter.deliver.returns.mailboxes import Incoming
from newsletter.deliver.sending.verp import verp_address


def expected() -> list[dict[str, str]]:
    with (DATA / "expected.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def filled_list(db: Path) -> sa.Engine:
    engine = open_database(db)
    addresses = sorted({row["subscriber"] for row in expected() if row["subscriber"]})
    with engine.begin() as connection:
        subs.save(connection, [subs.candidate(a, None, None, "corpus") for a in addresses])
    return engine


def bounces(tmp_path: Path, target: Path):  # type: ignore[no-untyped-def]
    # Without a bounce address (no VERP), as a list reads them whose bounces carry no
    # token; none of the corpus carries ours, so it tests attribution by address.
    config = _config(tmp_path, bounce_address=None)
    return CliRunner().invoke(
        main, ["--config", str(config), "bounces", "--db", str(tmp_path / "list.db"),
               str(target)], env={"NEWSLETTER_SECRET": SECRET})  # fmt: skip


def outcomes(engine: sa.Engine) -> dict[str, tuple[str, str]]:
    query = sa.select(bounce_messages.c.source, bounce_messages.c.outcome,
                      subscribers.c.email_key).outerjoin(
        subscribers, subscribers.c.id == bounce_messages.c.subscriber_id)  # fmt: skip
    with engine.connect() as connection:
        found = connection.execute(query).all()
    return {source if "#" in source else Path(source).name: (outcome, email or "")
            for source, outcome, email in found}  # fmt: skip


def by_address_only(outcome: str) -> str:
    """What expected.csv's reading becomes when only the address names the reader (none
    of the corpus carries a token of ours): a bounce only scores as a soft one, and a
    complaint is kept aside for a person; anyone could have written either."""
    return {"hard": "soft", "complaint": "unattributed"}.get(outcome, outcome)


def test_the_corpus_as_a_maildir_gets_the_expected_outcomes_and_statuses(tmp_path: Path):
    engine = filled_list(tmp_path / "list.db")
    folder = tmp_path / "Maildir"
    (folder / "tmp").mkdir(parents=True)
    (folder / "cur").mkdir()
    shutil.copytree(DATA, folder / "new", ignore=shutil.ignore_patterns("*.md", "*.csv",
                                                                        "LICENSE*"))  # fmt: skip
    rows = expected()
    result = bounces(tmp_path, folder)
    assert result.exit_code == 0, result.output
    got = outcomes(engine)
    want = {row["file"]: (by_address_only(row["outcome"]), row["subscriber"]) for row in rows}
    wrong = {name: (got.get(name), want[name]) for name in want if got.get(name) != want[name]}
    assert not wrong, wrong
    counts = {kind: sum(by_address_only(r["outcome"]) == kind for r in rows) for kind in
              ("soft", "ignored", "unattributed")}  # fmt: skip
    assert (f"{len(rows)} messages read: 0 hard bounces, {counts['soft']} soft, "
            f"0 complaints, 0 unsubscribes, {counts['ignored']} ignored, "
            f"{counts['unattributed']} unattributed") in result.output  # fmt: skip
    assert result.output.count("kept aside:") == counts["unattributed"]
    # The reading is still told apart: each scored bounce's record names its severity.
    with engine.connect() as connection:
        details = dict(connection.execute(sa.select(bounce_messages.c.source,
                                                    bounce_messages.c.detail)).all())
    for row in rows:
        if row["outcome"] in ("hard", "soft"):
            detail = details[str(folder / "new" / row["file"])]
            assert detail.split()[0] == row["why"].split()[0], (row, detail)
    # Nobody is removed at once by a message anyone could write; one day's soft bounces
    # do not reach the threshold.
    for address in {row["subscriber"] for row in rows if row["subscriber"]}:
        assert subs.find(engine, address).status == "subscribed", address

    with engine.connect() as connection:
        before = connection.execute(sa.select(sa.func.count()).select_from(consent_events)).scalar()
        statuses = connection.execute(sa.select(subscribers.c.email, subscribers.c.status)).all()
    again = bounces(tmp_path, folder)
    assert again.exit_code == 0, again.output
    assert (f"{len(rows)} messages read: 0 hard bounces, 0 soft, 0 complaints, 0 unsubscribes, "
            f"0 ignored, 0 unattributed (kept aside), {len(rows)} already seen") in again.output
    with engine.connect() as connection:
        assert connection.execute(
            sa.select(sa.func.count()).select_from(consent_events)).scalar() == before  # fmt: skip
        assert connection.execute(
            sa.select(subscribers.c.email, subscribers.c.status)).all() == statuses  # fmt: skip


def test_the_corpus_with_each_readers_verp_token_acts_as_expected(tmp_path: Path):
    """The same real messages as our relay hands them over with VERP: the envelope
    recipient carries the reader's signed token, so a hard bounce bounces and a complaint
    unsubscribes at once; expected.csv's outcomes and the statuses that follow."""
    engine = filled_list(tmp_path / "list.db")
    rows = expected()
    with engine.connect() as connection:
        ids = dict(connection.execute(sa.select(subscribers.c.email_key, subscribers.c.id)).all())
    for row in rows:
        who = row["subscriber"]
        recipient = verp_address(KEY, BOUNCE_ADDRESS, ids[who], SEND_KEY) if who else None
        context = Context(KEY, BOUNCE_ADDRESS, "um.krakow.pl", BounceSettings(),
                          recipient=recipient)  # fmt: skip
        process(engine, [Incoming(row["file"], (DATA / row["file"]).read_bytes())], context)
    got = outcomes(engine)
    want = {row["file"]: (row["outcome"], row["subscriber"]) for row in rows}
    wrong = {name: (got.get(name), want[name]) for name in want if got.get(name) != want[name]}
    assert not wrong, wrong
    # Statuses: a complaint unsubscribes, a hard bounce (of someone still listed) bounces,
    # soft bounces alone do not reach the threshold in one day.
    for address in {row["subscriber"] for row in rows if row["subscriber"]}:
        kinds = {row["outcome"] for row in rows if row["subscriber"] == address}
        status = ("unsubscribed" if "complaint" in kinds else "bounced" if "hard" in kinds
                  else "subscribed")  # fmt: skip
        assert subs.find(engine, address).status == status, (address, kinds)


def test_an_mbox_of_the_corpus_gives_the_same_outcomes(tmp_path: Path):
    engine = filled_list(tmp_path / "list.db")
    rows = [row for row in expected() if row["file"].startswith("sisimai-")][:20]
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    for row in rows:
        box.add((DATA / row["file"]).read_bytes())
    box.close()
    result = bounces(tmp_path, tmp_path / "bounces.mbox")
    assert result.exit_code == 0, result.output
    got = outcomes(engine)
    for number, row in enumerate(rows, 1):
        assert got[f"{tmp_path / 'bounces.mbox'}#{number}"] == (
            by_address_only(row["outcome"]), row["subscriber"]), row  # fmt: skip
