"""VERP: a per-recipient envelope sender, so every bounce names who it is about.

A bounce goes to the message's envelope sender (MAIL FROM, the Return-Path), whatever
the bounce looks like inside. With ``bounce_address = "bounces@news.example.org"`` each
message of a send goes out from ``bounces+<token>@news.example.org``, where the token
names the subscriber and the send (by its Message-ID key), signed::

    bounces+1234-5f0c3a9e1b2d4c6f-k3q9x2m4t5v6w7y8@news.example.org
            id   message key      HMAC, 80 bits, base32

Everything in it is lower case (digits, hex, RFC 4648 base32 in lower case), because
some servers lower-case local parts on the way back; a token read back is lower-cased
first. It stays within RFC 5321's 64 octets for the local part (config.py checks the
bounce address's own length). 80 bits of signature: a forger would have to send about
2^79 bounces to unsubscribe one person, and the token costs one HMAC (about 2 µs) and
no database look-up, so sending stays as fast as without it.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from newsletter.deliver.tokens import short_signature

PURPOSE = "verp"
TOKEN = re.compile(r"([0-9]{1,12})-([0-9a-f]{16})-([a-z2-7]{16})")
"""A token as it is made (the id ≤ 12 digits keeps the local part within 64 octets)."""
# Found from its "+" (a fixed start): a pattern that began with the local part's run of
# characters would retry that run from each of its characters, quadratic on a long run
# of letters or digits (137 KB of them took 203 s). The local part is read backwards
# from the "+", at most 64 characters.
_IN_ADDRESS = re.compile(r"\+" + TOKEN.pattern + r"@([a-z0-9.-]{1,255})", re.IGNORECASE)
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
_MAX_LOCAL = 64


@dataclass(frozen=True)
class VerpId:
    """What a genuine VERP token names: a subscriber and the send (its message key)."""

    subscriber_id: int
    message_key: str


def _signature(key: bytes, subscriber_id: int, message_key: str) -> str:
    return short_signature(key, PURPOSE, f"{subscriber_id}-{message_key}")


def verp_address(key: bytes, bounce_address: str, subscriber_id: int, message_key: str) -> str:
    """The envelope sender of one recipient's message: ``local+token@domain``.

    A message key that is not 16 hex digits (a send of an older database, a test's own)
    has none: the plain bounce address is returned, and bounces to it are attributed by
    what they quote of the message.
    """
    if not re.fullmatch(r"[0-9a-f]{16}", message_key) or not 0 < subscriber_id < 10**12:
        return bounce_address
    local, _, domain = bounce_address.rpartition("@")
    token = f"{subscriber_id}-{message_key}-{_signature(key, subscriber_id, message_key)}"
    return f"{local}+{token}@{domain}"


def read_verp(key: bytes, text: str, bounce_address: str | None = None) -> VerpId | None:
    """The first genuine VERP token in ``text`` (an address, a header, a quoted message),
    or None. With ``bounce_address``, only tokens on its local part and domain count.
    Compared in constant time; letter case is ignored (servers may change it)."""
    for match in _IN_ADDRESS.finditer(text):
        sid, message_key, signature, domain = (g.lower() for g in match.groups())
        local = _local_before(text, match.start())
        if not local:
            continue
        if bounce_address:
            want_local, _, want_domain = bounce_address.lower().rpartition("@")
            if local != want_local or domain != want_domain:
                continue
        expected = _signature(key, int(sid), message_key)
        if hmac.compare_digest(signature, expected):
            return VerpId(int(sid), message_key)
    return None


def _local_before(text: str, end: int) -> str:
    """The local part before a token's "+": the run of address characters ending at
    ``end``, lower-cased; "" when there is none or it is longer than 64 characters."""
    start = end
    while start > 0 and end - start <= _MAX_LOCAL and text[start - 1] in _LOCAL_CHARS:
        start -= 1
    if end - start > _MAX_LOCAL:
        return ""
    return text[start:end].lower()
