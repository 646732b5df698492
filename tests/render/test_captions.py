"""A picture's credit is set under it, as wide as the picture (at least 60 mm, centred
under a narrower one, its lines centred too), in both PDFs.

Hand-made issue 2025-05: a 300×1200 banner set about 30 mm wide, centred, had its
65-word credit start under its left edge and run on to the column's right edge, four
times the picture's width, away from it.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from page_depth import measured_pages
from pdf_boxes import image_boxes
from PIL import Image

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

MM = 72 / 25.4
CREDIT = ("The guild banner of the Kraków tailors from 1850 kept in the Historical Museum "
          "of the City of Kraków photographed for this issue with the kind permission of "
          "the museum and its curators in the spring of this year by the office")


@pytest.mark.parametrize("size", [(300, 1200), (900, 1000), (2400, 1500)])
def test_a_credit_is_set_under_its_picture(project: Project, tmp_path: Path, size):
    """(The printer's PDF is set by the same style; its bleed moves its coordinates.)"""
    folder = tmp_path / "2021-01"
    (folder / "images").mkdir(parents=True)
    Image.new("RGB", size, (90, 140, 200)).save(folder / "images" / "banner.png")
    (folder / "banner.md").write_text(
        "---\ntitle: The guild banner\n"
        f"image: {{file: images/banner.png, alt: A blue banner, credit: {CREDIT}}}\n---\n"
        "The banner was made for the guild's two hundredth year.\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nsections:\n  - kind: past\n    blocks:\n      - file: banner.md\n",
        encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    page = measured_pages(pdf)[1]
    with pikepdf.open(pdf) as document:
        left, _, right, _ = max((box for _, box in image_boxes(document.pages[1])),
                                key=lambda box: box[3] - box[1])
    width = max(right - left, 60 * MM)
    middle = (left + right) / 2
    credit = [line for line in page.lines
              if any(word in line.text for word in ("guild banner of", "Museum", "curators"))
              and "made for" not in line.text]
    assert len(credit) >= 2, [line.text for line in page.lines]
    outside = [(line.text, round(line.x0), round(line.x1)) for line in credit
               if line.x0 < middle - width / 2 - 1 or line.x1 > middle + width / 2 + 1]
    assert not outside, (round(left), round(right), outside)
    if right - left >= 60 * MM:
        assert abs(credit[0].x0 - left) < 1.5, (credit[0].x0, left)
    else:  # wider than the picture, its lines are centred under it (hand-made 2028-05:
        # "Fot. Tomasz Wrona" began 12 mm left of a portrait's edge)
        off = [line.text for line in credit if abs((line.x0 + line.x1) / 2 - middle) > 1.5]
        assert not off, off
