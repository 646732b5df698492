"""Per-recipient messages: built once per send, filled in per recipient.

Building a 46 KB multipart ``EmailMessage`` per recipient runs at about 477 messages/s
(LIBRARY-NOTES); a list of 100,000 would take minutes of CPU before SMTP even starts. So
the message is built and serialized once, with CRLF line endings as SMTP wants them, and
each recipient gets a few header lines in front and their unsubscribe and preference
URLs substituted.

Substitution into an encoded body needs care: quoted-printable inserts soft line breaks
every 76 characters and could cut the placeholder in two. The parts are therefore encoded
here, piece by piece around each placeholder, and every placeholder stands alone on its
own line between soft breaks; the URL that replaces it is quoted-printable-encoded too.
Quoted-printable (7-bit) rather than 8bit: every server accepts it, with or without
8BITMIME, and no line of the premailer HTML can exceed SMTP's 998-octet limit.
"""

from __future__ import annotations

import binascii
import email.utils
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

import idna

from newsletter import placeholders
from newsletter.config import Site
from newsletter.deliver.sending import message_ids
from newsletter.deliver.sending.signing import DkimSigner, relaxed_body, relaxed_lines
from newsletter.deliver.sending.verp import verp_address
from newsletter.deliver.tokens import PREFERENCES, make_token
from newsletter.exceptions import NewsletterError

_PER_RECIPIENT = (placeholders.UNSUBSCRIBE_URL, placeholders.PREFERENCES_URL)
_MARKS = re.compile("(" + "|".join(re.escape(m) for m in _PER_RECIPIENT) + ")")
_MARKS_BYTES = re.compile(_MARKS.pattern.encode("ascii"))
_QP_LINE = 76  # RFC 2045: encoded lines of at most 76 characters


class HeaderInjectionError(NewsletterError):
    """A subject or name with a line break, which would forge extra header lines."""


@dataclass(frozen=True)
class Recipient:
    """Who one message goes to (``subscriber_id`` is what the unsubscribe token names)."""

    subscriber_id: int
    email: str
    name: str | None = None
    language: str | None = None  # the edition's language; None: the issue's own
    attempts: int = 0  # tries already made (a retried row)


@dataclass(frozen=True)
class Envelope:
    """An address as SMTP and the To: header carry it: the domain in IDNA (ASCII) form,
    and ``utf8`` when the local part is not ASCII (only an SMTPUTF8 server takes it)."""

    address: str
    utf8: bool


def envelope(email: str) -> Envelope:
    """The address to send to; raises ValueError (naming it) when it cannot be mailed."""
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"{email!r} is not an e-mail address")
    refuse_line_breaks("address", email)
    if not domain.isascii():
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ValueError(f"{email}: the domain cannot be written in IDNA: {exc}") from None
    return Envelope(f"{local}@{domain}", not local.isascii())


def refuse_line_breaks(what: str, value: str) -> str:
    """``value`` unchanged, or HeaderInjectionError when it has CR, LF or NUL."""
    if any(ch in value for ch in "\r\n\x00"):
        raise HeaderInjectionError(f"the {what} contains a line break: {value!r}")
    return value


def quoted_printable(text: str, marks: re.Pattern[str] = _MARKS) -> bytes:
    """UTF-8 quoted-printable with CRLF line ends; each placeholder (``marks``, a pattern
    with one group) kept whole on its own line.

    The segments between placeholders are encoded separately and joined by soft line
    breaks (``=`` CRLF), which a decoder removes, so decoding gives the text back exactly.
    """
    text = text.replace("\r\n", "\n")
    pieces = []
    for index, segment in enumerate(marks.split(text)):
        if index % 2:  # a placeholder (split keeps them at odd positions)
            pieces.append(b"=\r\n" + segment.encode("ascii") + b"=\r\n")
            continue
        encoded = binascii.b2a_qp(segment.encode("utf-8"), istext=True)
        lines = encoded.split(b"\n")
        # The last line gets a soft break after it: keep it within 76 with that "=".
        lines[-1] = _soft_wrap(lines[-1])
        pieces.append(b"\r\n".join(lines))
    return b"".join(pieces)


def quoted_printable_url(url: str) -> bytes:
    """An ASCII URL as quoted-printable lines (soft breaks only: decodes to the URL)."""
    return _soft_wrap(url.encode("ascii").replace(b"=", b"=3D"))


def _soft_wrap(encoded: bytes, width: int = _QP_LINE - 1) -> bytes:
    """Quoted-printable text cut into lines of ``width`` by soft breaks, never inside an
    ``=XX`` escape; each line then ends in at most 76 characters with its ``=``."""
    lines, start = [], 0
    while len(encoded) - start > width:
        end = start + width
        cut = encoded.rfind(b"=", end - 2, end)
        end = cut if cut > start else end
        lines.append(encoded[start:end])
        start = end
    lines.append(encoded[start:])
    return b"=\r\n".join(lines)


