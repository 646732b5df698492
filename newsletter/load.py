"""Load an issue folder into the validated content model.

``issues/<id>/issue.yaml`` holds the masthead, metadata and sections; a block may be
written inline or kept in its own file (``- file: letter.md``), Markdown with front matter
or YAML. Every problem found is collected and raised together as one ContentError.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsletter.completeness import shared_prose
from newsletter.config import Site, find_config, load_site
from newsletter.exceptions import ContentError, Location, NewsletterError, Problem
from newsletter.fields import MARKDOWN, check_url, marked_fields
from newsletter.file_names import case_differs, find_file
from newsletter.languages import (
    ONLY,
    english_name,
    issue_languages,
    language_file,
    localize,
    only_languages,
)
from newsletter.limits import MAX_ISSUE_TEXT_BYTES, MAX_TEXT_BYTES, human_size
from newsletter.markdown import references
from newsletter.markdown_checks import literal_constructs
from newsletter.model import Article, Card, Issue, Letter, LinkCards, Section
from newsletter.shared_numbers import shared_values_localized
from newsletter.source import (
    WHERE,
    Origin,
    inside,
    parse_markdown_file,
    parse_yaml,
    read_text,
    too_big,
)
from newsletter.theme import Theme, load_theme
from newsletter.validate import validate
from newsletter.words import language_codes, language_problems, untranslated

ISSUE_FILE = "issue.yaml"
BLOCK_FILE_SUFFIXES = (".md", ".markdown", ".yaml", ".yml")


@dataclass(frozen=True)
class Project:
    """The site configuration and theme every issue is read with."""

    site: Site
    theme: Theme

    def languages(self) -> tuple[str, ...]:
        """The codes of the languages the site publishes in, the main one first: the
        blocks of ``templates/_shared/strings.yaml`` (:mod:`newsletter.words`)."""
        return language_codes(self.site.templates_path)

    def language_problems(self, languages: list[str]) -> list[Problem]:
        """What the site lacks to publish in ``languages``: words in strings.yaml, the
        tagline and consent text in newsletter.toml, section labels in the theme."""
        return language_problems(self.site.templates_path, languages, self.per_language())

    def untranslated(self, languages: list[str]) -> list[Problem]:
        """Warnings: words and settings still marked for a translator in ``languages``."""
        return untranslated(self.site.templates_path, languages, self.per_language())

    def per_language(self) -> list[tuple[str, Any, Location]]:
        """The site's values given per language: name, value, where it is written."""
        site, theme = self.site, self.theme
        values = [(name, value, where) for name, value, where in (
            ("tagline", site.tagline, site.where.of("tagline")),
            ("consent.text", site.consent and site.consent.text,
             site.consent and site.consent.where.of("text")),
        ) if value]
        for kind, style in theme.sections.items():
            values += [(f"sections.{kind}.label", style.label, style.where.of("label")),
                       (f"sections.{kind}.name", style.name, style.where.of("name"))]
        return values


def load_project(config: Path | None = None, start: Path | None = None) -> Project:
    """Read newsletter.toml (given, or found from ``start`` upwards) and its theme."""
    path = config or (find_config(start, Path.cwd()) if start else find_config(Path.cwd()))
    site = load_site(path)
    return Project(site, load_theme(site.theme_path))


