"""The site configuration, ``newsletter.toml`` at the project root.

Things that are the same for every issue: the newsletter's name, the sender, the base URL
where the web edition and images are published, the List-Id, the theme file.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo, field_validator
from pydantic import StringConstraints as _Str
from pydantic_core import PydanticCustomError

from newsletter.exceptions import ContentError, Location, Problem
from newsletter.fields import (
    HeaderEmail,
    HeaderText,
    HeaderUrl,
    Node,
    OneLine,
    Text,
    Words,
    in_language,
)
from newsletter.source import parse_toml, read_text
from newsletter.validate import validate

CONFIG_NAME = "newsletter.toml"


class Sender(Node):
    """Who the e-mail comes from (the password never lives here: NEWSLETTER_SMTP_PASSWORD)."""

    name: HeaderText
    email: HeaderEmail
    reply_to: HeaderEmail | None = None


class PrintSettings(Node):
    """The printer's requirements for the press-ready PDF."""

    # Debian's libgs-common ships Ghostscript's CMYK profile (AGPL): used from the system,
    # never copied into this repository. A print shop's own profile goes here.
    icc_profile: Text = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
    bleed_mm: Annotated[float, Field(ge=0, le=10)] = 3
    min_ppi: Annotated[int, Field(ge=72, le=1200)] = 300
    pad_to_multiple_of: Annotated[int, Field(ge=1, le=16)] = 4
    """Saddle-stitched booklets need a multiple of 4 pages; 1 turns padding off."""


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"


class DkimSettings(Node):
    """DKIM signing: the public key is published at ``selector._domainkey.domain``; the
    private key never lives here (NEWSLETTER_DKIM_KEY_FILE or NEWSLETTER_DKIM_KEY)."""

    domain: Annotated[str, OneLine, _Str(strip_whitespace=True, to_lower=True,
                                         pattern=rf"^{_LABEL}(\.{_LABEL})+$")]  # fmt: skip
    selector: Annotated[str, OneLine, _Str(strip_whitespace=True,
                                           pattern=rf"^{_LABEL}(\.{_LABEL})*$")]  # fmt: skip


