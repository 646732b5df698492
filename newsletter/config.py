"""The site configuration, ``newsletter.toml`` at the project root.

Things that are the same for every issue: the newsletter's name, the sender, the base URL
where the web edition and images are published, the List-Id, the theme file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic import StringConstraints as _Str
from pydantic_core import PydanticCustomError

from newsletter.exceptions import ContentError, Location, Problem
from newsletter.fields import Email, Node, Text, Url
from newsletter.source import parse_toml, read_text
from newsletter.validate import validate

CONFIG_NAME = "newsletter.toml"


class Sender(Node):
    """Who the e-mail comes from (the password never lives here: NEWSLETTER_SMTP_PASSWORD)."""

    name: Text
    email: Email
    reply_to: Email | None = None


class PrintSettings(Node):
    """The printer's requirements for the press-ready PDF."""

    # Debian's libgs-common ships Ghostscript's CMYK profile (AGPL): used from the system,
    # never copied into this repository. A print shop's own profile goes here.
    icc_profile: Text = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
    bleed_mm: Annotated[float, Field(ge=0, le=10)] = 3
    min_ppi: Annotated[int, Field(ge=72, le=1200)] = 300
    pad_to_multiple_of: Annotated[int, Field(ge=1, le=16)] = 4
    """Saddle-stitched booklets need a multiple of 4 pages; 1 turns padding off."""


class ConsentText(Node):
    """The consent text in each language the form is offered in."""

    pl: Text
    en: Text


class Consent(Node):
    """The text beside the sign-up form's checkbox, per language, and its version.

    Every consent event records the version the person agreed to: change ``version``
    whenever the text changes, so the record says which words each person saw.
    """

    version: Annotated[str, _Str(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{1,40}$")]
    text: ConsentText

    def words(self, language: str) -> str:
        """The text in ``language`` (pl or en)."""
        return self.text.en if language == "en" else self.text.pl


class Site(Node):
    """Settings shared by every issue."""

    name: Text
    tagline: str | None = None
    base_url: Url
    list_id: Annotated[
        str, _Str(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
    ]
    sender: Sender
    theme: Text = "assets/theme.yaml"
    issues: Text = "issues"
    output: Text = "build"
    templates: Text = "templates"
    print: PrintSettings = PrintSettings()
    consent: Consent | None = None  # without it, `serve` offers no sign-up form
    root: Path = Field(default=Path("."), exclude=True)

    @field_validator("base_url")
    @classmethod
    def _https_base(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise PydanticCustomError(
                "base_url", "base_url must be a web address (https://…), not '{v}'", {"v": value}
            )
        return value if value.endswith("/") else value + "/"

    def path(self, name: str) -> Path:
        """A path from the configuration, relative to the folder of newsletter.toml."""
        return (self.root / name).resolve()

    @property
    def theme_path(self) -> Path:
        return self.path(self.theme)

    @property
    def issues_path(self) -> Path:
        return self.path(self.issues)

    @property
    def output_path(self) -> Path:
        return self.path(self.output)

    @property
    def templates_path(self) -> Path:
        return self.path(self.templates)

    def url(self, *parts: str) -> str:
        """An absolute URL under base_url."""
        return self.base_url + "/".join(p.strip("/") for p in parts if p)


def find_config(start: Path) -> Path:
    """The nearest newsletter.toml in ``start`` or its parents."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise ContentError(
        [
            Problem(
                Location(start),
                f"no {CONFIG_NAME} here or in any parent folder; run the command inside the "
                "newsletter project or pass --config",
            )
        ]
    )


def load_site(path: Path) -> Site:
    """Read and validate newsletter.toml."""
    data = parse_toml(read_text(path), path)
    data["root"] = path.parent.resolve()
    return validate(Site, data, path)
