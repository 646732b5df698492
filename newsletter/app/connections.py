"""A time limit on request heads, which uvicorn does not have.

uvicorn closes a keep-alive connection that stays idle, but the first byte of a request
cancels that timer, and nothing limits how long the rest of the head may take: a client
that sends one header byte a second holds a connection (and its memory) for as long as
it likes, and a few thousand such clients hold the server. The protocol below closes a
connection whose request head is not complete ``header_timeout`` seconds after the
connection opened or the previous response ended (with a 408 when part of a head came).
"""

from __future__ import annotations

import asyncio
import os

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_HEADER_TIMEOUT = 10.0
HEADER_TIMEOUT_VARIABLE = "NEWSLETTER_HEADER_TIMEOUT"
"""`serve --workers N` passes its --header-timeout to the worker processes in this variable
(uvicorn imports the protocol class there by name)."""
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 24\r\nConnection: close\r\n\r\nRequest header timeout.\n"
)


class HeadTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request head."""

    header_timeout: float = float(os.environ.get(HEADER_TIMEOUT_VARIABLE)
                                  or DEFAULT_HEADER_TIMEOUT)
    head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._await_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        """Run the deadline while h11 waits for a request head (``their_state`` IDLE);
        stop it once the head is in (the body and the answer are the app's business)."""
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            self._stop_deadline()
        elif self.head_deadline is None:
            self.head_deadline = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _stop_deadline(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_timed_out(self) -> None:
        self.head_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0]:  # part of a head came: say why before closing
            self.transport.write(_TIMED_OUT)
        self.transport.close()


def head_timeout_protocol(seconds: float) -> type[HeadTimeoutProtocol]:
    """The protocol class to give uvicorn (``http=``) for a head time-out of ``seconds``."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"header_timeout": seconds})
