"""Benchmark of the live preview: from saving an issue file to the new e-mail being served.

    .venv/bin/python bench/preview.py [--edits 10]

Starts `newsletter preview` on a copy of the sample issue, then N times: writes a new title
into an article's file and polls the served email.html (every 5 ms) until the title is
there. Prints the median and the range; asserts nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request

ROOT = Path(__file__).resolve().parent.parent


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for name in ("newsletter.toml", "assets", "templates"):
            source = ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
        shutil.copytree(ROOT / "issues" / "2020-12", project / "issues" / "2020-12")
        article = project / "issues" / "2020-12" / "open-city.md"
        original = article.read_text(encoding="utf-8")
        exe = Path(sys.executable).with_name("newsletter")
        server = subprocess.Popen(
            [str(exe), "preview", "issues/2020-12", "--port", "0"],
            cwd=project, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        try:
            url = server.stdout.readline().split(" at ", 1)[1].split()[0] + "2020-12/email.html"
            time.sleep(2)  # let the first background PDF build finish
            samples = []
            for edit in range(args.edits):
                marker = f"Open City edition {edit} {time.time_ns()}"
                start = time.perf_counter()
                article.write_text(original.replace("title: Open City", f"title: {marker}"),
                                   encoding="utf-8")
                while marker not in fetch(url):
                    time.sleep(0.005)
                samples.append(time.perf_counter() - start)
                time.sleep(1.5)  # each edit also rebuilds the PDF in the background
        finally:
            server.terminate()
            server.wait(timeout=10)
    ms = sorted(s * 1000 for s in samples)
    print(f"save → new email.html served (median of {len(ms)} edits): "
          f"{statistics.median(ms):.0f} ms (min {ms[0]:.0f}, max {ms[-1]:.0f})")


if __name__ == "__main__":
    main()
