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

from newsletter.exceptions import ContentError, Location, Problem

WHERE = "__where__"

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Origin:
    """Where a mapping was written: its own location, its keys' and where text values start.

    ``text`` differs from ``fields`` for block scalars (``body: |``), whose text starts on
    the next line, and for Markdown bodies, which start after the front matter.
    """

    location: Location
    fields: Mapping[str, Location] = field(default_factory=dict)
    text: Mapping[str, Location] = field(default_factory=dict)
    items: Mapping[str, tuple[Location, ...]] = field(default_factory=dict)

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


def read_text(path: Path) -> str:
    """Read a UTF-8 file (a BOM is allowed); anything else is a clear error with its line."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ContentError([Problem(Location(path), "file not found")]) from None
    except IsADirectoryError:
        raise ContentError([Problem(Location(path), "is a folder, expected a file")]) from None
    except OSError as exc:
        raise ContentError([Problem(Location(path), f"cannot read: {exc.strerror}")]) from None
    try:
        return data.decode("utf-8-sig")
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


def parse_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Parse one YAML document into dicts/lists/strings with origins.

    ``first_line`` is the file line where ``text`` starts (front matter begins on line 2).
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        what = exc.problem or exc.context or "not valid YAML"
        hint = " (check the indentation and the ':' of this line and the one above)"
        if "\t" in text and "tab" in str(what).lower():
            hint = " (indent with spaces, not tabs)"
        raise ContentError([Problem(Location(path, line), f"invalid YAML: {what}{hint}")]) from None
    except yaml.YAMLError as exc:
        raise ContentError([Problem(Location(path), f"invalid YAML: {exc}")]) from None
    if node is None:
        return None
    problems: list[Problem] = []
    value = _convert(node, path, first_line - 1, problems)
    if problems:
        raise ContentError(problems)
    return value


def _convert(node: yaml.Node, path: Path, offset: int, problems: list[Problem]) -> Any:
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _NULL and node.style is None:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path, offset, problems) for item in node.value]
    assert isinstance(node, yaml.MappingNode)
    result: dict[str, Any] = {}
    fields: dict[str, Location] = {}
    text: dict[str, Location] = {}
    items: dict[str, tuple[Location, ...]] = {}
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
        result[key] = _convert(value_node, path, offset, problems)
    result[WHERE] = Origin(
        Location(path, node.start_mark.line + 1 + offset), fields, text, items
    )
    return result


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
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def _toml_key_lines(text: str) -> dict[tuple[str, ...], int]:
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _TOML_TABLE.match(line):
            table = tuple(part.strip() for part in match.group(1).split("."))
            lines.setdefault(table, number)
        elif match := _TOML_KEY.match(line):
            lines.setdefault((*table, match.group(1)), number)
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
