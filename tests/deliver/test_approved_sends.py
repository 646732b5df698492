"""Draft → approved → sent: a send to the list carries exactly the approved editions.

Real SQLite lists, a real SMTP server on loopback (aiosmtpd), the CLI as an operator
types it. The sample's Polish edition is what fill_list's readers get; an editor's change
after approval is a sentence of its open-city.pl.md.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import SAMPLE, edited_copy
from mailhelpers import SECRET, Recorder, fill_list, smtp_server
from test_dkim import configured

from newsletter.cli import main
from newsletter.deliver.db import open_database, sends
from newsletter.deliver.sending import control

APPROVED_TEXT = "stanowczo zadeklarował"
EDITED_TEXT = "ZMIENIONE PO AKCEPTACJI zadeklarował"
EDIT = {"open-city.pl.md": [(APPROVED_TEXT, EDITED_TEXT)]}


@pytest.fixture
def project_copy(tmp_path: Path):
    """A list of 5 Polish readers, the sample issue copied (editable) and a command line
    that runs `newsletter` with the copy's configuration, the list and the secret."""
    db = tmp_path / "list.db"
    readers = fill_list(open_database(db), 5)
    issue = tmp_path / "issues" / "2020-12"
    issue.parent.mkdir()
    import shutil

    shutil.copytree(SAMPLE, issue)
    config = configured(tmp_path, "")

    def newsletter(*args: str, code: int = 0, config: Path = config) -> str:
        runner = CliRunner(env={"NEWSLETTER_SECRET": SECRET, "NEWSLETTER_DB": str(db)})
        result = runner.invoke(main, ["--config", str(config), *args])
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    return {"db": db, "readers": readers, "issue": issue, "config": config,
            "newsletter": newsletter, "tmp": tmp_path}  # fmt: skip


def bodies(recorder: Recorder) -> list[str]:
    """The decoded text and HTML parts of every message the server received."""
    found = []
    for _, message in recorder.messages():
        found += [part.get_content() for part in message.iter_parts()]
    return found


def edit(folder: Path) -> None:
    path = folder / "open-city.pl.md"
    text = path.read_text(encoding="utf-8")
    assert APPROVED_TEXT in text
    path.write_text(text.replace(APPROVED_TEXT, EDITED_TEXT), encoding="utf-8")


def test_a_draft_is_refused_then_approve_sends_and_sends_and_report_show_who(project_copy):
    run, issue = project_copy["newsletter"], str(project_copy["issue"])
    recorder = Recorder()
    with smtp_server(recorder) as url:
        refused = run("send", issue, "--smtp", url, code=1)
        assert "issue 2020-12 is not approved for sending: draft: not approved yet" in refused
        assert "newsletter approve" in refused and recorder.received == []
        approved = run("approve", issue, "--by", "Anna Nowak")
        assert "approved 2020-12 by Anna Nowak on " in approved
        assert "e-mail editions in en, pl" in approved and "ready to send" in approved
        short = approved.split("(sha256 ")[1][:12]
        sent = run("send", issue, "--smtp", url)
    assert "5 sent, 0 failed" in sent
    assert recorder.recipients() == {a: 1 for a in project_copy["readers"]}
    assert all(APPROVED_TEXT in body for body in bodies(recorder))
    listing = run("sends")
    assert f"approved by Anna Nowak on {dt.datetime.now(dt.UTC):%Y-%m-%d}" in listing
    assert f"(sha256 {short})" in listing
    report = run("report", "2020-12")
    assert "approved by Anna Nowak on " in report and f"(sha256 {short})" in report


def test_an_edit_after_approval_is_refused_naming_the_file_and_the_approval(project_copy):
    run, folder = project_copy["newsletter"], project_copy["issue"]
    run("approve", str(folder), "--by", "Anna Nowak")
    edit(folder)
    (folder / "images" / "new-photo.png").write_bytes(b"not yet used")
    recorder = Recorder()
    with smtp_server(recorder) as url:
        refused = run("send", str(folder), "--smtp", url, code=1)
        assert "draft: changed since the approval by Anna Nowak on " in refused
        assert "images/new-photo.png (new), open-city.pl.md" in refused
        scheduled = run("send", str(folder), "--at", "2099-01-01 08:00", code=1)
        assert "changed since the approval by Anna Nowak" in scheduled
        status = run("approvals", str(folder))
        assert "2020-12: draft: changed since the approval by Anna Nowak" in status
        assert "Anna Nowak  sha256 " in status and "void (the files changed since)" in status
        assert recorder.received == []
        again = run("approve", str(folder), "--by", "Jan Kowalski")  # the way forward
        assert "approved by Jan Kowalski, last on" in again
        run("send", str(folder), "--smtp", url)
    assert recorder.recipients() == {a: 1 for a in project_copy["readers"]}
    assert all(EDITED_TEXT in body and APPROVED_TEXT not in body for body in bodies(recorder))


