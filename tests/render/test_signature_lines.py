"""A signature's role keeps the lines the editor wrote it in, in every edition.

A director signs with her post, her office and a second post, each on a line of its own
(``role: |`` in YAML). Every edition ran them together into one title ("… Department City
of Kraków Plenipotentiary of the Mayor …", hand-made issues 2025-09 and 2026-02), and the
PDF hyphenated it ("Eco- / nomy").
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from editions import visible_text

from newsletter.load import Project, load_issue
from newsletter.publish import build, choose_editions

ROLE = ["Director of the Entrepreneurship and Innovation Department", "City of Kraków",
        "Plenipotentiary of the Mayor for the Economy"]


def test_a_signatures_role_keeps_its_lines_in_every_edition(project: Project, tmp_path: Path):
    folder = tmp_path / "2021-01"
    folder.mkdir()
    role = "".join(f"            {line}\n" for line in ROLE)
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: letter\n        title: Open doors\n        body: |\n"
        "          Dear Readers, the office is open to every company in the city.\n"
        "        signature:\n          name: Dr Katarzyna Zielińska\n          role: |\n"
        + role, encoding="utf-8")
    issue = load_issue(folder, project)
    build(issue, project, choose_editions(None), tmp_path / "out")
    out = tmp_path / "out" / issue.id
    text = (out / "email.txt").read_text(encoding="utf-8")
    assert "\n".join(ROLE) in text, text
    for html in (out / "email.html", out / "web" / "index.html"):
        source = html.read_text(encoding="utf-8")
        assert re.search(r"\s*<br>\s*".join(map(re.escape, ROLE)), source), html
        assert all(line in visible_text(html) for line in ROLE), html
    for pdf in out.glob("*.pdf"):
        lines = [line.strip() for line in subprocess.run(
            ["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], check=True,
            capture_output=True, text=True).stdout.splitlines()]
        assert all(line in lines for line in ROLE), (pdf.name, lines)
