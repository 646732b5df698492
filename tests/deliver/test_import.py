"""CSV import as editors do it: Excel (cp1250, ;), UTF-8 with and without BOM, bad rows."""

from __future__ import annotations

import datetime as dt
import io
import random
import string
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from newsletter.cli import main
from newsletter.deliver import db
from newsletter.deliver.audience import subscribers
from newsletter.deliver.audience.importer import import_csv
from newsletter.deliver.db import open_database

SITE = ("en", "pl")
"""The sample site's languages (the blocks of its strings.yaml)."""

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
    report = import_csv(engine, text.encode(encoding), "list.csv", languages=SITE)
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
    report = import_csv(engine, data, "list.csv", languages=SITE)
    lines = {p.location.line: p.message for p in report.rejected}
    assert sorted(lines) == [3, 5, 6, 7]
    assert "not a valid e-mail address" in lines[5]
    assert "already on line 2" in lines[6]
    assert "unknown language 'de'" in lines[7]
    assert report.summary().startswith("6 rows: 2 added")


@pytest.mark.parametrize("seed", range(5))
def test_a_row_is_reported_at_the_line_it_starts_on(tmp_path: Path, seed: int):
    """Notes with line breaks inside quotes (as a spreadsheet writes a cell with Alt+Enter;
    a column we do not read) before a bad row: the editor is sent to the line the bad row
    starts on, not the line its own or a previous row's quoted cell ended on."""
    rng = random.Random(seed)
    lines = ["email;notes;language"]
    bad_lines = {}
    for number in range(12):
        start = len(lines) + 1
        breaks = rng.choice([0, 0, 1, 3])
        note = "\n".join(f"Part {k}" for k in range(breaks + 1))
        if rng.random() < 0.3:
            email = f"broken-{number}"
            bad_lines[start] = email
        else:
            email = f"person{number}@example.com"
        lines += f'{email};"{note}";pl'.split("\n")
    data = ("\r\n".join(lines) + "\r\n").encode()
    report = import_csv(open_database(tmp_path / "list.db"), data, "list.csv", languages=SITE)
    found = {p.location.line: p.message for p in report.rejected}
    assert sorted(found) == sorted(bad_lines)
    for line, email in bad_lines.items():
        assert f"'{email}' is not a valid e-mail address" in found[line]
        assert lines[line - 1].startswith(email)


@pytest.mark.parametrize(("cell", "hint"), [
    ("mailto:jan@example.com", "a link's 'mailto:' was copied with it: write jan@example.com"),
    ("MAILTO:jan@example.com?subject=Hi", "write jan@example.com"),
    ("Jan Kowalski <jan@example.com>", "write the address alone, jan@example.com"),
    ("<jan@example.com>", "write the address alone, jan@example.com"),
    ("jan@example.com, anna@example.com", "one address per row"),
    ("jan@example.com;", "did you mean jan@example.com?"),
    ("jan@example.com.", "did you mean jan@example.com?"),
    ("zofia.żółć@example.pl", "use --smtputf8 if your relay accepts SMTPUTF8"),
])
def test_a_refused_address_says_what_to_write(tmp_path: Path, cell: str, hint: str):
    """The slips that are not typos get the fix; the SMTPUTF8 switch is suggested only for
    letters beyond ASCII before the @ (it was suggested for 'mailto:' and spaces, which it
    does not change)."""
    data = f'email,name\r\n"{cell}",Jan\r\n'.encode()
    report = import_csv(open_database(tmp_path / "list.db"), data, "list.csv", languages=SITE)
    (problem,) = report.rejected
    assert hint in problem.message
    assert ("smtputf8" in problem.message) == ("smtputf8" in hint)


def test_a_colon_or_space_in_an_address_does_not_suggest_smtputf8(tmp_path: Path):
    data = b"email\r\na:b@example.com\r\njan @example.com\r\n"
    report = import_csv(open_database(tmp_path / "list.db"), data, "list.csv", languages=SITE)
    assert len(report.rejected) == 2
    assert not any("smtputf8" in p.message for p in report.rejected)


def test_reimport_changes_nothing_and_never_resubscribes(tmp_path: Path):
    engine = open_database(tmp_path / "list.db")
    data = write_csv(tmp_path / "list.csv", "cp1250", ";").read_bytes().replace(b"\xaf", b"Z")
    import_csv(engine, data, "list.csv", languages=SITE)
    subscribers.remove(engine, "anna@firma.pl")
    before = list(subscribers.iter_subscribers(engine))
    again = import_csv(engine, data, "list.csv", languages=SITE)
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


# --- Export → import keeps every field (seeded random rows; Hypothesis is not installed) ----

ALPHABET = (string.ascii_letters + string.digits + " \t\x0b,;\"'`=+-@#%&*()[]{}<>/\\|!?.:"
            "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ€ß\u00a0\u200b“”„«»…–—😀🎉👍🏽")  # fmt: skip
