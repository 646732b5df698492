"""Screenshots of the sample's e-mail in Chromium, and how far they are from earlier ones.

    .venv/bin/python bench/email_look.py --save DIR        # before a change to the markup
    .venv/bin/python bench/email_look.py --compare DIR     # after: prints the pixel difference

Prints, per language, width (375, 640) and colour scheme, the page height and the share of
pixels that differ by more than a small threshold; writes the new screenshots and a
difference image beside them (``*-diff.png``) to look at. Leaner markup must look the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import tempfile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import SAMPLE, published
from PIL import Image, ImageChops

from newsletter.load import load_issue
from newsletter.render.email import write_email

SHOTS = [(375, "light"), (640, "light"), (640, "dark")]


def screenshots(folder: Path) -> list[Path]:
    """Build the sample's e-mail in each language and photograph it."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    with tempfile.TemporaryDirectory() as tmp, published(Path(tmp)) as project, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
        issue = load_issue(SAMPLE, project)
        for variant in issue.editions():
            out = Path(tmp) / variant.id / variant.language
            write_email(variant, project, out)
            url = f"{project.site.base_url}{variant.id}/{variant.language}/email.html"
            for width, scheme in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": 900},
                                        color_scheme=scheme)
                page.goto(url, wait_until="load")
                path = folder / f"{variant.language}-{width}-{scheme}.png"
                page.screenshot(path=str(path), full_page=True)
                page.close()
                made.append(path)
        browser.close()
    return made


def compare(before: Path, after: Path) -> None:
    """Print the height change and the share of differing pixels of each pair."""
    for new in sorted(after.glob("*.png")):
        if new.stem.endswith("-diff"):
            continue
        old = before / new.name
        with Image.open(old) as a, Image.open(new) as b:
            a, b = a.convert("RGB"), b.convert("RGB")
            height = max(a.height, b.height)
            canvas_a = Image.new("RGB", (a.width, height), "white")
            canvas_a.paste(a)
            canvas_b = Image.new("RGB", (a.width, height), "white")
            canvas_b.paste(b)
            diff = ImageChops.difference(canvas_a, canvas_b).convert("L")
            changed = sum(diff.point(lambda v: 255 if v > 32 else 0).histogram()[255:])
            diff.point(lambda v: 255 - min(255, v * 4)).save(after / f"{new.stem}-diff.png")
            print(f"{new.stem:<18} height {a.height} → {b.height} px, "
                  f"{100 * changed / (a.width * height):.2f} % of pixels differ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="write screenshots to this folder")
    parser.add_argument("--compare", type=Path, help="compare new screenshots with this folder")
    args = parser.parse_args()
    if args.save:
        screenshots(args.save)
    if args.compare:
        after = Path(tempfile.mkdtemp(prefix="email-look-"))
        screenshots(after)
        compare(args.compare, after)
        print(f"screenshots and differences: {after}")


if __name__ == "__main__":
    main()