def load_issue(issue_dir: Path, project: Project | None = None) -> Issue:
    """Read, merge and validate an issue folder; raise ContentError listing every problem."""
    if not Path(issue_dir).is_dir():
        raise NewsletterError(f"{issue_dir}: no such issue folder")
    shown_dir = Path(issue_dir)
    issue_dir = shown_dir.resolve()
    project = project or load_project(start=issue_dir)
    issue_file = issue_dir / ISSUE_FILE
    if not issue_file.is_file():
        raise ContentError([Problem(Location(issue_file), "missing: every issue needs one")])

    text = read_text(issue_file)
    data = parse_yaml(text, issue_file)
    known = project.languages()
    languages, problems = issue_languages(data, known)
    budget = _TextBudget(MAX_ISSUE_TEXT_BYTES - len(text))
    context = {
        "issue_dir": issue_dir,
        "shown_dir": shown_dir,
        "section_kinds": list(project.theme.sections),
    }
    issues: dict[str, Issue] = {}
    for language in languages:
        found: list[Problem] = []
        tree = _one_language(data, language, languages, known, issue_dir, shown_dir, budget,
                             found)
        emptied: set[Location] = set()
        if isinstance(tree, dict):
            emptied = tree.pop(_EMPTIED)
            title = tree.get("title")
            if title is None or (isinstance(title, str) and not title.strip()):
                tree["title"] = project.site.name  # left out or left empty: the same
            tree.update(id=issue_dir.name, source_dir=issue_dir, language=language,
                        languages=languages)
        problems += found
        try:
            issues[language] = validate(Issue, tree, issue_file, context)
        except ContentError as exc:
            # A section whose every block failed to load would also be "empty": say it once.
            problems += [p for p in exc.problems if p.location not in emptied]
    if len(issues) > 1:
        problems += shared_prose(issues)
    problems += project.language_problems(languages)
    if problems:
        raise ContentError(problems)
    main, *others = languages
    return issues[main].model_copy(update={"translations": {
        other: shared_values_localized(issues[other], main) for other in others}})


def language_trees(issue_dir: Path, known: Collection[str]) -> dict[str, Any]:
    """The issue's data in each of its languages as :func:`load_issue` reads it (block
    files included, before validation), each mapping with its origin under ``WHERE``: for
    what must say where an editor wrote a value once the issue is valid (``check --links``).
    ``known``: the site's languages (:meth:`Project.languages`).
    """
    shown_dir = Path(issue_dir)
    issue_file = shown_dir.resolve() / ISSUE_FILE
    text = read_text(issue_file)
    data = parse_yaml(text, issue_file)
    known = tuple(known)
    languages, problems = issue_languages(data, known)
    budget = _TextBudget(MAX_ISSUE_TEXT_BYTES - len(text))
    return {
        language: _one_language(data, language, languages, known, issue_file.parent,
                                shown_dir, budget, problems)
        for language in languages
    }  # fmt: skip


_EMPTIED = "__emptied__"


def _one_language(
    data: Any, language: str, languages: list[str], known: tuple[str, ...], issue_dir: Path,
    shown_dir: Path, budget: _TextBudget, problems: list[Problem],
) -> Any:
    """The issue's data in one language, block files included (``x.pl.md`` where it
    exists), ids given and Markdown links checked: what the content model validates."""
    if not isinstance(data, dict):
        return data
    tree = localize(data, language, languages, problems, known)
    emptied = _include_block_files(tree, issue_dir, shown_dir, budget, problems, language,
                                   languages[0])
    tree = localize(tree, language, languages, problems, known)  # what the block files wrote
    _assign_ids(tree, problems)
    problems += _check_markdown(tree)
    tree[_EMPTIED] = emptied
    return tree


def _sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    sections = data.get("sections")
    return [s for s in sections if isinstance(s, dict)] if isinstance(sections, list) else []


def _blocks(section: dict[str, Any]) -> list[Any]:
    blocks = section.get("blocks")
    return blocks if isinstance(blocks, list) else []


@dataclass
class _TextBudget:
    """Bytes of block files the issue may still read: many entries naming one big file
    must not multiply it (10,000 × 1 MB)."""

    left: int
    spent: bool = False
    counted: set[tuple[Location, Path]] = field(default_factory=set)

    def take(self, path: Path, name: str, here: Location) -> None:
        """Count ``path`` against the budget, or refuse it (said once, not per entry; an
        entry read again for another language is counted once)."""
        if self.spent:
            raise ContentError([])
        if (here, path) in self.counted:
            return
        self.counted.add((here, path))
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise ContentError([Problem(here, f"'{name}': {too_big(size, MAX_TEXT_BYTES)}")])
        if size > self.left:
            self.spent = True
            raise ContentError(
                [Problem(here, f"'{name}': the issue's files add up to more than "
                         f"{human_size(MAX_ISSUE_TEXT_BYTES)}: is a file named many times?")]
            )
        self.left -= size


