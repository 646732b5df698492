"""Which way a relay's port speaks TLS, asked directly, for `doctor`'s advice.

A submission port speaks plain SMTP and upgrades with STARTTLS (587); port 465 speaks TLS
from the first byte (implicit TLS, RFC 8314). The URL says which (``smtp://…:587?starttls``
or ``smtps://…:465``), and the wrong one fails obscurely: a STARTTLS client on an
implicit-TLS port waits for a greeting that never comes (30 s, then "timed out"); a TLS
client on a plain port gets "wrong version number". :func:`mismatch` asks the port both
ways and says which URL to write instead.
"""

from __future__ import annotations

import socket
import ssl

GREETING_WAIT = 5.0
"""Seconds to wait for a 220 greeting: a working relay greets at once."""


def greets_in_plain(host: str, port: int, wait: float = GREETING_WAIT) -> bool | None:
    """True: the port sends an SMTP greeting in clear; False: silent for ``wait`` s
    (it waits for a TLS ClientHello); None: no connection at all."""
    try:
        with socket.create_connection((host, port), timeout=wait) as sock:
            sock.settimeout(wait)
            try:
                return sock.recv(512).startswith(b"220")
            except TimeoutError:
                return False
    except OSError:
        return None


def answers_tls(host: str, port: int, wait: float = GREETING_WAIT) -> bool:
    """The port completes a TLS handshake at once (the certificate is not judged here:
    the real connection does that)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=wait) as sock, \
                context.wrap_socket(sock, server_hostname=host):
            return True
    except OSError:
        return False


def mismatch(host: str, port: int, security: str, user: str | None,
             wait: float = GREETING_WAIT) -> tuple[str, str] | None:
    """(what is wrong, the URL to use) when the port speaks TLS the other way than
    ``security`` says; None when it matches or cannot be told."""
    who = f"{user}@" if user else ""
    if security == "tls":
        if greets_in_plain(host, port, wait):
            return (f"{host}:{port} greets in plain text: it takes STARTTLS, not TLS from "
                    "the first byte", f"smtp://{who}{host}:{port}?starttls")
        return None
    if greets_in_plain(host, port, wait) is False and answers_tls(host, port, wait):
        return (f"{host}:{port} sends no greeting but answers a TLS handshake: it speaks "
                "TLS from the first byte (implicit TLS, usually port 465)",
                f"smtps://{who}{host}:{port}")
    return None
