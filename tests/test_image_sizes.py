"""Picture sizes kept beside the derivatives: a later e-mail build reads them, not Pillow."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLE
from PIL import Image

# A process of its own for each render: sizes remembered in memory would otherwise answer.
_RENDER = """
import sys
from pathlib import Path
from newsletter.load import load_issue, load_project
from newsletter.render.email import render_email
project = load_project(Path(sys.argv[1]) / "newsletter.toml")
html = render_email(load_issue(Path(sys.argv[2]), project), project).html
print("PIL" in sys.modules)
sys.stdout.write(html)
"""


def _render(issue: Path, cache: Path) -> tuple[bool, str]:
    shown = subprocess.run(
        [sys.executable, "-c", _RENDER, str(ROOT), str(issue)], check=True, text=True,
        capture_output=True, cwd=ROOT,
        env={"XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT), "HOME": str(cache)},
    ).stdout
    pillow, html = shown.split("\n", 1)
    return pillow == "True", html


def test_a_second_email_build_reads_picture_sizes_without_pillow(tmp_path: Path) -> None:
    """The first build measures and keeps each size; the next one writes the same e-mail
    without importing Pillow; a damaged size file is measured again; a picture edited in
    place gets its new size, not the one kept for its old content."""
    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue)
    cache = tmp_path / "cache"
    pillow, first = _render(issue, cache)
    assert pillow  # nothing known yet: derivatives made, sizes measured
    kept = sorted(cache.rglob("*.size"))
    assert kept, "no size kept beside the derivatives"
    assert _render(issue, cache) == (False, first)
    for file in kept:
        file.write_text("garbage", encoding="ascii")
    assert _render(issue, cache) == (True, first)
    picture = next(p for p in sorted((issue / "images").iterdir())
                   if p.suffix == ".png" and f'images/{p.stem}-' in first)
    with Image.open(picture) as image:
        taller = image.resize((image.width // 2, image.height))  # same name, new content
    taller.save(picture)
    _, edited = _render(issue, cache)
    assert edited != first
    assert _render(issue, cache) == (False, edited)
