"""Loading issue files: the sample, and a corpus of mistakes editors make."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, shown

from newsletter.exceptions import ContentError
from newsletter.load import load_issue

BAD = sorted(p for p in (DATA / "bad").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_bad_issue_reports_every_problem_with_file_and_line(case: Path, project, monkeypatch):
    monkeypatch.chdir(case.parent)  # "not found in <folder>" names the folder as typed
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ContentError) as caught:
        load_issue(Path(case.name), project)
    assert [shown(p, case.resolve()) for p in caught.value.problems] == expected
