"""The consent record: every change a person or an editor makes is appended, with where."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from newsletter.cli import main
from newsletter.deliver.audience import consent
from newsletter.deliver.db import MIGRATIONS, consent_events, open_database, schema_version


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_import_add_and_remove_are_on_record_with_file_and_line(tmp_path: Path):
    db = str(tmp_path / "list.db")
    csv = tmp_path / "list.csv"
    csv.write_text("email;język;źródło\nanna@example.com;pl;targi 2020\nbad\n"
                   "jan@example.com;en;\n", encoding="utf-8")  # fmt: skip
    cli("subscribers", "import", "--db", db, str(csv))
    cli("subscribers", "add", "--db", db, "jan@example.com", "--language", "pl")
    cli("subscribers", "remove", "--db", db, "JAN@example.com")
    events = consent.history(open_database(db), "jan@example.com")
    assert [(e.kind, e.source) for e in events] == [
        ("imported", "import list.csv:4"),
        ("changed", "command: subscribers add"),
        ("unsubscribed", "command: subscribers remove"),
    ]
    assert events[1].details == {"language": "pl"}
    anna = consent.history(open_database(db), "anna@example.com")
    assert anna[0].details == {"consent": "targi 2020", "language": "pl"}
    shown = cli("subscribers", "show", "--db", db, "jan@example.com")
    lines = shown.splitlines()
    assert lines[0].startswith("jan@example.com\tunsubscribed\tpl")
    assert "imported" in lines[1] and "import list.csv:4" in lines[1]
    assert "unsubscribed" in lines[3] and "subscribers remove" in lines[3]


def test_show_of_an_unknown_address_is_a_clear_error(tmp_path: Path):
    result = CliRunner().invoke(
        main, ["subscribers", "show", "--db", str(tmp_path / "l.db"), "nobody@example.com"]
    )
    assert result.exit_code == 1 and "nobody@example.com is not on the list" in result.output


def test_ip_addresses_are_stored_truncated():
    assert consent.truncate_ip("203.0.113.77") == "203.0.113.0/24"
    assert consent.truncate_ip("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert consent.truncate_ip("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert consent.truncate_ip("not an address") is None


def test_a_version_2_database_gains_the_consent_record(tmp_path: Path):
    db = tmp_path / "old.db"
    engine = open_database(db)
    with engine.begin() as connection:
        consent_events.drop(connection)
        connection.execute(schema_version.update().values(version=2))
    engine.dispose()
    engine = open_database(db)
    assert "consent_events" in sa.inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(sa.select(schema_version.c.version)).scalar() == len(MIGRATIONS)
