"""What keeps the public pages safe to put on the internet: headers, CSRF, client identity.

**Headers.** A strict Content-Security-Policy allows scripts, styles, images and form
posts from this server only, and nothing inline, so even a value that slipped through
escaping could not run; pages are never framed, cached, indexed or given a Referer
(tokens in URLs must not leak to other sites).

**CSRF without cookies.** Every form carries a token the server signed: the form's
scope (``subscribe``, or the path of a link page), when it was served and a nonce,
under HMAC-SHA256 with NEWSLETTER_SECRET. Another site cannot make one for a page it
has not loaded, and cannot load ours in a frame or read it across origins. Browsers'
``Sec-Fetch-Site: cross-site`` and a foreign ``Origin`` are refused as well. The one
exception is the unsubscribe POST: RFC 8058 one-click requests come from mail clients
with no form, and the link's own token already proves its holder.

**Body size.** Every route, GET or POST, takes at most ``max_body`` bytes of request
body: a Content-Length over it is refused before a byte is read, and a chunked body is
counted as it streams in and refused when it passes the limit (nothing buffers a body
whole). Every reader has a token, so without this one ``POST /u/…`` of 300 MB cost the
server 650 MB of memory.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsletter.deliver.tokens import signature

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
_CSRF = "csrf"


class SecurityHeaders:
    """ASGI middleware: :data:`HEADERS` on every response (a page may override one)."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.raw if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    """A request body passed the limit while the app was reading it."""


class BodyLimit:
    """ASGI middleware: request bodies over ``limit`` bytes get ``refuse(request)`` (a
    413 page) and the connection is closed, so the rest of the body is never read."""

    def __init__(self, app: ASGIApp, limit: int, refuse: Callable[[Request], Response]):
        self.app = app
        self.limit = limit
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Request(scope).headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False
        unread = bool(length and length != "0") or "transfer-encoding" in Request(scope).headers

        async def counted() -> Message:
            nonlocal received, unread
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
                unread = unread and message.get("more_body", False)
            return message

        async def sent(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if unread:  # answered without reading it (a bad token): read no more of it
                    message = {**message, "headers": [*message.get("headers", []),
                                                      (b"connection", b"close")]}  # fmt: skip
            await send(message)

        try:
            await self.app(scope, counted, sent)
        except BodyTooLarge:
            if started:  # no page of ours answers before it has read its form
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.refuse(Request(scope))
        response.headers["Connection"] = "close"  # uvicorn then drops the rest unread
        await response(scope, receive, send)


def make_form_token(key: bytes, scope: str, now: float) -> str:
    """The CSRF token of a form served now for ``scope``."""
    issued, nonce = str(int(now)), secrets.token_urlsafe(9)
    return f"{issued}.{nonce}.{signature(key, _CSRF, f'{scope}|{issued}|{nonce}')}"


def form_token_age(key: bytes, scope: str, token: str, now: float) -> float | None:
    """Seconds since the form with this token was served; None when it is not ours, or
    is for another form (the caller also refuses tokens that are too old)."""
    issued, _, rest = token.partition(".")
    nonce, _, sig = rest.partition(".")
    if not issued.isdigit() or not nonce or not sig:
        return None
    if not hmac.compare_digest(sig, signature(key, _CSRF, f"{scope}|{issued}|{nonce}")):
        return None
    age = now - int(issued)
    return age if age >= -60 else None  # allow a little clock skew, no tokens from the future


def cross_site(request: Request) -> bool:
    """True when the browser says the POST comes from another site."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc != request.headers.get("host", "")
    return False


def client_ip(request: Request) -> str | None:
    """The client's address (uvicorn has already applied a trusted proxy's X-Forwarded-For)."""
    return request.client.host if request.client else None


def network(address: str | None) -> str:
    """The rate-limit key of an address: IPv4 as it is, IPv6 by its /64 (one household
    or server usually has a whole /64, so counting single v6 addresses limits nothing)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
