"""The generated issues that found faults before, built and judged again (bench/corpus.py).

    .venv/bin/python bench/regressions.py [--judges paper]

Each seed here once showed a fault of the paper's layout that a mend in newsletter/render/
answered; a test in tests/ keeps each class in small (a hand-built issue), and this replays
the seeds themselves, whose builds take a minute each: too long for CI. Prints what
bench/corpus.py prints for each group of features, then the seeds with faults; asserts
nothing. A seed's issue depends on tests/corpus/generate.py: when the generator changes,
a seed makes another issue, and its line here says what it found then.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import importlib.util

# bench/corpus.py by its path: "corpus" is tests/corpus, the generator and judges it imports
_spec = importlib.util.spec_from_file_location("bench_corpus", Path(__file__).with_name(
    "corpus.py"))
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)
JUDGES, PAPER = bench.JUDGES, bench.PAPER

ALL = frozenset({"office", "huge", "pictures", "tables", "footnotes", "long"})
SEEDS: dict[frozenset[str], dict[int, str]] = {
    ALL - {"huge"}: {
        9208: "en: a long article's start, picture shrunk, fitted the page before; its "
              "picture went below the text, overleaf (tests/render/test_moved_pictures.py)",
    },
    ALL - {"long"}: {
        8410: "pl p3 0.63: a subheading ending a body glued the article to the next",
        8404: "en p2 0.67: a short letter's signature gave no room",
    },
    ALL - {"huge", "office"}: {
        9627: "en p11 0.69: a short letter inside its section did not come up",
        9633: "pl p11 0.71: a section's intro never parted when its group's could not",
        9642: "pl p11-12: a card's picture credit split overleaf, over the next card",
        9660: "the printer's PDF: a page without lines stopped the build",
    },
    ALL: {
        9688: "pl p13 0.65: a card group's intro opening with a list glued it to the block "
              "before",
        9691: "en p12 0.68: a portrait 0.9 mm too tall for its floor; its head set tight",
        9692: "pl p3 0.62: a table card's credit taken for its text; start measured short",
        9714: "en p23 0.73: the same, another card",
        9728: "pl: a line ended 'transport S.' ('**S. 4**'): a capital abbreviation bound "
              "nothing",
        9735: "pl p22 0.65: a block carried to the contact's page stayed when earlier pages' "
              "fitting left p22 short (taken back now)",
        9742: "en p27 0.73: a title-less letter whose body opened with a list glued itself "
              "to the card above",
        9756: "pl: a table cell's '*… Pawła II 41 partner*' ended a line with '41': "
              "emphasis after an acronym cut at any character",
        9764: "en p4 0.74: every gap grown to its cap before a section opening that could not "
              "come up (stretched now)",
        9834: "en p18: a card's list nested three deep left a line narrower than "
              "'@jestemaktywny.krakow.pl', which ran over the next card",
        9836: "en p11-12: a picture moved below its first paragraphs stayed overleaf after a "
              "later layout gave its head's page 77 mm (taken back now)",
        9844: "en p33 0.74: a two-column article's end, its five gaps stretched, before an "
              "article whose head keeps a one-item list with it (lines feathered now)",
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--judges", default="paper",
                        help=f"comma-separated, of {', '.join(JUDGES)}, or 'paper' (default)")
    args = parser.parse_args()
    names = [n for part in args.judges.split(",") if part
             for n in (PAPER if part == "paper" else [part])] or list(JUDGES)
    failed: list[int] = []
    for features, seeds in SEEDS.items():
        for seed, found in seeds.items():
            print(f"{seed}: {found}")
        failed += bench.run(list(seeds), features, names)
    print(f"\nseeds with faults: {failed or 'none'}")


if __name__ == "__main__":
    main()
