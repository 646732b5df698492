"""One send, each reader in their language: the edition, the header and the journal."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from mailhelpers import Recorder, smtp_server
from test_send_kill import wait_for
from two_editions import MARKS, send

from newsletter.deliver.audience import subscribers
from newsletter.deliver.db import deliveries, open_database

HERE = Path(__file__).parent


def mixed_list(db: Path, count: int) -> dict[str, str]:
    """Subscribers in pl, en, none and de (an edition the issue lacks): address → the
    edition's language they should get (the main one, en, when theirs is not there)."""
    engine = open_database(db)
    languages = ["pl", "en", None, "de"]
    expected = {}
    with engine.begin() as connection:
        batch = []
        for n in range(count):
            language = languages[n % 4]
            address = f"reader{n:04d}@example.com"
            batch.append(subscribers.Candidate(address, None, language))
            expected[address] = "pl" if language == "pl" else "en"
        subscribers.save(connection, batch)
    return expected


def check(recorder: Recorder, expected: dict[str, str]) -> None:
    assert set(recorder.recipients()) == set(expected)
    for to, message in recorder.messages():
        language = expected[to]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert message["Content-Language"] == language
        assert MARKS[language] in text and all(
            mark not in text for lang, mark in MARKS.items() if lang != language), to
        assert f'<html lang="{language}"' in html
        assert ("grudzień" in message["Subject"]) == (language == "pl"), message["Subject"]


def test_a_mixed_list_gets_each_reader_their_edition(tmp_path: Path):
    db = tmp_path / "list.db"
    expected = mixed_list(db, 80)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        assert send(str(db), url).sent == 80
    check(recorder, expected)
    with open_database(db).connect() as connection:
        journaled = dict(connection.execute(
            sa.select(deliveries.c.language, sa.func.count()).group_by(deliveries.c.language)
        ).all())  # fmt: skip
    assert journaled == {"pl": 20, "en": 60}


def test_languages_survive_kill_and_resume(tmp_path: Path):
    db = tmp_path / "list.db"
    expected = mixed_list(db, 400)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        command = [sys.executable, str(HERE / "two_editions.py"), str(db), url, "150"]
        first = subprocess.Popen(command, stderr=subprocess.PIPE)
        wait_for(recorder, 100, first)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert len(recorder.received) < 400
        resumed = subprocess.run([*command[:-1], "2000"], capture_output=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr.decode()
    check(recorder, expected)
