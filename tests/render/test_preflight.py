"""The printer's PDF as a print shop's preflight checks it, measured from the PDF itself
(pikepdf's content streams and keys, poppler's rendering): colours by plate, bleed,
annotations, pictures' inks."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT, SAMPLE
from pdf_paint import inks, paint_of

from newsletter.load import load_issue, load_project
from newsletter.render.print import write_print

SMALL_PT = 9  # captions, credits, running heads: registration shows at this size


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    return write_print(issue, project, tmp_path_factory.mktemp("preflight")).files[0]


def test_black_text_is_solid_black_ink_and_small_text_one_ink(printed):
    """Body text on the black plate alone at 100 %: a tint is screened into dots (ragged
    letter edges at 10 pt) and a rich black misregisters. Small print (captions, credits,
    running heads) on one plate: three inks at 7.5 pt show colour fringes on press."""
    with pikepdf.open(printed) as pdf:
        glyphs = paint_of(pdf).glyphs
    by_colour: dict = {}
    for (colour, _), count in glyphs.items():
        by_colour[colour] = by_colour.get(colour, 0) + count
    body = max(by_colour, key=by_colour.get)
    assert body == ("DeviceCMYK", (0.0, 0.0, 0.0, 1.0)), body
    small = {colour for (colour, size), count in glyphs.items() if size < SMALL_PT}
    assert small and all(inks(colour) <= 1 for colour in small), small
