"""The editions of an issue and where each is written: ``build/<id>/…``.

The layout is fixed here once, so the CLI, the web archive and the mailer agree on where
``email.html`` or the readers' PDF of an issue lives.
"""

from __future__ import annotations

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


Renderer = Callable[[Issue, Project, Path], Built]


@dataclass(frozen=True)
class Edition:
    """One output of a build: its name on the command line and the files it writes."""

    name: str
    description: str
    files: tuple[str, ...]
    renderer: str | None  # "module:function", imported only when that edition is built

    def paths(self, out: Path, issue: Issue, project: Project) -> list[Path]:
        stem = slugify(project.site.name)
        return [out / f.format(id=issue.id, stem=stem) for f in self.files]

    def load_renderer(self) -> Renderer:
        from importlib import import_module

        assert self.renderer is not None
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
        Edition("web", "web page (view in browser)", ("web/index.html",), None),
    )
}


def available() -> list[str]:
    """Editions this version can build."""
    return [name for name, edition in EDITIONS.items() if edition.renderer]


def choose_editions(names: Iterable[str] | None) -> list[Edition]:
    """Editions from a ``--only`` list (all available ones when none is given)."""
    if not names:
        return [EDITIONS[n] for n in available()]
    editions = []
    for name in names:
        if name not in EDITIONS:
            raise NewsletterError(f"unknown edition '{name}'{did_you_mean(name, EDITIONS)}")
        if EDITIONS[name].renderer is None:
            raise NewsletterError(
                f"the {name} edition ({EDITIONS[name].description}) is not available in this "
                f"version; available: {', '.join(available()) or 'none yet'}"
            )
        editions.append(EDITIONS[name])
    return editions


def output_dir(project: Project, issue: Issue, out: Path | None = None) -> Path:
    """``build/<id>/`` under the configured output folder, or under ``out``."""
    return (out or project.site.output_path) / issue.id


def public_url(project: Project, issue: Issue, relative: str) -> str:
    """Where a file of ``build/<id>/`` is published: base_url + ``<id>/`` + ``relative``.

    The output folder is published as it is, so the e-mail's links and images, the web
    edition and the archive agree on every address.
    """
    return project.site.url(issue.id, relative) + ("/" if relative.endswith("/") else "")


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
