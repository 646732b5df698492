"""Lists that arrive from Mailchimp and listmonk: their exports, shaped as those tools write
them, imported with names, statuses, languages and the consent each person gave there."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsletter.cli import main
from newsletter.deliver.audience import consent, subscribers
from newsletter.deliver.audience.importer import import_csv
from newsletter.deliver.db import open_database

MAILCHIMP = ("Email Address,First Name,Last Name,Address,Phone Number,Language,MEMBER_RATING,"
             "OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,"
             "TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS")
UNSUBSCRIBED = ",UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER"
CLEANED = ",CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID"
SITE = ("en", "pl")  # the site's languages, as `subscribers import` passes them


def mailchimp_row(email: str, first: str, last: str, language: str, optin: str, optin_ip: str,
                  confirm: str, confirm_ip: str, *extra: str) -> str:
    address = '"ul. Floriańska 1, Kraków, 31-019"'  # quoted: it holds commas
    return ",".join([email, first, last, address, "+48 12 616 12 34", language, "2", optin,
                     optin_ip, confirm, confirm_ip, "50.06", "19.94", "1", "2", "Europe/Warsaw",
                     "PL", "MA", confirm, "123456", "a1b2c3", "", '"VIP,Targi"', *extra])


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\r\n" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture
def engine(tmp_path: Path):
    return open_database(f"sqlite:///{tmp_path / 'list.db'}")


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def naive(value: dt.datetime) -> dt.datetime:
    """Times as SQLite gives them back (UTC, without a zone)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def test_mailchimps_three_exports_keep_names_states_and_the_consent_given_there(
        engine, tmp_path: Path):
    subscribed = write(tmp_path / "subscribed_members_export_3f1a.csv", MAILCHIMP, [
        mailchimp_row("anna.nowak@example.com", "Anna", "Nowak", "pl", "2019-11-05 09:29:17",
                      "203.0.113.45", "2019-11-05 09:31:02", "2001:db8:1234:5678::1"),
        mailchimp_row("tom@example.org", "Tom", "", "en_GB", "2020-01-02 10:00:00", "", "", ""),
        mailchimp_row("hans@example.de", "Hans", "Müller", "de", "", "", "2020-02-03 11:00:00",
                      "198.51.100.7"),
    ])
    left = write(tmp_path / "unsubscribed_members_export_3f1a.csv", MAILCHIMP + UNSUBSCRIBED, [
        mailchimp_row("ola@example.com", "Ola", "Kot", "pl", "2018-05-01 08:00:00", "",
                      "2018-05-01 08:05:00", "", "2021-03-04 12:00:00", "Grudzień", "c1", "", ""),
    ])
    cleaned = write(tmp_path / "cleaned_members_export_3f1a.csv", MAILCHIMP + CLEANED, [
        mailchimp_row("gone@example.net", "", "", "", "2017-01-01 00:00:00", "", "", "",
                      "2020-06-07 01:02:03", "Czerwiec", "c2"),
    ])
    for file in (subscribed, left, cleaned):
        report = import_csv(engine, file.read_bytes(), str(file), languages=SITE)
        assert report.format == "mailchimp" and report.rejected == [], report.rejected
    people = {p.email: p for p in subscribers.iter_subscribers(engine, status=None)}
    anna, tom, hans = (people[a] for a in ("anna.nowak@example.com", "tom@example.org",
                                           "hans@example.de"))
    assert (anna.name, anna.language, anna.status) == ("Anna Nowak", "pl", "subscribed")
    assert (tom.name, tom.language) == ("Tom", "en")
    assert hans.language is None  # not a language of the newsletter: imported, main language
    assert naive(anna.subscribed_at) == naive(utc("2019-11-05 09:31:02+00:00"))  # confirmed
    assert people["ola@example.com"].status == "unsubscribed"
    assert naive(people["ola@example.com"].unsubscribed_at) == naive(utc("2021-03-04 12:00+00"))
    assert people["gone@example.net"].status == "bounced"

    steps = consent.history(engine, "anna.nowak@example.com")
    assert [(e.kind, e.source, e.ip) for e in steps] == [
        ("subscribed", "mailchimp: opt-in", "203.0.113.0/24"),
        ("confirmed", "mailchimp: confirmed", "2001:db8:1234::/48"),
        ("imported", f"import {subscribed.name}:2", None),
    ]
    assert naive(steps[0].at) == naive(utc("2019-11-05 09:29:17+00:00"))
    assert naive(steps[1].at) == naive(utc("2019-11-05 09:31:02+00:00"))
    assert [e.kind for e in consent.history(engine, "tom@example.org")] == [
        "subscribed", "imported"]

    again = import_csv(engine, subscribed.read_bytes(), str(subscribed), languages=SITE)
    assert again.outcomes["unchanged"] == 3 and again.outcomes["added"] == 0
    assert len(consent.history(engine, "anna.nowak@example.com")) == 3  # nothing new


