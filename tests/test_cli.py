"""The `newsletter` command as an editor uses it: through click's runner and as a process."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT, SAMPLE, edited_copy, editor_warnings, line_of, ok_line

from newsletter.cli import main
from newsletter.commands.options import IssueFolder

BAD = sorted(p for p in (DATA / "bad").iterdir() if p.is_dir())
LOCATED = re.compile(r"^\S+\.(yaml|md):\d+: .+", re.MULTILINE)


@pytest.fixture
def fresh_project(tmp_path: Path) -> Path:
    """An empty newsletter project: configuration, theme and templates, no issues."""
    shutil.copy(ROOT / "newsletter.toml", tmp_path)
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    exe = Path(sys.executable).with_name("newsletter")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_new_then_check_passes(fresh_project: Path, monkeypatch):
    monkeypatch.chdir(fresh_project)
    runner = CliRunner()
    created = runner.invoke(main, ["new", "2021-01"])
    assert created.exit_code == 0, created.output
    issue = fresh_project / "issues" / "2021-01"
    assert {p.name for p in issue.iterdir()} >= {"issue.yaml", "letter.md", "article.md"}
    checked = runner.invoke(main, ["check", "issues/2021-01"])
    assert checked.exit_code == 0, checked.output
    assert "3 sections" in checked.output
    # every block type is shown to the editor
    assert "article" in checked.output and "letter" in checked.output
    assert "link_cards" in checked.output and "figures" in checked.output
    assert "2021-01-01" in checked.output  # the date comes from the id
    # the subject names the month mid-line, in each language's own case
    subject = (issue / "issue.yaml").read_text(encoding="utf-8")
    assert "pl: Business Kraków — styczeń 2021" in subject
    assert "en: Business Kraków — January 2021" in subject


def test_new_refuses_to_overwrite_and_bad_ids(fresh_project: Path, monkeypatch):
    monkeypatch.chdir(fresh_project)
    runner = CliRunner()
    assert runner.invoke(main, ["new", "2021-01"]).exit_code == 0
    again = runner.invoke(main, ["new", "2021-01"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    bad = runner.invoke(main, ["new", "January 2021"])
    assert bad.exit_code == 1
    assert "not a valid issue id" in bad.output


def test_check_bad_issue_lists_problems_and_exits_1(monkeypatch):
    monkeypatch.chdir(DATA / "bad")
    result = CliRunner().invoke(main, ["check", "unknown-field"])
    assert result.exit_code == 1
    assert "unknown-field/issue.yaml:6: unknown field 'titel' — did you mean 'title'?" in (
        result.output
    )
    assert "2 problems found." in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unwritable_output_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    inside = blocker / "build"
    result = run("build", "issues/2020-12", "--only", "email", "--out", str(inside))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"error: {inside}" in result.stderr and "Not a directory" in result.stderr


def test_build_rejects_unknown_edition_with_suggestion():
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "--only", "emial"])
    assert result.exit_code == 1
    assert "unknown edition 'emial' — did you mean 'email'?" in result.output


VERBS = [
    "new", "check", "build", "site", "preview", "send", "serve", "worker", "sends", "backup",
    "restore", "doctor", "approve", "approvals",
    *(f"sends {verb}" for verb in ("pause", "resume", "cancel")),
    *(f"subscribers {verb}" for verb in ("import", "add", "remove", "list", "count", "export",
                                         "show")),
]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help_with_an_example(verb: str):
    result = CliRunner().invoke(main, [*verb.split(), "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert f"newsletter {verb} " in result.output


def test_version_and_sample_check_as_a_process():
    version = run("--version")
    assert version.returncode == 0
    assert re.match(r"newsletter, version \d+\.\d+", version.stdout)
    checked = run("check", "issues/2020-12")
    assert checked.returncode == 0, checked.stderr
    assert "3 sections" in checked.stdout
    # the sample's drawings are 1200 px, light on purpose (scripts/draw_sample_images.py):
    # check says what the printer's PDF will, and nothing else
    warnings = checked.stderr.splitlines()
    assert checked.stdout.splitlines()[-1] == f"OK ({len(warnings)} warnings)"
    assert warnings and all("ppi (printers need 300)" in w for w in warnings), warnings


def test_check_warns_about_a_character_no_pdf_font_has(tmp_path: Path):
    issue = edited_copy(DATA / "every-block", tmp_path / "issue", {
        "issue.yaml": [("title: Cztery mapy", "title: Cztery mapy \U00013000 i 🗺️")],
    })
    checked = run("--config", str(ROOT / "newsletter.toml"), "check", "issue", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr  # a warning, not an error
    line = line_of(issue / "issue.yaml", "title: Cztery mapy")
    assert editor_warnings(checked.stderr) == [
        f"warning: issue/issue.yaml:{line}: '\U00013000' (U+13000 EGYPTIAN HIEROGLYPH A001) is "
        "in no font the PDFs embed (Source Sans 3, Noto Emoji); they print it as a box or in a "
        "font of the machine that builds them (e-mail and web use the reader's fonts)"
    ]
    assert checked.stdout.splitlines()[-1] == ok_line(checked.stderr)


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_bad_issue_as_a_process_exits_1_without_traceback(case: Path):
    result = run("check", case.name, cwd=case.parent)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    for line in expected:
        assert f"{case.name}/{line}" in result.stderr
    assert LOCATED.search(result.stderr)


def test_a_locked_or_full_database_is_one_line_and_exit_75(tmp_path: Path):
    """A fault that may pass (the database locked past its timeout, the disk full) ends
    in one line and EX_TEMPFAIL (75), which service managers and Postfix's pipe read as
    "try again"; never a traceback."""
    import os
    import sqlite3

    db = tmp_path / "list.db"
    assert run("subscribers", "add", "--db", str(db), "ada@example.org").returncode == 0
    env = {**os.environ, "NEWSLETTER_BUSY_TIMEOUT": "0.2"}

    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")  # another writer holds the lock
    try:
        locked = subprocess.run(
            [str(Path(sys.executable).with_name("newsletter")), "subscribers", "add", "--db",
             str(db), "bob@example.org"], capture_output=True, text=True, timeout=60, env=env)
    finally:
        holder.rollback()
        holder.close()
    assert locked.returncode == 75, locked.stderr
    assert "Traceback" not in locked.stderr
    assert "locked" in locked.stderr and len(locked.stderr.strip().splitlines()) == 1

    # A full disk: SQLite's own limit on the file's pages gives the same SQLITE_FULL.
    filler = sqlite3.connect(db)
    pages = filler.execute("PRAGMA page_count").fetchone()[0]
    filler.close()
    full = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(db), str(pages)],
        capture_output=True, text=True, timeout=60, env=env)
    assert full.returncode == 75, full.stderr
    assert "Traceback" not in full.stderr
    assert "disk is full" in full.stderr.strip().splitlines()[-1]
    listed = run("subscribers", "list", "--db", str(db))
    assert "ada@example.org" in listed.stdout  # nothing already there was lost


# Runs the CLI with every new connection capped at the file's current size, as a full
# disk would stop it: the first page the import needs fails with SQLITE_FULL.
_FULL_DISK = """
import sys
import sqlalchemy as sa
from newsletter.cli import main