class MessageFactory:
    """The message of one send; :meth:`message` gives each recipient's bytes.

    ``message_key`` makes the Message-IDs of one send: ``<key-signature.subscriber-id@domain>``,
    the same each time a message is sent again (after a crash), so mailboxes can fold repeats.
    """

    def __init__(
        self,
        *,
        site: Site,
        subject: str,
        html: str,
        text: str,
        key: bytes,
        message_key: str | None = None,
        language: str | None = None,
        feedback_id: str | None = None,
        signer: DkimSigner | None = None,
    ):
        self.site = site
        self.signer = signer
        self.language = language
        self.key = key
        self.message_key = message_key or secrets.token_hex(8)
        self.sender = site.sender.email
        self.domain = self.sender.rpartition("@")[2]
        self.bounce_address = site.bounce_address
        # Without a bounce address, mailto: unsubscribes reach the sender's mailbox and
        # someone acts on them by hand; with one, `newsletter bounces` reads them there
        # and the subject carries the reader's (signed) unsubscribe token.
        self.mailto = f"mailto:{self.bounce_address or self.sender}?subject=unsubscribe"
        refuse_line_breaks("subject", subject)
        refuse_line_breaks("sender name", site.sender.name)
        boundary = f"=_bk_{secrets.token_hex(12)}"  # "=_" never occurs in quoted-printable
        self.head = _common_headers(site, subject, boundary, language, feedback_id)
        body = b"".join(
            [
                b"--" + boundary.encode() + b"\r\n",
                b'Content-Type: text/plain; charset="utf-8"\r\n',
                b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                quoted_printable(text),
                b"\r\n--" + boundary.encode() + b"\r\n",
                b'Content-Type: text/html; charset="utf-8"\r\n',
                b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                quoted_printable(html),
                b"\r\n--" + boundary.encode() + b"--\r\n",
            ]
        )
        # Text and placeholders alternate: even pieces are text, odd ones placeholders.
        self._body = _MARKS_BYTES.split(body)
        # SMTP's dot-stuffing, done once: smtplib would run a regex over the whole 89 KB
        # of every message (a third of a sender's CPU). A piece never starts a line with
        # a dot it did not have: each begins with the "=" of a soft break.
        self._stuffed_head = _dot_stuff(self.head)
        self._stuffed_body = [_dot_stuff(piece) for piece in self._body]
        # DKIM's canonical body, piece by piece, also once: a link (no whitespace) between
        # two pieces that end and begin with a soft break's "=" changes no piece's
        # canonical form, so each message only hashes its pieces and links.
        if signer is not None:
            last = len(self._body) - 1
            self._canonical_body = [
                piece if index % 2 else
                relaxed_body(piece) if index == last else relaxed_lines(piece)
                for index, piece in enumerate(self._body)
            ]  # fmt: skip

    @classmethod
    def for_edition(
        cls, site: Site, subject: str, edition: Any, key: bytes, *options: str | None,
        feedback_id: str | None = None, signer: DkimSigner | None = None,
    ) -> MessageFactory:  # fmt: skip
        """The factory for an e-mail edition (anything with ``html`` and ``text``);
        ``options``: the send's message_key and the edition's language, when known."""
        message_key, language = (*options, None, None)[:2]
        return cls(
            site=site, subject=subject, html=edition.html, text=edition.text, key=key,
            message_key=message_key, language=language, feedback_id=feedback_id,
            signer=signer,
        )  # fmt: skip

    def preferences_url(self, subscriber_id: int) -> str:
        """The recipient's preference page: base_url + ``p/`` + token."""
        return self.site.url("p", make_token(self.key, subscriber_id, PREFERENCES))

    def return_path(self, subscriber_id: int) -> str:
        """The envelope sender (MAIL FROM) of one recipient's message: with a bounce
        address, ``bounces+<token>@…`` naming the recipient and this send (VERP); else the
        sender. One HMAC, no database: cheap enough for every message."""
        if self.bounce_address is None:
            return self.sender
        return verp_address(self.key, self.bounce_address, subscriber_id, self.message_key)

    def mailto_unsubscribe(self, subscriber_id: int, token: str) -> str:
        """The ``mailto:`` of List-Unsubscribe (RFC 2369): with a bounce address, its
        subject carries the recipient's unsubscribe ``token`` (the one of their link)."""
        if self.bounce_address is None or subscriber_id <= 0:
            return self.mailto
        return f"{self.mailto}%20{token}"

    def message_id(self, subscriber_id: int) -> str:
        """``<key-signature.id@domain>`` (newsletter/deliver/sending/message_ids.py): signed, so a
        bounce quoting it names this recipient and nobody can write one naming another."""
        return message_ids.message_id(self.key, self.message_key, subscriber_id, self.domain)

    def message(
        self, recipient: Recipient, to: Envelope | None = None, stuffed: bool = False
    ) -> bytes:
        """The whole message for one recipient, CRLF line endings, ready for SMTP DATA
        (``stuffed``: with every line-starting dot doubled, as DATA carries it).

        Raises HeaderInjectionError or ValueError (naming the address), or SigningError,
        for a recipient that cannot be mailed: the caller records that one as failed and
        goes on. With a signer, the DKIM-Signature is made over the message as it is
        (before dot-stuffing, which the receiving server undoes).
        """
        name = recipient.name
        if name:
            refuse_line_breaks(f"name of {recipient.email}", name)
        to = to or envelope(recipient.email)
        token = make_token(self.key, recipient.subscriber_id)  # one HMAC for link and mailto
        url = self.site.url("u", token)  # the unsubscribe page
        mailto = self.mailto_unsubscribe(recipient.subscriber_id, token)
        if to.utf8:  # SMTPUTF8 (RFC 6532): the header carries UTF-8 as it is
            shown = email.utils.formataddr((name or "", "x@x"), charset="utf-8")
            header = shown.replace("x@x", to.address) if name else to.address
        else:
            header = email.utils.formataddr((name or "", to.address), charset="utf-8")
        head = (
            f"To: {header}\r\n"
            f"Date: {_date_now()}\r\n"
            f"Message-ID: {self.message_id(recipient.subscriber_id)}\r\n"
            f"List-Unsubscribe: <{url}>,\r\n <{mailto}>\r\n"
        ).encode()
        links = {
            placeholders.UNSUBSCRIBE_URL.encode(): quoted_printable_url(url),
            placeholders.PREFERENCES_URL.encode(): quoted_printable_url(
                self.preferences_url(recipient.subscriber_id)
            ),
        }
        signature = b""
        if self.signer is not None:  # signs the message as it is, before dot-stuffing
            canonical = hashlib.sha256(_filled(self._canonical_body, links)).digest()
            signature = self.signer.header_for(head + self.head.removesuffix(b"\r\n"),
                                               canonical)  # fmt: skip
        if stuffed:
            links = {mark: _dot_stuff(link) for mark, link in links.items()}
            return signature + head + self._stuffed_head + b"\r\n" + \
                _filled(self._stuffed_body, links)
        return signature + head + self.head + b"\r\n" + _filled(self._body, links)