def test_a_scheduled_send_sends_what_was_approved_after_the_folder_changed(project_copy):
    run, folder = project_copy["newsletter"], project_copy["issue"]
    run("approve", str(folder), "--by", "Anna Nowak")
    at = (dt.datetime.now().astimezone() + dt.timedelta(seconds=2)).isoformat()
    run("send", str(folder), "--at", at)
    edit(folder)  # after scheduling, before the worker starts it
    engine = open_database(project_copy["db"])
    while control.runnable(engine) == []:
        time.sleep(0.2)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        out = run("worker", "--once", "--smtp", url)
    assert recorder.recipients() == {a: 1 for a in project_copy["readers"]}
    texts = bodies(recorder)
    assert len(texts) == 10  # text and HTML of each of 5 messages
    assert all(APPROVED_TEXT in body and EDITED_TEXT not in body for body in texts)
    assert "5 sent, 0 failed" in out and "approved by Anna Nowak" in out


def test_two_approvals_need_two_different_people(project_copy):
    run, issue, tmp = project_copy["newsletter"], str(project_copy["issue"]), project_copy["tmp"]
    two = configured(tmp, "\n[review]\napprovals = 2\n", folder="two")
    first = run("approve", issue, "--by", "Anna Nowak", config=two)
    assert "1 of 2 approvals: 1 more person must approve" in first and "ready" not in first
    same = run("approve", issue, "--by", "  anna   NOWAK ", config=two)  # the same person
    assert "1 of 2 approvals" in same
    recorder = Recorder()
    with smtp_server(recorder) as url:
        refused = run("send", issue, "--smtp", url, config=two, code=1)
        assert "1 of 2 approvals: 1 more person must approve" in refused
        second = run("approve", issue, "--by", "Jan Kowalski", config=two)
        assert "approved by Anna Nowak, Jan Kowalski, last on" in second
        assert "ready to send" in second
        run("send", issue, "--smtp", url, config=two)
    assert len(recorder.received) == 5
    assert "approved by Anna Nowak, Jan Kowalski on " in run("sends", config=two)


def test_a_test_send_needs_no_approval_and_is_marked_as_a_test(project_copy):
    run, issue = project_copy["newsletter"], str(project_copy["issue"])
    recorder = Recorder()
    with smtp_server(recorder) as url:
        out = run("send", issue, "--smtp", url, "--to", "editor@um.krakow.pl")
    assert list(recorder.recipients()) == ["editor@um.krakow.pl"]
    assert "test send of 2020-12: draft: not approved yet" in out
    listing = run("sends")
    assert "test  issue 2020-12  sent " in listing
    assert "to 1 address  a draft (not approved)" in listing
    with open_database(project_copy["db"]).connect() as connection:  # not journaled
        assert connection.execute(sa.select(sa.func.count()).select_from(sends)).scalar() == 0


def test_with_review_off_a_send_goes_out_unapproved_as_built_then(project_copy):
    run, issue, tmp = project_copy["newsletter"], str(project_copy["issue"]), project_copy["tmp"]
    off = configured(tmp, "\n[review]\napprovals = 0\n", folder="off")
    recorder = Recorder()
    with smtp_server(recorder) as url:
        run("send", issue, "--smtp", url, config=off)
    assert len(recorder.received) == 5
    approved = run("approve", issue, "--by", "Anna Nowak", config=off)  # allowed, not needed
    assert "review off ([review] approvals = 0)" in approved and "ready to send" in approved
    assert "not reviewed ([review] approvals = 0), as built on " in run("sends", config=off)


def test_review_settings_are_checked_with_did_you_mean(tmp_path: Path):
    from newsletter.config import load_site
    from newsletter.exceptions import ContentError

    typo = configured(tmp_path, "\n[review]\napprovls = 2\n", folder="typo")
    with pytest.raises(ContentError) as wrong:
        load_site(typo)
    assert "unknown field 'approvls' — did you mean 'approvals'?" in str(wrong.value)
    negative = configured(tmp_path, "\n[review]\napprovals = -1\n", folder="negative")
    with pytest.raises(ContentError) as below:
        load_site(negative)
    assert "'approvals': input should be greater than or equal to 0" in str(below.value)


def test_approve_names_a_broken_issue_and_records_nothing(project_copy):
    run, folder = project_copy["newsletter"], project_copy["issue"]
    edited = edited_copy(folder, project_copy["tmp"] / "broken" / "2020-12",
                         {"issue.yaml": [("\nsubject:", "\nsubjct:")]})  # fmt: skip
    out = run("approve", str(edited), "--by", "Anna Nowak", code=1)
    assert "issue.yaml:" in out and "did you mean 'subject'" in out
    assert "draft: not approved yet" in run("approvals", str(folder))
