"""The archive of all issues: an index page, newest first, and an Atom feed.

Both live at the root of the output folder, so with ``build/`` published at base_url the
index is base_url itself and every link matches the e-mails' "view in browser" links.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newsletter.load import Project
from newsletter.model import Issue
from newsletter.output import (
    Built,
    language_folder,
    output_dir,
    public_url,
    signup_url,
    write_text,
)
from newsletter.render.templating import (
    environment,
    issue_name,
    issue_rules,
    month_year,
    site_language,
    strings,
)
from newsletter.render.web import Download, downloads


@dataclass(frozen=True)
class Entry:
    """One issue as the archive lists it."""

    issue: Issue
    month: str
    name: str  # the site and the month, the feed entry's title
    web_href: str
    web_url: str
    timestamp: str
    downloads: list[FeedDownload]


@dataclass(frozen=True)
class FeedDownload:
    label: str
    href: str
    url: str
    size: int | None


def write_archive(issues: list[Issue], project: Project, out: Path) -> Built:
    """``index.html`` and ``feed.xml`` for issues already built under ``out``: at the root
    every issue in its main language, and ``<lang>/index.html`` and ``<lang>/feed.xml``
    for each language issues are translated into (a reader of the Polish editions follows
    the Polish archive and feed)."""
    ordered = sorted(issues, key=_newest_first)
    built = _write_one(ordered, project, out, "")
    # the root lists main languages; a language some issue is translated into gets its own,
    # and one that had its own keeps it, rewritten (emptied when its issue is withdrawn)
    languages = sorted({lang for issue in ordered for lang in issue.languages[1:]}
                       | _written_before(out))  # fmt: skip
    for language in languages:
        editions = [i.in_language(language) for i in ordered
                    if language in (i.languages or [i.language])]
        more = _write_one(editions, project, out, f"{language}/", language)
        built.files += more.files
    return built


def _written_before(out: Path) -> set[str]:
    """The languages whose archive (``<lang>/feed.xml``) is already in ``out``: an issue
    folder has no feed, so only the archives' folders are found."""
    return {feed.parent.name for feed in out.glob("*/feed.xml")} if out.is_dir() else set()


def _write_one(
    issues: list[Issue], project: Project, out: Path, folder: str, language: str | None = None
) -> Built:
    up = "../" * folder.count("/")  # from the archive page back to the site's root
    entries = [_entry(issue, project, out, up) for issue in issues]
    language = language or (entries[0].issue.language if entries else "en")
    context = {
        "site": project.site,
        "theme": project.theme,
        "t": strings(project, language),
        "tagline": project.site.tagline_in(language),
        "language": language,
        "entries": entries,
        "archive_url": project.site.url(folder) if folder else project.site.base_url,
        "feed_url": project.site.url(f"{folder}feed.xml"),
        "signup_url": signup_url(project, language),
        "updated": entries[0].timestamp if entries else "1970-01-01T00:00:00Z",
    }
    env = environment(project, "web")
    target = out / folder
    target.mkdir(parents=True, exist_ok=True)
    index, feed = target / "index.html", target / "feed.xml"
    write_text(index, env.get_template("archive.html.j2").render(context))
    write_text(feed, env.get_template("feed.xml.j2").render(context))
    return Built([index, feed])


def _newest_first(issue: Issue) -> tuple[int, str]:
    return (-issue.date.toordinal(), issue.id)


def _entry(issue: Issue, project: Project, out: Path, up: str) -> Entry:
    folder = output_dir(project, issue, out)
    here = f"{up}{issue.id}/{language_folder(issue)}"
    locale = site_language(project, issue.language).locale
    return Entry(
        issue=issue,
        month=month_year(issue.date, locale),
        name=issue_name(project.site.name, issue.date, locale,
                        issue_rules(issue, project).dash),
        web_href=f"{here}web/",
        web_url=public_url(project, issue, "web/"),
        timestamp=f"{issue.date.isoformat()}T00:00:00Z",
        downloads=[_feed_download(d, issue, project, here)
                   for d in downloads(issue, project, folder)],
    )


def _feed_download(download: Download, issue: Issue, project: Project, here: str) -> FeedDownload:
    name = download.href.removeprefix("../")
    return FeedDownload(download.label, f"{here}{name}", public_url(project, issue, name),
                        download.size)
