"""Building an issue or the whole site: which editions, in what order, and what is stale.

The layout of ``build/<id>/`` and the public URLs live in :mod:`newsletter.output`, which
the renderers use; this module orchestrates them (and imports them), never the reverse.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from newsletter.exceptions import NewsletterError, did_you_mean
from newsletter.garbage import frozen
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
    variants = [
        variant for variant in issue.editions()
        if languages is None or variant.language in languages
    ]  # fmt: skip
    built = render_editions([(variant, editions) for variant in variants], project, out)
    result = Built([])
    for variant, one in zip(variants, built, strict=True):
        prefix = f"{variant.language}: " if issue.translations else ""
        result.files += one.files
        result.warnings += [prefix + w for w in one.warnings]
    return result


Job = tuple[Issue, Edition, Path]


def render_editions(
    plan: list[tuple[Issue, list[Edition]]], project: Project, out: Path | None
) -> list[Built]:
    """Every (language variant, its editions) of ``plan``, one Built per variant in order.

    The PDFs are most of a build (seconds each, two per language: readers' and
    printer's) and independent of each other, so they are laid out in
    worker processes, one per core (``NEWSLETTER_BUILD_JOBS`` caps it; 1 builds in this
    process), while this process writes the e-mails; the web pages come last, since they
    show the PDFs' sizes. Files, warnings and errors come out as a serial build's would.
    """
    jobs: list[Job] = []
    warnings: list[list[str]] = []
    for variant, editions in plan:
        target = output_dir(project, variant, out)
        target.mkdir(parents=True, exist_ok=True)
        notes: list[str] = []
        if any(edition.name in PDF_EDITIONS for edition in editions):
            from newsletter.coverage import uncovered

            notes += [str(problem) for problem in uncovered(variant, project.theme)]
        warnings.append(notes)
        jobs += [(variant, edition, target) for edition in editions]
    outcomes = _run(jobs, project)
    results = []
    for index, notes in enumerate(warnings):
        result = Built([], list(notes))
        for (variant, edition, _), built in zip(jobs, outcomes, strict=True):
            if variant is plan[index][0]:
                result.files += built.files
                result.warnings += [f"{edition.name}: {w}" for w in built.warnings]
        results.append(result)
    return results


def build_jobs() -> int:
    """How many processes lay out PDFs at once: the cores this process may use, or
    ``NEWSLETTER_BUILD_JOBS``."""
    configured = os.environ.get("NEWSLETTER_BUILD_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, len(os.sched_getaffinity(0)))


_PENDING: list[Job] = []
"""The jobs of the running build, inherited by forked workers (nothing is pickled in)."""


def _run(jobs: list[Job], project: Project) -> list[Built]:
    pdfs = [i for i, (_, edition, _) in enumerate(jobs) if edition.name in PDF_EDITIONS]
    workers = min(build_jobs(), len(pdfs))
    if workers < 2:
        return [_render(job, project) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _preload(jobs[i][1] for i in pdfs)
    _PENDING[:] = jobs
    outcomes: dict[int, Built] = {}
    try:
        with frozen(), ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {i: pool.submit(_render_pending, i, project)
                       for i in _longest_first(jobs, pdfs)}
            for i, (_, edition, _) in enumerate(jobs):
                if i not in futures and edition.name != "web":
                    outcomes[i] = _render(jobs[i], project)
            for i, future in futures.items():
                outcomes[i] = future.result()
    finally:
        _PENDING.clear()
    for i in range(len(jobs)):
        if i not in outcomes:
            outcomes[i] = _render(jobs[i], project)
    return [outcomes[i] for i in range(len(jobs))]


def _longest_first(jobs: list[Job], pdfs: list[int]) -> list[int]:
    """The PDF jobs in the order workers take them: the printer's first, as they take
    longest (pictures at print resolution, bleed, colours turned to CMYK, notes pages).
    Taken in the plan's order, one worker got both printer's PDFs of a long issue and
    finished 0.9 s after the other (3.9 + 3.7 s against 3.3 + 3.4 s)."""
    return sorted(pdfs, key=lambda i: jobs[i][1].name != "print")


def _preload(editions: Iterable[Edition]) -> None:
    """Import the PDF renderers (and WeasyPrint, about a second of loading its C
    libraries) once, before the workers fork: each worker inherits them instead of
    importing them again on a core that the other worker needs."""
    for edition in editions:
        edition.load_renderer()
    import weasyprint  # noqa: F401  (imported by the renderers only when they run)


def _render(job: Job, project: Project) -> Built:
    variant, edition, target = job
    return edition.load_renderer()(variant, project, target)


def _render_pending(index: int, project: Project) -> Built:
    """In a worker: one job of the build; an error crosses back as raised when it can be
    pickled, else as a NewsletterError with its message."""
    import pickle

    try:
        return _render(_PENDING[index], project)
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise NewsletterError(str(exc)) from None
        raise


def issue_folders(project: Project) -> list[Path]:
    """Every issue folder under the configured issues/ (a folder with an issue.yaml)."""
    root = project.site.issues_path
    return sorted(p.parent for p in root.glob("*/issue.yaml")) if root.is_dir() else []


def newest_change(*roots: Path) -> float:
    """The latest modification time of any file in ``roots`` (files or folders), less
    Python's byte-code caches: Python writes them whenever a module is first imported
    after a change (by another run, a test in parallel), which is no change of the
    program, and every issue looked out of date (the site's test failed so, at random)."""
    files = [p for root in roots for p in ([root] if root.is_file() else root.rglob("*"))
             if "__pycache__" not in p.parts and p.suffix != ".pyc"]
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


def _render_isolated(
    plan: list[tuple[Issue, list[Edition]]], project: Project, root: Path, result: Built,
) -> tuple[list[tuple[Issue, Built]], set[str]]:
    """Render the whole plan at once (the PDFs in parallel); if that fails, each issue
    alone, so the others are still built: the failures go to ``result.errors``. Returns
    each variant built with its result, and the ids of the issues that failed."""
    from newsletter.exceptions import ContentError

    try:
        built = render_editions(plan, project, root)
        return [(variant, one) for (variant, _), one in zip(plan, built, strict=True)], set()
    except NewsletterError:
        pass
    done: list[tuple[Issue, Built]] = []
    failed: set[str] = set()
    for issue_id in dict.fromkeys(variant.id for variant, _ in plan):
        part = [step for step in plan if step[0].id == issue_id]
        try:
            built = render_editions(part, project, root)
        except ContentError as exc:
            result.errors += [str(p) for p in exc.problems]
            failed.add(issue_id)
            continue
        except NewsletterError as exc:
            result.errors.append(f"{issue_id}: {exc}")
            failed.add(issue_id)
            continue
        done += [(variant, one) for (variant, _), one in zip(part, built, strict=True)]
    return done, failed


Gate = Callable[[Path], "str | None"]
"""Whether an issue folder is published: None, or why not (a draft, not approved)."""


def build_site(project: Project, out: Path | None = None, force: bool = False,
               gate: Gate | None = None) -> Built:  # fmt: skip
    """Every published issue with every edition, then the archive index and feed: the
    whole static site, ready to be published at base_url.

    ``gate`` says which issue folders are published (newsletter/review/: approved ones);
    without it, every issue that builds. A draft is skipped with a warning saying why; a
    draft that does not load is skipped with its problems as warnings; a published issue
    that does not load is reported in ``errors`` (file:line) and skipped too: one issue
    never stops the archive of the others.

    Editions newer than everything they are made from are kept (a year of issues means a
    dozen PDFs of about 1.5 s each); ``force`` rebuilds them all.
    """
    from newsletter.exceptions import ContentError
    from newsletter.load import load_issue
    from newsletter.render.archive import write_archive

    folders = issue_folders(project)
    if not folders:
        raise NewsletterError(f"no issues found in {project.site.issues_path}")
    issues: list[Issue] = []
    skipped = Built([])
    for folder in folders:
        why_not = gate(folder) if gate else None
        try:
            issue = load_issue(folder, project)
        except ContentError as exc:
            if why_not is None:  # published, yet broken: an error, after the others
                skipped.errors += [str(p) for p in exc.problems]
            else:
                skipped.warnings += [f"{folder.name} (a draft, skipped): {p}"
                                     for p in exc.problems]  # fmt: skip
            continue
        if why_not is not None:
            skipped.warnings.append(f"{issue.id} not published: {why_not}")
            continue
        issues.append(issue)
    root = out or project.site.output_path
    result = Built([])
    shared = newest_shared_input(project)  # once: the same for every issue
    plan: list[tuple[Issue, list[Edition]]] = []
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
        plan.append((issue, stale))
    done, failed = _render_isolated(plan, project, root, result)
    for issue, built in done:
        result.files += built.files
        name = f"{issue.id}/{issue.language}" if issue.languages[1:] else issue.id
        result.warnings += [f"{name}: {w}" for w in built.warnings]
    issues = [issue for issue in issues if issue.id not in failed]
    archive = write_archive(issues, project, root)
    result.files += archive.files
    result.warnings = skipped.warnings + result.warnings
    result.errors = skipped.errors + result.errors
    return result