def _include_block_files(
    data: dict[str, Any],
    issue_dir: Path,
    shown_dir: Path,
    budget: _TextBudget,
    problems: list[Problem],
    language: str,
    main: str,
) -> set[Location]:
    """Replace ``- file: x.md`` entries by the fields written in that file (``x.pl.md`` in
    a Polish edition when there is one).

    Returns the locations of ``blocks`` lists left empty by files that failed to load.
    """
    emptied: set[Location] = set()
    for section in _sections(data):
        blocks = _blocks(section)
        for index, entry in enumerate(blocks):
            if isinstance(entry, dict) and "file" in entry:
                try:
                    blocks[index] = _read_block_file(
                        entry, issue_dir, shown_dir, budget, language, main
                    )
                except ContentError as exc:
                    problems.extend(exc.problems)
                    blocks[index] = None  # reported; keep validating the rest
        if None in blocks:
            section["blocks"] = [b for b in blocks if b is not None]
            if not section["blocks"]:
                emptied.add(section[WHERE].of("blocks"))
    return emptied


def _needs_translation(block: dict[str, Any], language: str) -> bool:
    """A Markdown block shown in ``language`` whose text is only the main language's."""
    wanted = only_languages(block.get(ONLY))
    return not wanted or language in wanted


def _read_block_file(
    entry: dict[str, Any], issue_dir: Path, shown_dir: Path, budget: _TextBudget,
    language: str, main: str,
) -> dict[str, Any]:
    """The fields of a block file; a Markdown file's text in ``language`` comes from
    ``x.<language>.md`` (``x.md`` is the main language's)."""
    origin: Origin = entry[WHERE]
    here = origin.of("file")
    others = [k for k in entry if k not in ("file", "type", WHERE)]
    if others:
        raise ContentError(
            [Problem(origin.of(others[0]), f"'{others[0]}' goes inside the file named by "
                     "'file', not next to it")]
        )
    name = entry["file"]
    if not isinstance(name, str) or not name.strip():
        raise ContentError([Problem(here, "'file' must name a file, e.g. letter.md")])
    written = name.strip()
    name = language_file(issue_dir, written, language)
    path = inside(issue_dir, name)
    if path is None:
        raise ContentError([Problem(here, f"'{name}' is outside the issue folder")])
    if path.suffix.lower() not in BLOCK_FILE_SUFFIXES:
        raise ContentError(
            [Problem(here, f"'{name}': a block file must be Markdown (.md) or YAML (.yaml)")]
        )
    if not path.is_file():
        found = find_file(issue_dir, name)  # a macOS (NFD) name written in NFC, or the reverse
        if found is None or inside(issue_dir, str(found.relative_to(issue_dir))) is None:
            meant = case_differs(issue_dir, name)
            hint = f" — did you mean '{meant}'? (letter case matters)" if meant else ""
            raise ContentError([Problem(here, f"file '{name}' not found in {shown_dir}{hint}")])
        path = found
    budget.take(path, name, here)
    text = read_text(path)
    if path.suffix.lower() in (".md", ".markdown"):
        block = parse_markdown_file(text, path)
        block.setdefault("type", entry.get("type", "article"))
        if language != main and name == written and _needs_translation(block, language):
            own = Path(written).with_name(f"{Path(written).stem}.{language}{path.suffix}")
            mains = Path(written).with_name(f"{Path(written).stem}.{main}{path.suffix}")
            # 'x.md' written in English beside 'x.pl.md' in a Polish issue (hand-made
            # 2028-08): say which file is read as what, and how to name them
            unread = (f"; '{written}' is read as the {english_name(main)} text (the issue's "
                      f"first language), so '{mains.as_posix()}' is not read: if "
                      f"'{written}' is in {english_name(language)}, rename it "
                      f"{own.as_posix()} and '{mains.as_posix()}' {written}") \
                if (issue_dir / mains).is_file() else ""
            raise ContentError([Problem(here, f"'{written}' has no {english_name(language)} text: "
                                        f"write {own.as_posix()} beside it (or mark the block "
                                        f"'only: {main}'){unread}")])
        return block
    block = parse_yaml(text, path)
    if not isinstance(block, dict):
        raise ContentError([Problem(Location(path, 1), "expected 'field: value' lines")])
    if "type" in entry:
        block.setdefault("type", entry["type"])
    return block


