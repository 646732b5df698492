"""The cover's lead picture carries its credit, and prints as sharp as in its article
(render/print.py ``Pictures.src``): hand-made issue 2029-06's cover showed a portrait
without "Photo: Paweł Kłos / HeatLoop", and the printer's PDF set it from the article's
smaller file at 294 ppi, under the 300 printers need and with no warning.

Inputs: an issue whose lead story has a portrait, a landscape or a square picture with
plenty of pixels; both PDFs, read with pdftotext and ``pdfimages -list``."""

from __future__ import annotations

import subprocess

import pytest
from conftest import one_article_issue
from PIL import Image

from newsletter.load import load_issue
from newsletter.render.print import write_download, write_print

SHAPES = {"portrait": (1200, 1800), "landscape": (2400, 1600), "square": (1500, 1500)}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_cover_picture_has_its_credit_and_prints_sharp(project, tmp_path, shape):
    folder = one_article_issue(tmp_path / "2029-06", "Ciepło z pieców piekarni. " * 120,
                               "Ciepło, które uciekało kominem", "pl",
                               lead="Start-up z Zabłocia odzyskuje ciepło z pieców.")
    (folder / "images").mkdir()
    Image.effect_noise(SHAPES[shape], 40).convert("RGB").save(folder / "images" / "p.jpg")
    text = (folder / "issue.yaml").read_text(encoding="utf-8")
    (folder / "issue.yaml").write_text(text.replace(
        "        body: |", "        image: {file: images/p.jpg, alt: Portret, "
        "credit: Fot. Paweł Kłos / HeatLoop}\n        body: |"), encoding="utf-8")
    issue = load_issue(folder, project)
    for write in (write_download, write_print):
        pdf = write(issue, project, tmp_path / write.__name__).files[0]
        cover = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
                               capture_output=True, text=True, check=True).stdout
        assert "Fot. Paweł Kłos / HeatLoop" in cover, (write.__name__, cover[:300])
    listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    on_cover = [row.split() for row in listed if row.split()[0] == "1"]
    assert on_cover and all(int(row[12]) >= 300 for row in on_cover), listed
