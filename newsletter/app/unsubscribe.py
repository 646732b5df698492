"""``/u/<token>``: unsubscribing (RFC 8058 one-click, and a page with a button).

``GET`` only shows a page with a button: link scanners and mail-client prefetchers
follow every GET, and a GET that unsubscribed would take readers off the list behind
their backs. ``POST`` unsubscribes, from that button or from a mail client's one-click
request (body ``List-Unsubscribe=One-Click``, no CSRF token: the link's own token
proves its holder); it is idempotent. When SQLite stays locked longer than the server
waits, the unsubscribe is queued durably (:mod:`newsletter.deliver.audience.unsubscribes`).
"""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsletter.app import queued
from newsletter.app.links import form_token, invalid
from newsletter.app.security import client_ip
from newsletter.app.state import AppState
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.audience.unsubscribes import apply_queued
from newsletter.deliver.tokens import read_token

ONE_CLICK = "one-click (List-Unsubscribe-Post)"
BUTTON = "unsubscribe link"


def _person(state: AppState, request: Request) -> subs.Subscriber | None:
    subscriber_id = read_token(state.key, request.path_params["token"])
    if subscriber_id is None:
        return None
    with state.engine.connect() as connection:
        return subs.by_id(connection, subscriber_id)


def _done(state: AppState, request: Request, person: subs.Subscriber) -> HTMLResponse:
    language = state.pages.language(request, person.language or "pl")
    return state.pages.message(language, "unsubscribe_title", "unsubscribed", email=person.email,
                               name=state.project.site.name)  # fmt: skip


async def show(request: Request) -> HTMLResponse:
    state: AppState = request.app.state.app
    person = await run_in_threadpool(_person, state, request)
    if person is None:
        return invalid(state, request)
    if person.status == subs.UNSUBSCRIBED:
        return _done(state, request, person)
    language = state.pages.language(request, person.language or "pl")
    return state.pages.render("unsubscribe.html", language, email=person.email,
                              csrf=form_token(state, request))  # fmt: skip


async def unsubscribe(request: Request) -> HTMLResponse:
    state: AppState = request.app.state.app
    person = await run_in_threadpool(_person, state, request)
    if person is None:
        return invalid(state, request)
    body = await request.body()
    source = ONE_CLICK if b"List-Unsubscribe=One-Click" in body else BUTTON
    await run_in_threadpool(_write, state, person.id, source, client_ip(request))
    return _done(state, request, person)


def _write(state: AppState, subscriber_id: int, source: str, ip: str | None) -> None:
    """Unsubscribe now, or queue it when the database stays locked (:class:`Busy`, a 503
    page, only when it can be neither: a database that is not SQLite, a full disk)."""
    try:
        with state.engine.begin() as connection:
            subs.set_status(connection, subscriber_id, subs.UNSUBSCRIBED, source, ip)
    except sa.exc.OperationalError:  # the database stayed locked longer than we wait
        queued.queue_leave(state, subscriber_id)  # durable: applied by the next write
        return
    with contextlib.suppress(sa.exc.OperationalError):  # written; the queue waits
        apply_queued(state.engine)