def _assign_ids(data: dict[str, Any], problems: list[Problem]) -> None:
    """Give every section and block an id (its anchor in the web and PDF editions).

    Ids written by an editor must be unique; the others are made from titles and numbered
    when two titles agree, so editors only write an id when they want a stable one.
    """
    nodes: list[dict[str, Any]] = []
    for section in _sections(data):
        nodes.append(section)
        nodes.extend(b for b in _blocks(section) if isinstance(b, dict))
    taken: dict[str, Location] = {}
    for node in nodes:
        given = node.get("id")
        if isinstance(given, str) and given:
            where = node[WHERE].of("id")
            if given in taken:
                first = taken[given]
                at = f"line {first.line}" if first.file == where.file else str(first)
                problems.append(Problem(where, f"duplicate id '{given}' (already used on {at})"))
            else:
                taken[given] = where
    for node in nodes:
        if node.get("id") is None:
            base = slugify(_title_of(node))
            candidate, number = base, 2
            while candidate in taken:
                candidate, number = f"{base}-{number}", number + 1
            taken[candidate] = node[WHERE].location
            node["id"] = candidate


def _title_of(node: dict[str, Any]) -> str:
    for key in ("title", "heading", "kind", "type"):
        if isinstance(node.get(key), str) and node[key].strip():
            return node[key]
    if isinstance(node.get("signature"), dict):
        return "letter"
    return "block"


_TRANSLITERATE = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss"})


def slugify(text: str) -> str:
    """A URL-safe id from a title ("Kraków for business" → "krakow-for-business"), of
    at most :data:`SLUG_LENGTH` characters, cut after a whole word where it has one
    (readers see it in the text part's "Read more" links: "…-support-pro" read as a
    typo, hand-made issue 2027-09)."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_LENGTH:
        cut = slug[:SLUG_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[SLUG_LENGTH // 2:] else slug[:SLUG_LENGTH]
    return slug.strip("-") or "block"


SLUG_LENGTH = 60


@functools.cache
def _markdown_fields() -> frozenset[str]:
    """Names of the fields that hold Markdown, from the models themselves."""
    return frozenset().union(*(marked_fields(model, MARKDOWN)
                               for model in (Article, Letter, LinkCards, Card, Section)))


def _check_markdown(data: Any) -> list[Problem]:
    """Links and images inside Markdown texts: absolute http(s)/mailto only, no inline images;
    no construct that would be printed as typed (:mod:`newsletter.markdown_checks`).

    Runs on the parsed data, before validation, so these are reported together with every
    other problem of the file.
    """
    problems: list[Problem] = []
    fields = _markdown_fields()
    for node in _mappings(data):
        for name in fields:
            text = node.get(name)
            if not isinstance(text, str):
                continue
            start = node[WHERE].text_of(name)
            for literal in literal_constructs(text):
                problems.append(
                    Problem(Location(start.file, (start.line or 1) + literal.line),
                            literal.message)
                )
            for ref in references(text):
                location = Location(start.file, (start.line or 1) + ref.line)
                if ref.kind == "image":
                    problems.append(
                        Problem(location, f"images inside text are not supported ('{ref.target}')"
                                "; use the block's 'image' field so it gets alt text and a size")
                    )
                    continue
                try:
                    check_url(ref.target)
                except ValueError as exc:
                    problems.append(Problem(location, str(exc)))
    return problems


def _mappings(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key != WHERE:
                yield from _mappings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _mappings(item)

