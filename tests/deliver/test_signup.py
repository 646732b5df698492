"""Double opt-in on the list's side: requests, confirmations, expiry, and who gets mail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from newsletter.deliver.audience import consent, signup
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import open_database

VERSION = "2021-01"


def asked(email: str, name: str | None = "Ewa", language: str = "pl") -> signup.SignupRequest:
    return signup.SignupRequest(email, name, language, VERSION, "198.51.100.23")


def test_a_request_waits_until_confirmed_and_a_link_works_once(tmp_path: Path):
    engine = open_database(tmp_path / "l.db")
    event = signup.request(engine, asked("ewa@example.com"))
    assert subs.find(engine, "ewa@example.com").status == subs.PENDING
    done = signup.confirm(engine, event, "198.51.100.99")
    assert done.outcome == "confirmed"
    person = subs.find(engine, "ewa@example.com")
    assert (person.status, person.name, person.language) == ("subscribed", "Ewa", "pl")
    assert signup.confirm(engine, event).outcome == "already"
    subs.remove(engine, "ewa@example.com")
    assert signup.confirm(engine, event).outcome == "stale"  # leaving outranks an old link
    assert subs.find(engine, "ewa@example.com").status == subs.UNSUBSCRIBED
    history = consent.history(engine, "ewa@example.com")
    assert [e.kind for e in history] == ["subscribed", "confirmed", "unsubscribed"]
    assert history[0].ip == "198.51.100.0/24" and history[1].consent_version == VERSION


def test_subscribed_addresses_get_nothing_and_lose_nothing(tmp_path: Path):
    engine = open_database(tmp_path / "l.db")
    subs.add(engine, subs.candidate("jan@example.com", "Jan", "en", "test"))
    assert signup.request(engine, asked("JAN@example.com", "Someone Else", "pl")) is None
    person = subs.find(engine, "jan@example.com")
    assert (person.name, person.language) == ("Jan", "en")
    assert [e.kind for e in consent.history(engine, "jan@example.com")] == ["imported"]


def test_a_newer_request_replaces_the_older_link(tmp_path: Path):
    engine = open_database(tmp_path / "l.db")
    first = signup.request(engine, asked("ola@example.com", "Ola", "pl"))
    second = signup.request(engine, asked("ola@example.com", "Ola", "en"))
    assert signup.confirm(engine, first).outcome == "stale"
    assert signup.confirm(engine, second).outcome == "confirmed"
    assert subs.find(engine, "ola@example.com").language == "en"


def test_pending_requests_expire_and_their_links_with_them(tmp_path: Path):
    engine = open_database(tmp_path / "l.db")
    event = signup.request(engine, asked("old@example.com"))
    signup.request(engine, asked("fresh@example.com"))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert signup.expire(engine, later) == 2
    person = subs.find(engine, "old@example.com")
    assert (person.status, person.name) == (subs.EXPIRED, None)  # no data kept unasked
    assert signup.confirm(engine, event).outcome == "stale"
    again = signup.request(engine, asked("old@example.com"))
    assert signup.confirm(engine, again).outcome == "confirmed"


def test_an_import_takes_over_a_pending_address_but_never_one_who_left(tmp_path: Path):
    engine = open_database(tmp_path / "l.db")
    signup.request(engine, asked("p@example.com"))
    subs.add(engine, subs.candidate("gone@example.com", None, "pl", "test"))
    subs.remove(engine, "gone@example.com")
    signup.request(engine, asked("gone@example.com"))
    outcomes = [subs.add(engine, subs.candidate(e, None, "pl", "fair 2021"))
                for e in ("p@example.com", "gone@example.com")]  # fmt: skip
    assert outcomes == ["updated", "kept"]
    assert subs.find(engine, "p@example.com").status == subs.SUBSCRIBED
    assert subs.find(engine, "gone@example.com").status == subs.UNSUBSCRIBED


def test_unconfirmed_sign_ups_are_not_exported_and_files_cannot_make_them(tmp_path: Path):
    import io

    import pytest

    engine = open_database(tmp_path / "l.db")
    signup.request(engine, asked("p@example.com"))
    subs.add(engine, subs.candidate("s@example.com", None, "pl", "test"))
    out = io.StringIO()
    assert subs.export(engine, out) == 1 and "p@example.com" not in out.getvalue()
    with pytest.raises(subs.InvalidSubscriber, match="unknown status 'pending'"):
        subs.candidate("s@example.com", status="pending")