STARTS = ("=", "+", "-", "@", "'", "\t", "\r", "'+", "''", "'=", "' ", " ", "\"")
FIELDS = ("email", "email_key", "name", "language", "status", "source", "subscribed_at",
          "unsubscribed_at")  # fmt: skip


def _text(rng: random.Random, longest: int, line_breaks: bool) -> str:
    """Any text a field may hold; a name never has a line break (it goes into To:, and
    every way onto the list refuses one), a consent source may."""
    alphabet = ALPHABET + ("\r\n" if line_breaks else "")
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, longest)))
    if rng.random() < 0.5:
        text = rng.choice([s for s in STARTS if line_breaks or s != "\r"]) + text
    if rng.random() < 0.15:
        text += rng.choice((" ", "\t", "'", "\u00a0"))
    return text


def _address(rng: random.Random, n: int) -> str:
    local = rng.choice(("", "=", "+", "-", "'", "'+", "Jan.")) + "".join(
        rng.choice(string.ascii_letters + string.digits + "+-=_'") for _ in range(6))
    domain = rng.choice(("example.com", "przykład.pl", "Firma.Example.ORG"))
    return subscribers.check_address(f"{local}{n}@{domain}")


def _time(rng: random.Random) -> dt.datetime:
    start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    return start + dt.timedelta(seconds=rng.randrange(30 * 365 * 86400),
                                microseconds=rng.randrange(1_000_000))  # fmt: skip


def _rows(engine) -> list[tuple]:
    with engine.connect() as connection:
        query = sa.select(*(db.subscribers.c[f] for f in FIELDS)).order_by(
            db.subscribers.c.email_key)
        return [tuple(row) for row in connection.execute(query)]


@pytest.mark.parametrize("seed", range(4))
def test_export_then_import_into_a_fresh_database_gives_identical_rows(tmp_path: Path,
                                                                      seed: int):  # fmt: skip
    rng = random.Random(seed)
    old = open_database(tmp_path / "old.db")
    with old.begin() as connection:
        for n in range(150):
            address = _address(rng, n)
            status = rng.choice((subscribers.SUBSCRIBED, *subscribers.LEFT))
            left = status == subscribers.UNSUBSCRIBED or rng.random() < 0.2
            connection.execute(db.subscribers.insert().values(
                email=address, email_key=address.lower(),
                name=_text(rng, 40, False) if rng.random() < 0.9 else None,
                language=rng.choice(("pl", "en", None)), status=status,
                source=_text(rng, 60, True), subscribed_at=_time(rng),
                unsubscribed_at=_time(rng) if left else None,
                created_at=db.now(), updated_at=db.now()))  # fmt: skip
    env = {"NEWSLETTER_DB": str(tmp_path / "old.db")}
    out = tmp_path / "export.csv"
    exported = CliRunner(env=env).invoke(main, ["subscribers", "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    env["NEWSLETTER_DB"] = str(tmp_path / "new.db")
    imported = CliRunner(env=env).invoke(main, ["subscribers", "import", str(out)])
    assert imported.exit_code == 0 and "150 added" in imported.stdout, imported.output
    assert _rows(open_database(tmp_path / "new.db")) == _rows(old)


def test_a_name_beginning_with_an_apostrophe_and_the_times_come_back_as_they_were(
    tmp_path: Path,
):
    old = open_database(tmp_path / "old.db")
    names = {"a@example.com": "'+48 Biuro", "b@example.com": "'Tis", "c@example.com": "+Ola",
             "d@example.com": "\tTab", "e@example.com": "Anna "}  # fmt: skip
    for address, name in names.items():
        subscribers.add(old, subscribers.candidate(address, "x", None, "form"))
        with old.begin() as connection:  # as a row of any origin may hold it
            connection.execute(db.subscribers.update().where(db.subscribers.c.email == address)
                               .values(name=name))  # fmt: skip
    out = io.StringIO()
    subscribers.export(old, out)
    assert "\r\na@example.com,''+48 Biuro,,subscribed,form," in out.getvalue()
    new = open_database(tmp_path / "new.db")
    assert not import_csv(new, out.getvalue().encode(), "export.csv").rejected
    assert {s.email: s.name for s in subscribers.iter_subscribers(new)} == names
    assert _rows(new) == _rows(old)  # subscribed_at too
    # An editor's own file: an apostrophe export did not write stays where it is.
    own = import_csv(new, b"email,name\nf@example.com,'Tis\ng@example.com,'=1\n", "own.csv")
    assert own.outcomes["added"] == 2
    assert subscribers.find(new, "f@example.com").name == "'Tis"
    assert subscribers.find(new, "g@example.com").name == "=1"
    bad = import_csv(new, b"email,subscribed_at\nh@example.com,yesterday\n", "own.csv")
    assert [str(p) for p in bad.rejected] == [
        "own.csv:2: 'yesterday' in subscribed_at is not a time: write it as "
        "2024-05-01T12:00:00+00:00"]
