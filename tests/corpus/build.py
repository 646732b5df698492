"""A generated issue built as ``newsletter build`` builds it, and what judges need to know of it.

Every edition in every language is written into ``out/<id>/`` by the real pipeline
(``load_issue`` then ``publish.build``) with base_url pointing at a loopback server of
``out``, so the e-mail's absolute picture addresses load in Chromium as they would online.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsletter.load import Project, load_issue, load_project
from newsletter.model import Issue
from newsletter.output import EDITIONS, language_folder
from newsletter.publish import build, choose_editions

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class BuiltIssue:
    """One generated issue and its editions: ``folder`` is ``out/<id>/``; ``variants`` the
    issue in each of its languages (main first)."""

    source: Path
    folder: Path
    project: Project
    variants: list[Issue]
    warnings: list[str]

    @property
    def base_url(self) -> str:
        return self.project.site.base_url

    def language_dir(self, issue: Issue) -> Path:
        return self.folder / language_folder(issue)

    def edition_file(self, issue: Issue, edition: str) -> Path:
        """The first file of ``edition`` (email.html, the PDF, web/index.html) in a language."""
        return EDITIONS[edition].paths(self.language_dir(issue), issue, self.project)[0]

    def url_of(self, path: Path) -> str:
        """Where a built file is published (and served during the judging)."""
        return self.base_url + path.relative_to(self.folder.parent).as_posix()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def served(root: Path) -> Iterator[Project]:
    """The project with base_url at a loopback server of ``root`` (the site as published)."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    project = load_project(ROOT / "newsletter.toml")
    base = f"http://127.0.0.1:{server.server_port}/"
    try:
        yield dataclasses.replace(project, site=project.site.model_copy(update={"base_url": base}))
    finally:
        server.shutdown()


def build_issue(source: Path, project: Project, out: Path,
                editions: list[str] | None = None) -> BuiltIssue:
    """Build every edition (or ``editions``) of the issue in ``source`` into ``out/<id>/``."""
    issue = load_issue(source, project)
    result = build(issue, project, choose_editions(editions), out)
    return BuiltIssue(source, out / issue.id, project, list(issue.editions()), result.warnings)
