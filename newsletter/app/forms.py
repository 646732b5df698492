"""Form bodies as sent, and the sign-up form's fields with what is wrong with them.

Forms are read with the standard library (``application/x-www-form-urlencoded``, the
only encoding our forms use) rather than Starlette's parser, which needs the
python-multipart package for this too; a body over :data:`MAX_BODY` is not read at all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request

from newsletter.deliver.audience import subscribers as subs

MAX_BODY = 16 * 1024
"""Bytes a sign-up POST may have: the form is a few hundred; more is not a person."""


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a urlencoded POST (the first value of each); empty when the body is
    too big, of another type or not UTF-8 (every check after this then fails)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", ""):
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return {}
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=30)
    except (UnicodeDecodeError, ValueError):
        return {}
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


@dataclass(frozen=True)
class SignupForm:
    """The visible fields (shown again, escaped, when the form is sent back)."""

    email: str = ""
    name: str = ""
    language: str = "pl"
    consent: str = ""  # the consent version on the ticked checkbox; "" when unticked

    @classmethod
    def read(cls, data: Mapping[str, str], default_language: str,
             languages: Collection[str]) -> SignupForm:
        """The fields as sent; a language the site does not have (``languages``, from
        strings.yaml) becomes ``default_language``."""
        def text(name: str, limit: int) -> str:
            value = data.get(name)
            return value.strip()[:limit] if isinstance(value, str) else ""

        language = text("language", 8)
        return cls(
            email=text("email", 320),
            name=text("name", 200),
            language=language if language in languages else default_language,
            consent=text("consent", 40),
        )

    def problem(self, consent_version: str) -> str | None:
        """The words key of what is wrong, or None when the fields are fine."""
        try:
            subs.candidate(self.email, self.name, self.language, "form")
        except subs.InvalidSubscriber:
            return "email_required"
        if self.consent != consent_version:  # unticked, or ticked on an older text
            return "consent_required"
        return None

    def candidate(self) -> subs.Candidate:
        """The checked details (call after :meth:`problem` returned None)."""
        return subs.candidate(self.email, self.name, self.language, "form")
