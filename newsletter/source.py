"""Read editors' files into plain data that remembers, for every mapping, where each key was.

Every dict produced here carries an :class:`Origin` under the reserved key ``"__where__"``;
the content model keeps it, so any later stage can name the file and line of a value.
Scalars stay strings (``null``/``~``/empty become ``None``): the model decides types, so
``language: no`` is the text "no" rather than YAML 1.1's ``False``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from newsletter.exceptions import ContentError, Location, Problem, did_you_mean
from newsletter.limits import MAX_TEXT_BYTES, MAX_YAML_DEPTH, human_size

WHERE = "__where__"
SAME = "!same"
"""The YAML tag that marks a text as the same in every language of an issue
(``heading: !same "Life Science Open Space"``)."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Origin:
    """Where a mapping was written: its own location, its keys' and where text values start.

    ``text`` differs from ``fields`` for block scalars (``body: |``), whose text starts on
    the next line, and for Markdown bodies, which start after the front matter.
    ``decided`` names the keys whose value the editor gave per language (``{en: …, pl: …}``)
    or marked the same in every language (``!same "…"``): not a text written once by
    mistake (:mod:`newsletter.completeness`).
    """

    location: Location
    fields: Mapping[str, Location] = field(default_factory=dict)
    text: Mapping[str, Location] = field(default_factory=dict)
    items: Mapping[str, tuple[Location, ...]] = field(default_factory=dict)
    decided: frozenset[str] = frozenset()

    def of(self, name: str) -> Location:
        """The location of field ``name``, or of the mapping when the field was not written."""
        return self.fields.get(name, self.location)

    def item(self, name: str, index: int) -> Location:
        """The location of entry ``index`` of the list in field ``name``."""
        items = self.items.get(name, ())
        return items[index] if index < len(items) else self.of(name)

    def text_of(self, name: str) -> Location:
        """Where the text of field ``name`` begins (for errors inside long texts)."""
        return self.text.get(name, self.of(name))


NOWHERE = Origin(Location(Path("<built-in>")))


def inside(folder: Path, written: str) -> Path | None:
    """``written`` resolved under ``folder``, or None when it leads out of it (``../``, an
    absolute path elsewhere, a link): the issue folder is what is published and reviewed."""
    target = (folder / written.strip()).resolve()
    return target if target.is_relative_to(folder.resolve()) else None


