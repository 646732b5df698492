"""Benchmark of the e-mail edition: prints figures, asserts nothing.

    .venv/bin/python bench/email.py [--runs 20]

1. In-process: render_email() of the sample (median of N runs after a warm-up), and the
   same with loading the issue files first.
2. Processes: `newsletter build --only email` as a whole, against the reference npm
   `mjml` CLI compiling the very same MJML (the build must beat that CLI alone).
3. Languages: the sample's e-mail in its main language alone (`--language en`) and in
   both (en, pl); the target is both in at most 2× the time of one.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and its name would hide
# the standard library's `email` package: take the folder off before importing anything.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import statistics
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsletter.load import load_issue, load_project
from newsletter.render.email import render_email

SAMPLE = ROOT / "issues" / "2020-12"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(function, runs: int) -> list[float]:
    function()  # warm-up: template compilation, caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def timed_process(command: list[str], runs: int) -> list[float]:
    subprocess.run(command, check=True, capture_output=True)  # warm the OS caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--process-runs", type=int, default=7)
    args = parser.parse_args()

    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    edition = render_email(issue, project)
    render = timed(lambda: render_email(issue, project), args.runs)
    full = timed(lambda: render_email(load_issue(SAMPLE, project), project), args.runs)

    with tempfile.TemporaryDirectory() as tmp:
        mjml_file = Path(tmp) / "sample.mjml"
        mjml_file.write_text(edition.mjml, encoding="utf-8")
        npm = timed_process(
            [str(ROOT / "node_modules" / ".bin" / "mjml"), str(mjml_file), "-s"],
            args.process_runs,
        )
        newsletter = Path(sys.executable).with_name("newsletter")
        one = [str(newsletter), "build", str(SAMPLE), "--only", "email", "--out", tmp,
               "--language", "en"]
        build = timed_process(one, args.process_runs)
        both = timed_process(one[:-2], args.process_runs)
    english = timed(lambda: render_email(issue, project), args.runs)
    every = timed(lambda: [render_email(v, project) for v in issue.editions()], args.runs)

    size = len(edition.html.encode("utf-8"))
    print(f"sample e-mail: {size / 1024:.1f} KB HTML, {len(edition.text):,} chars text")
    print(f"render_email (in-process, median of {args.runs}): {median_ms(render):.1f} ms")
    print(f"load + render (in-process, median of {args.runs}): {median_ms(full):.1f} ms")
    print(f"npm mjml CLI on the same MJML (median of {args.process_runs}): {median_ms(npm):.0f} ms")
    print(
        f"newsletter build --only email, whole process (median of {args.process_runs}): "
        f"{median_ms(build):.0f} ms"
    )
    print(f"ratio build process / npm mjml CLI: {median_ms(build) / median_ms(npm):.2f}")
    print(f"languages, in-process: en {median_ms(english):.1f} ms, en+pl {median_ms(every):.1f} ms"
          f" ({median_ms(every) / median_ms(english):.2f}×)")
    print(f"languages, whole process: en {median_ms(build):.0f} ms, en+pl {median_ms(both):.0f} ms"
          f" ({median_ms(both) / median_ms(build):.2f}×; target ≤ 2×)")


if __name__ == "__main__":
    main()
