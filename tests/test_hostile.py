"""Hostile and broken issues end in file:line messages, in little memory, never a traceback.

Every case runs as a process, as an editor runs `newsletter check`, and reports its own
peak memory. No test asserts time (house rule: the machine is shared); bench/hostile.py
prints it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SAMPLE
from hostile import GENERATED, run_measured

BAD = sorted(p for p in (DATA / "bad").iterdir() if p.is_dir())
PEAK_MB = 200
CONFIG = str(ROOT / "newsletter.toml")

EXPECTED = {
    "big-issue-50mb": "big-issue-50mb/issue.yaml: the file is 50.0 MB, over the limit of 128 KB",
    "big-block-file-150kb": "issue.yaml:5: 'long.md': the file is 152 KB, over the limit of "
    "128 KB",
    "block-file-named-5000-times": "issue.yaml:6: 'part.md': the issue's files add up to "
    "more than 256 KB",
    "big-image-file-30mb": "issue.yaml:9: image 'images/big.jpg' is 30 MB, over the limit of "
    "25 MB",
    "truncated-jpeg-6000x4000": "issue.yaml:9: image 'images/cut.jpg' is truncated or corrupt",
}


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_bad_case_stays_small(case: Path):
    result = run_measured(["--config", CONFIG, "check", case.name], cwd=case.parent)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.peak_mb < PEAK_MB


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_case_is_refused_in_little_memory(name: str, tmp_path: Path):
    GENERATED[name](tmp_path / name)
    result = run_measured(["--config", CONFIG, "check", name], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert EXPECTED[name] in result.stderr
    assert result.peak_mb < PEAK_MB


def test_soft_line_breaks_from_word_build_the_email(tmp_path: Path):
    """Word's Shift+Enter (\\v) crashed the e-mail build (lxml refuses control characters)."""
    issue = tmp_path / "2020-12"
    shutil.copytree(SAMPLE, issue)
    letter = issue / "mayor-letter.md"
    letter.write_text(letter.read_text().replace(", ", ",\x0b", 3).replace(". ", ".\u2028", 2))
    yaml_file = issue / "issue.yaml"
    subject = re.compile(r"^  en: Business Kraków — December 2020$", re.MULTILINE)
    yaml_file.write_text(subject.sub(r'  en: "Soft\\vbreak\\f"', yaml_file.read_text(), 1))
    checked = run_measured(["--config", CONFIG, "check", str(issue)], cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    out = str(tmp_path / "out")
    built = run_measured(
        ["--config", CONFIG, "build", str(issue), "--only", "email", "--out", out],
        cwd=tmp_path, timeout=120,
    )
    assert built.returncode == 0, built.stderr
    html = (tmp_path / "out" / "2020-12" / "email.html").read_text()
    assert "Soft break" in html
    assert not any(c in html for c in "\x0b\x0c\u2028")
