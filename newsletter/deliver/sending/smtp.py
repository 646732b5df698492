"""SMTP settings from a URL, and one reusable connection that says what a failure means.

``smtp://user@host:587?starttls`` — plain SMTP upgraded with STARTTLS (refused if the
server does not offer it); ``smtps://user@host:465`` — TLS from the first byte;
``smtp://host:25`` — plain, for a relay on the local network or a test server. The
password never goes in the URL: it comes from ``NEWSLETTER_SMTP_PASSWORD``, and it is sent
only over TLS: a user on plain ``smtp://`` is refused unless the URL says ``?insecure=1``
(AUTH PLAIN and LOGIN are the password in base64, readable by anyone on the path).
"""

from __future__ import annotations

import os
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote, urlsplit

from newsletter.deliver.sending.pipelining import pipelined_sendmail
from newsletter.exceptions import NewsletterError

URL_VARIABLE = "NEWSLETTER_SMTP_URL"
PASSWORD_VARIABLE = "NEWSLETTER_SMTP_PASSWORD"
DATA_TIMEOUT_VARIABLE = "NEWSLETTER_SMTP_DATA_TIMEOUT"
_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")


class Pending(Protocol):
    """Something the connection waits for before it hands a message over for good: the
    journal's commit of the previous outcome (newsletter.deliver.sending.journal.Saved)."""

    @property
    def done(self) -> bool: ...
    def wait(self) -> None: ...


class _Done:
    """Nothing to wait for (the first message, a test send, a dry run)."""

    done = True

    def wait(self) -> None:
        pass


DONE: Pending = _Done()


class SmtpSettingsError(NewsletterError):
    """A --smtp URL or SMTP environment that cannot work."""


class SmtpUnavailable(NewsletterError):
    """The server cannot be reached or refuses us as a sender: no message can go."""


class TemporaryFailure(Exception):
    """A 4xx reply or a dropped connection: the same message may succeed later."""

    def __init__(self, reply: str, reconnect: bool):
        super().__init__(reply)
        self.reply = reply
        self.reconnect = reconnect


class ReplyUnknown(Exception):
    """The message went out to its final dot but no reply came (timeout, lost connection):
    the server may have accepted it, so it must not be sent again on its own."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.reply = reply


class PermanentFailure(Exception):
    """A 5xx reply for this recipient or message; ``hard_bounce`` when the address is bad."""

    def __init__(self, reply: str, hard_bounce: bool):
        super().__init__(reply)
        self.reply = reply
        self.hard_bounce = hard_bounce


@dataclass(frozen=True)
class SmtpTimeouts:
    """How long to wait for the server, in seconds, shorter than RFC 5321 4.5.3.2 where a
    wait only holds a connection, and as long where giving up could mean a duplicate.

    ``connect``: TCP connect and the 220 greeting (RFC: 5 min; a server that has not
    greeted in 30 s is down or overloaded, and the send retries or stops instead of
    hanging). ``command``: each command's reply (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA)
    and each write of the message (RFC: 5 min for MAIL and RCPT, 2 for DATA, 3 per data
    block); nothing is delivered before the final dot, so giving up is a plain retry.
    ``data_end``: the reply after the final dot (RFC: 10 min; the server may be running
    filters). Giving up there leaves the message ``unknown`` (the server may have it), so
    this one keeps the RFC's full 10 minutes; NEWSLETTER_SMTP_DATA_TIMEOUT shortens it
    (tests).
    """

    connect: float = 30.0
    command: float = 120.0
    data_end: float = 600.0


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect (security: ``plain``, ``starttls`` or ``tls``)."""

    host: str
    port: int
    security: str = "plain"
    username: str | None = None
    password: str | None = None
    insecure: bool = False  # ?insecure=1: AUTH allowed without TLS
    timeouts: SmtpTimeouts = SmtpTimeouts()

    def __str__(self) -> str:
        scheme = "smtps" if self.security == "tls" else "smtp"
        user = f"{self.username}@" if self.username else ""
        query = "?starttls" if self.security == "starttls" else ""
        query += ("&" if query else "?") + "insecure=1" if self.insecure else ""
        return f"{scheme}://{user}{self.host}:{self.port}{query}"


