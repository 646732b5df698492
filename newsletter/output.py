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
from typing import TYPE_CHECKING
from urllib.parse import quote

from newsletter.load import Project, slugify
from newsletter.model import Image, Issue

if TYPE_CHECKING:
    from newsletter.image_sizes import Derivative


@dataclass
class Built:
    """What a renderer wrote, and what the editor should know about it."""

    files: list[Path]
    warnings: list[str] = field(default_factory=list)
    up_to_date: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """What failed without stopping the rest (an issue of `site` that no longer builds)."""


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


def language_folder(issue: Issue, language: str | None = None) -> str:
    """Where an issue's editions in ``language`` (default: the issue's) live below
    ``build/<id>/``: the main language right there (``""``), every other in ``<lang>/``."""
    language = language or issue.language
    return "" if language == issue.main_language else f"{language}/"


def output_dir(project: Project, issue: Issue, out: Path | None = None) -> Path:
    """``build/<id>/`` (``build/<id>/<lang>/`` for an issue in another language than its
    main one) under the configured output folder, or under ``out``."""
    return (out or project.site.output_path) / issue.id / language_folder(issue)


def url_path(relative: str) -> str:
    """A derivative's path as it goes into an address: an editor's file name may have a space,
    an ``&`` or Cyrillic ("Фото міста.jpg"); unescaped, a space ended each ``srcset`` entry's
    address (the browser dropped every entry) and made ``og:image`` no address at all."""
    return quote(relative)


def public_url(project: Project, issue: Issue, relative: str, language: str | None = None) -> str:
    """Where a file of the issue's editions in ``language`` (default: the issue's own) is
    published: base_url + ``<id>/`` (+ ``<lang>/``) + ``relative``.

    The output folder is published as it is, so the e-mail's links and images, the web
    edition and the archive agree on every address.
    """
    relative = language_folder(issue, language) + relative
    return project.site.url(issue.id, relative) + ("/" if relative.endswith("/") else "")


SIGNUP_PATH = "subscribe"
"""The sign-up page of ``newsletter serve`` (``newsletter/app/routes.py``), under base_url:
the reverse proxy forwards it, like ``u/`` and ``p/``, to ``serve``."""


def signup_url(project: Project, language: str) -> str | None:
    """The sign-up page in ``language`` (base_url + ``subscribe?lang=<language>``), for
    the web edition and the archive; None without a ``[consent]`` text, since ``serve``
    then offers no sign-up."""
    if project.site.consent is None:
        return None
    return project.site.url(SIGNUP_PATH) + f"?lang={language}"


def write_text(path: Path, text: str) -> Path:
    """Write a file so that readers (the preview's browser, a web server) see the old or
    the new content, never half of it: a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
    return path


@dataclass
class ImageFiles:
    """The picture files an edition links, made for their slots (:mod:`newsletter.images`).

    Renderers ask for a derivative while they render (it comes from the cache after the
    first build); ``publish`` copies what was asked for into ``build/<id>/`` once the
    edition is written. Originals are never published: a 4.6 MB camera photo has no place
    in an e-mail.
    """

    issue: Issue
    files: dict[str, Path] = field(default_factory=dict)  # relative path → cached file

    def add(self, image: Image, width: int, paper: bool = False) -> tuple[str, Derivative]:
        """A derivative at most ``width`` px wide and its path under ``build/<id>/``; with
        ``paper`` (a scanned signature) its paper made white, as on paper: a cream or grey
        scan showed as a box on the page (hand-made issues 2026-02, 2027-01, 2027-03)."""
        from newsletter.image_sizes import derivative

        made = derivative(image.file, width, paper=paper)
        relative = derivative_path(self.issue, image, made, paper)
        self.files[relative] = made.path
        return relative, made

    def publish(self, out: Path) -> list[Path]:
        """Copy the derivatives into ``out`` (``build/<id>/``), skipping identical copies."""
        return [_copy_if_changed(cached, out / relative) for relative, cached in self.files.items()]


def derivative_path(issue: Issue, image: Image, made: Derivative, paper: bool = False) -> str:
    """``images/<name>-<width>w.<jpg|png>``: beside where the original sits in the issue
    folder, with its width in the name so every slot's size has its own address (and
    ``-white`` for one whose paper was made white)."""
    relative = image.file.relative_to(issue.source_dir)
    white = "-white" if paper else ""
    return (relative.parent / f"{relative.stem}-{made.width}w{white}{made.suffix}").as_posix()


def _copy_if_changed(source: Path, target: Path) -> Path:
    import shutil

    if target.is_file() and target.stat().st_size == source.stat().st_size \
            and target.stat().st_mtime >= source.stat().st_mtime:
        return target  # derivatives are content-addressed in the cache: same size, same file
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    return target
