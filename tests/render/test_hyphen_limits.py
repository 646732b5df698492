"""On paper a hyphen leaves at least as many letters on each line as the language asks
(``hyphen_limits`` in strings.yaml: English 2 before, 3 after).

Hand-made issue 2026-06 (en): "…a summary of the Economic For-" / "um." left two letters
on the letter's last line, a break an English typesetter does not make.
"""

from __future__ import annotations

import itertools
import random
import re
import subprocess
from pathlib import Path

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

WORDS = ["forum", "Economic", "solution", "cooperation", "entrepreneurs", "planning",
         "region", "museum", "council", "opinion", "station", "minimum", "Krakow",
         "market", "office", "grant", "partners", "digital", "services", "business"]


def test_an_english_hyphen_leaves_three_letters_on_the_next_line(project: Project,
                                                                 tmp_path: Path):
    rng = random.Random(3)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 70))) + "."
                  for _ in range(24)]
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "note.md").write_text("---\ntitle: The Economic Forum\n---\n"
                                    + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - file: note.md\n", encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    lines = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    # (a hyphen at a page's foot is followed by the folio and the running head)
    breaks = [(line, after) for line, after in itertools.pairwise(lines)
              if line.endswith("\u00ad") and re.match(r"[^\W\d_]", after)]
    assert len(breaks) > 10, len(breaks)  # the text is hyphenated
    short = [f"{line[-12:]} / {after[:12]}" for line, after in breaks
             if len(re.match(r"\w*", after).group()) < 3
             or len(re.search(r"\w*\u00ad$", line).group()) - 1 < 2]
    assert not short, short