db, pages = sys.argv[1], int(sys.argv[2])

@sa.event.listens_for(sa.engine.Engine, "connect")
def _cap(dbapi_connection, _record):
    dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

rows = "".join(f"person{i}@example.org,Person {i} {'x' * 150}\\n" for i in range(2000))
csv = db + ".csv"
with open(csv, "w") as file:
    file.write("email,name\\n" + rows)
main(["subscribers", "import", "--db", db, csv], prog_name="newsletter")
"""


def test_an_issue_outside_the_project_uses_the_project_the_command_runs_in(tmp_path: Path):
    """docs/authoring.md: every command finds newsletter.toml in the folder it runs from
    or above; an issue kept elsewhere (a shared drive) is not refused for having none."""
    elsewhere = edited_copy(SAMPLE, tmp_path / "shared-drive" / "2020-12", {})
    checked = run("check", str(elsewhere))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[-1] == ok_line(checked.stderr)
    lost = run("check", str(elsewhere), cwd=tmp_path)  # no project here or above either
    assert lost.returncode == 1 and "no newsletter.toml" in lost.stdout + lost.stderr


def test_a_servers_commands_find_the_sites_issue_from_any_folder(tmp_path, monkeypatch):
    """docs/deployment.md runs `newsletter --config /srv/…/newsletter.toml send
    issues/2021-01` from wherever the admin's shell is: the issue is the site's, not the
    working directory's ("no such issue folder"). Found in the site, the path is absolute,
    so a scheduled send's journal leads the worker back to it."""
    monkeypatch.chdir(tmp_path)
    config = str(ROOT / "newsletter.toml")
    issue = str(SAMPLE.relative_to(ROOT))
    checked = CliRunner().invoke(main, ["--config", config, "check", issue])
    assert checked.exit_code == 0, checked.output
    config_after_verb = CliRunner().invoke(main, ["check", issue, "--config", config])
    assert config_after_verb.exit_code == 0, config_after_verb.output
    with click.Context(main, obj={"config": ROOT / "newsletter.toml"}) as ctx:
        assert IssueFolder().convert(issue, None, ctx) == SAMPLE
    missing = CliRunner().invoke(main, ["--config", config, "check", "issues/1999-01"])
    assert missing.exit_code != 0 and "issues/1999-01" in missing.output
