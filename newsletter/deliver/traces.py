"""Where a person's address and name hide in stored text and mail, and how to find them.

``subscribers forget`` must leave nothing behind, yet a message kept aside carries its
text in whatever form its writer chose: parts in quoted-printable (a soft line break may
split an address) or base64 (wrapped at any column, starting at any byte), headers in
RFC 2047 encoded-words (Q or B, any charset, a name split over several words and folded
lines), addresses percent-encoded in a link or written as HTML character references, in
any letter case. A search of the bytes as they are finds none of these. :class:`Person`
decodes first — every header, every MIME part by its transfer encoding and charset, and
then, whatever the labels say, every encoding found in the text — and searches each
decoded form, so what it finds does not depend on how the bytes were written.

Only the standard library's ``email`` package is used: this is a search, not a reading
of bounces (:mod:`newsletter.deliver.bounces` does that).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email
import email.header
import html
import re
import unicodedata
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")  # whitespace between encoded-words is not text
_BASE64_RUN = re.compile(r"(?:[A-Za-z0-9+/]{4}\s*){3,}[A-Za-z0-9+/]{0,3}={0,2}")
_WHITESPACE = re.compile(r"\s+")
_DEPTH = 3  # encodings inside encodings (a base64 part holding a percent-encoded link)


@dataclass(frozen=True)
class Person:
    """The forms of one person's address and name that text may hold, as patterns."""

    plain: re.Pattern[str]  # address (as stored, as sent, as read) and name, any case
    compact: re.Pattern[str]  # the address, in text with its whitespace taken out

    @classmethod
    def of(cls, address: str, name: str | None, sent_as: str | None = None) -> Person:
        """``sent_as``: the address as it goes out (IDNA domain), when it differs.

        A name of one or two letters is not searched for: it would erase words.
        """
        addresses = {_nfc(address), *([_nfc(sent_as)] if sent_as else [])}
        local, _, domain = address.rpartition("@")
        if domain.lower().startswith("xn--") or ".xn--" in domain.lower():
            with contextlib.suppress(UnicodeError):
                addresses.add(f"{local}@{domain.encode('ascii').decode('idna')}")
        forms = [re.escape(a) for a in sorted(addresses, key=len, reverse=True)]
        compact = re.compile("|".join(forms), re.IGNORECASE)
        words = _nfc(name or "").split()
        if len(" ".join(words)) >= 3:
            forms.append(r"\s+".join(re.escape(word) for word in words))
        return cls(re.compile("|".join(forms), re.IGNORECASE), compact)

    def named_in(self, text: str) -> bool:
        """True when ``text``, or any encoding of it found inside, names the person."""
        return any(self._names(variant) for variant in _decoded(text, _DEPTH))

    def named_in_message(self, raw: bytes) -> bool:
        """True when a message names the person in any header or part, in any encoding
        (the bytes that do not parse as a message are searched as text)."""
        return any(self.named_in(text) for text in message_texts(raw))

    def scrub(self, text: str, marker: str) -> str:
        """``text`` with the person's address and name replaced by ``marker``; the whole
        text becomes ``marker`` when it still names them in an encoded form."""
        cleaned = self.plain.sub(marker, _nfc(text))
        return marker if self.named_in(cleaned) else cleaned

    def _names(self, text: str) -> bool:
        text = _nfc(text)
        return bool(self.plain.search(text) or self.compact.search(_WHITESPACE.sub("", text)))


def message_texts(raw: bytes) -> Iterator[str]:
    """Every text a message is made of: its bytes read as text, then each header of each
    part (encoded-words decoded) and each part's body decoded by its transfer encoding
    and charset, attached messages included."""
    yield raw.decode("utf-8", errors="replace")
    yield raw.decode("latin-1")  # a part in a single-byte charset, unlabelled
    try:
        message = email.message_from_bytes(raw)
        parts = list(message.walk())
    except Exception:  # hostile bytes: the texts above are still searched
        return
    for part in parts:
        for value in part.values():
            text = str(value)
            yield text
            with contextlib.suppress(Exception):
                yield str(email.header.make_header(email.header.decode_header(text)))
        if part.is_multipart():
            continue
        with contextlib.suppress(Exception):
            body = part.get_payload(decode=True)
            if isinstance(body, bytes) and body:
                yield _text(body, part.get_content_charset())


def _decoded(text: str, depth: int) -> Iterator[str]:
    """``text`` and each form it takes once its encodings are undone, ``depth`` deep."""
    yield text
    if depth == 0:
        return
    found: set[str] = set()
    if "=?" in text:
        found.add(_ENCODED_WORD.sub(_encoded_word, _BETWEEN_WORDS.sub(r"\1\2", text)))
    if "%" in text or "+" in text:
        found.add(urllib.parse.unquote(text))
        found.add(urllib.parse.unquote_plus(text))
    if "&" in text:
        found.add(html.unescape(text))
    if "=" in text:
        data = text.encode("utf-8", errors="surrogateescape")
        found.add(_text(binascii.a2b_qp(data), None))
        found.add(_text(binascii.a2b_qp(data, header=True), None))
    for run in _BASE64_RUN.findall(text):
        found.add(_base64(run))
    found.discard(text)
    found.discard("")
    for variant in found:
        yield from _decoded(variant, depth - 1)


def _encoded_word(match: re.Match[str]) -> str:
    charset, kind, data = match.groups()
    try:
        if kind in "Bb":
            raw = base64.b64decode(data + "=" * (-len(data) % 4))
        else:
            raw = binascii.a2b_qp(data.encode("ascii", errors="replace"), header=True)
    except (binascii.Error, ValueError):
        return match.group(0)
    return _text(raw, charset.split("*")[0])  # RFC 2231 adds *language


def _base64(run: str) -> str:
    letters = _WHITESPACE.sub("", run).rstrip("=")
    if len(letters) % 4 == 1:  # a stray letter after the run: not base64's
        letters = letters[:-1]
    try:
        return _text(base64.b64decode(letters + "=" * (-len(letters) % 4)), None)
    except (binascii.Error, ValueError):
        return ""


def _text(data: bytes, charset: str | None) -> str:
    """Bytes as text: in their charset when it is known, else UTF-8, else Latin-1."""
    for name in (charset, "utf-8"):
        if name:
            with contextlib.suppress(LookupError, UnicodeDecodeError):
                return data.decode(name)
    return data.decode("latin-1")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
