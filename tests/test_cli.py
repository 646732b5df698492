"""The `newsletter` command as an editor uses it: through click's runner and as a process."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT, SAMPLE, edited_copy, line_of

from newsletter.cli import main

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
    "new", "check", "build", "site", "preview", "send", "serve", "worker", "sends",
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
    assert checked.stdout.splitlines()[-1] == "OK" and "warning" not in checked.stderr


def test_check_warns_about_a_character_no_pdf_font_has(tmp_path: Path):
    issue = edited_copy(DATA / "every-block", tmp_path / "issue", {
        "issue.yaml": [("title: Cztery mapy", "title: Cztery mapy \U00013000 i 🗺️")],
    })
    checked = run("--config", str(ROOT / "newsletter.toml"), "check", "issue", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr  # a warning, not an error
    line = line_of(issue / "issue.yaml", "title: Cztery mapy")
    assert checked.stderr.splitlines() == [
        f"warning: issue/issue.yaml:{line}: '\U00013000' (U+13000 EGYPTIAN HIEROGLYPH A001) is "
        "in no font the PDFs embed (Source Sans 3, Noto Emoji); they print it as a box or in a "
        "font of the machine that builds them (e-mail and web use the reader's fonts)"
    ]
    assert checked.stdout.splitlines()[-1] == "OK (1 warning)"


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_bad_issue_as_a_process_exits_1_without_traceback(case: Path):
    result = run("check", case.name, cwd=case.parent)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    for line in expected:
        assert f"{case.name}/{line}" in result.stderr
    assert LOCATED.search(result.stderr)