class Consent(Node):
    """The text beside the sign-up form's checkbox, per language, and its version.

    Every consent event records the version the person agreed to: change ``version``
    whenever the text changes, so the record says which words each person saw.
    """

    version: Annotated[str, _Str(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{1,40}$")]
    text: Words
    """One per language the form is offered in (``text.pl = "…"``)."""

    def words(self, language: str) -> str:
        """The text in ``language`` (``check`` and ``serve`` make sure it is there)."""
        return in_language(self.text, language) or ""


class BounceSettings(Node):
    """How soft bounces add up before an address is taken off the list (``[bounces]``).

    Mailman's model (its defaults): each day with a bounce adds to a person's score (once
    a day, however many bounces came that day), a score with no bounce for ``reset_after_days``
    starts again from zero, and reaching ``threshold`` marks the address bounced. A soft
    bounce (mailbox full, a temporary failure the server gave up on) weighs
    ``soft_score``; a permanent refusal that is not about the address (policy, content,
    a message too big) weighs ``permanent_score``. A hard bounce (no such user or domain)
    marks the address bounced at once and needs no score.
    """

    threshold: Annotated[float, Field(gt=0, le=100)] = 5.0
    soft_score: Annotated[float, Field(gt=0, le=100)] = 0.5
    permanent_score: Annotated[float, Field(gt=0, le=100)] = 1.0
    reset_after_days: Annotated[int, Field(ge=1, le=365)] = 7
    read_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0
    """CPU seconds `newsletter bounces` may spend reading one message (parsing it and
    finding its tokens; a real bounce takes milliseconds): one that takes longer is
    recorded as unreadable, kept for a person, and the run goes on."""


def _network(value: str, info: ValidationInfo) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise PydanticCustomError(
            "network", "'{v}' in {field} is not an address or a network (e.g. 10.0.0.5 or "
            "10.0.0.0/24)", {"v": value, "field": info.field_name or "the list"}) from None


Network = Annotated[str, AfterValidator(_network)]
"""An IPv4/IPv6 address or network, kept as a network (``10.0.0.5`` → ``10.0.0.5/32``)."""


class ServeSettings(Node):
    """`newsletter serve` behind a reverse proxy (``[serve]``).

    A proxy (nginx) connects to `serve` itself, so every request seems to come from the
    proxy: one rate limit and one consent network for the whole city. The proxy says who
    its client was in ``X-Forwarded-For``; `serve` believes that header only from these
    addresses, and takes the right-most address in it that is not one of them (a client
    can write anything in the header, but not what our own proxy appends after it).
    """

    trusted_proxies: list[Network] = ["127.0.0.1/32", "::1/128"]
    """The proxies in front of `serve` (default: this machine, as with nginx on it)."""


class ReviewSettings(Node):
    """How an issue goes from draft to approved (``[review]``, newsletter/review/).

    ``approvals`` different people must approve an issue (`newsletter approve`) before it
    is sent to the list or published in the archive; 0 turns the review off, for a list
    one person runs alone (every issue that builds is then published and sendable).
    """

    approvals: Annotated[int, Field(ge=0, le=10)] = 1


_BOUNCE_LOCAL = r"^[a-z0-9][a-z0-9._-]{0,16}@"


class Site(Node):
    """Settings shared by every issue."""

    name: HeaderText  # List-Id's phrase
    tagline: Words | None = None
    """The line under the name ("Business Support Centre"): one text, or one per language
    (``tagline = { en = "…", pl = "…" }``) so a Polish edition is Polish from its masthead."""
    base_url: HeaderUrl  # List-Unsubscribe
    list_id: Annotated[
        str,
        OneLine,
        _Str(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"),
    ]
    sender: Sender
    theme: Text = "assets/theme.yaml"
    issues: Text = "issues"
    output: Text = "build"
    templates: Text = "templates"
    print: PrintSettings = PrintSettings()
    dkim: DkimSettings | None = None
    consent: Consent | None = None  # without it, `serve` offers no sign-up form
    bounce_address: HeaderEmail | None = None
    """With it, each message's envelope sender is ``local+<token>@domain`` (VERP), so a
    bounce names its recipient (newsletter/deliver/sending/verp.py); `newsletter bounces` reads
    what arrives there."""
    bounces: BounceSettings = BounceSettings()
    serve: ServeSettings = ServeSettings()
    review: ReviewSettings = ReviewSettings()
    root: Path = Field(default=Path("."), exclude=True)

    @field_validator("bounce_address")
    @classmethod
    def _short_bounce_local_part(cls, value: str | None) -> str | None:
        # local + "+" + the token (up to 46 characters) must stay within RFC 5321's 64
        # octets, and some servers lower-case local parts: letters, digits and ._- only
        value = value.lower() if value else value
        if value is not None and not re.match(_BOUNCE_LOCAL, value):
            raise PydanticCustomError(
                "bounce_address",
                "bounce_address '{v}' needs a local part of at most 17 letters, "
                "digits, '.', '_' or '-' (e.g. bounces@newsletter.example.org): the "
                "per-recipient token is added to it and the whole must fit in 64 characters",
                {"v": value},
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _https_base(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise PydanticCustomError(
                "base_url", "base_url must be a web address (https://…), not '{v}'", {"v": value}
            )
        return value if value.endswith("/") else value + "/"

    def tagline_in(self, language: str) -> str | None:
        """The tagline in ``language``."""
        return in_language(self.tagline, language)

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


def find_config(start: Path, *more: Path) -> Path:
    """The nearest newsletter.toml in ``start`` or its parents, else in each of ``more``
    (the working folder) or theirs: an issue folder kept outside the project (a shared
    drive) is built with the project the command is run in, as the docs say."""
    start = start.resolve()
    for origin in (start, *(p.resolve() for p in more)):
        for folder in (origin, *origin.parents):
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
    site = validate(Site, data, path)
    _check_dkim_alignment(site)
    return site


def _check_dkim_alignment(site: Site) -> None:
    """DMARC passes on DKIM only when d= is the From domain or a parent of it."""
    if site.dkim is None:
        return
    sender = site.sender.email.rpartition("@")[2].lower()
    if sender != site.dkim.domain and not sender.endswith("." + site.dkim.domain):
        raise ContentError(
            [
                Problem(
                    site.dkim.where.of("domain"),
                    f"[dkim] domain '{site.dkim.domain}' does not align with the sender "
                    f"{site.sender.email}: use '{sender}' (or a parent of it), or DMARC "
                    "fails on DKIM",
                )
            ]
        )
