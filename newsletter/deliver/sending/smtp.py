"""One reusable SMTP connection that says what a failure means.

Its settings are in :mod:`newsletter.deliver.sending.smtp_settings`, what a refusal means
in :mod:`newsletter.deliver.sending.smtp_replies`.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from typing import Protocol

from newsletter.deliver.sending.pipelining import pipelined_sendmail
from newsletter.deliver.sending.smtp_replies import (
    PermanentFailure,
    ReplyUnknown,
    SmtpUnavailable,
    TemporaryFailure,
    failure,
    reply_text,
)
from newsletter.deliver.sending.smtp_settings import SmtpSettings


class Pending(Protocol):
    """Something the connection waits for before it hands a message over for good: the
    journal's commit of the previous outcome (newsletter.deliver.sending.group_commit.Saved)."""

    @property
    def done(self) -> bool: ...
    def wait(self) -> None: ...


class _Done:
    """Nothing to wait for (the first message, a test send, a dry run)."""

    done = True

    def wait(self) -> None:
        pass


DONE: Pending = _Done()


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
            raise SmtpUnavailable(f"{s}: login refused: {reply_text(exc)}") from None
        except smtplib.SMTPResponseException as exc:
            raise TemporaryFailure(reply_text(exc), reconnect=True) from None
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
                    f"the server refuses sender {sender}: {reply_text(exc)}"
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
        # After a 421 smtplib has closed the socket (the server is going away); after any
        # other refusal it has sent RSET, so the connection can be reused.
        if code == 421:
            self.close()
        return failure(code, text)

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
