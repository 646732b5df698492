"""Asking the web whether the addresses of an issue still answer, before 40,000 readers do.

Politely, since the servers are other people's (a city office's partners among them):
each address is asked once per run however often it is written; a few requests at a
time in all and at most ``per_host`` at once per server; HEAD first (no body), GET only
when a server refuses HEAD or answers it with an error (many answer HEAD with 403, 404
or 405 and GET with the page); a User-Agent that names the newsletter and its site; a
time limit per address. A redirect is no failure: the final address is noted so the
editor can write it instead.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

TIMEOUT = 10.0
"""Seconds an address may take to answer, redirects included."""
CONCURRENT = 8
"""Requests at a time in all."""
PER_HOST = 2
"""Requests at a time to one server."""
MAX_REDIRECTS = 10
NO_SUCH_HOST = "no such host"


@dataclass(frozen=True)
class LinkAnswer:
    """What one address answered: a status (after redirects) or why there was none."""

    url: str
    status: int | None = None
    final_url: str | None = None  # where redirects led, when they did
    error: str | None = None

    @property
    def broken(self) -> bool:
        return self.error is not None or self.status is None or self.status >= 400

    @property
    def redirected(self) -> bool:
        return self.final_url is not None and self.final_url != self.url

    def describe(self) -> str:
        """The answer in a few words, for the editor."""
        if self.error:
            return self.error
        reason = httpx.codes.get_reason_phrase(self.status or 0)
        said = f"{self.status} {reason}".strip()
        if self.redirected:
            return f"{said} at {self.final_url}" if self.broken else f"moved to {self.final_url}"
        return said


def user_agent(name: str, site_url: str) -> str:
    """``<name>-link-check/1 (+<site>)``: who asks, and where to read about them (ASCII,
    as HTTP headers are)."""
    ascii_name = name.encode("ascii", "ignore").decode() or "newsletter"
    return f"{'-'.join(ascii_name.split())}-link-check/1 (+{site_url})"


def check_links(
    urls: Iterable[str],
    agent: str,
    timeout: float = TIMEOUT,
    concurrent: int = CONCURRENT,
    per_host: int = PER_HOST,
) -> dict[str, LinkAnswer]:
    """Ask every distinct address once; their answers, by address."""
    return asyncio.run(_check_all(sorted(set(urls)), agent, timeout, concurrent, per_host))


async def _check_all(
    urls: list[str], agent: str, timeout: float, concurrent: int, per_host: int
) -> dict[str, LinkAnswer]:
    everyone = asyncio.Semaphore(concurrent)
    hosts: dict[str, asyncio.Semaphore] = {}
    limits = httpx.Limits(max_connections=concurrent, max_keepalive_connections=concurrent)
    async with httpx.AsyncClient(
        headers={"User-Agent": agent, "Accept": "text/html,*/*;q=0.8"},
        timeout=timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS, limits=limits,
    ) as client:  # fmt: skip

        async def one(url: str) -> LinkAnswer:
            host = (urlsplit(url).hostname or "").lower()
            async with everyone, hosts.setdefault(host, asyncio.Semaphore(per_host)):
                try:
                    return await asyncio.wait_for(_ask(client, url), timeout)
                except (TimeoutError, httpx.TimeoutException):
                    return LinkAnswer(url, error=f"no answer within {timeout:g} s")
                except httpx.TooManyRedirects:
                    return LinkAnswer(url, error=f"more than {MAX_REDIRECTS} redirects")
                except (httpx.HTTPError, OSError, ValueError) as exc:
                    return LinkAnswer(url, error=_reason(exc))

        answers = await asyncio.gather(*(one(url) for url in urls))
    return {answer.url: answer for answer in answers}


async def _ask(client: httpx.AsyncClient, url: str) -> LinkAnswer:
    """HEAD, then GET (headers only: the body is not read) when HEAD did not say yes."""
    try:
        response = await client.head(url)
        if response.status_code < 400:
            return _answer(url, response)
    except (httpx.RemoteProtocolError, httpx.ReadError):
        pass  # some servers drop a HEAD: ask as a browser does
    async with client.stream("GET", url) as response:
        return _answer(url, response)


def _answer(url: str, response: httpx.Response) -> LinkAnswer:
    final = str(response.url) if response.history else None
    return LinkAnswer(url, response.status_code, final)


def _reason(exc: BaseException) -> str:
    """Why an address gave no answer, in words an editor can act on."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return f"{NO_SUCH_HOST} (the name does not resolve)"
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"TLS error: the certificate is not valid ({seen.verify_message})"
        if isinstance(seen, ssl.SSLError):
            return f"TLS error: {seen.reason or seen}"
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    if "Name or service not known" in text or "nodename nor servname" in text \
            or "No address associated" in text or "Temporary failure in name resolution" in text:
        return f"{NO_SUCH_HOST} (the name does not resolve)"
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text:
        return f"TLS error: {text}"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect ({text or 'refused'})"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
