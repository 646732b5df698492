"""Building an issue or the whole site: which editions, in what order, and what is stale.

The layout of ``build/<id>/`` and the public URLs live in :mod:`newsletter.output`, which
the renderers use; this module orchestrates them (and imports them), never the reverse.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from newsletter.exceptions import NewsletterError, did_you_mean
from newsletter.load import Project
from newsletter.model import Issue
from newsletter.output import EDITIONS, Built, Edition, output_dir


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


PDF_EDITIONS = ("pdf", "print")
"""The editions that embed fonts (the others are shown in the reader's)."""


def build(
    issue: Issue, project: Project, editions: list[Edition], out: Path | None = None,
    languages: Iterable[str] | None = None,
) -> Built:
    """Render the chosen editions of a loaded issue in each of its languages (or those of
    ``languages``): the main one into ``build/<id>/``, every other into
    ``build/<id>/<lang>/`` with the same file names."""
    result = Built([])
    for variant in issue.editions():
        if languages is not None and variant.language not in languages:
            continue
        built = _build_language(variant, project, editions, out)
        prefix = f"{variant.language}: " if issue.translations else ""
        result.files += built.files
        result.warnings += [prefix + w for w in built.warnings]
    return result


def _build_language(
    issue: Issue, project: Project, editions: list[Edition], out: Path | None
) -> Built:
    target = output_dir(project, issue, out)
    target.mkdir(parents=True, exist_ok=True)
    result = Built([])
    if any(edition.name in PDF_EDITIONS for edition in editions):
        from newsletter.coverage import uncovered

        result.warnings += [str(problem) for problem in uncovered(issue, project.theme)]
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
    for issue in [variant for written in issues for variant in written.editions()]:
        folder = output_dir(project, issue, root)
        since = max(shared, newest_change(issue.source_dir))
        stale = [
            e for e in choose_editions(None)
            if force or not up_to_date(e, issue, project, folder, since)
        ]  # fmt: skip
        for edition in choose_editions(None):
            if edition not in stale:
                result.up_to_date += edition.paths(folder, issue, project)
        built = _build_language(issue, project, stale, root)
        result.files += built.files
        name = f"{issue.id}/{issue.language}" if issue.languages[1:] else issue.id
        result.warnings += [f"{name}: {w}" for w in built.warnings]
    archive = write_archive(issues, project, root)
    result.files += archive.files
    return result
