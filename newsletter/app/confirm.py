"""``/confirm/<token>``: the double opt-in. GET shows a button; only its POST confirms.

Link scanners and mail-client prefetchers open every link in a message: a GET that
confirmed would subscribe anyone whose address was typed into the form. A confirmation
that puts the person on the list queues the welcome e-mail (once: pressing the button
again changes nothing and sends nothing).
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsletter.app.forms import read_form
from newsletter.app.links import form_token, invalid, refused
from newsletter.app.security import client_ip
from newsletter.app.state import AppState
from newsletter.deliver.audience import signup
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.sending.messages import Recipient, envelope
from newsletter.deliver.tokens import EXPIRED, PREFERENCES, make_token, read_expiring_token

log = logging.getLogger("newsletter.app")


def _event_id(state: AppState, request: Request) -> int | HTMLResponse:
    """The sign-up event the link names, or the page that refuses it."""
    event_id = read_expiring_token(state.key, request.path_params["token"], state.now())
    if event_id is None:
        return invalid(state, request)
    if event_id == EXPIRED:
        language = state.pages.language(request)
        return state.pages.message(language, "expired_link_title", "expired_link", 410,
                                   link=state.pages.sign_up_again(language),
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
        language = pages.language(request)
        return pages.message(language, "stale_title", "stale",
                             link=pages.sign_up_again(language))  # fmt: skip
    with state.engine.connect() as connection:
        person = subs.by_id(connection, done.subscriber_id)
    assert person is not None
    if done.outcome == "confirmed":
        await run_in_threadpool(send_welcome, state, recipient_of(person, done.language))
    preferences = pages.root + "p/" + make_token(state.key, person.id, PREFERENCES)
    return pages.message(pages.language(request, done.language), "confirmed_title", "confirmed",
                         link=(preferences, "preferences"), email=person.email)  # fmt: skip


def recipient_of(person: subs.Subscriber, language: str | None) -> Recipient:
    return Recipient(person.id, person.email, person.name, language or person.language)


def send_welcome(state: AppState, recipient: Recipient) -> None:
    """Queue the welcome e-mail. One that cannot be made is logged: the reader is on the
    list either way, and the next issue reaches them."""
    if state.mailer is None or state.welcome is None:
        return
    try:
        message = state.welcome.message(recipient)
    except Exception:  # a broken template or feed must not turn a confirmation into a 500
        log.exception("welcome e-mail to %s not made", recipient.email)
        return
    state.mailer.send(envelope(recipient.email).address, message)
