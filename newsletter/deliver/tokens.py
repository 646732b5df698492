"""Unsubscribe tokens: a subscriber id signed with HMAC-SHA256.

A token is ``<id>-<signature>``: whoever has the link may unsubscribe that one address,
and nobody can make a link for another. The key is ``NEWSLETTER_SECRET`` from the
environment, never a file, so it cannot be committed with the project. Changing the key
invalidates the links of every message already sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from newsletter.exceptions import NewsletterError

SECRET_VARIABLE = "NEWSLETTER_SECRET"
MIN_SECRET_LENGTH = 16
_PURPOSE = b"unsubscribe:"  # a signature made for something else never passes as this
_SIGNATURE_BYTES = 16  # 128 bits: unforgeable, and the link stays short
_TOKEN = re.compile(r"([1-9][0-9]{0,17})-([A-Za-z0-9_-]{22})")


class MissingSecretError(NewsletterError):
    """NEWSLETTER_SECRET is missing or too short to sign with."""


def secret_key(environ: dict[str, str] | None = None) -> bytes:
    """The signing key from NEWSLETTER_SECRET; refuse to go on without a real one."""
    value = (os.environ if environ is None else environ).get(SECRET_VARIABLE, "")
    if len(value) < MIN_SECRET_LENGTH:
        raise MissingSecretError(
            f"{SECRET_VARIABLE} is {'too short' if value else 'not set'}: set it to a random "
            f"string of at least {MIN_SECRET_LENGTH} characters, the same for `send` and "
            "`serve` (e.g. export NEWSLETTER_SECRET=$(python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'))"
        )
    return value.encode("utf-8")


def _signature(key: bytes, subscriber_id: int) -> str:
    digest = hmac.new(key, _PURPOSE + str(subscriber_id).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).rstrip(b"=").decode()


def make_token(key: bytes, subscriber_id: int) -> str:
    """The token in a subscriber's unsubscribe link."""
    return f"{subscriber_id}-{_signature(key, subscriber_id)}"


def read_token(key: bytes, token: str) -> int | None:
    """The subscriber id a token was made for, or None when it is malformed or forged.

    The signature is compared in constant time, so timing tells an attacker nothing
    about how much of a forged signature was right.
    """
    match = _TOKEN.fullmatch(token)
    if not match:
        return None
    subscriber_id = int(match.group(1))
    if not hmac.compare_digest(match.group(2), _signature(key, subscriber_id)):
        return None
    return subscriber_id
