"""No page ends inside an address (render/address_breaks.py).

A long address in running text breaks across lines after its slashes and before its
hyphens; when that break was also a page's end, the address's parts stood on two pages
with the running foot and head between them: copied from the PDF, 'https://life' /
'3/5' / 'Business Kraków · July 2020' / '-science.example.com/…' (generated seed 9107,
judge copy). Seeded articles whose paragraphs hold long addresses, at every length that
moves a page's end through them; readers' and printer's PDFs, measured from their text.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from conftest import one_article_issue
from page_depth import measured_pages
from seeded import seeded

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download, write_print

WORDS = ["city", "business", "support", "programme", "innovation", "entrepreneurs", "market",
         "office", "grant", "partners", "digital", "services", "Kraków"]
ADDRESSES = ["https://life-science.example.com/participants/digital-innovation/2021",
             "https://www.dlabiznesu.krakow.pl/aktualnosci/artykuly/wsparcie-dla-firm",
             "invest-office@jestemaktywny-business.krakow.pl"]


def _body(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(9, 14)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(30, 70))]
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randrange(len(words)), rng.choice(ADDRESSES))
        paragraphs.append(" ".join(words).capitalize() + ".")
    return "\n\n".join(paragraphs)


def _cut(pdf: Path) -> list[str]:
    """Addresses whose start ends a page's last line and whose rest opens the next page."""
    pages = measured_pages(pdf)
    found = []
    for before, after in itertools.pairwise(pages):
        if not before.lines or not after.lines:
            continue
        end, start = before.lines[-1].text.split()[-1], after.lines[0].text.split()[0]
        found += [f"page {before.number}: {end!r} / {start!r}" for address in ADDRESSES
                  if end not in ADDRESSES and (end + start).replace("\u2011", "-") in address]
    return found


@pytest.mark.parametrize("writer", [write_download, write_print])
@pytest.mark.parametrize("seed", seeded(range(6)))
def test_no_page_ends_inside_an_address(project: Project, tmp_path, writer, seed):
    folder = one_article_issue(tmp_path / "2021-01", _body(random.Random(seed)),
                               title="Addresses", language="en")
    pdf = writer(load_issue(folder, project), project, tmp_path / "out").files[0]
    assert not _cut(pdf)
