"""Sending sign-up confirmation e-mails, one at a time, off the request path.

A sign-up request must answer at once and the same way for every address, so the mail
is not sent while the reader waits: the page puts it on a queue, and one thread sends
the queue over one SMTP connection it keeps open (opened again when the server drops it).
A message the relay refuses is logged, not retried: the reader can sign up again, and
the rate limits in front of this keep the list's sender from becoming a mail cannon.
"""

from __future__ import annotations

import email.policy
import email.utils
import logging
import queue
import re
import secrets
import threading
from email.headerregistry import Address
from email.message import EmailMessage

from newsletter import placeholders
from newsletter.config import Site
from newsletter.deliver.sending.messages import (
    envelope,
    quoted_printable,
    quoted_printable_url,
    refuse_line_breaks,
)  # fmt: skip
from newsletter.deliver.sending.smtp import SmtpConnection
from newsletter.deliver.sending.smtp_replies import PermanentFailure, TemporaryFailure
from newsletter.deliver.sending.smtp_settings import SmtpSettings
from newsletter.render.confirmation import ConfirmationEmail

log = logging.getLogger("newsletter.confirmations")
_MARK = re.compile(f"({re.escape(placeholders.CONFIRM_URL)})")
_MARK_BYTES = placeholders.CONFIRM_URL.encode("ascii")
QUEUE_SIZE = 10_000
"""Confirmations waiting at most; more are dropped (and logged) rather than held in memory."""


class ConfirmationTemplate:
    """The confirmation e-mail of one language, encoded once: each request only puts
    its To, Date, Message-ID and link in (building an ``EmailMessage`` per sign-up cost
    2.8 ms of CPU, a third of a sign-up POST)."""

    def __init__(self, site: Site, rendered: ConfirmationEmail):
        self.sender = site.sender.email
        self.domain = self.sender.rpartition("@")[2]
        boundary = f"=_bk_{secrets.token_hex(12)}"
        headers = EmailMessage(policy=email.policy.SMTP)
        headers["From"] = Address(display_name=site.sender.name, addr_spec=self.sender)
        headers["Subject"] = rendered.subject
        headers["MIME-Version"] = "1.0"
        headers["Content-Language"] = rendered.language
        headers["Auto-Submitted"] = "auto-generated"  # no vacation replies to it, please
        head = b"".join(email.policy.SMTP.fold_binary(k, v) for k, v in headers.items())
        part = b'Content-Type: text/%s; charset="utf-8"\r\n' \
               b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"  # fmt: skip
        text, html = (quoted_printable(body, _MARK) for body in (rendered.text, rendered.html))
        self.encoded = b"".join([
            head, f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode(),
            f"--{boundary}\r\n".encode(), part % b"plain", text,
            f"\r\n--{boundary}\r\n".encode(), part % b"html", html,
            f"\r\n--{boundary}--\r\n".encode(),
        ])  # fmt: skip

    def message(self, to: str, name: str | None, url: str) -> bytes:
        """The whole message for one request, CRLF line ends (not yet dot-stuffed)."""
        refuse_line_breaks("name", name or "")
        address = envelope(to).address
        shown = email.utils.formataddr((name or "", address), charset="utf-8")
        head = (
            f"To: {shown}\r\nDate: {email.utils.formatdate(localtime=True)}\r\n"
            f"Message-ID: <confirm.{secrets.token_hex(12)}@{self.domain}>\r\n"
        ).encode()
        return head + self.encoded.replace(_MARK_BYTES, quoted_printable_url(url))


class ConfirmationMailer:
    """A queue of confirmation e-mails and the thread that sends them."""

    def __init__(self, site: Site, settings: SmtpSettings):
        self.site = site
        self.settings = settings
        # Bounces of confirmations go to the bounce address (plain: a sign-up that never
        # arrives leaves a pending row that expires; nothing to attribute per person).
        self.return_path = site.bounce_address or site.sender.email
        self.queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue(QUEUE_SIZE)
        self.thread = threading.Thread(target=self._run, name="confirmations", daemon=True)
        self.thread.start()

    def send(self, to: str, message: bytes) -> None:
        """Queue one message (returns at once)."""
        try:
            self.queue.put_nowait((to, message))
        except queue.Full:
            log.error("confirmation queue full: a message to %s was dropped", to)

    def close(self, timeout: float = 10) -> None:
        """Send what is queued, then stop."""
        self.queue.put(None)
        self.thread.join(timeout)

    def _run(self) -> None:
        connection = SmtpConnection(self.settings)
        while (item := self.queue.get()) is not None:
            to, message = item
            data = message.replace(b"\r\n.", b"\r\n..")  # SmtpConnection sends DATA dot-stuffed
            for attempt in (1, 2):
                try:
                    connection.send(self.return_path, to, data)
                    break
                except TemporaryFailure as exc:
                    connection.close()
                    if attempt == 2:
                        log.error("confirmation to %s not sent: %s", to, exc.reply)
                except (PermanentFailure, Exception) as exc:  # one bad message stops no one
                    log.error("confirmation to %s not sent: %s", to, exc)
                    break
        connection.close()
