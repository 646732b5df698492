"""SMTP settings from a URL and the environment.

``smtp://user@host:587?starttls`` — plain SMTP upgraded with STARTTLS (refused if the
server does not offer it); ``smtps://user@host:465`` — TLS from the first byte;
``smtp://host:25`` — plain, for a relay on the local network or a test server. The
password never goes in the URL: it comes from ``NEWSLETTER_SMTP_PASSWORD``, and it is sent
only over TLS: a user on plain ``smtp://`` is refused unless the URL says ``?insecure=1``
(AUTH PLAIN and LOGIN are the password in base64, readable by anyone on the path).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from newsletter.exceptions import NewsletterError

URL_VARIABLE = "NEWSLETTER_SMTP_URL"
PASSWORD_VARIABLE = "NEWSLETTER_SMTP_PASSWORD"
DATA_TIMEOUT_VARIABLE = "NEWSLETTER_SMTP_DATA_TIMEOUT"


class SmtpSettingsError(NewsletterError):
    """A --smtp URL or SMTP environment that cannot work."""


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
