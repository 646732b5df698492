"""What an SMTP server's refusals mean for a message: retry later, give up, or the
address is bad (a hard bounce, which takes it off the list)."""

from __future__ import annotations

import re
import smtplib

from newsletter.exceptions import NewsletterError

_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")


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


def failure(code: int, text: bytes | str) -> Exception:
    """What a refusal means: 4xx a TemporaryFailure (421: reconnect), 5xx a
    PermanentFailure, a hard bounce when the address itself is bad."""
    reply = f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
    if 400 <= code < 500:
        return TemporaryFailure(reply, reconnect=code == 421)
    return PermanentFailure(reply, is_hard_bounce(code, reply.partition(" ")[2]))


def reply_text(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error
    return f"{exc.smtp_code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
