"""Signed Message-IDs: a bounce that quotes our message names its recipient, and nobody
can make one that names someone else.

Every recipient's copy of a send has the Message-ID::

    <5f0c3a9e1b2d4c6f-k3q9x2m4t5v6w7y8.1234@news.example.org>
     message key      HMAC, 80 bits     id

The message key is the send's (64 random bits, in every copy); the signature is an
HMAC-SHA256 under NEWSLETTER_SECRET of the key and the subscriber id with its own purpose
("message-id", so no VERP or link signature passes as one), cut to 80 bits and written in
lower-case base32 like a VERP token (servers may lower-case what they quote). It is
deterministic, so a message sent again after a crash keeps its Message-ID and mailboxes
fold the repeat.

An unsigned Message-ID (``<key.id@domain>``, the form before issue 20) proves nothing: a
reader sees the key in their own copy and the ids are sequential, so anyone could write
a "bounce" quoting another reader's. Read back, a signature is compared in constant time.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass

from newsletter.deliver.tokens import short_signature

PURPOSE = "message-id"
_SIGNED = re.compile(r"<([0-9a-f]{16})-([a-z2-7]{16})\.([1-9][0-9]{0,17})@([a-z0-9.-]{1,255})>",
                     re.IGNORECASE)  # fmt: skip
"""Fixed start ("<" and 16 hex digits), bounded repeats: linear on any text."""


@dataclass(frozen=True)
class SignedId:
    """What a genuine Message-ID names: a subscriber and the send (its message key)."""

    subscriber_id: int
    message_key: str


def _signature(key: bytes, message_key: str, subscriber_id: int) -> str:
    return short_signature(key, PURPOSE, f"{message_key}.{subscriber_id}")


def message_id(key: bytes, message_key: str, subscriber_id: int, domain: str) -> str:
    """One recipient's Message-ID, with angle brackets."""
    signature = _signature(key, message_key, subscriber_id)
    return f"<{message_key}-{signature}.{subscriber_id}@{domain}>"


def read_message_ids(key: bytes, text: str, domain: str) -> Iterator[SignedId]:
    """Every genuine Message-ID of ours (on ``domain``) that ``text`` quotes, in order;
    forged, unsigned and foreign ones are skipped. Letter case is ignored."""
    domain = domain.lower()
    for match in _SIGNED.finditer(text):
        message_key, signature, sid, where = (g.lower() for g in match.groups())
        if where != domain:
            continue
        if hmac.compare_digest(signature, _signature(key, message_key, int(sid))):
            yield SignedId(int(sid), message_key)
