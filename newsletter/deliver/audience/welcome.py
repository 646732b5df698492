"""The welcome e-mail's bytes for one newly confirmed reader.

It goes through the confirmations' queue and connection
(:class:`~newsletter.deliver.audience.confirmations.ConfirmationMailer`), built by the same
:class:`~newsletter.deliver.sending.messages.MessageFactory` as an issue, so it carries the
reader's own unsubscribe and preference links and the same List-Unsubscribe and
List-Unsubscribe-Post headers. Rendering takes tens of milliseconds: each language's
message is rendered once and again only when the latest published issue changes.
"""

from __future__ import annotations

import threading

from newsletter.deliver.sending.messages import MessageFactory, Recipient
from newsletter.load import Project
from newsletter.public_issues import PublishedIssue, latest_issue
from newsletter.render.welcome import render_welcome


class WelcomeMessages:
    """Welcome messages per language, kept while the latest issue stays the same."""

    def __init__(self, project: Project, key: bytes):
        self.project = project
        self.key = key
        self._made: dict[str, tuple[PublishedIssue | None, MessageFactory]] = {}
        self._lock = threading.Lock()  # confirmations run in the server's thread pool

    def message(self, recipient: Recipient) -> bytes:
        """The welcome for ``recipient`` in their language (CRLF, not dot-stuffed)."""
        language = recipient.language or "en"
        latest = latest_issue(self.project.site, language)
        with self._lock:
            made = self._made.get(language)
            if made is None or made[0] != latest:
                rendered = render_welcome(self.project, language, latest)
                factory = MessageFactory.for_edition(
                    self.project.site, rendered.subject, rendered, self.key, None, language
                )
                made = self._made[language] = (latest, factory)
        return made[1].message(recipient)