_dates: tuple[int, str] = (0, "")


def _date_now() -> str:
    """The Date header of this second: made once a second, not once a message (the
    local time zone's lookup was a quarter of a message's build: py-spy --gil of
    bench/send.py). A tuple swapped whole, so threads never see half an update."""
    global _dates
    second = int(time.time())
    made, text = _dates
    if made != second:
        text = email.utils.formatdate(second, localtime=True)
        _dates = (second, text)
    return text


def _filled(pieces: list[bytes], links: dict[bytes, bytes]) -> bytes:
    """The body with each placeholder (the odd pieces) replaced by its link."""
    return b"".join(links[piece] if index % 2 else piece for index, piece in enumerate(pieces))


def _dot_stuff(data: bytes) -> bytes:
    """RFC 5321 4.5.2 transparency: a dot that starts a line gets a second one."""
    stuffed = data.replace(b"\r\n.", b"\r\n..")
    return b"." + stuffed if stuffed.startswith(b".") else stuffed


def _common_headers(
    site: Site, subject: str, boundary: str, language: str | None, feedback_id: str | None
) -> bytes:
    """The header lines every recipient's message shares, folded and RFC 2047-encoded."""
    headers = EmailMessage(policy=policy.SMTP)
    headers["From"] = Address(display_name=site.sender.name, addr_spec=site.sender.email)
    if site.sender.reply_to:
        headers["Reply-To"] = site.sender.reply_to
    headers["Subject"] = subject
    headers["MIME-Version"] = "1.0"
    if language:
        headers["Content-Language"] = refuse_line_breaks("language", language)
    headers["List-Id"] = f"{site.name} <{site.list_id}>"
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if feedback_id:
        headers["Feedback-ID"] = refuse_line_breaks("Feedback-ID", feedback_id)
    head = b"".join(policy.SMTP.fold_binary(name, value) for name, value in headers.items())
    return head + f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n'.encode()
