"""A block of figures leaves its last row alone atop a page only when the page before
would end short otherwise (print style.css.j2 ``.figure-grid.kept``, page_fit.LAST_ROW).

The long corpus issue's last page held its last row of two figures alone above the
contact (0.20 of the page); hand-made issue 2028-02 set a block of twelve figures 8 / 4:
a last row alone reads as a stray, or as a block cut short. Kept with the row before it
always, the page before ended at 0.73 above a block of two rows one of which fitted
there (seed 15, ten figures): issue 17's depth goes first.

Inputs: seeded articles before a block of ``count`` figures (values 7101, 7102, … found
in the readers' PDF by ``pdftotext -bbox``: a row is the values at one height of a page)
and an article after it, so that the block falls at many depths of a page."""

from __future__ import annotations

import random
import re
import subprocess
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from page_depth import A4_HEIGHT, MARGIN_BOTTOM, MARGIN_TOP, MM, measured_pages
from seeded import seeded
from typeset_text import block_between_articles

from newsletter.load import load_issue
from newsletter.render.print import write_download

WORDS = ["miasto", "biznes", "wsparcie", "program", "innowacje", "przedsiębiorcy",
         "rynek", "urząd", "grant", "partnerzy", "cyfrowy", "usługi", "firmy"]
PADDING_PT = 4 * MM  # a figure's padding above its value (style.css.j2 .figure)
CASES = [(seed, 4 + seed % 9) for seed in range(9, 27)]
"""(seed, figures): every count from 4 to 12 twice, the paragraphs before them seeded
(seeds 16 and 26 left a last row alone atop a page before)."""


def issue_folder(root: Path, seed: int, count: int) -> Path:
    def figures(sentence: Callable[[int], str]) -> str:
        return "      - type: figures\n        title: W liczbach\n        items:\n" + "".join(
            f"          - {{value: '{7101 + index}', label: {sentence(rng.randint(1, 6))[:-1]}}}\n"
            for index in range(count))

    rng = random.Random(seed)
    return block_between_articles(root / f"figures-{seed}-{count}", rng, WORDS, figures,
                                  (3, 16), 6, "2029-03-01")


def row_tops(pdf: Path, count: int) -> dict[int, list[float]]:
    """The top of each row of the block (its values' tops, pt) on each page it is on."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    values = {str(7101 + index) for index in range(count)}
    tops: dict[int, list[float]] = defaultdict(list)
    for number, page in enumerate(xhtml.split("<page")[1:], start=1):
        for top, word in re.findall(r'yMin="([\d.]+)"[^>]*>([^<]+)</word>', page):
            if word in values:
                tops[number].append(float(top))
    assert sum(len(found) for found in tops.values()) == count
    return {page: [top for index, top in enumerate(sorted(found))
                   if not index or top - sorted(found)[index - 1] > 6]
            for page, found in tops.items()}


@pytest.mark.parametrize(("seed", "count"), seeded(CASES, lambda case: case[0] in (16, 26)))
def test_a_block_of_figures_leaves_its_last_row_alone_only_to_fill_a_page(
        project, tmp_path, seed, count):
    pdf = write_download(load_issue(issue_folder(tmp_path, seed, count), project), project,
                         tmp_path / "out").files[0]
    rows = row_tops(pdf, count)
    depths = [page.depth for page in measured_pages(pdf)]
    if len(rows) > 1 and len(rows[max(rows)]) == 1:
        # parted (page_fit.LAST_ROW): without the row before it, its page ended short
        top, bottom = MARGIN_TOP, A4_HEIGHT - MARGIN_BOTTOM
        before = (rows[min(rows)][-1] - PADDING_PT - top) / (bottom - top)
        assert before < 0.82, (rows, round(before, 2), depths)
    # … and every page it leaves early is still filled (page fitting measures the rows
    # that travel together: page_fit._rows_kept)
    assert all(depth >= 0.75 for depth in depths[1:-1]), depths
