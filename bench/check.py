"""Benchmark of ``newsletter check``: prints figures, asserts nothing.

    .venv/bin/python bench/check.py [--runs 7]

``check`` is what an editor runs after every edit, so it is timed as they meet it: the
whole process (start-up, imports, loading, the e-mail's predicted size in each language,
the fonts' coverage), on the sample and on the generated corpus's long issue
(tests/corpus/generate.py ``long``: Polish and English, about 5,000 words each, a dozen
cards, figures and pictures, tables and footnotes). Medians of N runs after a warm-up
(pictures derived, premailer's stylesheet and the templates kept in the user's cache),
wall clock and CPU time (user + system: closer to the cost on a shared machine), and
the load average. Issue 16 asks the long issue ≤ 2 s on a quiet machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from corpus.generate import ON_MAIN, long_issue


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    newsletter = str(Path(sys.executable).with_name("newsletter"))

    with tempfile.TemporaryDirectory() as tmp:
        issues = {
            "sample (issues/2020-12)": ROOT / "issues" / "2020-12",
            "long two-language issue": long_issue(Path(tmp), ON_MAIN | {"long"}).folder,
        }
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
        for name, folder in issues.items():
            command = [newsletter, "--config", str(ROOT / "newsletter.toml"), "check",
                       str(folder)]
            timed(command)  # warm-up
            runs = [timed(command) for _ in range(args.runs)]
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(f"check, {name} (median of {args.runs}): "
                  f"{statistics.median(walls):.2f} s wall (fastest {min(walls):.2f}), "
                  f"{statistics.median(cpus):.2f} s CPU")
        print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
