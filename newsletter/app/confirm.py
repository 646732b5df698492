"""``/confirm/<token>``: the double opt-in. GET shows a button; only its POST confirms.

Link scanners and mail-client prefetchers open every link in a message: a GET that
confirmed would subscribe anyone whose address was typed into the form.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsletter.app.forms import read_form
from newsletter.app.links import form_token, invalid, refused
from newsletter.app.security import client_ip
from newsletter.app.state import AppState
from newsletter.deliver import signup
from newsletter.deliver import subscribers as subs
from newsletter.deliver.tokens import EXPIRED, PREFERENCES, make_token, read_expiring_token


def _event_id(state: AppState, request: Request) -> int | HTMLResponse:
    """The sign-up event the link names, or the page that refuses it."""
    event_id = read_expiring_token(state.key, request.path_params["token"], state.now())
    if event_id is None:
        return invalid(state, request)
    if event_id == EXPIRED:
        return state.pages.message(state.pages.language(request), "expired_link_title",
                                   "expired_link", 410, link=("/subscribe", "sign_up_again"),
                                   days=state.settings.confirm_days)  # fmt: skip
    return event_id


async def show(request: Request) -> HTMLResponse:
    state: AppState = request.app.state.app
    found = _event_id(state, request)
    if isinstance(found, HTMLResponse):
        return found
    language = state.pages.language(request)
    return state.pages.render("confirm.html", language, csrf=form_token(state, request))


async def confirm(request: Request) -> HTMLResponse:
    state: AppState = request.app.state.app
    found = _event_id(state, request)
    if isinstance(found, HTMLResponse):
        return found
    refusal = await refused(state, request, await read_form(request))
    if refusal:
        return refusal
    done = await run_in_threadpool(signup.confirm, state.engine, found, client_ip(request))
    pages = state.pages
    if done.outcome == "stale" or done.subscriber_id is None:
        return pages.message(pages.language(request), "stale_title", "stale",
                             link=("/subscribe", "sign_up_again"))  # fmt: skip
    with state.engine.connect() as connection:
        person = subs.by_id(connection, done.subscriber_id)
    assert person is not None
    preferences = "/p/" + make_token(state.key, person.id, PREFERENCES)
    return pages.message(pages.language(request, done.language), "confirmed_title", "confirmed",
                         link=(preferences, "preferences"), email=person.email)  # fmt: skip
