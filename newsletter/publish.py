"""The editions of an issue and where each is written: ``build/<id>/…``.

The layout is fixed here once, so the CLI, the web archive and the mailer agree on where
``email.html`` or the readers' PDF of an issue lives.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsletter.exceptions import NewsletterError, did_you_mean
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


def choose_editions(names: Iterable[str] | None) -> list[Edition]:
    """Editions from a ``--only`` list, in build order (the web page links the PDFs'
    sizes, so they come first); every edition when none is given."""
    if not names:
        return list(EDITIONS.values())
    unknown = [name for name in names if name not in EDITIONS]
    if unknown:
        raise NewsletterError(
            f"unknown edition '{unknown[0]}'{did_you_mean(unknown[0], EDITIONS)}"
        )
    return [edition for name, edition in EDITIONS.items() if name in names]


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


def build(
    issue: Issue, project: Project, editions: list[Edition], out: Path | None = None
) -> Built:
    """Render the chosen editions of a loaded issue into ``build/<id>/``."""
    target = output_dir(project, issue, out)
    target.mkdir(parents=True, exist_ok=True)
    result = Built([])
    for edition in editions:
        built = edition.load_renderer()(issue, project, target)
        result.files += built.files
        result.warnings += [f"{edition.name}: {w}" for w in built.warnings]
    return result


def issue_folders(project: Project) -> list[Path]:
    """Every issue folder under the configured issues/ (a folder with an issue.yaml)."""
    root = project.site.issues_path
    return sorted(p.parent for p in root.glob("*/issue.yaml")) if root.is_dir() else []


def newest_change(*roots: Path) -> float:
    """The latest modification time of any file in ``roots`` (files or folders)."""
    files = [p for root in roots for p in ([root] if root.is_file() else root.rglob("*"))]
    return max((p.stat().st_mtime for p in files if p.is_file()), default=0.0)


def newest_shared_input(project: Project) -> float:
    """The latest change to what every issue's editions are made from: templates, theme and
    fonts, the site configuration, and this program itself."""
    import newsletter

    site = project.site
    return newest_change(site.templates_path, project.theme.folder,
                         site.root / "newsletter.toml", Path(newsletter.__file__).parent)


def up_to_date(edition: Edition, issue: Issue, project: Project, out: Path, since: float) -> bool:
    """Whether every file of ``edition`` exists and is newer than all its inputs."""
    paths = edition.paths(out, issue, project)
    return all(p.exists() and p.stat().st_mtime >= since for p in paths)


def build_site(project: Project, out: Path | None = None, force: bool = False) -> Built:
    """Every issue with every edition, then the archive index and feed: the whole static
    site, ready to be published at base_url. Problems in any issue are reported together.

    Editions newer than everything they are made from are kept (a year of issues means a
    dozen PDFs of about 1.5 s each); ``force`` rebuilds them all.
    """
    from newsletter.exceptions import ContentError
    from newsletter.load import load_issue
    from newsletter.render.archive import write_archive

    issues, problems = [], []
    for folder in issue_folders(project):
        try:
            issues.append(load_issue(folder, project))
        except ContentError as exc:
            problems += exc.problems
    if problems:
        raise ContentError(problems)
    if not issues:
        raise NewsletterError(f"no issues found in {project.site.issues_path}")
    root = out or project.site.output_path
    result = Built([])
    shared = newest_shared_input(project)  # once: the same for every issue
    for issue in issues:
        folder = output_dir(project, issue, root)
        since = max(shared, newest_change(issue.source_dir))
        stale = [
            e for e in choose_editions(None)
            if force or not up_to_date(e, issue, project, folder, since)
        ]  # fmt: skip
        for edition in choose_editions(None):
            if edition not in stale:
                result.up_to_date += edition.paths(folder, issue, project)
        built = build(issue, project, stale, root)
        result.files += built.files
        result.warnings += [f"{issue.id}: {w}" for w in built.warnings]
    archive = write_archive(issues, project, root)
    result.files += archive.files
    return result
