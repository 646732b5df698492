"""The app's routes, and the app ``newsletter serve`` runs (any ASGI server will do).

| route | GET | POST |
| --- | --- | --- |
| ``/subscribe`` | the form (``?email=`` prefills) | sign up: confirmation e-mail |
| ``/confirm/<token>`` | a button | confirm the sign-up; a welcome e-mail |
| ``/p/<token>`` | preferences | change language, or leave |
| ``/u/<token>`` | a button | unsubscribe (also RFC 8058 one-click) |
| ``/s/app.css``, ``/s/signup.js`` | the theme's stylesheet, the proof-of-work script | |

Sign-up exists only when newsletter.toml has a ``[consent]`` text and ``serve`` has an
SMTP server for the confirmations; the link pages always do. ``/subscribe`` is
:data:`newsletter.output.SIGNUP_PATH`: the web edition and the archive link it.
"""

from __future__ import annotations

import functools
import logging
import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response
from starlette.routing import Mount, Route

from newsletter.app import confirm, preferences, queued, subscribe, unsubscribe
from newsletter.app.pages import Pages
from newsletter.app.security import BodyLimit, SecurityHeaders
from newsletter.app.settings import AppSettings
from newsletter.app.state import AppState
from newsletter.config import Site
from newsletter.deliver.audience.confirmations import ConfirmationMailer, ConfirmationTemplate
from newsletter.deliver.audience.welcome import WelcomeMessages
from newsletter.load import Project
from newsletter.output import SIGNUP_PATH
from newsletter.render.confirmation import render_confirmation


def create_app(
    engine: Engine,
    project: Project,
    key: bytes,
    settings: AppSettings | None = None,
    mailer: ConfirmationMailer | None = None,
) -> Starlette:
    """The ASGI app; ``mailer`` (and a ``[consent]`` text) turn sign-up on."""
    pages = Pages(project)
    state = AppState(engine, project, key, settings or AppSettings(), pages, mailer)
    routes = [
        Route("/u/{token}", unsubscribe.show, methods=["GET"]),
        Route("/u/{token}", unsubscribe.unsubscribe, methods=["POST"]),
        Route("/p/{token}", preferences.show, methods=["GET"]),
        Route("/p/{token}", preferences.change, methods=["POST"]),
        Route("/s/app.css", pages.stylesheet, methods=["GET"]),
        # Browsers ask for it on every page; a 404 there is noise in every console.
        Route("/favicon.ico", lambda _request: Response(status_code=204), methods=["GET"]),
    ]
    if signup_enabled(project, mailer):
        state.confirmations = {
            lang: ConfirmationTemplate(project.site, render_confirmation(project, lang))
            for lang in project.languages()
        }
        state.welcome = WelcomeMessages(project, key)
        routes += [
            Route(f"/{SIGNUP_PATH}", subscribe.show, methods=["GET"]),
            Route(f"/{SIGNUP_PATH}", subscribe.submit, methods=["POST"]),
            Route("/confirm/{token}", confirm.show, methods=["GET"]),
            Route("/confirm/{token}", confirm.confirm, methods=["POST"]),
            Route("/s/signup.js", pages.javascript, methods=["GET"]),
        ]
    # Nothing is built from the Host header, which a client writes as it likes: only
    # base_url's host and loopback names (a proxy forwarding its upstream address) are
    # answered, and there are no redirects (Starlette's trailing-slash redirect would send
    # a reader, token in the URL, to whatever host the request named).
    # A locked, full or unreachable database is a 503 page with Retry-After, never a 500.
    root = pages.root
    if root != "/":
        # base_url with a path (https://www.krakow.pl/newsletter/): the pages answer under
        # it (a proxy that passes the path on) and at / (a proxy that strips it).
        routes = [*routes, Mount(root.rstrip("/"), routes=list(routes))]
    busy = {sa.exc.OperationalError: queued.busy_page, queued.Busy: queued.busy_page}
    app = Starlette(routes=routes, middleware=[
        Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(project.site),
                   www_redirect=False),
        Middleware(SecurityHeaders),
        Middleware(BodyLimit, limit=state.settings.max_body, refuse=pages.too_large),
    ], exception_handlers=busy,  # type: ignore[arg-type]
        lifespan=queued.lifespan(functools.partial(subscribe.send_confirmation, state)))
    app.router.redirect_slashes = False
    app.state.app = state
    return app


def allowed_hosts(site: Site) -> list[str]:
    """The Host header values the app answers: base_url's host, and loopback names for a
    proxy that forwards its own upstream address (nginx's default) or a health check."""
    return [urlsplit(site.base_url).hostname or "", "127.0.0.1", "localhost", "::1", "[::1]"]


def signup_enabled(project: Project, mailer: ConfirmationMailer | None) -> bool:
    """Whether the app offers sign-up: it needs the consent text and a way to mail."""
    return project.site.consent is not None and mailer is not None


class RedactTokens(logging.Filter):
    """Access-log lines keep ``/u/…`` (``/p/…``, ``/confirm/…``) but not the token: a log
    is no place for a key that unsubscribes someone or opens their preferences."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_PATH.sub(r"/\1/…", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


_TOKEN_IN_PATH = re.compile(r"/(u|p|confirm)/[^/?\s\"]+")
