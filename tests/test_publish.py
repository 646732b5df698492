"""`newsletter build` lays out the PDFs in worker processes: what it writes and says must
be what a build in one process writes and says, errors included."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import DATA, ROOT

from newsletter.exceptions import ContentError, Location, Problem

ISSUE = DATA / "every-block"


def build(*args: str, jobs: int, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("newsletter")
    env = {**os.environ, "NEWSLETTER_BUILD_JOBS": str(jobs)}
    return subprocess.run(
        [str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_workers_write_and_say_what_one_process_does(tmp_path: Path):
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs-{jobs}"
        done = build("build", str(ISSUE), "--out", str(out), jobs=jobs)
        assert done.returncode == 0, done.stderr
        files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
        assert any(p.suffix == ".pdf" for p in files)
        texts = {
            p: pdf_text(out / p) if p.suffix == ".pdf" else (out / p).read_bytes()
            for p in files if p.suffix in (".pdf", ".html", ".txt")
        }  # fmt: skip
        said = (done.stdout + done.stderr).replace(str(out), "OUT")
        said = "\n".join(line.split(" (")[0] for line in said.splitlines())  # sizes vary
        outputs[jobs] = (files, texts, said)
    assert outputs[1] == outputs[2]


def test_an_error_in_a_worker_is_the_one_clean_message_of_a_serial_build(tmp_path: Path):
    shutil.copy(ROOT / "newsletter.toml", tmp_path)
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "assets" / "fonts" / "source-sans-3" / "SourceSans3-Bold.ttf").unlink()
    said = {}
    for jobs in (1, 2):
        done = build("--config", str(tmp_path / "newsletter.toml"), "build", str(ISSUE),
                     "--out", str(tmp_path / "out"), "--only", "pdf,print", jobs=jobs)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert "font file for 'bold' not found" in done.stderr
        said[jobs] = done.stderr
    assert said[1] == said[2]


def test_problems_cross_processes_as_problems():
    problems = [Problem(Location(Path("issue.yaml"), 3), "unknown field 'titel'")]
    copy = pickle.loads(pickle.dumps(ContentError(problems)))
    assert isinstance(copy, ContentError)
    assert copy.problems == problems
    assert str(copy) == "issue.yaml:3: unknown field 'titel'"


def test_a_build_leaves_the_collector_as_it_found_it(project, tmp_path, monkeypatch):
    """PDFs are laid out with rare collections and the parent's objects frozen
    (newsletter/garbage.py); the preview and the server build in a process that lives on,
    so after a build, in workers or in the process itself, its collector's thresholds are
    its own again and nothing stays frozen (a frozen object is never freed)."""
    import gc

    from newsletter.load import load_issue
    from newsletter.output import EDITIONS
    from newsletter.publish import build as build_issue

    issue = load_issue(ISSUE, project)
    before = gc.get_threshold()
    for jobs in ("2", "1"):
        monkeypatch.setenv("NEWSLETTER_BUILD_JOBS", jobs)
        built = build_issue(issue, project, [EDITIONS["pdf"], EDITIONS["print"]], tmp_path / jobs,
                            languages=[issue.language])
        assert len(built.files) == 2
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0
