"""Typed values shared by the content model, the theme and the site configuration.

Each check raises a ``PydanticCustomError`` whose message is written for an editor; the
loader adds the file and line.
"""

from __future__ import annotations

import contextlib
import re
import typing
import unicodedata
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    InstanceOf,
    ValidationInfo,
)
from pydantic import StringConstraints as _Str
from pydantic_core import PydanticCustomError

from newsletter.deferred_imports import deferring
from newsletter.email_syntax import plainly_valid
from newsletter.file_names import case_differs, find_file
from newsletter.image_files import BadImage, check_image
from newsletter.source import NOWHERE, WHERE, Origin, inside

# pydantic's plugin loader imports importlib.metadata (zipfile, email, tempfile…: about
# 10 ms of every command) to scan installed packages for plugins; the CLI turns plugins
# off (PYDANTIC_DISABLE_PLUGINS), so the scan, and with it the import, waits for a call.
with deferring("importlib.metadata", functions=("entry_points",)), \
        contextlib.suppress(ImportError):  # another pydantic: its loader is left as it is
    import pydantic.plugin._loader  # noqa: F401

Text = Annotated[str, _Str(strip_whitespace=True, min_length=1)]
"""A one-line text that must not be empty (titles, labels, names)."""


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _one_line(value: str | None, info: ValidationInfo) -> str | None:
    """Refuse line breaks and other control characters in a value bound for a mail header:
    a CR/LF there writes extra header lines (``Bcc:``) into every message sent."""
    found = _CONTROL.search(value) if value else None
    if found:
        raise PydanticCustomError(
            "one_line",
            "'{field}' must be one line without control characters (it goes into mail "
            "headers), but it contains U+{code}",
            {"field": info.field_name or "value", "code": f"{ord(found.group()):04X}"},
        )
    return value


OneLine = AfterValidator(_one_line)
"""Put on every value that reaches a mail header, so it is refused where it is read, with
its file and line, rather than when an issue is being sent."""


class MarkdownMarker:
    """Marks fields that hold Markdown, so checks can find them (links, images)."""


MARKDOWN = MarkdownMarker()


class ProseMarker:
    """Marks fields whose text a reader reads as words of the edition's language (titles,
    leads, captions, alt texts, bodies): in an issue written in several languages each is
    given per language or marked ``!same`` (:mod:`newsletter.completeness`). Names, URLs,
    addresses, numbers and dates are not marked: they are the same in every language.
    Markdown fields are prose without this mark."""


PROSE = ProseMarker()


def marked_fields(model: type[BaseModel], *markers: object) -> frozenset[str]:
    """The fields of ``model`` whose type carries one of ``markers`` (``MARKDOWN``,
    ``PROSE``): declared once in the model, found by every check that needs them."""
    names = set()
    for name, info in model.model_fields.items():
        metadata = [*info.metadata]
        for arg in typing.get_args(info.annotation):
            metadata += getattr(arg, "__metadata__", ())
        if any(marker in metadata for marker in markers):
            names.add(name)
    return frozenset(names)


def _markdown(value: str) -> str:
    return value.strip("\n") + "\n"


Markdown = Annotated[str, _Str(min_length=1), AfterValidator(_markdown), MARKDOWN]


def _empty_is_none(value: Any) -> Any:
    """An optional field written empty (``text: ""``) means "no text", not an error."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


Blank = BeforeValidator(_empty_is_none)
"""Put on optional fields: an empty value is the same as leaving the field out."""

OptionalText = Annotated[str | None, Blank]
OptionalMarkdown = Annotated[Markdown | None, Blank]
HeaderText = Annotated[Text, OneLine]
OptionalHeaderText = Annotated[str | None, Blank, OneLine]

Prose = Annotated[Text, PROSE]
OptionalProse = Annotated[OptionalText, PROSE]
HeaderProse = Annotated[HeaderText, PROSE]
OptionalHeaderProse = Annotated[OptionalHeaderText, PROSE]


def _one_or_many(value: Any) -> Any:
    """A field an editor may write as one value or as a list of them; written empty
    (``phone: ""``) it is left out, as every optional field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    return value if isinstance(value, list) else [value]


OneOrMany = BeforeValidator(_one_or_many)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise PydanticCustomError(
            "slug",
            "'{value}' is not a valid id: use lowercase letters, digits and single dashes "
            "(e.g. 'open-city')",
            {"value": value},
        )
    return value


Slug = Annotated[str, _Str(strip_whitespace=True), AfterValidator(_slug)]

ALLOWED_SCHEMES = ("http", "https", "mailto")


def check_url(value: str) -> str:
    """An absolute http(s) URL or a mailto: with a valid address; anything else is refused."""
    value = value.strip()
    _no_invisible_characters(value)
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if not scheme:
        raise PydanticCustomError(
            "url_relative",
            "link '{url}' is not a full address: start it with https:// (or mailto:)",
            {"url": value},
        )
    if scheme not in ALLOWED_SCHEMES:
        raise PydanticCustomError(
            "url_scheme",
            "link '{url}' uses '{scheme}:', only http, https and mailto links are allowed",
            {"url": value, "scheme": scheme},
        )
    if scheme == "mailto":
        check_email(parts.path)
    elif not parts.hostname or "." not in parts.hostname:
        raise PydanticCustomError(
            "url_host", "link '{url}' has no valid host name", {"url": value}
        )
    elif " " in value:
        raise PydanticCustomError(
            "url_space", "link '{url}' contains a space; write it as %20", {"url": value}
        )
    return value


