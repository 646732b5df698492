"""Where each edition's files go (``build/<id>/…``) and the addresses they are published at.

Renderers write through these functions and nothing else, so the e-mail's image URLs, the
web page's links and the archive agree on every path. ``publish.py`` chooses editions and
orchestrates builds; this module only knows the layout, so renderers never import the
orchestrator (which imports them back).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from newsletter.load import Project, slugify
from newsletter.model import Issue


@dataclass
class Built:
    """What a renderer wrote, and what the editor should know about it."""

    files: list[Path]
    warnings: list[str] = field(default_factory=list)
    up_to_date: list[Path] = field(default_factory=list)


Renderer = Callable[[Issue, Project, Path], Built]


@dataclass(frozen=True)
class Edition:
    """One output of a build: its name on the command line and the files it writes."""

    name: str
    description: str
    files: tuple[str, ...]
    renderer: str  # "module:function", imported only when that edition is built

    def paths(self, out: Path, issue: Issue, project: Project) -> list[Path]:
        stem = slugify(project.site.name)
        return [out / f.format(id=issue.id, stem=stem) for f in self.files]

    def load_renderer(self) -> Renderer:
        from importlib import import_module

        module, _, function = self.renderer.partition(":")
        return getattr(import_module(module), function)


EDITIONS: dict[str, Edition] = {
    e.name: e
    for e in (
        Edition(
            "email",
            "HTML e-mail and its text part",
            ("email.html", "email.txt"),
            "newsletter.render.email:write_email",
        ),
        Edition(
            "pdf",
            "readers' download PDF",
            ("{stem}-{id}.pdf",),
            "newsletter.render.print:write_download",
        ),
        Edition(
            "print",
            "printer's PDF/X-4",
            ("{stem}-{id}-print.pdf",),
            "newsletter.render.print:write_print",
        ),
        Edition(
            "web",
            "web page (view in browser)",
            ("web/index.html",),
            "newsletter.render.web:write_web",
        ),
    )
}


def output_dir(project: Project, issue: Issue, out: Path | None = None) -> Path:
    """``build/<id>/`` under the configured output folder, or under ``out``."""
    return (out or project.site.output_path) / issue.id


def public_url(project: Project, issue: Issue, relative: str) -> str:
    """Where a file of ``build/<id>/`` is published: base_url + ``<id>/`` + ``relative``.

    The output folder is published as it is, so the e-mail's links and images, the web
    edition and the archive agree on every address.
    """
    return project.site.url(issue.id, relative) + ("/" if relative.endswith("/") else "")


def write_text(path: Path, text: str) -> Path:
    """Write a file so that readers (the preview's browser, a web server) see the old or
    the new content, never half of it: a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path


def copy_images(issue: Issue, out: Path) -> list[Path]:
    """Copy the issue's images to ``build/<id>/`` under their path in the issue folder, where
    the e-mail's and the web page's image URLs point once the folder is published."""
    import shutil

    copied = []
    for image in issue.images():
        target = out / image.file.relative_to(issue.source_dir)
        if not target.exists() or target.stat().st_mtime < image.file.stat().st_mtime:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(image.file, target)
        copied.append(target)
    return copied
