"""``/p/<token>``: a subscriber's preferences (language) and leaving the list.

The link is in every e-mail's footer, signed per recipient like the unsubscribe link
(with another purpose, so neither token opens the other page). GET only shows; the
forms POST, each with a CSRF token for this path. Leaving is never lost: with the
database locked it is queued like a one-click unsubscribe (:mod:`newsletter.app.queued`).
"""

from __future__ import annotations

import contextlib

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsletter.app import queued
from newsletter.app.forms import read_form
from newsletter.app.links import form_token, invalid, refused
from newsletter.app.security import client_ip
from newsletter.app.state import AppState
from newsletter.deliver.audience import signup
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.audience.unsubscribes import apply_queued
from newsletter.deliver.tokens import PREFERENCES, read_token

SOURCE = "preference page"


def _person(state: AppState, request: Request) -> subs.Subscriber | None:
    subscriber_id = read_token(state.key, request.path_params["token"], PREFERENCES)
    if subscriber_id is None:
        return None
    with state.engine.connect() as connection:
        return subs.by_id(connection, subscriber_id)


def _page(
    state: AppState, request: Request, person: subs.Subscriber, notice: str | None = None
) -> HTMLResponse:
    language = state.pages.language(request, person.language)
    if person.status != subs.SUBSCRIBED:
        again = state.pages.sign_up_again(language)
        return state.pages.message(language, "preferences_title", "not_subscribed", link=again,
                                   email=person.email)  # fmt: skip
    return state.pages.render(
        "preferences.html", language, email=person.email, current=person.language or "pl",
        csrf=form_token(state, request), notice=notice,
    )  # fmt: skip


async def show(request: Request) -> HTMLResponse:
    state: AppState = request.app.state.app
    person = await run_in_threadpool(_person, state, request)
    if person is None:
        return invalid(state, request)
    return _page(state, request, person)


async def change(request: Request) -> HTMLResponse:
    state: AppState = request.app.state.app
    person = await run_in_threadpool(_person, state, request)
    if person is None:
        return invalid(state, request)
    data = await read_form(request)
    refusal = await refused(state, request, data)
    if refusal:
        return refusal
    ip = client_ip(request)
    if data.get("action") == "leave":
        await run_in_threadpool(_leave, state, person.id, ip)
        language = state.pages.language(request, person.language)
        return state.pages.message(language, "leave_title", "unsubscribed", email=person.email,
                                   name=state.project.site.name)  # fmt: skip
    language = data.get("language")
    if person.status == subs.SUBSCRIBED and language in state.pages.languages:
        await run_in_threadpool(signup.change_language, state.engine, person.id, language, ip)
    person = await run_in_threadpool(_person, state, request)
    assert person is not None
    return _page(state, request, person, notice="saved")


def _leave(state: AppState, subscriber_id: int, ip: str | None) -> None:
    """Unsubscribe now, or queue it (with one-click's) when the database stays locked."""
    try:
        with state.engine.begin() as connection:
            subs.set_status(connection, subscriber_id, subs.UNSUBSCRIBED, SOURCE, ip)
    except sa.exc.OperationalError:  # locked longer than we wait: never lose a leave
        queued.queue_leave(state, subscriber_id)
        return
    with contextlib.suppress(sa.exc.OperationalError):  # written; the queue waits
        apply_queued(state.engine)
