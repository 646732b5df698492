"""What is published: the issues the archive's Atom feeds list, read back from ``build/``.

The feeds are what the site shows the public (``newsletter site`` writes them, and only
what may be public goes in them), so a running ``serve`` learns of a new issue as soon
as the site is published, without loading issue folders or knowing how they are built.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from newsletter.config import Site

_ATOM = "{http://www.w3.org/2005/Atom}"
_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class PublishedIssue:
    """One issue as its feed entry names it: the title readers see and its web edition."""

    title: str
    url: str
    language: str
    published: str  # ISO 8601, as the feed has it (sorts as text)


def published_issues(site: Site) -> list[PublishedIssue]:
    """Every entry of the root feed and of each language's feed (``<lang>/feed.xml``),
    newest first; none when nothing is published (or a feed cannot be read)."""
    out = site.output_path
    found: dict[str, PublishedIssue] = {}
    for feed in [out / "feed.xml", *sorted(out.glob("*/feed.xml"))]:
        for issue in _entries(feed):
            found.setdefault(issue.url, issue)
    return sorted(found.values(), key=lambda i: i.published, reverse=True)


def latest_issue(site: Site, language: str) -> PublishedIssue | None:
    """The newest published issue in ``language``; else the newest in any language (a
    reader of a list that publishes in one language still gets a link); else None."""
    issues = published_issues(site)
    mine = [i for i in issues if i.language == language]
    return (mine or issues or [None])[0]


def _entries(feed: Path) -> list[PublishedIssue]:
    try:
        root = ET.parse(feed).getroot()
    except (OSError, ET.ParseError):  # not published yet, or being written: none from it
        return []
    feed_language = root.get(_LANG, "")
    issues = []
    for entry in root.iter(f"{_ATOM}entry"):
        link = entry.find(f"{_ATOM}link[@rel='alternate']")
        if link is None or not link.get("href"):
            continue
        issues.append(PublishedIssue(
            title=(entry.findtext(f"{_ATOM}title") or "").strip(),
            url=link.get("href", ""),
            language=entry.get(_LANG, feed_language),
            published=(entry.findtext(f"{_ATOM}published") or "").strip(),
        ))  # fmt: skip
    return issues