def read_text(path: Path, limit: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 file (a BOM is allowed); anything else is a clear error with its line.

    A file over ``limit`` bytes is refused without reading it all (a 50 MB "issue" would
    otherwise take minutes to parse). Control characters are refused with their line, and
    soft line breaks read as spaces: see :func:`screen_text`.
    """
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)  # not stat(): the file may still be growing
    except FileNotFoundError:
        raise ContentError([Problem(Location(path), "file not found")]) from None
    except IsADirectoryError:
        raise ContentError([Problem(Location(path), "is a folder, expected a file")]) from None
    except OSError as exc:
        raise ContentError([Problem(Location(path), f"cannot read: {exc.strerror}")]) from None
    if len(data) > limit:
        raise ContentError([Problem(Location(path), too_big(path.stat().st_size, limit))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            [
                Problem(
                    Location(path, line),
                    f"not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                    "save the file as UTF-8 (in most editors: Save As → Encoding → UTF-8)",
                )
            ]
        ) from None
    problems: list[Problem] = []
    text = screen_text(text, path, 1, problems)
    if problems:
        raise ContentError(problems)
    return text


def too_big(size: int, limit: int) -> str:
    """The message for a file over its size limit, in the units an editor knows."""
    return (
        f"the file is {human_size(size)}, over the limit of {human_size(limit)}: "
        "is it the right file?"
    )


# Word's soft line break (Shift+Enter) is a vertical tab; a form feed or a Unicode line or
# paragraph separator comes from PDFs and web pages. The editor meant a line break, and
# Markdown shows a line break inside a paragraph as a space: a space keeps both the YAML
# structure and every line number as the editor sees them (YAML itself refuses \v and \f,
# and counts U+2028/U+2029 as new lines, which would shift every line after them).
_SOFT_BREAKS = str.maketrans(dict.fromkeys("\x0b\x0c\u2028\u2029", " "))
# Every other C0/C1 control (tab, newline and carriage return are text), lone surrogates
# and the two non-characters U+FFFE/U+FFFF: invisible, and refused by lxml (the e-mail).
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MAX_CHARACTER_PROBLEMS = 20  # a file full of NUL bytes needs one message, not a million


def screen_text(text: str, path: Path, first_line: int, problems: list[Problem]) -> str:
    """``text`` with soft line breaks as spaces; a problem per line with a character that is
    not text. ``first_line`` is the file line where ``text`` starts."""
    line, counted = first_line, 0
    for found, match in enumerate(_NOT_TEXT.finditer(text), start=1):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        code = ord(match.group())
        kind = "control character" if code < 0xA0 else "character"
        what = "" if code < 0xA0 else " (not text)"
        problems.append(
            Problem(
                Location(path, line),
                f"{kind} U+{code:04X}{what} on this line: delete it "
                "(it is invisible in most editors)",
            )
        )
        if found >= _MAX_CHARACTER_PROBLEMS:
            break
    if any(soft in text for soft in "\x0b\x0c\u2028\u2029"):
        text = text.translate(_SOFT_BREAKS)
    return text


def parse_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Parse one YAML document into dicts/lists/strings with origins.

    ``first_line`` is the file line where ``text`` starts (front matter begins on line 2).
    """
    try:
        _screen_structure(text, path, first_line)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        what = exc.problem or exc.context or "not valid YAML"
        if "nesting depth" in str(what):  # libyaml's own cap (1000), met before ours
            raise ContentError([Problem(Location(path, line), _TOO_DEEP)]) from None
        if mark and (tab := _tab_near(text, mark.line)):
            tab_line, column = tab
            raise ContentError([Problem(
                Location(path, tab_line + first_line, column),
                "a tab in the indentation: YAML needs spaces there; replace the tab with "
                "spaces (most editors: turn on 'indent using spaces')",
            )]) from None
        if mark and "mapping values" in str(what) and \
                (colon := _colon_in_value(text, mark.line)):
            colon_line, column, message = colon
            raise ContentError([Problem(Location(path, colon_line + first_line, column),
                                        message)]) from None
        if mark and (quoted := _quote_inside_quotes(text, mark.line)):
            quote_line, column, message = quoted
            raise ContentError([Problem(Location(path, quote_line + first_line, column),
                                        message)]) from None
        hint = " (check the indentation and the ':' of this line and the one above)"
        raise ContentError([Problem(Location(path, line), f"invalid YAML: {what}{hint}")]) from None
    except yaml.YAMLError as exc:
        raise ContentError([Problem(Location(path), f"invalid YAML: {exc}")]) from None
    problems: list[Problem] = _hashtags_read_as_comments(text, path, first_line)
    if node is None:
        if problems:
            raise ContentError(problems)
        return None
    value = _convert(node, path, first_line - 1, problems)
    if problems:
        raise ContentError(problems)
    return value


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?[^\s:#'"][^:#]*:\s+(["'])""")


def _quote_inside_quotes(text: str, line: int) -> tuple[int, int, str] | None:
    """A value in quotes that its own quote mark ends early, on the 0-based ``line`` or the
    line above (where libyaml points): ``title: "Grants "Kraków 2021""`` or ``'O'Brien'``.
    An editor writes the quotes of the text itself; libyaml said "did not find expected
    key", and the hint about indentation sent them to the wrong place. Its line, the
    1-based column of the quote that ended the value, and the fix."""
    lines = text.split("\n")
    for number in (line, line - 1):
        if not 0 <= number < len(lines) or not (match := _QUOTED_VALUE.match(lines[number])):
            continue
        written, mark = lines[number], match.group(1)
        close = _closing_quote(written, match.end(), mark)
        if close is None:
            continue
        after = written[close + 1:].strip()
        if not after or after.startswith("#"):
            continue
        value = written[match.end() - 1:].strip()
        cut = written[match.end() - 1:close + 1]
        if mark == '"':
            fix = ("write the inner ones as \\\" (or as „…” or “…”), or put the whole value "
                   f"in single quotes: '{value[1:-1]}'" if "'" not in value else
                   "write the inner ones as \\\" (or as „…” or “…”)")
            return number, close + 1, (f"this \" ends the value in quotes early, at "
                                       f"{cut}, and the rest is not read: {fix}")
        return number, close + 1, (f"this apostrophe ends the value in single quotes early, "
                                   f"at {cut}, and the rest is not read: write it twice "
                                   "(O''Brien), or put the value in double quotes")
    return None


_COLON_IN_VALUE = re.compile(r"""^(\s*(?:-\s+)?[^\s:#'"][^:#]*):\s+([^'"\s][^#]*?): """)


def _colon_in_value(text: str, line: int) -> tuple[int, int, str] | None:
    """``lead: Uwaga: nowe granty``: libyaml said "mapping values are not allowed here";
    the editor needs to hear that the value wants quotes, and how to write it."""
    lines = text.split("\n")
    if not 0 <= line < len(lines) or not (match := _COLON_IN_VALUE.match(lines[line])):
        return None
    written = lines[line]
    key, value = match.group(1).strip().removeprefix("- "), written[match.start(2):].strip()
    mark = "'" if '"' in value else '"'
    return line, match.end(2) + 1, (
        f"the ': ' after '{match.group(2)}' would start another field: put the value in "
        f"quotes: {key}: {mark}{value}{mark}")


def _closing_quote(written: str, start: int, mark: str) -> int | None:
    """Where the quoted value opened before ``start`` ends (YAML's escapes: \\" in double
    quotes, '' in single quotes)."""
    index = start
    while index < len(written):
        char = written[index]
        if mark == '"' and char == "\\":
            index += 2
            continue
        if char == mark:
            if mark == "'" and written[index + 1:index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return None


_COMMENT = re.compile(r"(?<=\s)#")
_HASHTAG = re.compile(r"(?<=\S\s)#(?=[^\s#])")
"""A ``#`` after one space and before a word: a hashtag (a comment has a space after its
``#``, and usually two before it)."""


def _hashtags_read_as_comments(text: str, path: Path, first_line: int) -> list[Problem]:
    """``kicker: #nowość`` or ``title: Granty 2021 #kraków``: in YAML a ``#`` after a space
    starts a comment, so the hashtag was left out of the value without a word (the kicker
    vanished). A comment written as comments are (``# shared``, a space after ``#``) and a
    line that is a comment alone are left alone; a ``#`` inside a quoted value or a block
    of text (``body: |``) is text and is never looked at."""
    ends: dict[int, int] = {}  # line -> column where its last token ends
    inside: set[int] = set()  # lines inside a value that runs over several lines
    try:
        for token in yaml.scan(text, Loader=_Loader):
            start, end = token.start_mark, token.end_mark
            if end.line > start.line:
                inside.update(range(start.line + 1, end.line))
                if end.column == 0:
                    continue
            ends[end.line] = max(ends.get(end.line, 0), end.column)
    except yaml.YAMLError:
        return []  # reported by the parser
    problems = []
    lines = text.split("\n")
    for number, column in sorted(ends.items()):
        if number in inside or number >= len(lines):
            continue
        written = lines[number]
        comment = _COMMENT.search(written, column)  # where the comment starts, if any
        if comment is None or written[:column].strip() == "" or \
                not (match := _HASHTAG.match(written, comment.start())):
            continue
        item = written.strip().removeprefix("- ")
        key, colon, value = item.partition(": ")
        if not colon and not item.endswith(":"):  # a list item: - Kraków #biznes
            key, value = "-", item
        value = value.strip() or written[match.start():].strip()
        mark = "'" if '"' in value else '"'
        quoted = f"{key.rstrip(':')}{'' if key == '-' else ':'} {mark}{value}{mark}"
        problems.append(Problem(
            Location(path, number + first_line, match.start() + 1),
            f"'{written[match.start():].split()[0]}' is read as a comment (in YAML '#' after a "
            f"space starts one), so it is left out of the value: put the value in quotes: "
            f"{quoted}"))
    return problems


def _tab_near(text: str, line: int) -> tuple[int, int] | None:
    """A tab in the leading whitespace of the 0-based ``line`` (or the line above, where
    libyaml sometimes points past it): its line and 1-based column, for the editor who
    cannot see it."""
    lines = text.split("\n")
    for number in (line, line - 1):
        if 0 <= number < len(lines):
            written = lines[number]
            indent = written[: len(written) - len(written.lstrip(" \t"))]
            if "\t" in indent:
                return number, indent.index("\t") + 1
    return None


def _screen_structure(text: str, path: Path, first_line: int) -> None:
    """Refuse anchors, aliases and deep nesting from the parser's events, before composing.

    An alias is cheap for the parser but every copy of its value is expanded when the
    nodes become plain data: 9 levels of 9 aliases in 5 KB reached 7.9 GB. Editors never
    need them, so each is refused with its line, and nothing is expanded. Nesting deeper
    than any issue is refused at the line where it goes too deep, before anything recurses.
    """
    problems: list[Problem] = []
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + first_line
        if isinstance(event, yaml.AliasEvent):
            problems.append(Problem(Location(path, line), _no_alias(f"*{event.anchor}")))
        elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            problems.append(Problem(Location(path, line), _no_alias(f"&{event.anchor}")))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                problems.append(Problem(Location(path, line), _TOO_DEEP))
                break  # nothing after this point can be trusted, nor needs reading
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    if problems:
        raise ContentError(problems)


_TOO_DEEP = (
    f"nested more than {MAX_YAML_DEPTH} levels deep (an issue needs 8 at most): "
    "check the indentation and the brackets"
)


def _no_alias(written: str) -> str:
    return f"'{written}': anchors and aliases are not supported: write the value out"


def _convert(node: yaml.Node, path: Path, offset: int, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL and node.style is None:
            return None
        _check_tag(node, path, offset, problems)
        # Escapes ("\\v", "\\x07") make characters the raw text did not show.
        where = node.start_mark.line + 1 + offset
        return screen_text(node.value, path, where, problems)
    _check_tag(node, path, offset, problems)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path, offset, problems) for item in node.value]
    assert isinstance(node, yaml.MappingNode)
    result: dict[str, Any] = {}
    fields: dict[str, Location] = {}
    text: dict[str, Location] = {}
    items: dict[str, tuple[Location, ...]] = {}
    same: set[str] = set()
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(Location(path, key_line), "a key must be a plain word"))
            continue
        key = key_node.value
        if key in result:
            problems.append(
                Problem(
                    Location(path, key_line),
                    f"'{key}' is given twice (first on line {fields[key].line}); keep one",
                )
            )
            continue
        fields[key] = Location(path, key_line)
        if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
            text[key] = Location(path, value_node.start_mark.line + 2 + offset)
        else:
            text[key] = Location(path, value_node.start_mark.line + 1 + offset)
        if isinstance(value_node, yaml.SequenceNode):
            items[key] = tuple(
                Location(path, item.start_mark.line + 1 + offset) for item in value_node.value
            )
        if value_node.tag == SAME and isinstance(value_node, yaml.ScalarNode):
            same.add(key)
        result[key] = _convert(value_node, path, offset, problems)
    result[WHERE] = Origin(
        Location(path, node.start_mark.line + 1 + offset), fields, text, items,
        frozenset(same),
    )
    return result


def _check_tag(node: yaml.Node, path: Path, offset: int, problems: list[Problem]) -> None:
    """An editor's own tag (``!xyz``) is ``!same`` on one text, or a mistake: a tag the
    parser does not know would otherwise be dropped without a word."""
    tag = node.tag or ""
    if not tag.startswith("!") or tag.startswith("!!"):
        return
    where = Location(path, node.start_mark.line + 1 + offset)
    if tag == SAME:
        if not isinstance(node, yaml.ScalarNode):
            problems.append(Problem(where, f"'{SAME}' marks one text as the same in every "
                                    f"language (key: {SAME} \"text\"), not a list or a group"))
        return
    problems.append(Problem(where, f"unknown tag '{tag}': the one tag an issue knows is {SAME} "
                            f"(a text the same in every language){did_you_mean(tag, [SAME])}"))


_FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)\s*$", re.MULTILINE)


