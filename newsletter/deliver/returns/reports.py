"""What a message at the bounce address says: a bounce (hard or soft), a complaint, a
``mailto:`` unsubscribe, or nothing that concerns the list (an auto-reply, other mail).

Standard formats are read with the ``email`` package: delivery status notifications
(RFC 3464: ``message/delivery-status``, a status code per recipient) and complaint reports
(ARF, RFC 5965: ``message/feedback-report``). The many older, non-standard bounce formats
(qmail, old Exim, Yahoo, Exchange, plain "user unknown" texts) are left to flufl.bounce,
Mailman's maintained detectors, which say which addresses failed permanently or only
for now.

How bad a failure is decides what happens to the address (newsletter/deliver/returns/bounces.py):

- **hard** — the address itself is bad: 5.1.x (no such user or domain), 5.2.1 (mailbox
  disabled), or a bare 550/551/553; the address leaves the list at once;
- **soft** — it may work again: 4.x.x (the server gave up after retrying), mailbox full
  (4.2.2/5.2.2, "quota"); counted towards a threshold;
- **permanent** — refused for a reason that is not the address (5.7.x policy, spam
  filters, a message too big): counted too, with more weight.

A *delayed* notice (RFC 3464 Action: delayed, or flufl's "warnings") is not a failure:
the server is still trying, and its final answer will come as its own message.
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.message
import email.utils
import hashlib
import logging
import re
from dataclasses import dataclass
from email.message import Message

# flufl.bounce logs a detector's exception with its traceback before raising it: the
# exception is handled below (the message fails alone, in one line), so no traceback.
logging.getLogger("flufl.bounce").addHandler(logging.NullHandler())
logging.getLogger("flufl.bounce").propagate = False

HARD, SOFT, PERMANENT = "hard", "soft", "permanent"
BOUNCE, COMPLAINT, UNSUBSCRIBE, IGNORED = "bounce", "complaint", "unsubscribe", "ignored"
_ORDER = {HARD: 0, PERMANENT: 1, SOFT: 2}

_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
# The white space after a start is bounded: "\s*" crosses line ends, so from every line
# start of a run of empty lines it ran to the run's end (quadratic: 20,000 line ends took
# 5 s). A code is at most a folded line away from "said:".
_SMTP_CODE = re.compile(r"(?:^|;|said:|\]:)\s{0,40}([245]\d\d)(?:[\s-]|$)", re.MULTILINE)
# Words that say the address does not exist, and words that say the refusal is about us
# (policy, reputation, authentication, content) whatever the code: a bare 550 is either.
_NO_SUCH_USER = re.compile(
    r"user unknown|unknown user|no such (?:user|mailbox|recipient|domain)|does not exist|"
    r"doesn't exist|mailbox unavailable|invalid (?:recipient|mailbox|address)|"
    r"recipient (?:address )?rejected: (?:user|undeliverable)|no mailbox|not our customer|"
    r"account (?:has been )?(?:disabled|deactivated|closed)|unknown or illegal user|"
    r"address rejected|recipient no longer|unrouteable address|unknown recipient",
    re.IGNORECASE,
)
_ABOUT_US = re.compile(
    r"spf|dkim|dmarc|spam|block|black ?list|deny ?list|rbl|dnsbl|reverse dns|rdns|\bptr\b|"
    r"policy|reputation|sender|relay|access denied|rate limit|too many|content|virus|"
    r"authenticat|not accepted from|forbidden",
    re.IGNORECASE,
)
_FULL = re.compile(
    r"quota|mailbox (?:is )?full|over ?quota|insufficient (?:system )?storage|"
    r"exceeded (?:the )?storage|mailbox size limit|out of storage|storage space",
    re.IGNORECASE,
)
# Signs that only an automatic reply carries (bounces carry Auto-Submitted too, so that one
# alone decides only after the bounce detectors found nothing).
_AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder")
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?reply|auto:|autosvar|out of (?:the )?office|"
    r"abwesenheit|odpowied[źz] automatyczna|automatyczna odpowied[źz]|nieobecno[śs][ćc]|"
    r"r[ée]ponse automatique|vacation|urlaub|away from)",
    re.IGNORECASE,
)
COMPLAINT_TYPES = ("abuse", "fraud", "virus")
"""ARF feedback types that are a reader's complaint; auth-failure (DMARC forensic
reports), not-spam and other are not."""
_UNSUBSCRIBE_SUBJECT = re.compile(r"\bunsubscribe\b", re.IGNORECASE)
_HEADER_LIMIT = 2000
"""Characters of a header that are decoded (a real subject is a line, RFC 5322 allows 998)."""
MAX_MULTIPARTS = 16
"""A bounce or a complaint has a report, a returned message and its alternatives: 3 or 4
multiparts; a message nested deeper is hostile (60 levels over 1 MB took 14 s)."""
FLUFL_BYTES, FLUFL_LINES = 256 * 1024, 5000
"""What flufl.bounce's detectors read of a message: its detectors try some 50 patterns
on every line (about 65 µs a line: a megabyte of line ends took minutes); the bounces
they recognise say who failed at the top, and ours are read in full by the DSN and ARF
readers."""


@dataclass(frozen=True)
class Failure:
    """One failed recipient of a bounce, as the report names it."""

    address: str
    severity: str  # HARD, SOFT or PERMANENT
    status: str = ""  # the RFC 3463 code, e.g. 5.1.1, when there is one
    diagnostic: str = ""  # the remote server's words, shortened

    def describe(self) -> str:
        text = " ".join(part for part in (self.status, self.diagnostic) if part)
        return f"{self.severity} {self.address}: {text}"[:300]


@dataclass(frozen=True)
class Report:
    """What one message is (``kind``) and everything that may name its recipient."""

    kind: str
    reason: str  # "dsn", "flufl.bounce", "arf abuse", "auto-reply", "not a bounce", …
    failures: tuple[Failure, ...] = ()
    complained: tuple[str, ...] = ()  # an ARF report's Original-Rcpt-To
    envelope: str = ""  # the top headers that carry the envelope recipient
    returned: str = ""  # the returned message or its headers (and the body) as text
    subject: str = ""
    date: float | None = None  # the message's Date, epoch seconds
    message_id: str | None = None
    body_hash: str = ""

    @property
    def fingerprint(self) -> str:
        """What recognises the message when it is read again: its Message-ID with a hash
        of its body (a second copy delivered elsewhere has other envelope headers but the
        same body; a stranger reusing a Message-ID has another body), else the hash."""
        if self.message_id:
            return f"{self.message_id[:200]} {self.body_hash[:32]}"
        return f"sha256:{self.body_hash}"

    def worst(self) -> Failure | None:
        return min(self.failures, key=lambda f: _ORDER[f.severity], default=None)


def severity(status: str, diagnostic: str) -> str | None:
    """HARD, SOFT or PERMANENT from a DSN's Status and Diagnostic-Code (the remote
    server's own code wins over the reporting MTA's summary); None for a success."""
    enhanced = _ENHANCED.search(diagnostic) or _ENHANCED.search(status)
    smtp = _SMTP_CODE.search(diagnostic)
    full = bool(_FULL.search(diagnostic) or _FULL.search(status))
    if enhanced:
        klass, subject, detail = (int(n) for n in enhanced.groups())
        if klass == 2:
            return None
        if klass == 4 or (subject, detail) == (2, 2) or full:
            return SOFT
        if (subject == 1 and detail not in (7, 8)) or (subject, detail) in ((2, 1), (4, 4)):
            return HARD  # bad mailbox or domain, disabled, or no route to the domain
        if subject == 1:
            return PERMANENT  # 5.1.7, 5.1.8: the *sender's* address was refused
        if subject != 7 and _NO_SUCH_USER.search(diagnostic):
            return HARD
        if smtp and smtp.group(1) in ("550", "551", "553") and (subject, detail) == (0, 0):
            return _bare(diagnostic)  # 5.0.0 is the MTA's "no detail": the server's words
        return PERMANENT
    if smtp:
        code = smtp.group(1)
        if code[0] == "2":
            return None
        if code[0] == "4" or full:
            return SOFT
        return _bare(diagnostic) if code in ("550", "551", "553") else PERMANENT
    if full:
        return SOFT
    return HARD if _NO_SUCH_USER.search(diagnostic) else None


def _bare(diagnostic: str) -> str:
    """A 550/551/553 without a detailed code: the address, unless the words say the
    refusal is about the sender (as for the send's own replies, smtp_replies.is_hard_bounce)."""
    if _NO_SUCH_USER.search(diagnostic) or not _ABOUT_US.search(diagnostic):
        return HARD
    return PERMANENT


class UnreadableMessage(ValueError):
    """A message we refuse to parse (too deeply nested): named, kept for a person."""


def read_report(data: bytes) -> Report:
    """Parse one message and say what it is. Never changes anything.

    Every step runs in time linear in the message's size: the patterns have fixed
    starts or bounded repeats, flufl.bounce sees the first :data:`FLUFL_LINES` lines,
    headers are decoded from their first :data:`_HEADER_LIMIT` characters, and a message
    with more than :data:`MAX_MULTIPARTS` multiparts is refused before parsing (the
    standard library checks every line against every open boundary: lines × depth).
    """
    multiparts = data.lower().count(b"boundary=")
    if multiparts > MAX_MULTIPARTS:
        raise UnreadableMessage(f"{multiparts} multipart boundaries (at most "
                                f"{MAX_MULTIPARTS} are read): not parsed")  # fmt: skip
    message = email.message_from_bytes(data)
    body = _body(data)
    common = _common(message, body)
    complaint = _complaint(message)
    if complaint is not None:
        reason, complained = complaint
        if reason.startswith("arf ") and reason[4:] not in COMPLAINT_TYPES:
            return Report(IGNORED, f"feedback report ({reason[4:]})", **common)
        return Report(COMPLAINT, reason, complained=complained, **common)
    dsn = list(_dsn_failures(message))
    if dsn:
        failures = tuple(f for f in dsn if f.severity)
        if failures:
            return Report(BOUNCE, "dsn", failures=failures, **common)
        return Report(IGNORED, "delivery notice (delayed or delivered)", **common)
    if _strong_auto_reply(message):
        return Report(IGNORED, "auto-reply", **common)
    failures = _flufl_failures(message, data)
    if failures is not None:
        if failures:
            return Report(BOUNCE, "flufl.bounce", failures=failures, **common)
        return Report(IGNORED, "delay warning", **common)
    if _UNSUBSCRIBE_SUBJECT.search(common["subject"]) or message.get("x-apple-unsubscribe"):
        return Report(UNSUBSCRIBE, "mailto unsubscribe", **common)
    if str(message.get("auto-submitted", "no")).strip().lower() not in ("", "no"):
        return Report(IGNORED, "auto-reply", **common)
    if _looks_like_bounce(message, common["subject"]):
        return Report(BOUNCE, "a bounce with no failure we can read", **common)
    return Report(IGNORED, "not a bounce", **common)


def _body(data: bytes) -> bytes:
    """Everything after the header block (LF or CRLF line ends)."""
    ends = [(i, len(sep)) for sep in (b"\n\n", b"\r\n\r\n") if (i := data.find(sep)) >= 0]
    if not ends:
        return b""
    index, length = min(ends)
    return data[index + length :]


def _common(message: Message, body: bytes) -> dict:
    """What every report keeps: envelope headers, the returned text, subject, date, ids."""
    envelope = "\n".join(
        f"{name}: {value}"
        for name in ("delivered-to", "x-original-to", "envelope-to", "x-envelope-to",
                     "x-rcptto", "x-rcpt-to", "to")
        for value in message.get_all(name, [])
    )  # fmt: skip
    returned = [body.decode("latin-1")]
    for part in message.walk():
        encoding = str(part.get("content-transfer-encoding", "")).lower()
        if not part.is_multipart() and encoding in ("base64", "quoted-printable"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                returned.append(payload.decode("latin-1"))
    date = None
    if message.get("date"):
        try:
            parsed = email.utils.parsedate_to_datetime(str(message["date"]))
            date = parsed.timestamp() if parsed.tzinfo else None
        except (TypeError, ValueError, IndexError, OverflowError):
            date = None
    message_id = str(message.get("message-id", "")).strip() or None
    return {
        "envelope": envelope,
        "returned": "\n".join(returned),
        "subject": _decoded(message.get("subject", "")),
        "date": date,
        "message_id": message_id,
        "body_hash": hashlib.sha256(body).hexdigest(),
    }


def _decoded(value: object, limit: int = _HEADER_LIMIT) -> str:
    """A header's text with its RFC 2047 encoded words decoded, from its first ``limit``
    characters: the standard library's decoder is quadratic on a line of unfinished
    encoded words (137 KB of "=?x?q?a" took 68 s), and no subject we act on is longer."""
    text = str(value)[:limit]
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (UnicodeError, LookupError, email.errors.HeaderParseError):
        return text


def _address(value: object) -> str:
    """The address of a header value, read from its first 998 characters (a line's
    limit): the standard library's parser recurses once per nested comment."""
    try:
        return email.utils.parseaddr(str(value)[:998])[1]
    except RecursionError:
        return ""


def _one_line(value: object, limit: int = 200) -> str:
    return " ".join(str(value or "").split())[:limit]


def _feedback_fields(part: Message) -> Message | None:
    """The fields of a ``message/feedback-report`` part as a header block."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload[0] if payload and isinstance(payload[0], Message) else None
    text = part.get_payload(decode=True) or b""
    return email.message_from_bytes(text if isinstance(text, bytes) else b"")


def _complaint(message: Message) -> tuple[str, tuple[str, ...]] | None:
    """An ARF report (RFC 5965), or Microsoft JMRP's older format: ("arf <feedback type>"
    or "jmrp complaint", the complained addresses); None for anything else."""
    for part in message.walk():
        if part.get_content_type() != "message/feedback-report":
            continue
        fields = _feedback_fields(part)
        if fields is None:
            continue
        kind = _one_line(fields.get("feedback-type", "abuse"), 40).lower() or "abuse"
        addresses = tuple(
            _address(value) for value in fields.get_all("original-rcpt-to", [])[:100]
        )
        return f"arf {kind}", tuple(a for a in addresses if a)
    sender = _address(message.get("from", "")).lower()
    subject = _one_line(message.get("subject", "")).lower()
    if sender.endswith(("@hotmail.com", "@outlook.com", "@microsoft.com")) and \
            subject.startswith("complaint about message from"):  # fmt: skip
        return "jmrp complaint", ()
    return None


def _dsn_failures(message: Message):  # type: ignore[no-untyped-def]
    """Each recipient block of each ``message/delivery-status`` part: a Failure (with
    severity None for a success or a delay)."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            text = part.get_payload(decode=True)
            text = text if isinstance(text, bytes) else b""
            blocks = [email.message_from_bytes(c) for c in re.split(rb"\r?\n\r?\n", text)]
        for block in blocks:
            if not isinstance(block, Message):
                continue
            recipient = block.get("original-recipient") or block.get("final-recipient")
            if recipient is None:
                continue  # the per-message block
            address = _one_line(str(recipient).rpartition(";")[2], 320).strip("<> ")
            action = _one_line(block.get("action", ""), 40).lower()
            status = _one_line(block.get("status", ""), 20)
            diagnostic = _one_line(block.get("diagnostic-code", ""), 300)
            found = severity(status, diagnostic)
            if action.startswith("delayed") or action.startswith(("delivered", "relayed",
                                                                   "expanded")):  # fmt: skip
                found = None
            elif found is None and action.startswith(("fail", "error")):
                found = PERMANENT  # failed, with no code we can read
            yield Failure(address, found, status, diagnostic)  # type: ignore[arg-type]


_BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned mail|delivery (?:status notification \(failure|fail|problem)|"
    r"failure notice|mail delivery failed|non-?delivery|could not be delivered|"
    r"delivery report",
    re.IGNORECASE,
)


def _looks_like_bounce(message: Message, subject: str) -> bool:
    """From a mailer daemon, or a bounce's subject, though no detector read it: kept
    aside for a person rather than ignored."""
    sender = str(message.get("from", "")).lower()
    daemon = "mailer-daemon" in sender or "postmaster" in sender
    return daemon or bool(_BOUNCE_SUBJECT.search(subject))


def _strong_auto_reply(message: Message) -> bool:
    if any(message.get(name) for name in _AUTO_REPLY_HEADERS):
        return True
    if str(message.get("precedence", "")).strip().lower() == "auto_reply":
        return True
    return bool(_AUTO_REPLY_SUBJECT.match(_decoded(message.get("subject", ""))))


def _flufl_failures(message: Message, data: bytes | None = None) -> tuple[Failure, ...] | None:
    """flufl.bounce's detectors: None when none recognises the message, () when it is
    only a warning (temporary), else the permanent failures with a severity read from
    the text (a code or "quota" in it), hard when it says nothing more."""
    from flufl.bounce import all_failures

    if data is not None and (len(data) > FLUFL_BYTES or data.count(b"\n") > FLUFL_LINES):
        data = _first_lines(data, FLUFL_BYTES, FLUFL_LINES)
        message = email.message_from_bytes(data)
    if data is not None and not _address(message.get("from", "")):
        # Its Yale detector fails on a message without a From address (IndexError, or
        # RecursionError on nested comments): put an empty one first, which every
        # detector reads as "not a daemon".
        message = email.message_from_bytes(b"From: <>\r\n" + data)
    try:
        temporary, permanent = all_failures(message)
    except Exception:  # a detector's own bug: as if none recognised the message
        return None
    if not temporary and not permanent:
        return None
    text = _first_text(message)
    found = severity("", text) or HARD
    addresses = sorted(a.decode("ascii", "replace") for a in permanent)
    return tuple(Failure(address, found, "", _explanation(text)) for address in addresses)


def _first_lines(data: bytes, size: int, lines: int) -> bytes:
    """At most ``size`` bytes and ``lines`` lines from the start of ``data``."""
    head = data[:size]
    end = -1
    for _ in range(lines):
        end = head.find(b"\n", end + 1)
        if end < 0:
            return head
    return head[: end + 1]


def _first_text(message: Message, limit: int = 8192) -> str:
    """The first text part (the MTA's explanation), at most ``limit`` characters."""
    for part in message.walk():
        if part.get_content_maintype() == "text" and not part.is_multipart():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload[:limit].decode("latin-1")
    return ""


def _explanation(text: str) -> str:
    """The line of an MTA's text that has a code in it, else its first words."""
    for line in text.splitlines():
        if _ENHANCED.search(line) or _SMTP_CODE.search(line):
            return _one_line(line)
    return _one_line(text, 120)
