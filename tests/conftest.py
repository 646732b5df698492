"""Shared fixtures: the real project configuration and the real sample issue."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from corpus.build import served

from newsletter.exceptions import Problem
from newsletter.load import Project, load_issue, load_project
from newsletter.model import Issue


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (pyproject's addopts): one worker per core and one more. Many tests wait
    (a loopback SMTP server, a scheduled send, Chromium, PostgreSQL): tests/deliver
    alone took 303 s of which 197 s on a core. On this machine's two cores, from a clean
    clone with a cold layout cache, the suite took 17 m 21 s with two workers and 16 m
    11 s with three. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still sets the number."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    return len(os.sched_getaffinity(0)) + 1


ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "2020-12"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def project() -> Project:
    return load_project(ROOT / "newsletter.toml")


@pytest.fixture(scope="session")
def sample(project: Project) -> Issue:
    return load_issue(SAMPLE, project)


@pytest.fixture(scope="session")
def photo_issue_dir(tmp_path_factory) -> Path:
    """The sample issue with a 4000×3000 camera photo (4.6 MB) in place of its first
    article's drawing: what an editor really drops in. Made at test time."""
    import shutil

    from photos import make_photo

    folder = tmp_path_factory.mktemp("photo-issue") / "2020-12"
    shutil.copytree(SAMPLE, folder)
    make_photo(folder / "images" / "photo.jpg")
    article = folder / "krakow-for-business.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("images/map-pins.png", "images/photo.jpg"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (a true phone width, unlike --window-size)."""
    import shutil

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


def evaluated(browser, url: str, width: int, script: str):
    """What ``script`` returns on ``url`` in a tab of ``browser`` ``width`` px wide."""
    tab = browser.new_page(viewport={"width": width, "height": 800})
    try:
        tab.goto(url, wait_until="load")
        return tab.evaluate(script)
    finally:
        tab.close()


@pytest.fixture
def layouts(monkeypatch, tmp_path) -> list[int]:
    """A layout cache of the test's own (render/layout_cache.py), and a count of
    WeasyPrint's layouts (the real ones: the counter only counts). The PDFs' font copies
    (pdf_fonts.py, keyed by the fonts' contents, never changed) are the run's: made again
    in each of these 29 tests they cost 3 s each alone, 5-30 s beside two other workers."""
    import weasyprint

    from newsletter.cache_home import cache_home

    fonts = cache_home() / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    own = tmp_path / "cache" / cache_home().name
    own.mkdir(parents=True)
    (own / "fonts").symlink_to(fonts, target_is_directory=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NEWSLETTER_LAYOUT_CACHE", raising=False)
    count = [0]
    real = weasyprint.HTML.render

    def render(self, *args, **kwargs):
        count[0] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", render)
    return count


def shown(problem: Problem, base: Path) -> str:
    """A problem as the CLI prints it, with the path relative to ``base``."""
    file = problem.location.file
    name = file.relative_to(base) if file.is_relative_to(base) else file
    line = f":{problem.location.line}" if problem.location.line else ""
    return f"{name}{line}: {problem.message}"


# ``published(root)``: ``root`` served on loopback as the site, and the project with
# base_url pointing at it (the e-mail's absolute image addresses load in a browser).
published = served

def one_article_issue(folder: Path, body: str, title: str = "Tabela",
                      language: str = "pl", lead: str | None = None) -> Path:
    """``folder`` made an issue of one section and one inline article with ``body``
    (Markdown, written as YAML's indented block) and ``lead`` if given."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(f"          {line}\n" if line else "\n" for line in body.splitlines())
    led = f"        lead: {json.dumps(lead, ensure_ascii=False)}\n" if lead else ""
    (folder / "issue.yaml").write_text(
        f"date: 2021-01-01\nlanguage: {language}\nsections:\n  - kind: cooperation\n"
        f"    blocks:\n      - type: article\n        title: {title}\n{led}"
        f"        body: |\n{lines}", encoding="utf-8")
    return folder


def edited_copy(source: Path, target: Path, edits: dict[str, list[tuple[str, str]]]) -> Path:
    """A copy of the issue folder ``source`` at ``target`` with texts replaced in its files
    (``{"issue.yaml": [(old, new)]}``); each ``old`` must be there, so a test cannot pass
    by editing nothing."""
    import shutil

    shutil.copytree(source, target)
    for name, replacements in edits.items():
        path = target / name
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, f"{old!r} not in {name}"
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    return target


def line_of(path: Path, text: str) -> int:
    """The line of ``path`` where ``text`` first occurs."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


PRINT_RESOLUTION = "ppi (printers need"
"""In `check`'s warnings about pictures too small for the printer's PDF: the sample's and
the test data's pictures are small on purpose (tests/test_picture_notices.py tests those
warnings), so tests of other warnings leave them out."""


PLAIN_TEXT_MARKUP = "is plain text, where"
"""In `check`'s warnings about HTML or Markdown typed into a title or a label: the test data
has tags there on purpose, to prove every edition escapes them (tests/test_typed_text.py
tests those warnings)."""


def editor_warnings(stderr: str) -> list[str]:
    """`check`'s warning lines other than the printer's resolution and markup typed into
    plain-text fields."""
    return [line for line in stderr.splitlines()
            if PRINT_RESOLUTION not in line and PLAIN_TEXT_MARKUP not in line]


def ok_line(stderr: str) -> str:
    """The last line `check` prints after the warnings in ``stderr``."""
    count = sum(line.startswith("warning:") for line in stderr.splitlines())
    return "OK" if not count else f"OK ({count} warning{'' if count == 1 else 's'})"
