"""What the link pages share: reading the token in the path, and checking their forms.

A link page (``/confirm/…``, ``/p/…``, ``/u/…``) is opened from an e-mail: its token
names the person. Its forms carry a CSRF token scoped to that very path, so a form
served for one link cannot be posted to another.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsletter.app.security import cross_site, form_token_age, make_form_token
from newsletter.app.state import AppState


def scope(request: Request) -> str:
    """The CSRF scope of a link page: its path."""
    return request.url.path


def form_token(state: AppState, request: Request) -> str:
    return make_form_token(state.key, scope(request), state.now())


async def refused(
    state: AppState, request: Request, data: dict[str, str]
) -> HTMLResponse | None:
    """A 403 page when a link page's POST is cross-site or has no valid CSRF token."""
    age = form_token_age(state.key, scope(request), str(data.get("csrf") or ""), state.now())
    if cross_site(request) or age is None or age > state.settings.form_seconds:
        return state.pages.message(state.pages.language(request), "invalid_title", "invalid", 403)
    return None


def invalid(state: AppState, request: Request) -> HTMLResponse:
    """The one answer to every malformed, forged, foreign or unknown token: a 404 that
    tells a prober nothing (the same page whatever was wrong)."""
    return state.pages.message(state.pages.language(request), "invalid_title", "invalid", 404)
