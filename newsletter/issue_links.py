"""The web addresses an issue's editors wrote, each with where it was written.

An address is a field whose whole value is one (a card's ``url``, a button, the footer's
website: whatever the field is called) or a link inside a Markdown text, in every language
of the issue. ``newsletter check --links`` asks each of them (:mod:`newsletter.link_check`)
and names the file and line of each broken one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsletter.config import Site
from newsletter.exceptions import Location, Problem
from newsletter.link_check import NO_SUCH_HOST, TIMEOUT, check_links, user_agent
from newsletter.load import language_trees
from newsletter.markdown import references
from newsletter.source import WHERE

_ADDRESS = re.compile(r"^\s*https?://\S+\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class WrittenLink:
    """One address as an editor wrote it: where, and in which languages' editions."""

    url: str
    location: Location
    languages: tuple[str, ...]


def issue_links(issue_dir: Path, languages: Collection[str]) -> list[WrittenLink]:
    """Every http(s) address of every language of the issue, in the order written (one
    written once for all languages is listed once, with all of them); ``languages``: the
    site's."""
    found: dict[tuple[str, Location], WrittenLink] = {}
    for language, tree in language_trees(issue_dir, languages).items():
        for url, location in _links_in(tree):
            seen = found.get((url, location))
            languages = (*seen.languages, language) if seen else (language,)
            found[(url, location)] = WrittenLink(url, location, languages)
    return list(found.values())


@dataclass(frozen=True)
class LinkReport:
    """What ``check --links`` tells the editor."""

    written: int  # addresses written, counting each place
    asked: int  # distinct addresses asked
    own: int  # places linking the site's own base_url (published with the issue: not asked)
    broken: list[Problem]
    moved: list[str]  # "file:line: <url> moved to <final>" notes
    unresolved: bool  # no address resolved at all: more likely no network than dead links


def check_issue_links(issue_dir: Path, site: Site, languages: Collection[str],
                      timeout: float = TIMEOUT) -> LinkReport:
    """Ask every address of the issue (not the site's own: they are published with it)
    and say, at each place it is written, which are broken and which have moved;
    ``languages``: the site's."""
    links = issue_links(issue_dir, languages)
    own = [link for link in links if link.url.startswith(site.base_url)]
    outside = [link for link in links if not link.url.startswith(site.base_url)]
    answers = check_links((link.url for link in outside), user_agent(site.name, site.base_url),
                          timeout=timeout)  # fmt: skip
    broken, moved = [], []
    for link in outside:
        answer = answers[link.url]
        if answer.broken:
            languages = ", ".join(link.languages)
            broken.append(Problem(link.location, f"broken link ({languages}): {link.url}: "
                                  f"{answer.describe()}"))  # fmt: skip
        elif answer.redirected:
            moved.append(f"{link.location}: {link.url} {answer.describe()} "
                         "(a redirect works; the final address is surer)")  # fmt: skip
    unresolved = bool(answers) and all(
        (a.error or "").startswith(NO_SUCH_HOST) for a in answers.values()
    )
    return LinkReport(len(links), len(answers), len(own), broken, moved, unresolved)


def _links_in(node: Any) -> Iterator[tuple[str, Location]]:
    if isinstance(node, list):
        for item in node:
            yield from _links_in(item)
        return
    if not isinstance(node, dict):
        return
    origin = node.get(WHERE)
    for name, value in node.items():
        if name == WHERE:
            continue
        if isinstance(value, str) and origin is not None:
            yield from _in_text(value, name, origin)
        elif isinstance(value, list) and origin is not None:
            for index, item in enumerate(value):
                if isinstance(item, str) and _ADDRESS.match(item):
                    yield item.strip(), origin.item(name, index)
        yield from _links_in(value)


def _in_text(value: str, name: str, origin: Any) -> Iterator[tuple[str, Location]]:
    """The value itself when it is an address; else each link of its Markdown."""
    if _ADDRESS.match(value):
        yield value.strip(), origin.of(name)
        return
    if "](" not in value and "]:" not in value and "<http" not in value.lower():
        return  # no Markdown link in it: spare the parser
    start = origin.text_of(name)
    for ref in references(value):
        if ref.kind == "link" and ref.target.lower().startswith(("http://", "https://")):
            yield ref.target, Location(start.file, (start.line or 1) + ref.line)
