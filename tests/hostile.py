"""Hostile issues too big for git, made on demand, and a way to run a check and see its cost.

Shared by tests/test_hostile.py (asserts memory, never time) and bench/hostile.py (prints
both). The small hostile cases live in tests/data/bad/ with their expected messages.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

MB = 1024 * 1024
HEAD = "date: 2020-12-01\nsections:\n  - kind: cooperation\n    blocks:\n"
ARTICLE = "      - type: article\n        title: {title}\n        body: {body}\n"
PICTURE = "        image:\n          file: images/{name}\n          alt: A picture\n"

# Prints the process's own peak memory (VmHWM: the high-water mark of its resident set)
# as it exits, so the figure is the command's alone, without a poller's sampling gaps.
_MEASURED = """
import atexit, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("peak-kb: " + line.split()[1] + "\\n")
atexit.register(_peak)
from newsletter.cli import main
sys.argv[0] = "newsletter"
main()
"""


@dataclass(frozen=True)
class Measured:
    """How a `newsletter` process ended and what it cost."""

    returncode: int
    stderr: str
    seconds: float
    peak_mb: float


def run_measured(args: list[str], cwd: Path, timeout: float = 30) -> Measured:
    """Run ``newsletter <args>`` as a process; the timeout is a guard, not a target."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
    )
    seconds = time.perf_counter() - start
    peaks = [line for line in result.stderr.splitlines() if line.startswith("peak-kb: ")]
    peak_mb = int(peaks[-1].split()[1]) / 1024 if peaks else float("nan")
    return Measured(result.returncode, result.stderr, seconds, peak_mb)


def _issue(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "issue.yaml").write_text(HEAD + body, encoding="utf-8")
    return folder


def big_issue(folder: Path) -> Path:
    """A 50 MB issue.yaml (a pasted log, a binary renamed): refused before it is read."""
    _issue(folder, ARTICLE.format(title="Big", body="|"))
    with (folder / "issue.yaml").open("a", encoding="utf-8") as file:
        line = "          " + "All work and no play makes Jack a dull boy. " * 2 + "\n"
        for _ in range(50 * MB // len(line)):
            file.write(line)
    return folder


def big_block_file(folder: Path) -> Path:
    """A 150 KB Markdown block file: refused at the issue.yaml line that names it."""
    _issue(folder, "      - file: long.md\n" + ARTICLE.format(title="", body="Text."))
    (folder / "long.md").write_text("---\ntitle: Long\n---\n" + "Words words.\n" * 12_000)
    return folder


def repeated_block_file(folder: Path) -> Path:
    """5,000 entries naming one 100 KB file: 500 MB if each were read, refused at 256 KB."""
    _issue(folder, "      - file: part.md\n" * 5_000)
    (folder / "part.md").write_text("---\ntitle: Part\n---\n" + "Words words.\n" * 8_000)
    return folder


def big_image_file(folder: Path) -> Path:
    """A 30 MB picture file (sparse: costs no disk): refused from its size alone."""
    _issue(folder, ARTICLE.format(title="Photo", body="Text.") + PICTURE.format(name="big.jpg"))
    (folder / "images").mkdir()
    with (folder / "images" / "big.jpg").open("wb") as file:
        file.write(b"\xff\xd8\xff\xe0")
        file.truncate(30 * MB)
    return folder


def truncated_big_jpeg(folder: Path) -> Path:
    """A 6000 × 4000 photo cut short: opens fine, and Pillow would print the rest grey."""
    _issue(folder, ARTICLE.format(title="Photo", body="Text.") + PICTURE.format(name="cut.jpg"))
    (folder / "images").mkdir()
    picture = Image.linear_gradient("L").resize((6000, 4000)).convert("RGB")
    picture.save(folder / "images" / "cut.jpg", quality=90)
    data = (folder / "images" / "cut.jpg").read_bytes()
    (folder / "images" / "cut.jpg").write_bytes(data[: len(data) * 2 // 3])
    return folder


def largest_accepted_issue(folder: Path) -> Path:
    """Just under the 128 KB limit, all valid: what the limit lets through must stay fast."""
    article = ARTICLE.format(title="Article {n}", body="|") + "          " + "Words. " * 40 + "\n"
    count = (128 * 1024 - 2000) // len(article.format(n=99999))
    return _issue(folder, "".join(article.format(n=n) for n in range(count)))


GENERATED: dict[str, Callable[[Path], Path]] = {
    "big-issue-50mb": big_issue,
    "big-block-file-150kb": big_block_file,
    "block-file-named-5000-times": repeated_block_file,
    "big-image-file-30mb": big_image_file,
    "truncated-jpeg-6000x4000": truncated_big_jpeg,
}
