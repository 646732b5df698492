"""CSV import as editors do it: Excel (cp1250, ;), UTF-8 with and without BOM, bad rows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import main
from newsletter.deliver import subscribers
from newsletter.deliver.db import open_database
from newsletter.deliver.importer import import_csv

ROWS = [
    ("Adres e-mail", "Imię i nazwisko", "Język"),
    ("jan.kowalski@example.com", "Jan Kowalski", "pl"),
    ("Zofia.Żółć@example.pl", "Zofia Żółć", "pl"),  # not ASCII: refused (line 3)
    ("anna@firma.pl", "Anna Łęcka-Źdźbło", "en"),
    ("not-an-address", "X", "pl"),  # line 5
    ("JAN.KOWALSKI@example.com", "Jan again", "pl"),  # duplicate of line 2 (line 6)
    ("piotr@example.org", "Piotr", "de"),  # unknown language (line 7)
]


def write_csv(path: Path, encoding: str, separator: str) -> Path:
    text = "\r\n".join(separator.join(row) for row in ROWS) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [("utf-8", ","), ("utf-8-sig", ","), ("utf-8-sig", ";"), ("cp1250", ";"), ("cp1250", ",")],
)
def test_each_encoding_and_separator(tmp_path: Path, encoding: str, separator: str):
    rows = [r for r in ROWS if r[0] != "Zofia.Żółć@example.pl"] if encoding == "cp1250" else ROWS
    text = "\r\n".join(separator.join(row) for row in rows) + "\r\n"
    engine = open_database(tmp_path / "list.db")
    report = import_csv(engine, text.encode(encoding), "list.csv")
    assert report.delimiter == separator
    assert report.encoding == encoding if encoding != "utf-8-sig" else "utf-8-sig"
    assert report.outcomes["added"] == 2
    anna = subscribers.find(engine, "ANNA@firma.pl")
    assert anna and anna.name == "Anna Łęcka-Źdźbło" and anna.language == "en"
    assert anna.source == "import list.csv"
    jan = subscribers.find(engine, "jan.kowalski@example.com")
    assert jan and jan.name == "Jan Kowalski"  # the duplicate row did not overwrite


def test_bad_rows_are_reported_with_line_numbers(tmp_path: Path):
    engine = open_database(tmp_path / "list.db")
    data = write_csv(tmp_path / "list.csv", "utf-8", ";").read_bytes()
    report = import_csv(engine, data, "list.csv")
    lines = {p.location.line: p.message for p in report.rejected}
    assert sorted(lines) == [3, 5, 6, 7]
    assert "not a valid e-mail address" in lines[5]
    assert "already on line 2" in lines[6]
    assert "unknown language 'de'" in lines[7]
    assert report.summary().startswith("6 rows: 2 added")


def test_reimport_changes_nothing_and_never_resubscribes(tmp_path: Path):
    engine = open_database(tmp_path / "list.db")
    data = write_csv(tmp_path / "list.csv", "cp1250", ";").read_bytes().replace(b"\xaf", b"Z")
    import_csv(engine, data, "list.csv")
    subscribers.remove(engine, "anna@firma.pl")
    before = list(subscribers.iter_subscribers(engine))
    again = import_csv(engine, data, "list.csv")
    assert again.outcomes == {"added": 0, "updated": 0, "unchanged": 1, "kept": 1}
    assert list(subscribers.iter_subscribers(engine)) == before
    assert subscribers.find(engine, "anna@firma.pl").status == "unsubscribed"


def test_missing_email_column_is_a_clear_error(tmp_path: Path):
    engine = open_database(tmp_path / "list.db")
    with pytest.raises(Exception, match="no e-mail column"):
        import_csv(engine, b"name;phone\nJan;123\n", "list.csv")


def test_cli_import_count_export_add_remove(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("NEWSLETTER_DB", str(tmp_path / "list.db"))
    runner = CliRunner()
    csv_file = write_csv(tmp_path / "excel.csv", "utf-8-sig", ";")
    result = runner.invoke(main, ["subscribers", "import", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "excel.csv:5: 'not-an-address' is not a valid e-mail address" in result.output
    assert "2 added" in result.output
    assert runner.invoke(main, ["subscribers", "add", "new@example.com"]).exit_code == 0
    removed = runner.invoke(main, ["subscribers", "remove", "ANNA@firma.pl"])
    assert "anna@firma.pl: unsubscribed" in removed.output
    readd = runner.invoke(main, ["subscribers", "add", "anna@firma.pl"])
    assert "not added" in readd.output
    counted = runner.invoke(main, ["subscribers", "count"]).output
    assert "subscribed           2" in counted and "unsubscribed         1" in counted
    exported = runner.invoke(main, ["subscribers", "export", "--status", "subscribed"])
    assert exported.stdout.splitlines()[0].startswith("email,name,language,status")
    assert "jan.kowalski@example.com,Jan Kowalski,pl,subscribed" in exported.output
    # the export imports back unchanged
    reimport = runner.invoke(main, ["subscribers", "import", "-"], input=exported.stdout)
    assert "2 unchanged" in reimport.output, reimport.output
    bad = runner.invoke(main, ["subscribers", "add", "a@b@c"])
    assert bad.exit_code == 1 and "not a valid e-mail address" in bad.output


def test_export_then_import_keeps_who_left_off_the_list(tmp_path: Path):
    old = open_database(tmp_path / "old.db")
    for address, name in (
        ("jan@example.com", "Jan"),
        ("ola@example.com", '=HYPERLINK("x")'),
        ("anna@example.com", "Anna"),
        ("piotr@example.com", "Piotr"),
    ):
        subscribers.add(old, subscribers.candidate(address, name))  # fmt: skip
    subscribers.remove(old, "anna@example.com")
    with old.begin() as connection:
        subscribers.set_status(connection, subscribers.find(old, "piotr@example.com").id,
                               subscribers.BOUNCED)  # fmt: skip
    out = io.StringIO()
    subscribers.export(old, out)
    assert "'=HYPERLINK" in out.getvalue()  # not a live formula in a spreadsheet
    new = open_database(tmp_path / "new.db")
    subscribers.add(new, subscribers.candidate("anna@example.com"))  # still on the new list
    report = import_csv(new, out.getvalue().encode(), "export.csv")
    assert not report.rejected
    got = {s.email: (s.status, s.name) for s in subscribers.iter_subscribers(new)}
    assert got == {
        "jan@example.com": ("subscribed", "Jan"),
        "ola@example.com": ("subscribed", '=HYPERLINK("x")'),
        "anna@example.com": ("unsubscribed", None),
        "piotr@example.com": ("bounced", "Piotr"),
    }