LISTMONK = "uuid,email,name,attributes,status,created_at,updated_at"


def test_listmonks_export_maps_its_statuses_and_keeps_when_each_person_joined(
        engine, tmp_path: Path):
    file = write(tmp_path / "subscribers.csv", LISTMONK, [
        'b1f0c7e2-0000-4000-8000-000000000001,jan@example.com,Jan Kowalski,'
        '"{""city"": ""Kraków"", ""language"": ""pl""}",enabled,'
        "2021-02-25 10:29:16.651953+01:00,2021-02-25 10:29:16.651953+01:00",
        'b1f0c7e2-0000-4000-8000-000000000002,eva@example.com,Eva,"{}",disabled,'
        "2020-01-10T10:43:02Z,2022-05-06 07:08:09+00",
        'b1f0c7e2-0000-4000-8000-000000000003,spam@example.com,,"{}",blocklisted,'
        "2020-01-11 00:00:00+00,2020-01-12 00:00:00+00",
        'b1f0c7e2-0000-4000-8000-000000000004,odd@example.com,Odd,"{}",archived,'
        "2020-01-11 00:00:00+00,2020-01-12 00:00:00+00",
    ])
    report = import_csv(engine, file.read_bytes(), str(file), languages=SITE)
    assert report.format == "listmonk"
    assert [(p.location.line, p.message) for p in report.rejected] == [
        (5, "unknown listmonk status 'archived' (expected one of: enabled, disabled, "
            "blocklisted)")]
    people = {p.email: p for p in subscribers.iter_subscribers(engine, status=None)}
    jan = people["jan@example.com"]
    assert (jan.name, jan.language, jan.status) == ("Jan Kowalski", "pl", "subscribed")
    assert naive(jan.subscribed_at) == naive(utc("2021-02-25 09:29:16.651953+00:00"))
    assert people["eva@example.com"].status == "unsubscribed"
    eva = people["eva@example.com"]
    assert naive(eva.unsubscribed_at) == naive(utc("2022-05-06 07:08:09+00:00"))
    assert people["spam@example.com"].status == "unsubscribed"  # never sent to again
    steps = consent.history(engine, "jan@example.com")
    assert [(e.kind, e.source) for e in steps] == [
        ("subscribed", "listmonk: subscriber created"), ("imported", f"import {file.name}:2")]
    assert naive(steps[0].at) == naive(utc("2021-02-25 09:29:16.651953+00:00"))


def test_a_forced_format_that_is_not_the_files_says_which_column_is_missing(tmp_path: Path):
    ours = write(tmp_path / "list.csv", "email,name", ["a@example.com,A"])
    mailchimp = write(tmp_path / "mc.csv", MAILCHIMP, [
        mailchimp_row("b@example.com", "B", "", "", "", "", "", "")])
    db_url = f"sqlite:///{tmp_path / 'list.db'}"
    forced = CliRunner().invoke(main, ["subscribers", "import", "--db", db_url, "--from",
                                       "mailchimp", str(ours)])
    assert forced.exit_code == 1 and "Traceback" not in forced.output
    assert (f"{ours}:1: no 'email address' column, which mailchimp's exports have (found "
            "'email', 'name'); use --from csv") in forced.output
    recognised = CliRunner().invoke(main, ["subscribers", "import", "--db", db_url,
                                           str(mailchimp)])
    assert recognised.exit_code == 0, recognised.output
    assert "(mailchimp export, utf-8, ','): 1 rows: 1 added" in recognised.output
    plain = CliRunner().invoke(main, ["subscribers", "import", "--db", db_url, str(ours)])
    assert plain.exit_code == 0 and "(utf-8, ','): 1 rows: 1 added" in plain.output