def smtp_settings(url: str | None, environ: dict[str, str] | None = None) -> SmtpSettings:
    """Read ``--smtp`` (or NEWSLETTER_SMTP_URL) and NEWSLETTER_SMTP_PASSWORD."""
    environ = dict(os.environ if environ is None else environ)
    url = url or environ.get(URL_VARIABLE)
    if not url:
        raise SmtpSettingsError(
            f"no SMTP server: pass --smtp smtp://user@host:587?starttls or set {URL_VARIABLE}"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise SmtpSettingsError(f"--smtp must start with smtp:// or smtps://, not '{url}'")
    if parts.password is not None:
        raise SmtpSettingsError(
            f"put the SMTP password in {PASSWORD_VARIABLE}, not in the URL (URLs end up in "
            "shell history and process lists)"
        )
    if not parts.hostname:
        raise SmtpSettingsError(f"no host in --smtp '{url}'")
    try:
        port = parts.port
    except ValueError:
        raise SmtpSettingsError(f"bad port in --smtp '{url}'") from None
    options = {o for o in parts.query.split("&") if o}
    if options - {"starttls", "insecure=1"}:
        raise SmtpSettingsError(
            f"unknown option '{parts.query}' in --smtp (the options are ?starttls and "
            "?insecure=1)"
        )
    insecure = "insecure=1" in options
    if parts.scheme == "smtps":
        if "starttls" in options:
            raise SmtpSettingsError("smtps:// is TLS already; ?starttls is for smtp://")
        security = "tls"
    else:
        security = "starttls" if "starttls" in options else "plain"
    username = unquote(parts.username) if parts.username else None
    if username and security == "plain" and not insecure:
        raise SmtpSettingsError(
            f"smtp://{parts.username}@{parts.hostname} would send the password in clear: use "
            f"'smtp://{parts.username}@{parts.hostname}:587?starttls' or "
            f"'smtps://{parts.username}@{parts.hostname}:465' (or add ?insecure=1 for a "
            "server on a network you trust)"
        )
    password = environ.get(PASSWORD_VARIABLE) or None
    if username and not password:
        raise SmtpSettingsError(f"the URL names user '{username}': set {PASSWORD_VARIABLE}")
    default_port = {"plain": 25, "starttls": 587, "tls": 465}[security]
    timeouts = SmtpTimeouts()
    if environ.get(DATA_TIMEOUT_VARIABLE):
        try:
            data_end = float(environ[DATA_TIMEOUT_VARIABLE])
        except ValueError:
            data_end = 0.0
        if not 0 < data_end <= 3600:
            raise SmtpSettingsError(
                f"{DATA_TIMEOUT_VARIABLE} must be seconds between 0 and 3600, not "
                f"'{environ[DATA_TIMEOUT_VARIABLE]}'"
            )
        timeouts = SmtpTimeouts(timeouts.connect, timeouts.command, data_end)
    return SmtpSettings(
        parts.hostname, port or default_port, security, username, password, insecure, timeouts
    )


def enhanced_status(reply: str) -> tuple[int, int, int] | None:
    """The RFC 3463 code at the start of a reply text (``5.1.1 …``), if any."""
    match = _ENHANCED.match(reply)
    return tuple(int(n) for n in match.groups()) if match else None  # type: ignore[return-value]


def is_hard_bounce(code: int, reply: str) -> bool:
    """Does a 5xx reply say the address itself is bad (so it should leave the list)?

    With an enhanced code: 5.1.x (bad mailbox or domain) and 5.2.1 (mailbox disabled).
    Without one: 550/551/553 (mailbox unavailable, not local, name not allowed). Policy
    and content refusals (5.7.x, 554) are not the address's fault and keep it listed.
    """
    enhanced = enhanced_status(reply)
    if enhanced:
        return enhanced[0] == 5 and (enhanced[1] == 1 or enhanced[1:] == (2, 1))
    return code in (550, 551, 553)


class SmtpConnection:
    """One SMTP session, opened on first use and reused for every message after.

    Messages come dot-stuffed (``dot_stuffed``): the DATA is written as it is, without
    smtplib's per-message quoting.
    """

    dot_stuffed = True

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.client: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect, say EHLO, upgrade to TLS and log in as the settings say."""
        s = self.settings
        try:
            if s.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeouts.connect,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeouts.connect)
            # smtplib keeps one socket timeout; STARTTLS wraps the socket with the same one.
            client.timeout = s.timeouts.command
            client.sock.settimeout(s.timeouts.command)
            # The final dot may go out on its own after the body (see _finish_data):
            # without NODELAY, Nagle's algorithm would hold it for the body's ACK.
            client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client.ehlo()
            if s.security == "starttls":
                if not client.has_extn("starttls"):
                    client.close()
                    raise SmtpUnavailable(f"{s.host}:{s.port} does not offer STARTTLS")
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if s.username:
                client.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise SmtpUnavailable(f"{s}: login refused: {_reply(exc)}") from None
        except smtplib.SMTPResponseException as exc:
            raise TemporaryFailure(_reply(exc), reconnect=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"cannot connect to {s}: {exc}", reconnect=True) from None
        self.client = client

    def send(self, sender: str, recipient: str, data: bytes, utf8: bool = False,
             previous: Pending = DONE) -> str:  # fmt: skip
        """Send one message; return the server's reply, or raise what the failure means.

        ``utf8``: the address or headers need SMTPUTF8; a server without it fails this
        message alone (permanently: asking again will not teach it). ``previous``: the
        journal's handle of this connection's last outcome, waited for before the final
        dot (see :meth:`_finish_data`).
        """
        if self.client is None:
            self.open()
        assert self.client is not None
        options: list[str] = []
        if utf8:
            if not self.client.has_extn("smtputf8"):
                raise PermanentFailure(
                    f"{recipient}: the server does not offer SMTPUTF8, which this address "
                    "needs", hard_bounce=False,
                )  # fmt: skip
            options = ["SMTPUTF8"]
        try:
            pipelined = self.client.has_extn("pipelining")  # sending/pipelining.py
            exchange = self._pipelined if pipelined else self._sendmail
            refused = exchange(self.client, sender, recipient, data, options, previous)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients[recipient]
            raise self._failure(code, text) from None
        except smtplib.SMTPSenderRefused as exc:
            if exc.smtp_code >= 500:
                raise SmtpUnavailable(
                    f"the server refuses sender {sender}: {_reply(exc)}"
                ) from None
            raise self._failure(exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPResponseException as exc:
            raise self._failure(exc.smtp_code, exc.smtp_error) from None
        except ReplyUnknown as exc:
            self.close()
            raise ReplyUnknown(f"{recipient}: {exc.reply}") from None
        except (OSError, smtplib.SMTPException) as exc:  # dropped connection, timeout
            self.close()
            raise TemporaryFailure(f"connection lost: {exc or type(exc).__name__}", True) from None
        assert not refused  # one recipient: refused raises instead
        return "250"

    def _sendmail(
        self, client: smtplib.SMTP, sender: str, recipient: str, data: bytes, options: list[str],
        previous: Pending,
    ) -> dict:  # fmt: skip
        """smtplib's sendmail for one recipient and a message already dot-stuffed."""
        client.ehlo_or_helo_if_needed()
        code, reply = client.mail(sender, options)
        if code != 250:
            client.rset() if code != 421 else client.close()
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = client.rcpt(recipient)
        if code not in (250, 251):
            client.rset() if code != 421 else client.close()
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        client.putcmd("data")
        code, reply = client.getreply()
        if code != 354:
            client.rset() if code != 421 else client.close()
            raise smtplib.SMTPDataError(code, reply)
        code, reply = self._finish_data(client, data, previous)
        if code != 250:
            client.rset() if code != 421 else client.close()
            raise smtplib.SMTPDataError(code, reply)
        return {}

    def _pipelined(
        self, client: smtplib.SMTP, sender: str, recipient: str, data: bytes, options: list[str],
        previous: Pending,
    ) -> dict:  # fmt: skip
        def finish(client: smtplib.SMTP, data: bytes) -> tuple[int, bytes]:
            return self._finish_data(client, data, previous)

        return pipelined_sendmail(client, sender, recipient, data, options, finish)

    def _finish_data(
        self, client: smtplib.SMTP, data: bytes, previous: Pending
    ) -> tuple[int, bytes]:
        """Send the message and its final dot, and wait for the reply as long as RFC 5321
        allows: a reply that never came (time-out, connection lost) means the server may
        have the message, so it is ReplyUnknown, never a failure to retry. The final dot
        waits for ``previous`` (the journal's commit of this connection's last outcome)."""
        end = b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n"
        if previous.done:  # the usual case: one write
            client.send(data + end)
        else:  # the body goes out while the journal commits the last outcome; the dot after
            client.send(data)
            try:
                previous.wait()
            except BaseException:
                client.close()  # no final dot: the server drops this message
                self.client = None
                raise
            client.send(end)
        timeouts = self.settings.timeouts
        client.sock.settimeout(timeouts.data_end)
        try:
            code, reply = client.getreply()
        except smtplib.SMTPServerDisconnected as exc:  # timed out or closed after the dot
            waited = f" (waited up to {timeouts.data_end:g} s)" if "timed out" in str(exc) else ""
            raise ReplyUnknown(f"no reply after the message was sent{waited}: {exc}") from None
        client.sock.settimeout(timeouts.command)
        return code, reply

    def _failure(self, code: int, text: bytes | str) -> Exception:
        reply = f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
        if 400 <= code < 500:
            # After a 421 smtplib has closed the socket (the server is going away); after
            # any other refusal it has sent RSET, so the connection can be reused.
            if code == 421:
                self.close()
            return TemporaryFailure(reply, reconnect=code == 421)
        return PermanentFailure(reply, is_hard_bounce(code, reply.partition(" ")[2]))

    def close(self) -> None:
        """QUIT politely if the connection still works; forget it either way."""
        client, self.client = self.client, None
        if client is None:
            return
        try:
            if client.sock is not None:
                client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error
    return f"{exc.smtp_code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
