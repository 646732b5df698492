"""The content model of an issue: what every edition (email, PDF, web) renders.

An issue is an ordered list of sections (Call for Cooperation, Call for Innovation, Call
from the Past, …); a section holds blocks: articles, a letter, link cards, figures. Every
node keeps its :class:`~newsletter.source.Origin`, so later stages can still say
``issue.yaml:14`` about a value. The models know nothing about files or rendering.

Fields typed ``Prose`` (and Markdown) are what a reader reads in the edition's language:
in an issue in several languages each is given per language or marked ``!same``
(:mod:`newsletter.completeness`). Names, addresses, numbers and dates are typed ``Text``,
``Url``, ``Email``: shared by every language without a mark. This is the one place that
decides which is which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from newsletter.exceptions import did_you_mean
from newsletter.fields import (
    Blank,
    Email,
    HeaderProse,
    Markdown,
    Node,
    OneOrMany,
    OptionalHeaderProse,
    OptionalHeaderText,
    OptionalMarkdown,
    OptionalProse,
    OptionalText,
    Prose,
    Slug,
    Text,
    Url,
    resolve_image,
)

EmailChoice = Literal["full", "teaser"] | None
"""How the e-mail carries a block: ``full``, ``teaser`` (title, lead or first paragraph,
a link to the web edition), or not said: full unless the e-mail would pass Gmail's budget,
when the longest blocks become teasers first (:mod:`newsletter.render.email_budget`)."""


class Image(Node):
    """A picture with its alt text (required: screen readers and image-blocking mail clients)."""

    file: Annotated[Path, BeforeValidator(resolve_image)]
    alt: Prose
    credit: OptionalText = None

    def pixel_size(self) -> tuple[int, int]:
        """Width and height in pixels as shown (EXIF orientation applied), read from the
        file's header."""
        from newsletter.image_sizes import upright_size

        return upright_size(self.file)


class Link(Node):
    """A labelled link under an article ("Educational Portal of the City of Krakow")."""

    label: Prose
    url: Url


class Article(Node):
    """A story: title, optional kicker and lead, a Markdown body, an optional image and links."""

    type: Literal["article"]
    id: Slug
    kicker: OptionalProse = None
    title: Prose
    lead: OptionalProse = None
    body: Markdown
    image: Image | None = None
    links: list[Link] = []
    email: EmailChoice = None


class Signature(Node):
    """Who signs a letter."""

    name: Text
    role: OptionalProse = None
    image: Image | None = None


class Letter(Node):
    """A signed letter, such as the Mayor's Christmas wishes."""

    type: Literal["letter"]
    id: Slug
    title: OptionalProse = None
    greeting: OptionalProse = None
    body: Markdown
    closing: OptionalMarkdown = None
    signature: Signature
    email: EmailChoice = None


class Card(Node):
    """One card of a group: a title, a short text and a button to a web address."""

    title: Prose
    text: OptionalMarkdown = None
    button: OptionalProse = None
    """The button's words; the issue language's "Read more" when not given."""
    url: Url
    image: Image | None = None


class LinkCards(Node):
    """A group of cards side by side ("See the map" for each of the city's map tools)."""

    type: Literal["link_cards"]
    id: Slug
    title: OptionalProse = None
    intro: OptionalMarkdown = None
    cards: Annotated[list[Card], Field(min_length=1)]
    email: EmailChoice = None


class Figure(Node):
    """One big number with its label ("419" — "participants on the ZOOM platform")."""

    value: Text
    label: Prose


class Figures(Node):
    """Key numbers of an event or report, shown as a grid."""

    type: Literal["figures"]
    id: Slug
    title: OptionalProse = None
    items: Annotated[list[Figure], Field(min_length=1)]
    email: EmailChoice = None


Block = Annotated[Article | Letter | LinkCards | Figures, Field(discriminator="type")]
BLOCK_TYPES = ("article", "letter", "link_cards", "figures")


class Section(Node):
    """A "Call for …" section: its kind picks the label and colour from the theme."""

    id: Slug
    kind: str
    heading: OptionalProse = None
    intro: OptionalMarkdown = None
    blocks: Annotated[list[Block], Field(min_length=1)]

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str, info: ValidationInfo) -> str:
        kinds = (info.context or {}).get("section_kinds")
        if kinds and value not in kinds:
            raise PydanticCustomError(
                "section_kind",
                "unknown section kind '{kind}'{hint}",
                {"kind": value, "hint": did_you_mean(value, kinds)},
            )
        return value


class Footer(Node):
    """Editors and contact printed at the end of every edition."""

    editors: OptionalProse = None
    department: OptionalProse = None
    email: Annotated[list[Email], OneOrMany] = []
    """One address or a list of them (``email: [a@…, b@…]``)."""
    phone: Annotated[list[Text], OneOrMany] = []
    address: OptionalText = None
    website: Annotated[Url | None, Blank] = None


class Issue(Node):
    """One issue of the newsletter, as validated from ``issues/<id>/``."""

    id: Slug
    title: HeaderProse  # the subject when there is none
    number: OptionalHeaderText = None
    date: dt.date
    language: str = "en"
    """The language of this edition of the issue (one of the site's: the loader checks)."""
    languages: list[str] = []
    """Every language the issue is written in, the main one first (set by the loader)."""
    subject: OptionalHeaderProse = None
    preheader: OptionalProse = None
    sections: Annotated[list[Section], Field(min_length=1)]
    footer: Footer = Footer()
    source_dir: Path
    translations: dict[str, Issue] = Field(default={}, exclude=True, repr=False)
    """The issue in its other languages (on the main language's issue only)."""

    @property
    def main_language(self) -> str:
        """The language an issue is published in first (``build/<id>/``)."""
        return self.languages[0] if self.languages else self.language

    @property
    def is_translation(self) -> bool:
        """Whether this is the issue in another language than its main one."""
        return self.language != self.main_language

    def in_language(self, language: str) -> Issue:
        """The issue in ``language`` (one of :attr:`languages`)."""
        if language == self.language:
            return self
        return self.translations[language]

    def editions(self) -> list[Issue]:
        """The issue in each of its languages, the main one first."""
        return [self, *self.translations.values()]

    @property
    def subject_line(self) -> str:
        """The e-mail subject: as written, or the title and number."""
        if self.subject:
            return self.subject
        return f"{self.title} {self.number}" if self.number else self.title

    def blocks(self) -> Iterator[tuple[Section, Block]]:
        """Every block with its section, in reading order."""
        for section in self.sections:
            for block in section.blocks:
                yield section, block

    def images(self) -> Iterator[Image]:
        """Every image of the issue, in reading order."""
        for _, block in self.blocks():
            if isinstance(block, Article) and block.image:
                yield block.image
            elif isinstance(block, Letter) and block.signature.image:
                yield block.signature.image
            elif isinstance(block, LinkCards):
                yield from (card.image for card in block.cards if card.image)
