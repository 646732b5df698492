"""Depth of every page of the PDFs: prints figures, asserts nothing (issue 17 item 1).

    .venv/bin/python bench/depth.py [--seeds 1-8] [--print] [--long] [--no-cache]
                                    [--features tables,footnotes | --features none]

For the sample (en, pl), the test corpus (stress, every-block, another editor's 2021-04)
and generated issues (corpus seeds, every language, the features CI builds or those of
``--features``), each readers' PDF (and with ``--print`` the printer's) is built and
measured from the PDF itself (tests/page_depth.py): every page's depth and how many inner
pages (not the cover, not the last) are under 0.75. Also the number of WeasyPrint layouts
each PDF took (``HTML.render`` calls; the layout cache is off with ``--no-cache``, as an
issue's first build is). The printer's notes pages (its padding to a multiple of four
pages: a title and ruled lines, which are not text) show as
``notes`` and are not counted.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import os
import tempfile

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from corpus.generate import ON_MAIN, generate, long_issue
from page_depth import measured_pages

from newsletter.load import load_issue, load_project
from newsletter.render.print import write_download, write_print
from newsletter.render.templating import strings

SHALLOW = 0.75


def seeds(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


class Layouts:
    """Counts calls of ``weasyprint.HTML.render`` (one WeasyPrint layout each)."""

    def __init__(self) -> None:
        import weasyprint

        self.count = 0
        original = weasyprint.HTML.render

        def counted(html, *args, **kwargs):
            self.count += 1
            return original(html, *args, **kwargs)

        weasyprint.HTML.render = counted

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-8")
    parser.add_argument("--print", action="store_true", help="also the printer's PDFs")
    parser.add_argument("--long", action="store_true", help="also the long corpus issue")
    parser.add_argument("--no-cache", action="store_true", help="NEWSLETTER_LAYOUT_CACHE=0")
    parser.add_argument("--features", default=",".join(sorted(ON_MAIN)),
                        help="the generated issues' features, comma-separated, or 'none' "
                             "(default: those CI builds)")
    args = parser.parse_args()
    features = frozenset(f for f in args.features.split(",") if f and f != "none")
    if args.no_cache:
        os.environ["NEWSLETTER_LAYOUT_CACHE"] = "0"
    project = load_project(ROOT / "newsletter.toml")
    layouts = Layouts()
    writers = [("pdf", write_download)] + ([("print", write_print)] if args.print else [])
    shallow = {name: 0 for name, _ in writers}
    inner = {name: 0 for name, _ in writers}
    with tempfile.TemporaryDirectory() as tmp:
        folders = [("sample", ROOT / "issues" / "2020-12"),
                   ("stress", ROOT / "tests" / "data" / "stress"),
                   ("every-block", ROOT / "tests" / "data" / "every-block"),
                   ("2021-04", ROOT / "tests" / "data" / "2021-04")]
        folders += [(f"corpus-{seed}", generate(seed, Path(tmp) / "corpus", features).folder)
                    for seed in seeds(args.seeds)]
        if args.long:
            folders.append(("long", long_issue(Path(tmp) / "corpus").folder))
        for name, folder in folders:
            for issue in load_issue(folder, project).editions():
                for edition, write in writers:
                    pdf = write(issue, project, Path(tmp) / "out" / name).files[0]
                    title = "".join(strings(project, issue.language)["notes"].split())
                    pages = measured_pages(pdf)
                    shown = ["notes" if ["".join(line.text.split()) for line in page.lines]
                             == [title] else f"{page.depth:.2f}" for page in pages]
                    under = [d for d in shown[1:-1] if d != "notes" and float(d) < SHALLOW]
                    shallow[edition] += len(under)
                    inner[edition] += len([d for d in shown[1:-1] if d != "notes"])
                    print(f"{name:12} {issue.language} {edition:5} layouts {layouts.take()} "
                          f"pages {len(pages):2}  " + " ".join(shown)
                          + (f"   {len(under)} under {SHALLOW}" if under else ""), flush=True)
    for edition, _ in writers:
        print(f"{edition}: {shallow[edition]} of {inner[edition]} inner pages under {SHALLOW}")


if __name__ == "__main__":
    main()
