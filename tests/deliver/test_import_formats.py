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
