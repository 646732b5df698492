"""DKIM signatures (RFC 6376) on every message, made here rather than left to the relay.

Gmail and Yahoo require bulk mail to be DKIM-signed by the From domain, with
List-Unsubscribe and List-Unsubscribe-Post among the signed headers (one-click must not
be forgeable); a relay that does not sign, or signs with its own domain, leaves our mail
unauthenticated or unaligned for DMARC. Signing here makes it independent of the relay.

Each recipient's message is signed on its own (the body carries their unsubscribe link),
so signing is on the hot path of a send. dkimpy, the reference Python implementation,
took 11 ms of CPU per 89 KB message (its RSA is Python's ``pow``; measured with
bench/dkim.py): 90 messages a second per core, three hours of CPU for a million
recipients. The signer below does the one thing a send needs — relaxed/relaxed
rsa-sha256 over our own, well-formed messages — with the RSA operation in OpenSSL
(``cryptography``) and the hashes in ``hashlib``, and the tests check every signature
with dkimpy's verifier against the public key, so the two implementations must agree.

The domain and selector are in ``[dkim]`` of newsletter.toml; the private key never is:
it comes from ``NEWSLETTER_DKIM_KEY_FILE`` (a path) or ``NEWSLETTER_DKIM_KEY`` (the PEM
itself). A message that cannot be signed fails alone, inside the per-message handler.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

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


_WSP_RUN = re.compile(rb"[ \t]{2,}|\t")
_SPACES = re.compile(rb"  +")
_FOLD = re.compile(rb"\r\n(?=[ \t])")


def relaxed_body(body: bytes) -> bytes:
    """RFC 6376 3.4.4: whitespace at line ends dropped, runs of it made one space, empty
    lines at the end dropped, and a non-empty body ending in CRLF (a last line without
    one keeps a last space, as dkimpy reads it; our messages always end in CRLF)."""
    # Steps a search can skip through fast (a literal first): with one regular expression
    # for "a run of spaces and tabs", re scanned every byte, 2.5 ms for an 89 KB message;
    # these take 0.15 ms.
    body = relaxed_lines(body)
    end = len(body)
    while body.endswith(b"\r\n", 0, end):
        end -= 2
    body = body[:end]
    return body + b"\r\n" if body else b""


def relaxed_lines(data: bytes) -> bytes:
    """:func:`relaxed_body` without its end-of-body rule: for a piece of a body that starts
    and ends with something other than whitespace (a send's pieces between links)."""
    return _SPACES.sub(b" ", data.replace(b"\t", b" ")).replace(b" \r\n", b"\r\n")


def relaxed_header(name: bytes, value: bytes) -> bytes:
    """RFC 6376 3.4.2: the name in lower case, the value unfolded, runs of whitespace made
    one space, none around the colon or at the end."""
    value = _WSP_RUN.sub(b" ", _FOLD.sub(b"", value).replace(b"\r\n", b"")).strip(b" ")
    return name.strip().lower() + b":" + value


def header_fields(head: bytes) -> list[tuple[bytes, bytes]]:
    """The (name, value) of each header field, folds kept in the value."""
    fields: list[tuple[bytes, bytes]] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + b"\r\n" + line)
        elif line:
            name, _, value = line.partition(b":")
            fields.append((name, value))
    return fields


