"""The unsubscribe endpoint: ``/u/<token>`` (RFC 8058 one-click and a confirm page).

``GET`` only shows a page with a button: link scanners and mail-client prefetchers
follow every GET, and a GET that unsubscribed would take readers off the list behind
their backs. ``POST`` unsubscribes, from that button or from a mail client's one-click
request (body ``List-Unsubscribe=One-Click``); it is idempotent. A malformed, forged or
unknown token gets the same plain 404 page, so the answer tells a prober nothing.
"""

from __future__ import annotations

import logging
import re
from html import escape

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from newsletter.config import Site
from newsletter.deliver import subscribers as subs
from newsletter.deliver.tokens import read_token
from newsletter.deliver.unsubscribes import apply_queued, enqueue, queue_path

WORDS = {
    "pl": {
        "title": "Wypisz się z newslettera",
        "ask": "Czy wypisać adres {email} z listy {name}?",
        "button": "Wypisz mnie",
        "done": "Adres {email} został wypisany z listy {name}. Nie wyślemy już kolejnych numerów.",
        "invalid": "Ten link jest nieprawidłowy.",
    },
    "en": {
        "title": "Unsubscribe",
        "ask": "Unsubscribe {email} from {name}?",
        "button": "Unsubscribe",
        "done": "{email} has been unsubscribed from {name}. You will get no more issues.",
        "invalid": "This link is not valid.",
    },
}
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token must not leak to other sites
    "X-Robots-Tag": "noindex",
}


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        '<body style="font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em">'
        f"{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def create_app(engine: Engine, site: Site, key: bytes) -> Starlette:
    """The ASGI app (run by ``newsletter serve``, or any ASGI server behind HTTPS)."""

    def subscriber(request: Request) -> subs.Subscriber | None:
        subscriber_id = read_token(key, request.path_params["token"])
        if subscriber_id is None:
            return None
        with engine.connect() as connection:
            return subs.by_id(connection, subscriber_id)

    def invalid() -> HTMLResponse:
        words = WORDS["pl"]
        return _page(
            words["title"], f"<p>{words['invalid']}</p><p>{WORDS['en']['invalid']}</p>", 404
        )

    def show(request: Request) -> HTMLResponse:
        found = subscriber(request)
        if found is None:
            return invalid()
        words = WORDS.get(found.language or "pl", WORDS["pl"])
        if found.status == subs.UNSUBSCRIBED:
            return _confirmed(words, found, site)
        ask = words["ask"].format(email=escape(found.email), name=escape(site.name))
        return _page(
            words["title"],
            f"<h1>{escape(words['title'])}</h1><p>{ask}</p>"
            f'<form method="post"><button type="submit">{escape(words["button"])}</button></form>',
        )

    queue = queue_path(engine)

    def unsubscribe(request: Request) -> HTMLResponse:
        found = subscriber(request)
        if found is None:
            return invalid()
        try:
            with engine.begin() as connection:
                subs.set_status(connection, found.id, subs.UNSUBSCRIBED, "unsubscribe link")
            apply_queued(engine)
        except sa.exc.OperationalError:  # the database stayed locked longer than we wait
            if queue is None:
                return _page("Unsubscribe", "<p>Please try again in a minute.</p>", 503)
            enqueue(queue, found.id)  # durable: applied by the next write that can
        return _confirmed(WORDS.get(found.language or "pl", WORDS["pl"]), found, site)

    return Starlette(
        routes=[
            Route("/u/{token}", show, methods=["GET"]),
            Route("/u/{token}", unsubscribe, methods=["POST"]),
        ]
    )


class RedactTokens(logging.Filter):
    """Access-log lines keep ``/u/…`` but not the token: a log is no place for a key that
    unsubscribes someone."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_PATH.sub("/u/…", a) if isinstance(a, str) else a for a in record.args
            )
        return True


_TOKEN_IN_PATH = re.compile(r"/u/[^/?\s\"]+")


def _confirmed(words: dict[str, str], found: subs.Subscriber, site: Site) -> HTMLResponse:
    done = words["done"].format(email=escape(found.email), name=escape(site.name))
    return _page(words["title"], f"<h1>{escape(words['title'])}</h1><p>{done}</p>")
