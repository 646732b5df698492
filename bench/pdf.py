"""Benchmark of the PDF editions: prints figures, asserts nothing.

    .venv/bin/python bench/pdf.py [--runs 5]

Builds both PDFs of the sample (readers' download and printer's PDF/X-4):
1. in separate processes (`newsletter build --only pdf,print`), wall time and peak RSS;
2. in-process, after a warm-up (WeasyPrint imported, fonts and images cached).
3. both languages of the sample (en, pl) against the main one alone (target: ≤ 2×).
Medians of N runs; WeasyPrint's font cache is warm (a first build runs before timing), and
so is the layout cache (render/layout_cache.py); (1) is also given without it, as an
issue's first build is.
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
sys.path.insert(0, str(ROOT))

from newsletter.load import load_issue, load_project
from newsletter.render.print import write_download, write_print

SAMPLE = ROOT / "issues" / "2020-12"


def child_run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(command, check=True, capture_output=True,
                   env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: run the biggest first (warm-up).
    return wall, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    newsletter = Path(sys.executable).with_name("newsletter")

    with tempfile.TemporaryDirectory() as tmp:
        command = [str(newsletter), "build", str(SAMPLE), "--only", "pdf,print", "--out", tmp]
        child_run(command)  # warm-up: font cache, page cache
        both_languages = [child_run(command)[0] for _ in range(args.runs)]
        command += ["--language", "en"]
        runs = [child_run(command) for _ in range(args.runs)]
        walls = [wall for wall, _ in runs]
        rss = max(peak for _, peak in runs)
        # A first build of an issue: page fitting's decisions not yet remembered.
        cold = [child_run(command, {"NEWSLETTER_LAYOUT_CACHE": "0"})[0]
                for _ in range(args.runs)]
        out = Path(tmp) / "2020-12"
        sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*.pdf"))}

        project = load_project(ROOT / "newsletter.toml")
        issue = load_issue(SAMPLE, project)
        write_download(issue, project, out)
        write_print(issue, project, out)  # warm-up in this process
        in_process = []
        for _ in range(args.runs):
            start = time.perf_counter()
            write_download(issue, project, out)
            write_print(issue, project, out)
            in_process.append(time.perf_counter() - start)
        own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"both PDFs, separate processes (median of {args.runs}): "
          f"{statistics.median(walls):.2f} s wall, peak RSS {rss:.0f} MB "
          "(decisions remembered: one layout each)")
    print(f"both PDFs, separate processes, first build (median of {args.runs}): "
          f"{statistics.median(cold):.2f} s wall (NEWSLETTER_LAYOUT_CACHE=0: page fitting "
          "lays out again)")
    print(f"both PDFs, in-process after warm-up (median of {args.runs}): "
          f"{statistics.median(in_process):.2f} s, peak RSS of this process {own_rss:.0f} MB")
    one = statistics.median(walls)
    two = statistics.median(both_languages)
    print(f"both PDFs in en and pl, separate processes (median of {args.runs}): {two:.2f} s "
          f"wall ({two / one:.2f}× one language; target ≤ 2×)")
    for name, size in sizes.items():
        print(f"{name}: {size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
