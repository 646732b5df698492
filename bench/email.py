"""Benchmark of the e-mail edition: prints figures, asserts nothing.

    .venv/bin/python bench/email.py [--runs 20]

1. In-process: render_email() of the sample (median of N runs after a warm-up), and the
   same with loading the issue files first.
2. Processes: `newsletter build --only email` as a whole, against the reference npm
   `mjml` CLI compiling the very same MJML (the build must beat that CLI alone).
3. Languages: the sample's e-mail in its main language alone (`--language en`) and in
   both (en, pl); the target is both in at most 2× the time of one.
4. Bytes per block type: what each kind of block adds to the sample's HTML (the e-mail
   rendered without that kind of block, subtracted from the whole), against the bytes of
   text a reader sees in it; "frame" is the e-mail with no block at all (head, styles,
   masthead, section headings, footer). Gmail clips at 102 KB: this is where it goes.
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
from newsletter.model import Issue
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


CPU: dict[str, list[float]] = {}
"""CPU seconds (user + system, the process and its children) of each command's runs: on a
loaded machine, closer than the wall clock to what the command costs."""


def timed_processes(commands: list[list[str]], runs: int) -> list[list[float]]:
    """Each command's run times, the commands taking turns (on a shared machine, a
    change of load then weighs on all of them alike)."""
    import resource

    for command in commands:
        subprocess.run(command, check=True, capture_output=True)  # warm the OS caches
    samples: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, times in zip(commands, samples, strict=True):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            CPU.setdefault(" ".join(command), []).append(
                after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return samples


def cpu_ms(command: list[str]) -> float:
    return statistics.median(CPU[" ".join(command)]) * 1000


def without_blocks(issue: Issue, kinds: set[str]) -> Issue:
    """The issue with every block of these kinds taken out (sections stay, even empty)."""
    sections = [s.model_copy(update={"blocks": [b for b in s.blocks if b.type not in kinds]})
                for s in issue.sections]
    return issue.model_copy(update={"sections": sections})


def visible_text(html: str) -> int:
    """Bytes of the text a reader sees (the body's text, without styles or the preheader)."""
    from lxml import html as lxml_html

    body = lxml_html.document_fromstring(html).body
    return len(" ".join(body.text_content().split()).encode("utf-8"))


def bytes_per_block_type(issue: Issue, project) -> None:
    """Print what each kind of block costs in the e-mail's HTML."""
    full = render_email(issue, project).html
    kinds = sorted({block.type for _, block in issue.blocks()})
    frame = render_email(without_blocks(issue, set(kinds)), project).html
    size = len(full.encode("utf-8"))
    print(f"bytes per block type ({issue.language}; HTML / visible text, KB):")
    print(f"  {'frame':<11} {len(frame.encode()) / 1024:6.1f} / {visible_text(frame) / 1024:5.1f}")
    for kind in kinds:
        count = sum(1 for _, block in issue.blocks() if block.type == kind)
        rest = render_email(without_blocks(issue, {kind}), project).html
        html_bytes = size - len(rest.encode("utf-8"))
        text_bytes = visible_text(full) - visible_text(rest)
        print(f"  {kind:<11} {html_bytes / 1024:6.1f} / {text_bytes / 1024:5.1f}"
              f"  ({count} block{'s' if count > 1 else ''},"
              f" {html_bytes / count / 1024:.1f} KB each;"
              f" {html_bytes / max(text_bytes, 1):.1f} bytes of HTML per byte of text)")
    print(f"  {'whole':<11} {size / 1024:6.1f} / {visible_text(full) / 1024:5.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--process-runs", type=int, default=7)
    parser.add_argument("--sizes-only", action="store_true",
                        help="only the bytes per block type (no timing)")
    args = parser.parse_args()

    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    edition = render_email(issue, project)
    for variant in issue.editions():
        bytes_per_block_type(variant, project)
    if args.sizes_only:
        return
    render = timed(lambda: render_email(issue, project), args.runs)
    full = timed(lambda: render_email(load_issue(SAMPLE, project), project), args.runs)

    with tempfile.TemporaryDirectory() as tmp:
        mjml_file = Path(tmp) / "sample.mjml"
        mjml_file.write_text(edition.mjml, encoding="utf-8")
        newsletter = Path(sys.executable).with_name("newsletter")
        one = [str(newsletter), "build", str(SAMPLE), "--only", "email", "--out", tmp,
               "--language", "en"]
        npm_cli = [str(ROOT / "node_modules" / ".bin" / "mjml"), str(mjml_file), "-s"]
        npm, build, both = timed_processes([npm_cli, one, one[:-2]], args.process_runs)
    english = timed(lambda: render_email(issue, project), args.runs)
    every = timed(lambda: [render_email(v, project) for v in issue.editions()], args.runs)

    size = len(edition.html.encode("utf-8"))
    print(f"sample e-mail: {size / 1024:.1f} KB HTML, {len(edition.text):,} chars text")
    print(f"render_email (in-process, median of {args.runs}): {median_ms(render):.1f} ms")
    print(f"load + render (in-process, median of {args.runs}): {median_ms(full):.1f} ms")
    print(f"npm mjml CLI on the same MJML (median of {args.process_runs}): {median_ms(npm):.0f} ms"
          f" (fastest {min(npm) * 1000:.0f} ms)")
    print(
        f"newsletter build --only email, whole process (median of {args.process_runs}): "
        f"{median_ms(build):.0f} ms (fastest {min(build) * 1000:.0f} ms)"
    )
    print(f"ratio npm mjml CLI / build process: {median_ms(npm) / median_ms(build):.2f}× "
          f"(fastest runs: {min(npm) / min(build):.2f}×; target ≥ 1.5×)")
    print(f"CPU time (median): npm mjml CLI {cpu_ms(npm_cli):.0f} ms, build --only email "
          f"{cpu_ms(one):.0f} ms")
    print(f"languages, in-process: en {median_ms(english):.1f} ms, en+pl {median_ms(every):.1f} ms"
          f" ({median_ms(every) / median_ms(english):.2f}×)")
    print(f"languages, whole process: en {median_ms(build):.0f} ms, en+pl {median_ms(both):.0f} ms"
          f" ({median_ms(both) / median_ms(build):.2f}×; target ≤ 2×)")


if __name__ == "__main__":
    main()
