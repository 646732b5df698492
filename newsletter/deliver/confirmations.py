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
import secrets
import threading
from email.headerregistry import Address
from email.message import EmailMessage

from newsletter import placeholders
from newsletter.config import Site
from newsletter.deliver.messages import envelope
from newsletter.deliver.smtp import PermanentFailure, SmtpConnection, SmtpSettings, TemporaryFailure
from newsletter.render.confirmation import ConfirmationEmail

log = logging.getLogger("newsletter.confirmations")
QUEUE_SIZE = 10_000
"""Confirmations waiting at most; more are dropped (and logged) rather than held in memory."""


def confirmation_message(
    site: Site, rendered: ConfirmationEmail, to: str, name: str | None, url: str
) -> EmailMessage:
    """The confirmation e-mail for one request, its link filled in."""
    message = EmailMessage()
    message["From"] = Address(display_name=site.sender.name, addr_spec=site.sender.email)
    message["To"] = Address(display_name=name or "", addr_spec=envelope(to).address)
    message["Subject"] = rendered.subject
    message["Date"] = email.utils.formatdate(localtime=True)
    domain = site.sender.email.rpartition("@")[2]
    message["Message-ID"] = f"<confirm.{secrets.token_hex(12)}@{domain}>"
    message["Content-Language"] = rendered.language
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to it, please
    message.set_content(rendered.text.replace(placeholders.CONFIRM_URL, url))
    message.add_alternative(rendered.html.replace(placeholders.CONFIRM_URL, url), subtype="html")
    return message


class ConfirmationMailer:
    """A queue of confirmation e-mails and the thread that sends them."""

    def __init__(self, site: Site, settings: SmtpSettings):
        self.site = site
        self.settings = settings
        self.queue: queue.Queue[EmailMessage | None] = queue.Queue(QUEUE_SIZE)
        self.thread = threading.Thread(target=self._run, name="confirmations", daemon=True)
        self.thread.start()

    def send(self, message: EmailMessage) -> None:
        """Queue one message (returns at once)."""
        try:
            self.queue.put_nowait(message)
        except queue.Full:
            log.error("confirmation queue full: a message to %s was dropped", message["To"])

    def close(self, timeout: float = 10) -> None:
        """Send what is queued, then stop."""
        self.queue.put(None)
        self.thread.join(timeout)

    def _run(self) -> None:
        connection = SmtpConnection(self.settings)
        while (message := self.queue.get()) is not None:
            data = message.as_bytes(policy=email.policy.SMTP)  # CRLF line ends
            data = data.replace(b"\r\n.", b"\r\n..")  # SmtpConnection sends DATA dot-stuffed
            to = message["To"].addresses[0].addr_spec
            for attempt in (1, 2):
                try:
                    connection.send(self.site.sender.email, to, data)
                    break
                except TemporaryFailure as exc:
                    connection.close()
                    if attempt == 2:
                        log.error("confirmation to %s not sent: %s", message["To"], exc.reply)
                except (PermanentFailure, Exception) as exc:  # one bad message stops no one
                    log.error("confirmation to %s not sent: %s", message["To"], exc)
                    break
        connection.close()
