"""The sign-up confirmation e-mail: MJML in the newsletter's theme, and a text part.

Rendered once per language when the server starts (MJML and premailer take tens of
milliseconds, too much for every sign-up); the link is a placeholder from
:mod:`newsletter.placeholders`, filled in for each request.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsletter import placeholders
from newsletter.load import Project
from newsletter.render.css_inlining import inline_css
from newsletter.render.email import compile_mjml
from newsletter.render.templating import environment, strings


@dataclass(frozen=True)
class ConfirmationEmail:
    """Subject and both bodies, with :data:`~newsletter.placeholders.CONFIRM_URL` in them."""

    language: str
    subject: str
    html: str
    text: str


def render_confirmation(project: Project, language: str) -> ConfirmationEmail:
    """The confirmation e-mail in ``language`` (pl or en)."""
    consent = project.site.consent
    words = strings(project, language)
    context = {
        "theme": project.theme,
        "site": project.site,
        "t": words,
        "language": language,
        "consent_text": consent.words(language) if consent else "",
        "confirm_url": placeholders.CONFIRM_URL,
    }
    mjml_source = environment(project, "email").get_template("confirm.mjml.j2").render(context)
    text_template = environment(project, "email", autoescape=False).get_template("confirm.txt.j2")
    return ConfirmationEmail(
        language,
        words["confirm_subject"],
        inline_css(compile_mjml(mjml_source)),
        text_template.render(context).strip() + "\n",
    )