def parse_markdown_file(text: str, path: Path) -> dict[str, Any]:
    """Split a Markdown file into its front matter (YAML) and body.

    Returns the front matter mapping with the body under ``"body"`` (when there is one),
    so a Markdown file is just another way of writing a block's fields.
    """
    front: Any = None
    body_start = 1
    body = text
    if text.startswith("---"):
        first_nl = text.find("\n")
        end = _FRONT_MATTER_END.search(text, first_nl + 1) if first_nl != -1 else None
        if end is None:
            raise ContentError(
                [Problem(Location(path, 1), "front matter opened with '---' is never closed")]
            )
        front = parse_yaml(text[first_nl + 1 : end.start()], path, first_line=2)
        body_start = text.count("\n", 0, end.end()) + 2
        body = text[end.end() + 1 :]
    if front is None:
        front = {WHERE: Origin(Location(path, 1))}
    if not isinstance(front, dict):
        raise ContentError(
            [Problem(Location(path, 2), "front matter must be 'field: value' lines")]
        )
    stripped = body.lstrip("\n")
    body_start += len(body) - len(stripped)
    if stripped.strip():
        origin: Origin = front[WHERE]
        body_location = Location(path, body_start)
        front["body"] = stripped.rstrip() + "\n"
        front[WHERE] = Origin(
            origin.location,
            {**origin.fields, "body": body_location},
            {**origin.text, "body": body_location},
            origin.items,
            origin.decided,
        )
    return front


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """Parse TOML into dicts with origins (line numbers found from the keys' lines)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ContentError([Problem(Location(path, line), f"invalid TOML: {message}")]) from None
    lines = _toml_key_lines(text)
    return _attach_toml_origins(data, (), lines, path)


_TOML_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\s*(#.*)?$")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


def _toml_key_lines(text: str) -> dict[tuple[str, ...], int]:
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _TOML_TABLE.match(line):
            table = tuple(part.strip() for part in match.group(1).split("."))
            lines.setdefault(table, number)
        elif match := _TOML_KEY.match(line):
            parts = [part.strip() for part in match.group(1).split(".")]
            for end in range(1, len(parts) + 1):  # text.pl = …: "text" starts here too
                lines.setdefault((*table, *parts[:end]), number)
    return lines


def _attach_toml_origins(
    data: dict[str, Any], prefix: tuple[str, ...], lines: dict[tuple[str, ...], int], path: Path
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    fields: dict[str, Location] = {}
    for key, value in data.items():
        fields[key] = Location(path, lines.get((*prefix, key)))
        result[key] = (
            _attach_toml_origins(value, (*prefix, key), lines, path)
            if isinstance(value, dict)
            else value
        )
    result[WHERE] = Origin(Location(path, lines.get(prefix) if prefix else None), fields, fields)
    return result
