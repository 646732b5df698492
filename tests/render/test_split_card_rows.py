"""A group of cards without pictures that page fitting sets card under card to fill a page
goes on so to its end (render/paper_grids.split_rows): hand-made issue 2029-06 (en) set
five webinar cards as three across the page, one under another, then a row of two half
as wide: three widths in one group.

Inputs: seeded articles before a group of five or seven text cards (titles "Karta 1"…,
found by ``pdftotext -bbox``) and an article after it, so that the group falls at many
depths of a page; the readers' PDF."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from seeded import seeded
from typeset_text import block_between_articles

from newsletter.load import load_issue
from newsletter.render.print import write_download

WORDS = ["webinar", "audyt", "energia", "firma", "rower", "grant", "dach", "pompa", "ciepło",
         "umowa", "biuro", "dostawa"]


def issue_folder(root: Path, seed: int, cards: int) -> Path:
    def group(sentence: Callable[[int], str]) -> str:
        return "      - type: link_cards\n        title: Webinaria\n        cards:\n" + "".join(
            f"          - title: Karta {n + 1} {sentence(rng.randint(2, 5))[:-1]}\n"
            f"            text: {sentence(rng.randint(15, 45))}\n"
            f"            url: https://www.dlabiznesu.krakow.pl/{n}\n" for n in range(cards))

    rng = random.Random(seed)
    return block_between_articles(root / f"cards-{seed}-{cards}", rng, WORDS, group,
                                  (2, 14), 5, "2029-06-01")


def title_lefts(pdf: Path, cards: int) -> list[float]:
    """The left edge of each card's title ("Karta n"), in the group's order."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    words = re.findall(r'xMin="([\d.]+)"[^>]*>([^<]+)</word>', xhtml)
    lefts = {}
    for (x, word), (_, number) in itertools.pairwise(words):
        if word == "Karta" and number.isdigit() and int(number) not in lefts:
            lefts[int(number)] = float(x)
    assert sorted(lefts) == list(range(1, cards + 1)), lefts
    return [lefts[n] for n in range(1, cards + 1)]


@pytest.mark.parametrize(("seed", "cards"),
                         [(seed, 5 + 2 * (seed % 2)) for seed in seeded(range(1, 21))])
def test_cards_set_one_under_another_stay_so_to_the_groups_end(project, tmp_path, seed, cards):
    pdf = write_download(load_issue(issue_folder(tmp_path, seed, cards), project), project,
                         tmp_path / "out").files[0]
    lefts = title_lefts(pdf, cards)
    edge = min(lefts)
    # a card under the one before it, both at the left edge: the group was split there
    stacked = next((n for n in range(1, cards) if lefts[n - 1] - edge < 2
                    and lefts[n] - edge < 2 and lefts[n - 1] == lefts[n]), None)
    if stacked is not None:
        assert all(left - edge < 2 for left in lefts[stacked:]), lefts
