"""The generated corpus at scale: builds N issues, runs every judge, prints faults per judge.

    .venv/bin/python bench/corpus.py --issues 100 [--seed 1] [--features tables,footnotes]
    .venv/bin/python bench/corpus.py --issues 20 --show 5     # the first 5 faults of each judge
    .venv/bin/python bench/corpus.py --issues 100 --judges paper   # the paper's judges only
    .venv/bin/python bench/corpus.py --seeds 9208,9692 --features office,long --judges paper

Issue ``corpus-<seed>`` … ``corpus-<seed+N-1>`` (tests/corpus/generate.py), or the seeds
listed with ``--seeds`` (bench/regressions.py replays those that found faults), are written
and built with every edition into a temporary folder, served on loopback for Chromium, and
judged (tests/corpus/judges.py). Prints the issues, the faults per judge (and how many issues
had any), the seeds with faults, and the time per issue (generate, build, judge). Asserts
nothing: issue 16 asks for all judges at 0 over N ≥ 100 with the features main supports.
The picture cache is a temporary folder (NEWSLETTER_IMAGE_CACHE), never the user's.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import os
import shutil
import tempfile
import time
from collections import Counter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from corpus.build import build_issue, served
from corpus.generate import FEATURES, generate
from corpus.judges import JUDGES, PAPER, judge_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--seeds", default="",
                        help="comma-separated seeds to build instead (--issues, --seed unused)")
    parser.add_argument("--features", default="",
                        help=f"comma-separated, of {', '.join(sorted(FEATURES))} (default: none)")
    parser.add_argument("--show", type=int, default=2, help="faults printed per judge")
    parser.add_argument("--judges", default="",
                        help=f"comma-separated, of {', '.join(JUDGES)}, or 'paper' (default: "
                             f"all); with the paper's alone only the PDFs are built")
    args = parser.parse_args()
    names = [n for part in args.judges.split(",") if part
             for n in (PAPER if part == "paper" else [part])] or list(JUDGES)
    features = frozenset(f for f in args.features.split(",") if f)
    seeds = [int(seed) for seed in args.seeds.split(",") if seed] \
        or list(range(args.seed, args.seed + args.issues))
    failed = run(seeds, features, names, args.show)
    print(f"seeds with faults: {failed or 'none'}")


def run(seeds: list[int], features: frozenset[str], names: list[str], show: int = 2,
        ) -> list[int]:
    """Build and judge the generated issue of each of ``seeds``; print what was found and
    the time it took; return the seeds with faults."""
    editions = ["pdf", "print"] if set(names) <= set(PAPER) else None
    os.environ["NEWSLETTER_IMAGE_CACHE"] = tempfile.mkdtemp(prefix="corpus-cache-")
    from playwright.sync_api import sync_playwright

    faults: dict[str, list[str]] = {name: [] for name in names}
    issues_with: Counter[str] = Counter()
    failed_seeds: dict[int, list[str]] = {}
    times = {"generate": 0.0, "build": 0.0, "judge": 0.0}
    with tempfile.TemporaryDirectory(prefix="corpus-") as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        sources, out = Path(tmp) / "issues", Path(tmp) / "build"
        with served(out) as project:
            for seed in seeds:
                start = time.perf_counter()
                written = generate(seed, sources, features)
                built_at = time.perf_counter()
                try:
                    built = build_issue(written.folder, project, out, editions)
                except Exception as exc:  # a build that fails is a fault of its own
                    faults.setdefault("build", []).append(f"corpus-{seed}: {exc}")
                    failed_seeds.setdefault(seed, []).append("build")
                    issues_with["build"] += 1
                    continue
                judged_at = time.perf_counter()
                for name, found in judge_all(built, browser, names).items():
                    faults[name] += [f"corpus-{seed}: {f}" for f in found]
                    if found:
                        issues_with[name] += 1
                        failed_seeds.setdefault(seed, []).append(name)
                end = time.perf_counter()
                times["generate"] += built_at - start
                times["build"] += judged_at - built_at
                times["judge"] += end - judged_at
                shutil.rmtree(built.folder, ignore_errors=True)
                shutil.rmtree(written.folder, ignore_errors=True)
                print(f"  corpus-{seed}: {', '.join(written.languages)}, "
                      f"{len(written.pictures)} pictures, {end - start:.1f} s"
                      + (f"  FAULTS: {', '.join(failed_seeds[seed])}" if seed in failed_seeds
                         else ""), flush=True)
        browser.close()
    n = len(seeds)
    named = f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[0] + n)) \
        else ", ".join(map(str, seeds))
    print(f"\nissues: {n} (seeds {named}), features: {', '.join(sorted(features)) or 'none'}")
    print(f"{'judge':<12} {'faults':>7} {'issues':>7}")
    for name, found in faults.items():
        print(f"{name:<12} {len(found):>7} {issues_with[name]:>7}")
        for fault in found[:show]:
            print(f"    {fault[:300]}")
    total = sum(times.values())
    print(f"time per issue: {total / n:.1f} s (generate {times['generate'] / n:.1f}, "
          f"build {times['build'] / n:.1f}, judge {times['judge'] / n:.1f})")
    return sorted(failed_seeds)


if __name__ == "__main__":
    main()
