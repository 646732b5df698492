"""A reader's request that the database cannot take now is queued, not refused.

SQLite has one writer at a time; ``serve`` waits ``--busy-timeout`` for it. When the
wait runs out, leaving the list (the unsubscribe link, one-click, the preference page)
goes to :mod:`newsletter.deliver.audience.unsubscribes` and a sign-up to
:mod:`newsletter.deliver.audience.signup_queue`, both synced to disk, and the reader gets the
usual page: their request is taken. :func:`retry` writes them when the database is free
(``serve`` tries every ``retry_seconds`` while anything waits, at start and after each
write that succeeded). What cannot be queued (confirming, changing the language, a
database other than SQLite, a full disk) gets a 503 page with Retry-After in the
reader's language, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsletter.app.state import AppState
from newsletter.deliver.audience import signup, signup_queue, unsubscribes

log = logging.getLogger("newsletter.app")
RETRY_AFTER = "60"
"""Seconds a 503 asks the reader (or mail client) to wait: longer than a send's burst."""


class Busy(Exception):
    """A request that can be neither written nor queued now (answered with a 503)."""


def busy_page(request: Request, exc: Exception) -> HTMLResponse:
    """The 503 page for a locked, full or unreachable database (an exception handler)."""
    state: AppState = request.app.state.app
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    log.warning("%s %s: database busy (%s)", request.method, request.url.path.split("/")[1],
                reason[0] if reason else type(exc).__name__)  # fmt: skip
    response = state.pages.message(state.pages.language(request), "busy_title", "busy", 503)
    response.headers["Retry-After"] = RETRY_AFTER
    return response


def queue_signup(state: AppState, asked: signup.SignupRequest, now: float) -> None:
    """Keep a sign-up the database could not take; :class:`Busy` when it cannot be kept."""
    folder = signup_queue.queue_dir(state.engine)
    if folder is None:
        raise Busy("no queue for this database")
    try:
        signup_queue.enqueue(folder, asked, now)
    except OSError as exc:
        raise Busy(f"sign-up not queued: {exc}") from exc
    log.warning("database busy: a sign-up was queued")


def queue_leave(state: AppState, subscriber_id: int) -> None:
    """Keep an unsubscribe the database could not take; :class:`Busy` when it cannot."""
    queue = unsubscribes.queue_path(state.engine)
    if queue is None:
        raise Busy("no queue for this database")
    try:
        unsubscribes.enqueue(queue, subscriber_id)
    except OSError as exc:
        raise Busy(f"unsubscribe not queued: {exc}") from exc
    log.warning("database busy: an unsubscribe was queued")


def waiting(state: AppState) -> bool:
    """Whether any request waits to be written (two file-system checks)."""
    queue = unsubscribes.queue_path(state.engine)
    return bool(queue and queue.exists()) or bool(
        signup_queue.waiting(signup_queue.queue_dir(state.engine))
    )


def retry(state: AppState, requested: Callable[[signup.SignupRequest, int], None]) -> None:
    """Write what waits, if the database lets us (one caller at a time; a database still
    locked leaves it for the next try). ``requested`` sends a sign-up's confirmation."""
    if not state.retrying.acquire(blocking=False):
        return
    try:
        unsubscribes.apply_queued(state.engine)
        if state.mailer is not None:  # a sign-up written without its mail would be lost
            written = signup_queue.apply_queued(state.engine, state.key, requested)
            if written:
                log.info("%d queued sign-ups written", written)
    except sa.exc.OperationalError as exc:
        log.info("queued requests wait: %s", str(exc.orig or exc).splitlines()[0])
    finally:
        state.retrying.release()


def lifespan(
    requested: Callable[[signup.SignupRequest, int], None],
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    """The app's lifespan: while it runs, queued requests are retried every
    ``retry_seconds`` (the first time at start)."""

    @contextlib.asynccontextmanager
    async def running(app: Starlette) -> AsyncIterator[None]:
        state: AppState = app.state.app

        async def loop() -> None:
            while True:
                try:
                    if waiting(state):
                        await run_in_threadpool(retry, state, requested)
                except Exception:  # the loop must outlive any one failure
                    log.exception("retrying queued requests failed")
                await asyncio.sleep(state.settings.retry_seconds)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            # A retry still running in its thread may write a sign-up and hand its
            # confirmation to the mailer: wait for it, and let no other start, so the
            # mailer is closed (and its queue sent) only after the last one.
            await run_in_threadpool(state.retrying.acquire)

    return running