@dataclass(frozen=True)
class DkimSigner:
    """Signs messages as ``selector._domainkey.domain`` (relaxed/relaxed, rsa-sha256)."""

    domain: str
    selector: str
    key: bytes  # PEM

    @functools.cached_property
    def _private_key(self) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(self.key, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise DkimError("the DKIM key is not an RSA key")
        return key

    def __getstate__(self) -> dict[str, Any]:
        """Workers get the PEM, not OpenSSL's key object (which cannot be pickled)."""
        return {"domain": self.domain, "selector": self.selector, "key": self.key}

    def header(self, message: bytes, now: float | None = None) -> bytes:
        """The DKIM-Signature header lines (CRLF-terminated) for a whole message."""
        head, blank, body = message.partition(b"\r\n\r\n")
        if not blank:
            raise SigningError("cannot DKIM-sign the message: it has no blank line")
        return self.header_for(head, hashlib.sha256(relaxed_body(body)).digest(), now)

    def header_for(self, head: bytes, body_hash: bytes, now: float | None = None) -> bytes:
        """The DKIM-Signature header for a message of these header lines (CRLF-separated)
        whose canonical body (:func:`relaxed_body`) has this SHA-256: a send hashes the
        canonical pieces it made once instead of canonicalising each message again."""
        fields = header_fields(head)
        body_hash = base64.b64encode(body_hash)
        signed = [h.lower().encode() for h in SIGNED_HEADERS]
        tags = [
            b"v=1", b"a=rsa-sha256", b"c=relaxed/relaxed", b"d=" + self.domain.encode(),
            b"s=" + self.selector.encode(), b"t=%d" % int(now or time.time()),
            b"h=" + b":".join(signed), b"bh=" + body_hash, b"b=",
        ]  # fmt: skip
        value = _folded(tags)
        hashed = b"".join(relaxed_header(n, v) + b"\r\n" for n, v in _chosen(fields, signed))
        hashed += relaxed_header(b"DKIM-Signature", value)
        try:
            signature = self._private_key.sign(hashed, padding.PKCS1v15(), hashes.SHA256())
        except (ValueError, TypeError, UnsupportedAlgorithm, DkimError) as exc:
            raise SigningError(f"cannot DKIM-sign the message: {exc}") from None
        b64 = base64.b64encode(signature)
        lines = b"\r\n\t".join(b64[i : i + 72] for i in range(0, len(b64), 72))
        return b"DKIM-Signature:" + value + b"\r\n\t" + lines + b"\r\n"

    @property
    def record_name(self) -> str:
        """Where the public key is published in DNS (a TXT record)."""
        return f"{self.selector}._domainkey.{self.domain}"


def _chosen(fields: list[tuple[bytes, bytes]], signed: list[bytes]) -> list[tuple[bytes, bytes]]:
    """The instances the h= names pick, each name taking its instances from the bottom up
    (RFC 6376 5.4.2); a name the message lacks picks nothing (signed as absent)."""
    taken: set[int] = set()
    chosen = []
    for name in signed:
        for index in range(len(fields) - 1, -1, -1):
            if index not in taken and fields[index][0].strip().lower() == name:
                taken.add(index)
                chosen.append(fields[index])
                break
    return chosen


def _folded(tags: list[bytes]) -> bytes:
    """The tag list as the value of a DKIM-Signature header of lines of at most 78
    characters (the h= list broken at its colons), ending with an empty ``b=``."""
    lines, line = [], b"DKIM-Signature:"
    for tag in tags:
        pieces = tag.split(b":") if tag.startswith(b"h=") else [tag]
        for n, piece in enumerate(pieces):
            piece += b":" if n < len(pieces) - 1 else (b";" if tag != b"b=" else b"")
            glue = b"" if line.endswith(b":") and not line.endswith(b"Signature:") else b" "
            if len(line) + len(glue) + len(piece) > 77:  # 78 with the tab of the next line
                lines.append(line)
                line, glue = b"", b""
            line += glue + piece
    lines.append(line)
    return b"\r\n\t".join(lines).removeprefix(b"DKIM-Signature:")


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
    key = key.replace(b"\r\n", b"\n").strip() + b"\n"
    _check_key(key, source)
    signer = DkimSigner(site.dkim.domain, site.dkim.selector, key)
    try:
        signer.header(b"From: a@" + signer.domain.encode() + b"\r\n\r\nkey check\r\n")
    except SigningError as exc:
        raise DkimError(f"{source}: {exc}") from None
    return signer


def _check_key(key: bytes, source: str) -> None:
    if b"PRIVATE KEY-----" not in key:
        raise DkimError(
            f"{source}: not a PEM private key (expected '-----BEGIN PRIVATE KEY-----' or "
            "'-----BEGIN RSA PRIVATE KEY-----')"
        )
    try:
        loaded = serialization.load_pem_private_key(key, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DkimError(f"{source}: not an RSA private key that can be read: {reason}") from None
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise DkimError(f"{source}: not an RSA private key (DKIM here signs rsa-sha256)")
    if loaded.key_size < MIN_KEY_BITS:
        raise DkimError(
            f"{source}: the key has {loaded.key_size} bits; receivers ignore DKIM keys under "
            f"{MIN_KEY_BITS} (make one of 2048: openssl genrsa -out dkim.pem 2048)"
        )


def feedback_id(issue_id: str, send_id: str, list_id: str) -> str:
    """``issue:send:list:domain`` for Gmail's Feedback-ID (its Postmaster Tools count
    complaints per field; the last is the sender's stable id): from the List-Id, so the
    same list always has the same last two fields. Colons in a send's name would shift
    the fields, so they become dashes."""
    label, _, domain = list_id.partition(".")
    return ":".join(part.replace(":", "-") for part in (issue_id, send_id, label, domain))
