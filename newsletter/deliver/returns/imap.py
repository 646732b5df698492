"""Bounce messages from an IMAP mailbox (stdlib imaplib), for a bounce address that is a
mailbox at a provider rather than a pipe on our own Postfix.

``imaps://user@host[:993]/INBOX`` (TLS), ``imap://user@host:143/INBOX?starttls``, or
``imap://user@127.0.0.1/INBOX`` (plain: only to a loopback server, or with ``?insecure=1``);
the password comes from ``NEWSLETTER_IMAP_PASSWORD``, never from a file or the URL. The
server's certificate is checked against the system's CAs, or those of ``SSL_CERT_FILE``
(OpenSSL's variable, which Python's default context reads) for a private CA.

Only unseen messages are fetched, with ``BODY.PEEK[]`` (reading marks nothing), and each
is told apart afterwards by what it was (listmonk #1334: a POP3 bounce reader deleted
unrelated mail): a bounce, complaint or unsubscribe that was applied is marked seen (and
moved to ``--move-to`` if given: a folder that must exist, checked before anything is
read); a message kept aside is flagged and left where it is, unseen; auto-replies and
unrelated mail are left exactly as they were, unseen, for a person. A message read again
is filed by the outcome it was recorded with the first time, so a second run changes
nothing. Nothing is ever deleted except by a MOVE the user asked for.

Tested against a real Dovecot (tests/deliver/test_bounces_imap.py), which showed that
imaplib's ``capabilities`` are the greeting's, from before login: Dovecot adds MOVE only
once logged in, so they are asked for again.
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

from newsletter.deliver.returns.bounces import APPLIED, UNATTRIBUTED, UNREADABLE
from newsletter.deliver.returns.mailboxes import MAX_MESSAGE_BYTES, Incoming, too_big
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
        """Where a message came from, as records and ``--kept`` show it."""
        default = 993 if self.security == "tls" else 143
        port = "" if self.port == default else f":{self.port}"
        return f"imap {self.user}@{self.host}{port}/{self.mailbox}"

    def url(self) -> str:
        """The mailbox as an ``--imap`` URL (never with the password), for errors."""
        scheme = "imaps" if self.security == "tls" else "imap"
        query = "?starttls" if self.security == "starttls" else ""
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.mailbox}{query}"


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
    by its outcome, :meth:`close` logs out. Every failure of the server or the network
    is an :class:`ImapError` naming the URL."""

    def __init__(self, settings: ImapSettings, move_to: str | None = None):
        self.settings = settings
        self.move_to = move_to
        url = settings.url()
        context = ssl.create_default_context()  # honours SSL_CERT_FILE (a private CA)
        try:
            if settings.security == "tls":
                self.client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    settings.host, settings.port, ssl_context=context, timeout=TIMEOUT)
            else:
                self.client = imaplib.IMAP4(settings.host, settings.port, timeout=TIMEOUT)
                if settings.security == "starttls":
                    self.client.starttls(context)
        except ssl.SSLCertVerificationError as exc:
            raise ImapError(
                f"{url}: the server's certificate is not trusted ({exc.verify_message}); "
                "if your own CA signed it, point SSL_CERT_FILE at the CA's certificate"
            ) from None
        except ssl.SSLError as exc:
            raise ImapError(f"{url}: TLS failed: {exc.reason or exc}") from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ImapError(f"{url}: cannot connect: {_text(exc)}") from None
        try:
            try:
                self.client.login(settings.user, settings.password)
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as exc:
                raise ImapError(f"{url}: login refused: {_text(exc)}") from None
            status, data = self.client.select(_quoted(settings.mailbox))
            if status != "OK":
                raise ImapError(f"{url}: no mailbox '{settings.mailbox}' ({_text(data)})")
            if move_to:
                status, data = self.client.status(_quoted(move_to), "(MESSAGES)")
                if status != "OK":
                    raise ImapError(f"{url}: no mailbox '{move_to}' to move the messages "
                                    f"applied to (--move-to): create it first")  # fmt: skip
            # The greeting's capabilities are those before login (imaplib keeps only
            # those): Dovecot, for one, announces MOVE only once logged in.
            _, data = self.client.capability()
            announced = data[-1] if data and isinstance(data[-1], bytes) else b""
            self.can_move = b"MOVE" in announced.upper().split()
        except ImapError:
            self.close()
            raise
        except (OSError, imaplib.IMAP4.error) as exc:
            self.close()
            raise ImapError(f"{url}: {_text(exc)}") from None

    def messages(self) -> Iterator[Incoming]:
        data = self._command("SEARCH", "UNSEEN")
        uids = data[0].split() if data and data[0] else []
        for uid in uids:
            name = f"{self.settings.name()} uid {uid.decode()}"
            sized = self._command("FETCH", uid, "(RFC822.SIZE)", ok_only=False)
            found = [m for item in sized if isinstance(item, bytes)
                     for m in _SIZE.findall(item)]  # fmt: skip
            size = int(found[-1]) if found else 0
            if size > MAX_MESSAGE_BYTES:
                yield too_big(name, size)
                continue
            fetched = self._command("FETCH", uid, "(BODY.PEEK[])", ok_only=False)
            body = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if body is None:
                yield Incoming(name, None, f"{name}: FETCH failed: {_text(fetched)}")
                continue
            yield Incoming(name, body, uid=uid.decode())

    def done(self, incoming: Incoming, outcome: str) -> None:
        """File a message by its outcome (see the module docstring)."""
        if incoming.uid is None:
            return
        uid = incoming.uid
        if outcome in APPLIED:
            self._command("STORE", uid, "+FLAGS", "(\\Seen)")
            if self.move_to:
                # No MOVE: a copy there, the original stays (never expunged by us).
                try:
                    self._command("MOVE" if self.can_move else "COPY", uid,
                                  _quoted(self.move_to))  # fmt: skip
                except ImapError:
                    # Unseen again, so the next run files it (the outcome is on record).
                    with contextlib.suppress(ImapError):
                        self._command("STORE", uid, "-FLAGS", "(\\Seen)")
                    raise
        elif outcome in (UNATTRIBUTED, UNREADABLE):
            self._command("STORE", uid, "+FLAGS", "(\\Flagged)")

    def _command(self, command: str, *args: str | bytes, ok_only: bool = True) -> list:
        """``UID command args``'s data; an ImapError when the connection fails, or when
        the server refuses (unless ``ok_only`` is False: the data says why)."""
        try:
            status, data = self.client.uid(command, *args)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ImapError(f"{self.settings.url()}: {command} failed: {_text(exc)}") from None
        if status != "OK" and ok_only:
            raise ImapError(f"{self.settings.url()}: {command} refused: {_text(data)}")
        return data or []

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error, socket.timeout):
            self.client.logout()


def _text(what: object) -> str:
    """What a server or imaplib said, without bytes' b'…' (imaplib raises its errors
    with the server's bytes)."""
    if isinstance(what, BaseException):
        what = what.strerror if isinstance(what, OSError) and what.strerror else \
            (what.args[0] if len(what.args) == 1 else str(what))  # fmt: skip
    if isinstance(what, list | tuple):
        what = b" ".join(w for w in what if isinstance(w, bytes))
    if isinstance(what, bytes):
        what = what.decode("utf-8", "replace")
    return " ".join(str(what).split())[:300]


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