def test_our_own_export_is_not_taken_for_another_tools(engine, tmp_path: Path):
    subscribers.add(engine, subscribers.candidate("x@example.com", "X", "pl"))
    out = tmp_path / "export.csv"
    with out.open("w", encoding="utf-8", newline="") as stream:
        subscribers.export(engine, stream)
    fresh = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    report = import_csv(fresh, out.read_bytes(), str(out))
    assert report.format == "csv" and report.outcomes["added"] == 1


def test_listmonks_export_as_listmonk_writes_it_go_times_and_all(engine, tmp_path: Path):
    """listmonk writes created_at/updated_at with Go's time.String(): every row of a real
    export was rejected as "not a time"."""
    file = write(tmp_path / "subscribers.csv", LISTMONK, [
        'b1f0c7e2-0000-4000-8000-000000000011,ala@example.com,Ala,"{""lang"": ""en""}",'
        "enabled,2021-02-25 10:29:16.651953 +0530 +0530,2021-02-25 10:29:16.651953 +0530 +0530",
        'b1f0c7e2-0000-4000-8000-000000000012,ewa@example.com,Ewa,"{}",blocklisted,'
        "2020-01-10 10:43:02 +0000 UTC,2022-05-06 07:08:09.1 +0000 UTC",
    ])
    report = import_csv(engine, file.read_bytes(), str(file), languages=SITE)
    assert report.format == "listmonk" and report.rejected == [], report.rejected
    people = {p.email: p for p in subscribers.iter_subscribers(engine, status=None)}
    assert naive(people["ala@example.com"].subscribed_at) == naive(
        utc("2021-02-25 04:59:16.651953+00:00"))
    assert naive(people["ewa@example.com"].unsubscribed_at) == naive(
        utc("2022-05-06 07:08:09.1+00:00"))
    assert people["ala@example.com"].language == "en"


def test_mailchimps_export_renamed_and_resaved_by_excel_keeps_names_and_consent_times(
        engine, tmp_path: Path):
    """An owner who renamed First Name/Last Name to Imię/Nazwisko lost every name; a file
    opened and saved again in Polish Excel (cp1250, ';', dates as 15.03.2020 10:22) lost
    every person, each opt-in time "not a time"."""
    header = MAILCHIMP.replace("First Name,Last Name", "Imię,Nazwisko").replace(
        "Language", "Język").replace(",", ";")
    cells = ["zofia@example.com", "Zofia", "Żółkiewska", '"ul. Łąkowa 3\r\n31-000 Kraków"',
             "", "pl", "2", "15.03.2020 10:22", "203.0.113.9", "15.03.2020 10:25", "", "", "",
             "", "", "", "", "", "15.03.2020 10:25", "1", "a", "", ""]
    file = tmp_path / "subscribed_members_export_3f1a.csv"
    file.write_bytes((header + "\r\n" + ";".join(cells) + "\r\n").encode("cp1250"))
    report = import_csv(engine, file.read_bytes(), str(file), languages=SITE)
    assert (report.format, report.encoding, report.delimiter) == ("mailchimp", "cp1250", ";")
    assert report.rejected == [] and report.notes == [], (report.rejected, report.notes)
    zofia = next(subscribers.iter_subscribers(engine, status=None))
    assert (zofia.name, zofia.language) == ("Zofia Żółkiewska", "pl")
    steps = consent.history(engine, "zofia@example.com")
    assert [(e.kind, naive(e.at)) for e in steps][:2] == [
        ("subscribed", dt.datetime(2020, 3, 15, 10, 22)),
        ("confirmed", dt.datetime(2020, 3, 15, 10, 25))]

    other = tmp_path / "subscribed_members_export_77.csv"
    write(other, MAILCHIMP.replace("First Name,Last Name", "Pole1,Pole2"), [
        mailchimp_row("jan@example.com", "Jan", "Nowak", "", "", "", "", "")])
    unnamed = import_csv(engine, other.read_bytes(), str(other), languages=SITE)
    assert unnamed.outcomes["added"] == 1
    assert len(unnamed.notes) == 1 and "names not imported" in unnamed.notes[0]

    ambiguous = tmp_path / "subscribed_members_export_us.csv"
    write(ambiguous, MAILCHIMP, [
        mailchimp_row("us@example.com", "U", "S", "", "3/4/2020 10:00", "", "", "")])
    refused = import_csv(engine, ambiguous.read_bytes(), str(ambiguous), languages=SITE)
    assert "day and month cannot be told apart" in refused.rejected[0].message


