"""``/subscribe``: the sign-up form and what happens when it is sent.

Checks run cheapest first, so a flood costs little: the body's size (before the route:
:class:`~newsletter.app.security.BodyLimit`), the client network's rate limit,
cross-site, the honeypot, the CSRF token, the fields, then the proof of work (or,
without JavaScript, the wait). What follows a valid form is the same answer
for every address ("check your inbox"): whether a mail goes out depends on the list
and on the per-address and overall mail limits, and the page never says which.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsletter.app import queued
from newsletter.app.challenge import make_challenge
from newsletter.app.forms import SignupForm, read_form
from newsletter.app.security import client_ip, cross_site, form_token_age, make_form_token, network
from newsletter.app.state import AppState
from newsletter.deliver.audience import signup
from newsletter.deliver.sending.messages import envelope
from newsletter.deliver.tokens import make_expiring_token

log = logging.getLogger("newsletter.app")
SCOPE = "subscribe"
EXPIRE_EVERY = 600  # seconds between sweeps of expired pending sign-ups


def form_page(
    state: AppState,
    language: str,
    form: SignupForm | None = None,
    error: str | None = None,
    status: int = 200,
    csrf: str | None = None,
) -> HTMLResponse:
    """The form, with a fresh challenge (and CSRF token, unless one is kept)."""
    now = state.now()
    consent = state.project.site.consent
    assert consent is not None  # the route exists only with a [consent] section
    challenge = make_challenge(state.key, state.settings.pow_max_number,
                               int(now) + state.settings.form_seconds)  # fmt: skip
    return state.pages.render(
        "subscribe.html", language, status,
        form=form or SignupForm(language=language), error=error, challenge=challenge,
        csrf=csrf or make_form_token(state.key, SCOPE, now),
        consent_version=consent.version, consent_text=consent.words(language),
    )  # fmt: skip


async def show(request: Request) -> HTMLResponse:
    """GET: the empty form; ``?email=`` and ``?language=`` prefill it (the embeddable
    snippet on the city's site sends its visitors here with a GET, changing nothing)."""
    state: AppState = request.app.state.app
    language = state.pages.language(request)
    prefill = SignupForm.read(request.query_params, language, state.pages.languages)
    return form_page(state, language, SignupForm(prefill.email, prefill.name, prefill.language))


async def submit(request: Request) -> HTMLResponse:
    """POST: check the form and, when it is valid, ask for confirmation by e-mail."""
    state: AppState = request.app.state.app
    pages, settings = state.pages, state.settings
    language = pages.language(request)
    ip = client_ip(request)
    if not await run_in_threadpool(state.per_network.allow, network(ip)):  # a database write
        return pages.message(language, "signup_title", "too_many", 429)
    if cross_site(request):
        return pages.message(language, "invalid_title", "invalid", 403)
    data = await read_form(request)
    form = SignupForm.read(data, language, state.pages.languages)
    if data.get("website"):  # the honeypot: people never see it, form-filling bots do
        return inbox(state, language, form.email)
    now = state.now()
    csrf = str(data.get("csrf") or "")
    age = form_token_age(state.key, SCOPE, csrf, now)
    if age is None:
        return pages.message(language, "invalid_title", "invalid", 403)
    if age > settings.form_seconds:
        return form_page(state, language, form, "expired_form", 400)
    problem = form.problem(state.project.site.consent.version)  # type: ignore[union-attr]
    if problem:
        return form_page(state, language, form, problem, 400, csrf)
    number = str(data.get("pow_number") or "")
    if number:
        salt, sig = str(data.get("pow_salt") or ""), str(data.get("pow_signature") or "")
        challenge = str(data.get("pow_challenge") or "")
        if not await run_in_threadpool(state.verifier.verify, salt, challenge, number, sig,
                                       now):  # a database write (the salt is used up)
            return form_page(state, language, form, "expired_form", 400)
    elif age < settings.nojs_wait_seconds or not await run_in_threadpool(
            state.without_work.allow, "all"):
        return form_page(state, language, form, "nojs_wait", 429, csrf)
    await run_in_threadpool(accept, state, form, ip, now)  # the database may block
    return inbox(state, language, form.email)


def accept(state: AppState, form: SignupForm, ip: str | None, now: float) -> None:
    """Record a valid sign-up and queue its confirmation, within the address's and the
    server's mail limits (over them: nothing happens, and nobody is told). A database
    that stays locked gets the sign-up queued on disk, written and mailed later."""
    checked = form.candidate()
    if state.per_address.allow(checked.key) and state.mails.allow("all"):
        asked = signup.SignupRequest(checked.email, checked.name, form.language,
                                     form.consent, ip)  # fmt: skip
        try:
            event_id = signup.request(state.engine, asked, state.key)
        except sa.exc.OperationalError:  # locked longer than we wait (or a full disk)
            queued.queue_signup(state, asked, now)
            return
        if event_id is not None:
            send_confirmation(state, asked, event_id)
        if queued.waiting(state):  # the database is free again: write what waits
            queued.retry(state, functools.partial(send_confirmation, state))
    expire_pending(state, now)


def inbox(state: AppState, language: str, email: str) -> HTMLResponse:
    """The one answer to every valid sign-up, whatever happened behind it."""
    return state.pages.message(language, "check_inbox_title", "check_inbox", email=email,
                               days=state.settings.confirm_days)  # fmt: skip


def send_confirmation(state: AppState, asked: signup.SignupRequest, event_id: int) -> None:
    """Queue the confirmation e-mail with a link naming the sign-up event."""
    if state.mailer is None:
        return
    expires = int(state.now()) + state.settings.confirm_days * 86400
    token = make_expiring_token(state.key, event_id, expires)
    url = state.project.site.url("confirm", token) + f"?lang={asked.language}"
    message = state.confirmations[asked.language].message(asked.email, asked.name, url)
    state.mailer.send(envelope(asked.email).address, message)


def expire_pending(state: AppState, now: float) -> None:
    """Expire sign-ups whose links have expired (at most every EXPIRE_EVERY seconds)."""
    if now - state.expired_at < EXPIRE_EVERY:
        return
    state.expired_at = now
    before = dt.datetime.fromtimestamp(now, dt.UTC) - dt.timedelta(
        days=state.settings.confirm_days
    )
    try:
        expired = signup.expire(state.engine, before)
    except sa.exc.OperationalError:  # locked: the next sweep does it
        state.expired_at = 0.0
        return
    if expired:
        log.info("%d unconfirmed sign-ups expired", expired)
