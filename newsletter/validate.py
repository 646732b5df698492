"""Turn pydantic's validation errors into editor-facing problems with file and line.

Pydantic reports every error of a run with a path (``sections → 0 → blocks → 2 → title``);
we follow that path through the parsed data, whose mappings carry their origins, to find
the line, and rewrite the message in the editor's terms.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from newsletter.exceptions import ContentError, Location, Problem, closest, did_you_mean
from newsletter.source import WHERE, Origin

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, path: Path, context: dict[str, Any] | None = None) -> M:
    """Validate parsed data as ``model``; every problem is reported at once as ContentError."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else _describe(data)
        raise ContentError(
            [Problem(Location(path, 1), f"expected 'field: value' lines, but the file is {kind}")]
        )
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ContentError(problems_from(exc, data, model, path)) from None


def problems_from(
    exc: ValidationError, data: dict[str, Any], model: type[BaseModel], path: Path
) -> list[Problem]:
    """One Problem per pydantic error, located through the origins in ``data``.

    A misspelled required field gives pydantic two errors (unknown 'titel', missing
    'title'); the editor gets one: the unknown field with its suggestion.
    """
    errors = exc.errors()
    misspelled = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            owner = model_at(model, loc[:-1])
            known = [n for n in (owner.model_fields if owner else {}) if n != "where"]
            close = closest(str(loc[-1]), known)
            if close:
                misspelled.add((*loc[:-1], close))
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and loc in misspelled:
            continue
        location, field = _locate(data, loc, path)
        message = _message(error, field, model, loc)
        if path.suffix == ".toml":
            message = _in_toml(message, error, model, loc)
        problems.append(Problem(location, message))
    return problems


TOML_SHAPES = {
    "list_type": ("a list ('- ' items)", 'a list in brackets: ["…", "…"]'),
    "model_type": ("'field: value' lines", "a table: a [section] line, then key = value lines"),
    "model_attributes_type": ("'field: value' lines",
                              "a table: a [section] line, then key = value lines"),
    "dict_type": ("'field: value' lines", "a table: a [section] line, then key = value lines"),
}
"""The shapes as TOML writes them: the messages are worded for the YAML an editor writes."""


def _in_toml(message: str, error: Any, model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """A message about newsletter.toml in TOML's words; a key put under the wrong
    [section] (an uncommented key whose section line stayed commented) names its own."""
    if error["type"] in TOML_SHAPES:
        yaml, toml = TOML_SHAPES[error["type"]]
        return message.replace(yaml, toml)
    if error["type"] == "extra_forbidden" and len(loc) >= 1:
        homes = [name for name, field in model.model_fields.items()
                 if (inner := model_at(model, (name,))) is not None
                 and loc[-1] in inner.model_fields and (name,) != tuple(loc[:-1])]
        if homes:
            return f"{message}: it belongs in [{homes[0]}] (is the [{homes[0]}] line missing " \
                "or still commented out?)"
    return message


def _locate(data: Any, loc: tuple[Any, ...], path: Path) -> tuple[Location, str | None]:
    """Follow ``loc`` through the data; the location of the deepest key written, and its name."""
    origin: Origin | None = data.get(WHERE) if isinstance(data, dict) else None
    field: str | None = None
    item: Location | None = None  # set while inside a list entry that is not a mapping
    node = data
    for step in loc:
        if isinstance(node, dict):
            if step in node:
                origin, field, node = node[WHERE], step, node[step]
            elif node.get("type") == step:
                continue  # pydantic adds a union member's tag to the path
            else:
                field = step if isinstance(step, str) else field
                break
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            if origin is not None and field is not None:
                item = origin.item(field, step)
            node = node[step]
            if isinstance(node, dict):
                origin, field, item = node[WHERE], None, None
        else:
            break
    if item is not None:
        return item, f"an entry of '{field}'"
    if origin is None:
        return Location(path), field
    return (origin.of(field) if field else origin.location), field


def _message(error: Any, field: str | None, model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    name = field if field and field.startswith("an entry") else f"'{field}'" if field \
        else "this entry"
    if kind == "missing":
        return f"missing required field '{loc[-1]}'"
    if kind == "extra_forbidden":
        owner = model_at(model, loc[:-1])
        known = [n for n in (owner.model_fields if owner else {}) if n != "where"]
        return f"unknown field '{loc[-1]}'{did_you_mean(str(loc[-1]), known)}"
    if kind == "string_too_short":
        return f"{name} must not be empty"
    if kind == "too_short":
        return f"{name} needs at least one entry"
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        return f"unknown block type '{ctx.get('tag')}'{did_you_mean(str(ctx.get('tag')), tags)}"
    if kind == "union_tag_not_found":
        return "this block has no 'type': add e.g. 'type: article' (article, letter, " \
            "link_cards, figures)"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"invalid date '{value}' for {name}: write it as YYYY-MM-DD, e.g. 2020-12-15"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{name} must be 'field: value' lines, not {_describe(value)}"
    if kind == "list_type":
        return f"{name} must be a list ('- ' items), not {_describe(value)}"
    if kind == "string_type":
        if value is None:
            return f"{name} must not be empty"
        return f"{name} must be text, not {_describe(value)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{name} must be a whole number, not '{value}'"
    if kind in ("float_parsing", "float_type"):
        return f"{name} must be a number, not '{value}'"
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} must be true or false, not '{value}'"
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        return f"{name} must be {expected}, not '{value}'"
    if kind == "string_pattern_mismatch":
        return f"{name}: '{value}' is not in the expected form"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        return f"{name}: {error['msg'].lower()}, not {value}"
    if kind == "value_error":
        return f"{name}: {error['msg'].removeprefix('Value error, ')}"
    # Our own checks (PydanticCustomError) already speak the editor's language.
    return str(error["msg"])


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"'{value}'"


def model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that validates the value at ``loc`` below ``root`` (for field names)."""
    current: Any = root
    for step in loc:
        current = _unwrap(current)
        if isinstance(step, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif _is_model(current):
            field = current.model_fields.get(step)
            if field is None:
                return None
            current = field.annotation
        elif _members(current):
            current = next((m for m in _members(current) if _tag(m) == step), None)
        else:
            return None
    current = _unwrap(current)
    return current if _is_model(current) else None


def _unwrap(tp: Any) -> Any:
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        members = [m for m in _members(tp) if m is not type(None)]
        if _members(tp) and len(members) == 1:
            tp = members[0]
            continue
        return tp


def _members(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return tuple(_unwrap(m) if m is not type(None) else m for m in typing.get_args(tp))
    return ()


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _tag(tp: Any) -> Any:
    if not _is_model(tp) or "type" not in tp.model_fields:
        return None
    args = typing.get_args(tp.model_fields["type"].annotation)
    return args[0] if args else None