def test_mailchimps_zip_as_downloaded_imports_its_three_files(tmp_path: Path):
    """The audience export is one ZIP; given it, the import said "neither UTF-8 nor
    Windows-1250". Each CSV inside is read, the leaving states after the subscribed one;
    someone who left this list before is not put back by the subscribed file."""
    import zipfile

    archive = tmp_path / "members_export_3f1a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("cleaned_members_export_3f1a.csv", MAILCHIMP + CLEANED + "\r\n" +
                        mailchimp_row("Gone@Example.NET", "", "", "", "2017-01-01 00:00:00",
                                      "", "", "", "2020-06-07 01:02:03", "Czerwiec", "c2"))
        zipped.writestr("subscribed_members_export_3f1a.csv", "\ufeff" + MAILCHIMP + "\r\n" +
                        "\r\n".join([
                            mailchimp_row("anna@example.com", "Anna", "Nowak", "pl",
                                          "2019-11-05 09:29:17", "", "", ""),
                            mailchimp_row("left@example.com", "L", "", "", "", "", "", ""),
                            mailchimp_row("gone@example.net", "G", "", "", "", "", "", "")]))
        zipped.writestr("unsubscribed_members_export_3f1a.csv", MAILCHIMP + UNSUBSCRIBED)
    db_url = f"sqlite:///{tmp_path / 'list.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["subscribers", "add", "--db", db_url,
                                "left@example.com"]).exit_code == 0
    assert runner.invoke(main, ["subscribers", "remove", "--db", db_url,
                                "left@example.com"]).exit_code == 0
    result = runner.invoke(main, ["subscribers", "import", "--db", db_url, str(archive)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert (f"{archive}:subscribed_members_export_3f1a.csv (mailchimp export, utf-8-sig, ','): "
            "3 rows: 2 added, 0 updated, 0 unchanged, 1 kept off") in result.output
    assert f"{archive}:cleaned_members_export_3f1a.csv" in result.output
    engine = open_database(db_url)
    people = {p.email.lower(): p.status for p in subscribers.iter_subscribers(engine, None)}
    assert people == {"anna@example.com": "subscribed", "left@example.com": "unsubscribed",
                      "gone@example.net": "bounced"}
    again = runner.invoke(main, ["subscribers", "import", "--db", db_url, str(archive)])
    assert "3 rows: 0 added, 0 updated, 1 unchanged, 2 kept off" in again.output, again.output
    assert "1 rows: 0 added, 0 updated, 0 unchanged, 1 kept off" in again.output

    broken = tmp_path / "broken.zip"
    broken.write_bytes(archive.read_bytes()[:200])
    damaged = runner.invoke(main, ["subscribers", "import", "--db", db_url, str(broken)])
    assert damaged.exit_code == 1 and "Traceback" not in damaged.output
    assert "a damaged or unsupported ZIP" in damaged.output, damaged.output
