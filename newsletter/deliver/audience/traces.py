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
of bounces (:mod:`newsletter.deliver.returns.bounces` does that).
"""

from __future__ import annotations

import base64
import binascii
import collections
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
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_QUOTED_PRINTABLE = re.compile(r"=(?:[0-9A-Fa-f]{2}|\r?\n)")
# Anything one of _decodings would change: an encoded-word, a percent or QP escape, an
# HTML reference, a '+' of a query string, a run of base64 long enough to hold a name.
_MAYBE_ENCODED = re.compile(r"=\?|%[0-9A-Fa-f]{2}|=[0-9A-Fa-f]{2}|=\r?\n|&#?\w+;|\+"
                            r"|[A-Za-z0-9+/]{12}")  # fmt: skip
_QUERY_VALUE = re.compile(r"[?&]\w{1,20}=[^\s&\"'<>]+")
_DEPTH = 3  # encodings inside encodings (a base64 part holding a percent-encoded link)
_MOST = 200  # forms of one text searched at most (each kind of decoding branches)


@dataclass(frozen=True)
class Person:
    """The forms of one person's address and name that text may hold, as patterns."""

    plain: re.Pattern[str]  # address (as stored, as sent, as read) and name, any case
    spaced: re.Pattern[str]  # the same, with whitespace allowed inside the address
    quick: re.Pattern[str]  # ``spaced`` or anything encoded: text without it is clean

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
        ordered = sorted(addresses, key=len, reverse=True)
        forms = [re.escape(a) for a in ordered]
        # A folded line or a wrapped column may put whitespace anywhere in an address.
        spaced = [r"\s*".join(re.escape(ch) for ch in a) for a in ordered]
        words = _nfc(name or "").split()
        if len(" ".join(words)) >= 3:
            forms.append(r"\s+".join(re.escape(word) for word in words))
            spaced.append(forms[-1])
        spaced_pattern = "|".join(spaced)
        return cls(
            re.compile("|".join(forms), re.IGNORECASE),
            re.compile(spaced_pattern, re.IGNORECASE),
            re.compile(f"{spaced_pattern}|{_MAYBE_ENCODED.pattern}", re.IGNORECASE),
        )

    def named_in(self, text: str) -> bool:
        """True when ``text``, or any encoding of it found inside, names the person."""
        text = _nfc(text)
        if not self.quick.search(text):  # most text: neither the person nor an encoding
            return False
        return any(self._names(variant) for variant in _decoded(text, _DEPTH))

    def named_in_message(self, raw: bytes) -> bool:
        """True when a message names the person in any header or part, in any encoding
        (the bytes that do not parse as a message are searched as text)."""
        return any(self.named_in(text) if decode else self._names(text)
                   for text, decode in message_texts(raw))  # fmt: skip

    def scrub(self, text: str, marker: str) -> str:
        """``text`` with the person's address and name replaced by ``marker``; the whole
        text becomes ``marker`` when it still names them in an encoded form."""
        normal = _nfc(text)
        if not self.quick.search(normal):
            return text
        cleaned = self.plain.sub(marker, normal)
        return marker if self.named_in(cleaned) else cleaned

    def _names(self, text: str) -> bool:
        return bool(self.spaced.search(_nfc(text)))


def message_texts(raw: bytes) -> Iterator[tuple[str, bool]]:
    """Every text a message is made of, and whether to look for encodings inside it: its
    bytes read as text, then each header of each part (encoded-words decoded) and each
    part's body decoded by its transfer encoding and charset, attached messages included.
    A body that is binary (an image, a PDF) is searched only as it is: decoding its
    random bytes again and again finds nothing and takes minutes."""
    as_utf8 = raw.decode("utf-8", errors="replace")
    yield as_utf8, True
    if "\ufffd" in as_utf8:
        yield raw.decode("latin-1"), True  # a part in a single-byte charset, unlabelled
    try:
        message = email.message_from_bytes(raw)
        parts = list(message.walk())
    except Exception:  # hostile bytes: the texts above are still searched
        return
    for part in parts:
        for value in part.values():
            text = str(value)
            yield text, True
            with contextlib.suppress(Exception):
                yield str(email.header.make_header(email.header.decode_header(text))), True
        if part.is_multipart():
            continue
        with contextlib.suppress(Exception):
            body = part.get_payload(decode=True)
            if isinstance(body, bytes) and body:
                text = _text(body, part.get_content_charset())
                yield text, not _binary(text)


def _decoded(text: str, depth: int) -> Iterator[str]:
    """``text`` and each form it takes once its encodings are undone, ``depth`` deep
    (breadth first, at most :data:`_MOST` forms)."""
    seen = {text}
    queue = collections.deque([(text, depth)])
    while queue:
        current, left = queue.popleft()
        yield current
        if not left:
            continue
        for variant in _decodings(current):
            if variant and variant not in seen and len(seen) < _MOST:
                seen.add(variant)
                queue.append((variant, left - 1))


def _decodings(text: str) -> Iterator[str]:
    """``text`` with each kind of encoding found in it undone, one kind at a time."""
    if "=?" in text:
        yield _ENCODED_WORD.sub(_encoded_word, _BETWEEN_WORDS.sub(r"\1\2", text))
    if _PERCENT.search(text):
        yield urllib.parse.unquote(text)
        yield urllib.parse.unquote_plus(text)
    elif "+" in text:  # a form's spaces in a query string: n=Jan+Kowalski
        yield _QUERY_VALUE.sub(lambda m: m.group(0).replace("+", " "), text)
    if "&" in text:
        yield html.unescape(text)
    if _QUOTED_PRINTABLE.search(text):
        data = text.encode("utf-8", errors="surrogateescape")
        yield _text(binascii.a2b_qp(data), None)
        yield _text(binascii.a2b_qp(data, header=True), None)
    for run in _BASE64_RUN.findall(text):
        decoded = _base64(run)
        if not _binary(decoded):
            yield decoded


def _binary(text: str) -> bool:
    """Whether decoded bytes are data rather than text (many control characters)."""
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0b\x0c")
    return controls > len(sample) // 20


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
    return text if text.isascii() else unicodedata.normalize("NFC", text)
