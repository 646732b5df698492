"""Link tokens: a subscriber id (or sign-up event id) signed with HMAC-SHA256.

A token is ``<id>-<signature>``: whoever has the link may unsubscribe that one address
(or open that one person's preferences), and nobody can make a link for another. Each
kind of link signs a different purpose, so an unsubscribe token is no preference token.
Confirmation tokens also carry their expiry, ``<id>-<expiry>-<signature>``, signed too.
The key is ``NEWSLETTER_SECRET`` from the environment, never a file, so it cannot be
committed with the project. Changing the key
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
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
CONFIRM = "confirm"  # a sign-up's confirmation link (expires)
_SIGNATURE_BYTES = 16  # 128 bits: unforgeable, and the link stays short
_TOKEN = re.compile(r"([1-9][0-9]{0,17})-([A-Za-z0-9_-]{22})")
_EXPIRING = re.compile(r"([1-9][0-9]{0,17})-([1-9][0-9]{0,11})-([A-Za-z0-9_-]{22})")
EXPIRED = -1
"""What :func:`read_expiring_token` returns for a genuine token past its expiry."""


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


def signature(key: bytes, purpose: str, message: str) -> str:
    """HMAC-SHA256 of ``purpose:message``, cut to 128 bits, URL-safe base64 (22 chars).
    The purpose comes first, so a signature made for one thing never passes as another."""
    data = f"{purpose}:{message}".encode()
    digest = hmac.new(key, data, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).rstrip(b"=").decode()


def short_signature(key: bytes, purpose: str, message: str) -> str:
    """HMAC-SHA256 of ``purpose:message`` cut to 80 bits, lower-case base32 (16 chars):
    for what travels in mail headers and addresses (VERP, Message-IDs), where servers may
    lower-case what comes back and 64 octets is all a local part may hold."""
    digest = hmac.new(key, f"{purpose}:{message}".encode(), hashlib.sha256).digest()[:10]
    return base64.b32encode(digest).decode("ascii").lower()


def make_token(key: bytes, subscriber_id: int, purpose: str = UNSUBSCRIBE) -> str:
    """The token in a subscriber's unsubscribe (or preference) link."""
    return f"{subscriber_id}-{signature(key, purpose, str(subscriber_id))}"


def read_token(key: bytes, token: str, purpose: str = UNSUBSCRIBE) -> int | None:
    """The subscriber id a token was made for, or None when it is malformed or forged.

    The signature is compared in constant time, so timing tells an attacker nothing
    about how much of a forged signature was right.
    """
    match = _TOKEN.fullmatch(token)
    if not match:
        return None
    subscriber_id = int(match.group(1))
    if not hmac.compare_digest(match.group(2), signature(key, purpose, match.group(1))):
        return None
    return subscriber_id


def make_expiring_token(key: bytes, ident: int, expires: int, purpose: str = CONFIRM) -> str:
    """A token for ``ident`` valid until ``expires`` (epoch seconds)."""
    return f"{ident}-{expires}-{signature(key, purpose, f'{ident}-{expires}')}"


def read_expiring_token(key: bytes, token: str, now: float, purpose: str = CONFIRM) -> int | None:
    """The id an expiring token names; None when malformed or forged, :data:`EXPIRED`
    when genuine but too old (the page can then say so: only its holder learns it)."""
    match = _EXPIRING.fullmatch(token)
    if not match:
        return None
    signed = f"{match.group(1)}-{match.group(2)}"
    if not hmac.compare_digest(match.group(3), signature(key, purpose, signed)):
        return None
    return EXPIRED if int(match.group(2)) < now else int(match.group(1))
