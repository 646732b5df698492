"""Benchmark of a long two-language issue's build: prints figures, asserts nothing.

    .venv/bin/python bench/long_issue.py [--runs 3]

The issue is the generated corpus's long one (tests/corpus/generate.py ``long``: Polish
and English, about 22 PDF pages each, eight articles of 550-750 words, a dozen cards,
figures and pictures, tables and footnotes). Timed as whole processes, medians of N:
1. ``newsletter build`` (every edition, both languages), warm: pictures derived, fonts
   copied and page fitting's decisions remembered (a second build of the same issue);
2. the same as a first build (``NEWSLETTER_LAYOUT_CACHE=0``: page fitting lays out again);
3. ``--only pdf,print``: the four PDFs, warm and first;
and the largest memory one process of each kind of build took (the build's or a worker).
Issue 16 asks (1) ≤ 10 s; issue 17 asks the four PDFs warm ≤ 8 s. Builds use one worker
process per core (``NEWSLETTER_BUILD_JOBS``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import os
import statistics
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from corpus.generate import ON_MAIN, long_issue

PEAKS: dict[str, int] = {}
"""The largest resident memory of a build's process or any of its workers, in KB."""


def timed(command: list[str], env: dict[str, str] | None = None, name: str = "") -> float:
    """Wall seconds of ``command``; its memory peak (the process's or a worker's) is
    kept in :data:`PEAKS` under ``name``."""
    start = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})}) as process:
        stderr = process.stderr.read() if process.stderr else b""
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr.decode()}")
    if name:
        PEAKS[name] = max(PEAKS.get(name, 0), usage.ru_maxrss)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    newsletter = str(Path(sys.executable).with_name("newsletter"))
    first = {"NEWSLETTER_LAYOUT_CACHE": "0"}

    with tempfile.TemporaryDirectory() as tmp:
        folder = long_issue(Path(tmp) / "issues", ON_MAIN | {"long"}).folder
        build = [newsletter, "--config", str(ROOT / "newsletter.toml"), "build", str(folder),
                 "--out", str(Path(tmp) / "out")]
        timed(build)  # warm-up: pictures, fonts, remembered layouts
        four = [*build, "--only", "pdf,print"]
        figures = {name: [timed(command, env, name) for _ in range(args.runs)]
                   for name, command, env in (("full build, warm", build, None),
                                              ("full build, first", build, first),
                                              ("four PDFs, warm", four, None),
                                              ("four PDFs, first", four, first))}
        pages = subprocess.run(
            ["pdfinfo", str(next((Path(tmp) / "out").rglob("business-krakow-*[!t].pdf")))],
            capture_output=True, text=True).stdout
    count = next((line.split()[-1] for line in pages.splitlines()
                  if line.startswith("Pages:")), "?")
    print(f"long issue: {count} pages in the readers' PDF of its main language; "
          f"load {os.getloadavg()[0]:.1f}")
    for name, runs in figures.items():
        print(f"{name} (median of {args.runs}): {statistics.median(runs):.2f} s wall")
    for name, peak in PEAKS.items():
        print(f"memory peak of one process ({name}): {peak / 1024:.0f} MB")


if __name__ == "__main__":
    main()
