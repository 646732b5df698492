"""Per-recipient values in a rendered edition, filled at send time by plain substitution.

An edition is rendered once per build; the mailer replaces these markers in the HTML and
text for each recipient. They survive MJML, premailer and HTML escaping unchanged.
"""

from __future__ import annotations

UNSUBSCRIBE_URL = "%%unsubscribe_url%%"
"""The recipient's one-click unsubscribe page (HMAC-signed token)."""

PREFERENCES_URL = "%%preferences_url%%"
"""The recipient's preference page: language, leaving the list (HMAC-signed token)."""

CONFIRM_URL = "%%confirm_url%%"
"""A sign-up's confirmation link (the confirmation e-mail only; signed, expiring)."""

ALL = (UNSUBSCRIBE_URL, PREFERENCES_URL, CONFIRM_URL)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace every placeholder by its value (``values`` keyed by the placeholder)."""
    for marker, value in values.items():
        text = text.replace(marker, value)
    return text
