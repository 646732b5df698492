"""How fast editors' Markdown is checked and rendered (prints figures; asserts nothing).

The loader parses each Markdown text once for its links and its literal constructs
(newsletter.markdown_checks); this measures that parse, the literal scan on top of it, and
the HTML rendering, on seeded generated texts (tests/test_markdown.py's generator: tables,
footnotes, links of every form, escapes).

    PYTHONPATH=. .venv/bin/python bench/markdown.py [--kb 200]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_markdown import _generated_text

from newsletter.markdown import parse_for_checks, references, to_html
from newsletter.markdown_checks import literal_constructs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=200, help="KB of Markdown to generate")
    args = parser.parse_args()
    rng = random.Random(1)
    texts: list[str] = []
    while sum(len(t.encode()) for t in texts) < args.kb * 1024:
        texts.append("\n".join(_generated_text(rng, mistakes=False)[0] for _ in range(10)))
    size = sum(len(t.encode()) for t in texts) / 1024

    def cpu(work) -> float:  # type: ignore[no-untyped-def]
        start = time.process_time()
        for text in texts:
            work(text)
        return time.process_time() - start

    parse = cpu(parse_for_checks)  # fills the cache the two checks below read
    scan = cpu(literal_constructs) + cpu(references)
    render = cpu(to_html)
    print(f"{size:.0f} KB of Markdown in {len(texts)} texts (CPU time)")
    print(f"  parse for the checks   {parse * 1000:6.0f} ms  {size / parse:5.0f} KB/s")
    print(f"  literal scan + links   {scan * 1000:6.0f} ms  {size / scan:5.0f} KB/s")
    print(f"  render to HTML         {render * 1000:6.0f} ms  {size / render:5.0f} KB/s")


if __name__ == "__main__":
    main()