def _no_invisible_characters(url: str) -> None:
    """Refuse an address with a character nobody sees: a soft hyphen or a zero-width space
    pasted from Word or a web page passed every check and made a link to another host, or to
    none. Also escaped (%C2%AD), except a control (a mailto: body's %0A may be meant). A
    space is refused below, with its fix."""
    for written, controls in ((url, True), (unquote(url), False)):
        for index, char in enumerate(written):
            if char == " " or char.isprintable() or \
                    (not controls and unicodedata.category(char) == "Cc"):
                continue
            raise PydanticCustomError(
                "url_invisible",
                "link '{url}' has an invisible character ({code} {name}) after "
                "'{before}': delete it (type the address again, or copy it from the "
                "browser's address bar)",
                {"url": url, "code": f"U+{ord(char):04X}",
                 "name": unicodedata.name(char, "with no name"), "before": written[:index]},
            )


def check_email(value: str) -> str:
    """A syntactically valid e-mail address (no DNS look-up: checks run offline).

    A plain address is told valid without importing email_validator
    (:mod:`newsletter.email_syntax`); any other is its to judge, and to explain."""
    value = value.strip()
    if plainly_valid(value):
        return value
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise PydanticCustomError(
            "email", "'{value}' is not a valid e-mail address: {reason}",
            {"value": value, "reason": str(exc).rstrip(".")},
        ) from None
    return value


Url = Annotated[str, AfterValidator(check_url)]
Email = Annotated[str, AfterValidator(check_email)]
HeaderUrl = Annotated[str, OneLine, AfterValidator(check_url)]
HeaderEmail = Annotated[str, OneLine, AfterValidator(check_email)]


def resolve_image(value: Any, info: ValidationInfo) -> Path:
    """An image file inside the issue folder that really is a whole PNG, JPEG or GIF.

    Paths are relative to the issue folder; a path leaving it (``../``, absolute) is refused,
    because the issue folder is what gets published and reviewed.
    """
    if isinstance(value, Path):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("image_path", "give the image's file name, e.g. images/map.png")
    base = Path((info.context or {}).get("issue_dir", "."))
    target = inside(base, value)
    if target is None:
        raise PydanticCustomError(
            "image_outside",
            "image '{path}' is outside the issue folder; copy it into the issue's images/ "
            "folder and write its path from there",
            {"path": value},
        )
    if not target.is_file():
        found = find_file(base, value)  # a macOS (NFD) name written in NFC, or the reverse
        if found is None or inside(base, str(found.relative_to(base))) is None:
            meant = case_differs(base, value)
            raise PydanticCustomError(
                "image_missing", "image '{path}' not found in {folder}{hint}",
                {"path": value, "folder": str((info.context or {}).get("shown_dir", base)),
                 "hint": f" — did you mean '{meant}'? (letter case matters on the web "
                         "server: write the name as the file has it)" if meant else ""},
            )
        target = found
    try:
        check_image(target)
    except BadImage as exc:
        raise PydanticCustomError(
            "image_bad", "image '{path}' {problem}", {"path": value, "problem": str(exc)}
        ) from None
    except OSError as exc:
        raise PydanticCustomError(
            "image_unreadable", "image '{path}' cannot be read: {reason}",
            {"path": value, "reason": exc.strerror or str(exc)},
        ) from None
    return target


def _without_origin(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != WHERE}
    return value


Origined = BeforeValidator(_without_origin)
"""Put on ``dict[...]`` fields: their keys are the editor's names, not fields to check."""


class Node(BaseModel):
    """Base of every model read from a file: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=False, defer_build=True
    )

    where: InstanceOf[Origin] = Field(default=NOWHERE, alias=WHERE, exclude=True, repr=False)


ANY = "*"
"""The key of a label written once, for every language (``tagline = "…"``)."""


def _per_language(value: Any) -> Any:
    """A label written once (the same in every language) or per language (``en:``, ``pl:``)."""
    if isinstance(value, str):
        return {ANY: value}
    return value


_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


def _language_keys(value: dict[str, str]) -> dict[str, str]:
    """Keys that are language codes; whether the site has each language, and each
    language of an issue a text, is for ``check`` to say (:mod:`newsletter.words`)."""
    wrong = [key for key in value if key != ANY and not _CODE.match(key)]
    if wrong:
        raise PydanticCustomError(
            "language", "'{key}' is not a language code: give one text per language "
            "(en: …, pl: …), or one text for all", {"key": wrong[0]},
        )
    return value


Words = Annotated[
    dict[str, Text], BeforeValidator(_per_language), Origined, AfterValidator(_language_keys)
]
"""A text per language (``{en: …, pl: …}``) or one for every language."""


def in_language(value: dict[str, str] | None, language: str) -> str | None:
    """A per-language value in ``language``: its own text, or the one written for all."""
    if value is None:
        return None
    return value.get(language, value.get(ANY))
