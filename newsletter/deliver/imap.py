"""Bounce messages from an IMAP mailbox (stdlib imaplib), for a bounce address that is a
mailbox at a provider rather than a pipe on our own Postfix.

``imaps://user@host[:993]/INBOX`` (TLS), ``imap://user@host:143/INBOX?starttls``, or
``imap://user@127.0.0.1/INBOX`` (plain: only to a loopback server, or with ``?insecure=1``);
the password comes from ``NEWSLETTER_IMAP_PASSWORD``, never from a file or the URL.

Only unseen messages are fetched, with ``BODY.PEEK[]`` (reading marks nothing), and each
is told apart afterwards by what it was (listmonk #1334: a POP3 bounce reader deleted
unrelated mail): a bounce, complaint or unsubscribe that was applied is marked seen (and
moved to ``--move-to`` if given); a message kept aside is flagged and left where it is;
auto-replies and unrelated mail are left exactly as they were, unseen, for a person.
Nothing is ever deleted except by a MOVE the user asked for.
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import os
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from newsletter.deliver.mailboxes import MAX_MESSAGE_BYTES, Incoming, too_big
from newsletter.exceptions import NewsletterError

PASSWORD_VARIABLE = "NEWSLETTER_IMAP_PASSWORD"
TIMEOUT = 60.0
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class ImapError(NewsletterError):
    """The IMAP server cannot be reached, refuses the login, or the URL is wrong."""


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: str  # "tls", "starttls" or "plain"
    user: str
    password: str
    mailbox: str

    def name(self) -> str:
        return f"imap {self.user}@{self.host}/{self.mailbox}"


def imap_settings(url: str, environ: dict[str, str] | None = None) -> ImapSettings:
    """Read ``--imap`` and NEWSLETTER_IMAP_PASSWORD."""
    environ = dict(os.environ if environ is None else environ)
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ImapError(f"--imap must look like imaps://user@host/INBOX, not '{url}'")
    if parts.password is not None:
        raise ImapError(f"put the IMAP password in {PASSWORD_VARIABLE}, not in the URL")
    if not parts.username:
        raise ImapError(f"--imap '{url}' names no user (imaps://user@host/INBOX)")
    options = {o for o in parts.query.split("&") if o}
    if options - {"starttls", "insecure=1"}:
        raise ImapError(f"unknown option '{parts.query}' in --imap (?starttls, ?insecure=1)")
    if parts.scheme == "imaps":
        security = "tls"
    else:
        security = "starttls" if "starttls" in options else "plain"
    if security == "plain" and "insecure=1" not in options and not _loopback(parts.hostname):
        raise ImapError(
            f"imap://{parts.hostname} would send the password in clear: use "
            f"imaps://{parts.username}@{parts.hostname}/… or ?starttls (or ?insecure=1 for "
            "a server on a network you trust)"
        )
    password = environ.get(PASSWORD_VARIABLE, "")
    if not password:
        raise ImapError(f"set {PASSWORD_VARIABLE} to the password of {parts.username}")
    try:
        port = parts.port or (993 if security == "tls" else 143)
    except ValueError:
        raise ImapError(f"bad port in --imap '{url}'") from None
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapSettings(parts.hostname, port, security, unquote(parts.username), password,
                        mailbox)  # fmt: skip


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class ImapMailbox:
    """One session: :meth:`messages` yields the unseen messages, :meth:`done` files each
    by its outcome, :meth:`close` logs out."""

    def __init__(self, settings: ImapSettings, move_to: str | None = None):
        self.settings = settings
        self.move_to = move_to
        try:
            if settings.security == "tls":
                self.client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    settings.host, settings.port, ssl_context=ssl.create_default_context(),
                    timeout=TIMEOUT)  # fmt: skip
            else:
                self.client = imaplib.IMAP4(settings.host, settings.port, timeout=TIMEOUT)
                if settings.security == "starttls":
                    self.client.starttls(ssl.create_default_context())
            self.client.login(settings.user, settings.password)
            status, _ = self.client.select(_quoted(settings.mailbox))
            if status != "OK":
                raise ImapError(f"{settings.name()}: no such mailbox")
            self.can_move = "MOVE" in self.client.capabilities
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
            raise ImapError(f"{settings.name()}: {exc}") from None

    def messages(self) -> Iterator[Incoming]:
        status, data = self.client.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise ImapError(f"{self.settings.name()}: SEARCH refused: {data}")
        uids = data[0].split() if data and data[0] else []
        for uid in uids:
            name = f"{self.settings.name()} uid {uid.decode()}"
            status, sized = self.client.uid("FETCH", uid, "(RFC822.SIZE)")
            found = _SIZE.search(sized[0] if sized and isinstance(sized[0], bytes) else b"")
            size = int(found.group(1)) if found else 0
            if size > MAX_MESSAGE_BYTES:
                yield too_big(name, size)
                continue
            status, fetched = self.client.uid("FETCH", uid, "(BODY.PEEK[])")
            body = next((item[1] for item in fetched or [] if isinstance(item, tuple)), None)
            if status != "OK" or body is None:
                yield Incoming(name, None, f"{name}: FETCH failed: {status}")
                continue
            yield Incoming(name, body, uid=uid.decode())

    def done(self, incoming: Incoming, outcome: str) -> None:
        """File a message by its outcome (see the module docstring)."""
        if incoming.uid is None:
            return
        uid = incoming.uid
        if outcome in ("hard", "soft", "complaint", "unsubscribe", "already seen"):
            self.client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            if self.move_to:
                if self.can_move:
                    self.client.uid("MOVE", uid, _quoted(self.move_to))
                else:  # no MOVE: a copy there, the original stays (never expunged by us)
                    self.client.uid("COPY", uid, _quoted(self.move_to))
        elif outcome == "unattributed":
            self.client.uid("STORE", uid, "+FLAGS", "(\\Flagged)")

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error, socket.timeout):
            self.client.logout()


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
