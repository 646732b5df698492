"""DKIM signatures (RFC 6376) on every message, made here rather than left to the relay.

Gmail and Yahoo require bulk mail to be DKIM-signed by the From domain, with
List-Unsubscribe and List-Unsubscribe-Post among the signed headers (one-click must not
be forgeable); a relay that does not sign, or signs with its own domain, leaves our mail
unauthenticated or unaligned for DMARC. Signing here makes it independent of the relay.

dkimpy does it: it is the reference Python implementation (also behind dkimpy-milter),
needs no C library (its RSA is Python's own ``pow``, with CRT), reads PKCS#1 and PKCS#8
PEM keys, and verifies with a ``dnsfunc`` we can supply, so tests check real signatures
without DNS.

The domain and selector are in ``[dkim]`` of newsletter.toml; the private key never is:
it comes from ``NEWSLETTER_DKIM_KEY_FILE`` (a path) or ``NEWSLETTER_DKIM_KEY`` (the PEM
itself). Each recipient's message is signed on its own (the body carries their
unsubscribe link), inside the per-message handler: a message that cannot be signed
fails alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from newsletter.config import Site
from newsletter.exceptions import NewsletterError

KEY_FILE_VARIABLE = "NEWSLETTER_DKIM_KEY_FILE"
KEY_VARIABLE = "NEWSLETTER_DKIM_KEY"
MIN_KEY_BITS = 1024  # receivers ignore shorter keys (dkimpy's verify too); use 2048

SIGNED_HEADERS = (
    "From", "To", "Subject", "Date", "Message-ID", "Reply-To", "List-Id",
    "List-Unsubscribe", "List-Unsubscribe-Post", "Feedback-ID", "MIME-Version",
    "Content-Type", "Content-Language",
)  # fmt: skip
"""Named in h=: those the brief requires (From, Subject, Date, Message-ID, List-*) and the
rest a forwarder could change to mislead; a listed header the message lacks (Reply-To) is
signed as absent, so nobody can add one later."""


class DkimError(NewsletterError):
    """DKIM settings or a key that cannot sign (the send does not start)."""


class SigningError(NewsletterError):
    """One message that could not be signed (that message fails, the send goes on)."""


@dataclass(frozen=True)
class DkimSigner:
    """Signs messages as ``selector._domainkey.domain`` (relaxed/relaxed, rsa-sha256)."""

    domain: str
    selector: str
    key: bytes  # PEM, LF line ends

    def header(self, message: bytes) -> bytes:
        """The DKIM-Signature header lines (CRLF-terminated) for a whole message."""
        import dkim

        try:
            return dkim.sign(
                message, self.selector.encode(), self.domain.encode(), self.key,
                canonicalize=(b"relaxed", b"relaxed"),
                include_headers=[h.encode() for h in SIGNED_HEADERS],
            )  # fmt: skip
        except dkim.DKIMException as exc:
            raise SigningError(f"cannot DKIM-sign the message: {exc}") from None

    @property
    def record_name(self) -> str:
        """Where the public key is published in DNS (a TXT record)."""
        return f"{self.selector}._domainkey.{self.domain}"


def dkim_signer(site: Site, environ: dict[str, str] | None = None) -> DkimSigner | None:
    """The signer that ``[dkim]`` and the key in the environment make, or None without
    ``[dkim]``. The key is checked by signing a small message, so a bad key stops the
    send before its first message instead of failing every one."""
    environ = dict(os.environ if environ is None else environ)
    named = [v for v in (KEY_FILE_VARIABLE, KEY_VARIABLE) if environ.get(v)]
    if site.dkim is None:
        if named:
            raise DkimError(
                f"{named[0]} is set but newsletter.toml has no [dkim] table: add one with "
                "domain and selector (docs/delivery.md), or unset the variable"
            )
        return None
    where = site.dkim.where.location
    if not named:
        raise DkimError(
            f"{where}: [dkim] needs the private key: set {KEY_FILE_VARIABLE} to the PEM "
            f"file's path, or {KEY_VARIABLE} to the key itself (never in newsletter.toml)"
        )
    if len(named) == 2:
        raise DkimError(f"set {KEY_FILE_VARIABLE} or {KEY_VARIABLE}, not both")
    if named[0] == KEY_FILE_VARIABLE:
        path = Path(environ[KEY_FILE_VARIABLE]).expanduser()
        try:
            key, source = path.read_bytes(), str(path)
        except OSError as exc:
            raise DkimError(
                f"{KEY_FILE_VARIABLE}: cannot read {path}: {exc.strerror or exc}"
            ) from None
    else:
        key, source = environ[KEY_VARIABLE].encode(), KEY_VARIABLE
    key = key.replace(b"\r\n", b"\n").strip() + b"\n"  # dkimpy finds the PEM body by LF
    _check_key(key, source)
    signer = DkimSigner(site.dkim.domain, site.dkim.selector, key)
    try:
        signer.header(b"From: a@" + signer.domain.encode() + b"\r\n\r\nkey check\r\n")
    except SigningError as exc:
        raise DkimError(f"{source}: {exc}") from None
    return signer


def _check_key(key: bytes, source: str) -> None:
    from dkim.crypto import UnparsableKeyError, parse_pem_private_key

    if b"PRIVATE KEY-----" not in key:
        raise DkimError(
            f"{source}: not a PEM private key (expected '-----BEGIN PRIVATE KEY-----' or "
            "'-----BEGIN RSA PRIVATE KEY-----')"
        )
    try:
        bits = parse_pem_private_key(key)["modulus"].bit_length()
    except (UnparsableKeyError, ValueError, IndexError, KeyError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DkimError(f"{source}: not an RSA private key dkimpy can read: {reason}") from None
    if bits < MIN_KEY_BITS:
        raise DkimError(
            f"{source}: the key has {bits} bits; receivers ignore DKIM keys under "
            f"{MIN_KEY_BITS} (make one of 2048: openssl genrsa -out dkim.pem 2048)"
        )


def feedback_id(issue_id: str, send_id: str, list_id: str) -> str:
    """``issue:send:list:domain`` for Gmail's Feedback-ID (its Postmaster Tools count
    complaints per field; the last is the sender's stable id): from the List-Id, so the
    same list always has the same last two fields. Colons in a send's name would shift
    the fields, so they become dashes."""
    label, _, domain = list_id.partition(".")
    return ":".join(part.replace(":", "-") for part in (issue_id, send_id, label, domain))
