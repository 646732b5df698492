"""The welcome e-mail a reader gets once their sign-up is confirmed.

It says the address is on the list, links the latest published issue in the reader's
language (or says none is out yet), and shows how to leave: the same per-reader
unsubscribe and preference placeholders as an issue's footer, filled when it is sent,
so the List-Unsubscribe headers and the links are those of every issue.
"""

from __future__ import annotations

from newsletter import placeholders
from newsletter.load import Project
from newsletter.public_issues import PublishedIssue
from newsletter.render.confirmation import ConfirmationEmail, render_notice


def render_welcome(
    project: Project, language: str, latest: PublishedIssue | None
) -> ConfirmationEmail:
    """The welcome e-mail in ``language``; ``latest``: the issue to link, if any."""
    return render_notice(
        project, language, "welcome", "welcome_subject", latest=latest,
        unsubscribe_url=placeholders.UNSUBSCRIBE_URL,
        preferences_url=placeholders.PREFERENCES_URL,
    )  # fmt: skip
