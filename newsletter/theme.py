"""The theme: colours, fonts, spacing and section labels, read by every edition.

One YAML file (``assets/theme.yaml`` by default) so a colour changes in one place for the
email, the PDFs and the web page alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic import StringConstraints as _Str
from pydantic_core import PydanticCustomError

from newsletter.exceptions import ContentError, Problem, did_you_mean
from newsletter.fields import Node, Origined, Text, Words, in_language
from newsletter.source import WHERE, parse_yaml, read_text
from newsletter.validate import validate

Hex = Annotated[str, _Str(strip_whitespace=True, to_lower=True, pattern=r"^#[0-9a-fA-F]{6}$")]
Cmyk = Annotated[list[Annotated[float, Field(ge=0, le=100)]], Field(min_length=4, max_length=4)]


class TypeScale(Node):
    """Font sizes in CSS pixels (the print edition converts them to points)."""

    masthead: int = 30
    section: int = 28
    title: int = 22
    subtitle: int = 20
    lead: int = 18
    card_title: int = 16
    button: int = 15
    small: int = 14
    caption: int = 13
    tiny: int = 12
    figure: int = 34


FontName = Annotated[
    str, _Str(strip_whitespace=True, min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9 \-]*$")
]
"""A font family name: letters, digits, spaces and dashes, so it is safe inside CSS."""


class FallbackFont(Node):
    """A family the PDFs embed after the first one, for the characters it lacks (emoji).

    WeasyPrint takes each character from the first family of the stack that has it; a
    character in no embedded font falls to whatever the machine has (DejaVu, or a box).
    """

    family: FontName
    file: Text
    """The font file, relative to the theme file."""


class Fonts(Node):
    """Font stacks: the first family is the one the print edition embeds; the rest are
    fallbacks every mail client has (emails never require a web font)."""

    body: Annotated[list[FontName], Field(min_length=1)]
    heading: Annotated[list[FontName], Field(min_length=1)]
    files: Annotated[dict[str, Text], Origined] = {}
    """Font files of the first ``body`` family (regular, italic, bold, bold_italic),
    relative to the theme file: the PDFs embed them, so print never depends on the
    machine's fonts."""
    fallback: list[FallbackFont] = []
    """Families the PDFs embed and put after the first family of both stacks (emoji);
    e-mail and web leave them out: readers' own fonts, colour emoji included, do better."""
    base_size: Annotated[int, Field(ge=8, le=32)] = 16
    line_height: Annotated[float, Field(ge=1, le=3)] = 1.5
    sizes: TypeScale = TypeScale()

    @staticmethod
    def css(stack: list[str]) -> str:
        """A CSS ``font-family`` value, quoting names with spaces."""
        return ", ".join(f"'{name}'" if " " in name else name for name in stack)

    @property
    def body_css(self) -> str:
        return self.css(self.body)

    @property
    def heading_css(self) -> str:
        return self.css(self.heading)

    def embedded(self, stack: list[str]) -> list[str]:
        """The stack of the PDFs: only families they embed, so nothing depends on the
        machine that builds them."""
        return [stack[0], *(font.family for font in self.fallback)]

    @property
    def pdf_body_css(self) -> str:
        return self.css(self.embedded(self.body))

    @property
    def pdf_heading_css(self) -> str:
        return self.css(self.embedded(self.heading))


class Spacing(Node):
    """Spacing in CSS pixels; the email's content width is the classic 600 px."""

    small: int = 8
    medium: int = 16
    large: int = 32
    rule: int = 6  # the coloured bar above each section
    radius: int = 4  # button corners
    content_width: Annotated[int, Field(ge=320, le=800)] = 600


@dataclass(frozen=True)
class SectionWords:
    """A section kind's label and name in one language, with its colour: what templates
    print ("Call for" + "Cooperation", "Czas na" + "współpracę")."""

    label: str
    name: str
    color: str

    @property
    def heading(self) -> str:
        return f"{self.label} {self.name}"


class SectionStyle(Node):
    """How a section kind is labelled ("Call for" + "Cooperation") and coloured, per
    language: a Polish issue must not print English labels."""

    label: Words
    name: Words
    color: Text

    def words(self, language: str) -> SectionWords:
        """The label and name in ``language`` (``check`` made sure each exists:
        :func:`newsletter.words.language_problems`)."""
        return SectionWords(in_language(self.label, language) or "",
                            in_language(self.name, language) or "", self.color)


class Theme(Node):
    """Every visual decision that is not layout."""

    colors: Annotated[dict[str, Hex], Origined]
    cmyk: Annotated[dict[str, Cmyk], Origined] = {}
    fonts: Fonts
    spacing: Spacing = Spacing()
    sections: Annotated[dict[str, SectionStyle], Field(min_length=1), Origined]

    @field_validator("colors")
    @classmethod
    def _required_colors(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [name for name in REQUIRED_COLORS if name not in value]
        if missing:
            raise PydanticCustomError(
                "theme_colors", "'colors' lacks {names}",
                {"names": ", ".join(f"'{m}'" for m in missing)},
            )
        return value

    @property
    def folder(self) -> Path:
        """The folder of the theme file (font paths are relative to it)."""
        return self.where.location.file.parent

    def font_path(self, relative: str) -> Path:
        """A font file named in the theme (relative to the theme file)."""
        return (self.folder / relative).resolve()

    def color(self, name: str) -> str:
        """The hex value of a named colour."""
        return self.colors[name]

    def section(self, kind: str) -> SectionStyle:
        return self.sections[kind]

    def section_color(self, kind: str) -> str:
        return self.colors[self.sections[kind].color]


REQUIRED_COLORS = (
    "text", "muted", "background", "panel", "accent", "link", "on_accent",
    "dark_background", "dark_panel", "dark_text", "dark_muted", "dark_link",
)


def load_theme(path: Path) -> Theme:
    """Read and validate a theme file, including that every colour name it uses exists."""
    data = parse_yaml(read_text(path), path)
    theme = validate(Theme, data, path)
    problems = [
        Problem(style.where.of("color"), _unknown_color(style.color, theme))
        for style in theme.sections.values()
        if style.color not in theme.colors
    ]
    cmyk_origin = data["cmyk"][WHERE] if isinstance(data.get("cmyk"), dict) else theme.where
    problems += [
        Problem(cmyk_origin.of(name), _unknown_color(name, theme))
        for name in theme.cmyk
        if name not in theme.colors
    ]
    if problems:
        raise ContentError(problems)
    return theme


def _unknown_color(name: str, theme: Theme) -> str:
    return f"unknown colour '{name}'{did_you_mean(name, theme.colors)} (see 'colors')"
