"""A kicker (letter-spaced capitals) copies from the PDFs as typed.

Typography keeps "COVID-19" and "2019–2020" whole with a word joiner after the dash; in a
kicker the letter spacing was added after the joiner too, and poppler read the gap as a
space: "COVID- 19" (generated seed 9394, en).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download, write_print


@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_kickers_codes_and_ranges_copy_whole(project: Project, tmp_path: Path, language):
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        f"date: 2021-01-01\nlanguage: {language}\nsections:\n  - kind: cooperation\n"
        "    blocks:\n      - type: article\n        kicker: COVID-19 aid 2019–2020 31-156\n"
        "        title: Help for firms\n        body: The city helps firms.\n",
        encoding="utf-8")
    issue = load_issue(folder, project)
    for writer in (write_download, write_print):
        pdf = writer(issue, project, tmp_path / writer.__name__).files[0]
        copied = subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                                capture_output=True, text=True).stdout
        assert "COVID-19 AID 2019–2020 31-156" in copied.replace("\u00a0", " "), \
            [line for line in copied.splitlines() if "COVID" in line]
