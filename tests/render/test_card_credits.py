"""A card's picture keeps its credit in every edition, as an article's picture does.

Hand-made issue 2027-06: a portrait and a panorama in cards, each with
``credit: "Illustration: Business Kraków"``, printed the credit nowhere: not in either
PDF, the e-mail or the web page (and ``check`` said nothing). A credit is the
photographer's right and the office's duty.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from newsletter.load import Project, load_issue
from newsletter.render.email import render_email
from newsletter.render.print import write_download, write_print
from newsletter.render.web import write_web

CREDIT = "Fot. Jan Nowicki / UMK"


def test_a_cards_picture_credit_is_in_every_edition(project: Project, tmp_path: Path):
    folder = tmp_path / "2021-01"
    (folder / "images").mkdir(parents=True)
    Image.new("RGB", (1600, 900), (60, 120, 180)).save(folder / "images" / "hall.png")
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: innovation\n    blocks:\n"
        "      - type: link_cards\n        title: Warto odwiedzić\n        cards:\n"
        "          - title: Sukiennice\n            url: https://www.krakow.pl/\n"
        "            text: Hala targowa w sercu miasta.\n"
        "            image:\n              file: images/hall.png\n"
        "              alt: Hala w słońcu\n"
        f"              credit: {CREDIT}\n"
        "          - title: Ratusz\n            url: https://www.krakow.pl/ratusz\n"
        "            text: Wieża ratuszowa.\n", encoding="utf-8")
    issue = load_issue(folder, project)
    for writer in (write_download, write_print):
        pdf = writer(issue, project, tmp_path / writer.__name__).files[0]
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert CREDIT in " ".join(text.split()), writer.__name__
    assert CREDIT in render_email(issue, project).html.replace("\u00a0", " ")
    web = write_web(issue, project, tmp_path / "web").files[0]
    assert CREDIT in web.read_text(encoding="utf-8").replace("\u00a0", " ")
