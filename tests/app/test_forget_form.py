"""The sign-up form and a forgotten address: the usual answer, and nothing behind it."""

from __future__ import annotations

from pathlib import Path

from appserver import KEY, serving
from test_signup_http import sign_up, status

from newsletter.deliver.audience import data_requests, subscribers
from newsletter.deliver.db import open_database


def test_the_form_answers_as_always_but_creates_and_sends_nothing(project, tmp_path: Path):
    db = tmp_path / "list.db"
    engine = open_database(db)
    subscribers.add(engine, subscribers.candidate("gone@example.com", "Gone", "pl", "test"))
    data_requests.forget(engine, "gone@example.com", KEY)
    engine.dispose()
    with serving(project, db) as served:
        answers = {e: sign_up(served, e) for e in ("gone@example.com", "fresh@example.com")}
        assert {a.status_code for a in answers.values()} == {200}
        assert len({a.text.replace(e, "ADDRESS") for e, a in answers.items()}) == 1
        assert served.mail_to("fresh@example.com")  # a different address still works
        assert not served.mail_to("gone@example.com", 1, timeout=1)
        assert status(served, "gone@example.com") is None  # no pending row either
        assert status(served, "fresh@example.com") == "pending"
        data_requests.allow_back(open_database(db), "gone@example.com", KEY)
        assert sign_up(served, "gone@example.com").status_code == 200
        assert served.mail_to("gone@example.com")  # allowed back: double opt-in as anyone
