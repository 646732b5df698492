"""People who asked to be forgotten: a keyed hash of their address, and nothing else.

After ``subscribers forget`` the list holds no address or name of the person, yet an old
spreadsheet imported next year must not put them back. So the normalised address is
kept as HMAC-SHA256 under ``NEWSLETTER_SECRET``, with a purpose label of its own (no
link token or form signature can ever equal one), and every way onto the list — import,
``add``, the sign-up form — checks new addresses against it.

Keyed, not a plain hash: e-mail addresses are guessable (lists of them are sold, and
``firstname.lastname@`` of a known company is a small space), so a plain SHA-256 of one
is reversed by hashing candidates until one matches. Without the key, the stored hashes
say nothing; the key never lives in a file or the database. The table also keeps an id
of the key (an HMAC of a fixed label), so a changed secret is noticed and reported
instead of every forgotten person silently becoming addable again.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from newsletter.deliver.db import forgotten, now
from newsletter.deliver.tokens import SECRET_VARIABLE, secret_key
from newsletter.exceptions import NewsletterError

PURPOSE = "forgotten-address"  # domain separation from the link and form signatures


def address_key(email: str) -> str:
    """The address as the list compares it (``subscribers.email_key``): lower case."""
    return email.strip().lower()


def address_hash(key: bytes, email: str) -> str:
    """HMAC-SHA256 of the normalised address under ``key``, hex (64 characters)."""
    data = f"{PURPOSE}:{address_key(email)}".encode()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short, one-way id of the key: tells which key made a stored hash."""
    return hmac.new(key, f"{PURPOSE}:key-id".encode(), hashlib.sha256).hexdigest()[:16]


def remember(connection: Connection, key: bytes, email: str) -> None:
    """Record (or renew) the address as forgotten, in the caller's transaction; a
    permission to sign up again given earlier is withdrawn."""
    digest = address_hash(key, email)
    values = {"key_id": key_id(key), "signup_allowed": False, "forgotten_at": now()}
    updated = connection.execute(
        forgotten.update().where(forgotten.c.address_hash == digest).values(**values)
    ).rowcount
    if not updated:
        connection.execute(forgotten.insert().values(address_hash=digest, **values))


def allow_signup(connection: Connection, key: bytes, email: str) -> bool:
    """Let a forgotten person sign up again through the form (they asked the office to
    come back); True when the address was forgotten. Import and ``add`` still refuse."""
    return (
        connection.execute(
            forgotten.update()
            .where(forgotten.c.address_hash == address_hash(key, email))
            .values(signup_allowed=True)
        ).rowcount
        > 0
    )


def screen(
    connection: Connection, emails: Iterable[str], key: bytes | None = None, signup: bool = False
) -> set[str]:
    """The addresses among ``emails`` (as :func:`address_key`) that must not be added.

    One query per call (an import screens its batches of 500). When nobody was ever
    forgotten no key is needed; otherwise ``key`` (default: NEWSLETTER_SECRET from the
    environment) must be the one the hashes were made with. ``signup``: the form asks,
    and addresses an operator allowed back pass.
    """
    keys = {address_key(e) for e in emails}
    if not keys or connection.execute(sa.select(forgotten.c.key_id).limit(1)).first() is None:
        return set()
    if key is None:
        try:
            key = secret_key()
        except NewsletterError:
            raise NewsletterError(
                f"people were forgotten on this list: {SECRET_VARIABLE} (the key of their "
                "hashes) is needed to keep them off it; set it as for `send`"
            ) from None
    foreign = connection.execute(
        sa.select(sa.func.count()).select_from(forgotten).where(forgotten.c.key_id != key_id(key))
    ).scalar_one()
    if foreign:
        raise NewsletterError(
            f"{foreign} forgotten address(es) were hashed with another {SECRET_VARIABLE}: "
            "with this one nobody can tell whether an address was forgotten; set the "
            "secret back to the one used by `subscribers forget`"
        )
    hashes = {address_hash(key, k): k for k in keys}
    query = sa.select(forgotten.c.address_hash).where(forgotten.c.address_hash.in_(hashes))
    if signup:
        query = query.where(forgotten.c.signup_allowed == sa.false())
    return {hashes[h] for h in connection.execute(query).scalars()}
