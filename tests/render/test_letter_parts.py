"""A letter's parts that read as one stay on one page of the PDFs (issue 17 item 2).

An editor's letter ended its page with "Z wyrazami szacunku," and put the signature
overleaf; a greeting could end a page the same way, above its letter's first line. Here
many letters of seeded lengths follow each other, so some greetings and closings fall at
a page's foot; each must share its page with what it opens or closes.
"""

from __future__ import annotations

import random
import re

from page_depth import measured_pages

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

WORDS = ("city", "grant", "office", "company", "market", "plan", "team", "street", "year",
         "business", "loan", "form")


def _letter(rng: random.Random, number: int) -> str:
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 160)))
    return (f"      - type: letter\n        greeting: Dear Reader {number:02},\n"
            f"        body: |\n          {body.capitalize()}.\n"
            f"        closing: |\n          Kind regards {number:02},\n"
            f"        signature:\n          name: Signer {number:02}\n")


def test_a_letters_greeting_and_closing_share_a_page_with_its_text_and_signature(
        project: Project, tmp_path):
    rng = random.Random(17)
    folder = tmp_path / "letters"
    folder.mkdir()
    letters = "".join(_letter(rng, number) for number in range(24))
    (folder / "issue.yaml").write_text(
        f"date: 2021-01-01\nsections:\n  - kind: cooperation\n    blocks:\n{letters}",
        encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path).files[0]
    page_of: dict[str, int] = {}
    following: dict[str, int] = {}
    pages = measured_pages(pdf)
    lines = [(page.number, line.text) for page in pages for line in page.lines]
    for index, (number, text) in enumerate(lines):
        for mark in ("Dear Reader", "Kind regards", "Signer"):
            found = re.match(rf"{mark} (\d\d)\b", text)
            if found:
                key = f"{mark} {found.group(1)}"
                page_of[key] = number
                following[key] = lines[index + 1][0] if index + 1 < len(lines) else number
    assert len(page_of) == 72 and len(pages) >= 4
    apart = [n for n in range(24)
             if page_of[f"Kind regards {n:02}"] != page_of[f"Signer {n:02}"]
             or following[f"Dear Reader {n:02}"] != page_of[f"Dear Reader {n:02}"]]
    assert not apart, apart
