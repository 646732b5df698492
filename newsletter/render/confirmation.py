"""The list's own short e-mails: the sign-up confirmation, and the layout it shares with
the welcome e-mail (:mod:`newsletter.render.welcome`). MJML in the newsletter's theme,
and a text part.

Rendered once per language when the server starts (MJML and premailer take tens of
milliseconds, too much for every sign-up); the link is a placeholder from
:mod:`newsletter.placeholders`, filled in for each request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsletter import placeholders
from newsletter.load import Project
from newsletter.render.css_inlining import inline_css
from newsletter.render.email import compile_mjml
from newsletter.render.templating import environment, strings


@dataclass(frozen=True)
class ConfirmationEmail:
    """Subject and both bodies, with placeholders from :mod:`newsletter.placeholders`."""

    language: str
    subject: str
    html: str
    text: str


def render_notice(
    project: Project, language: str, template: str, subject_key: str, **context: Any
) -> ConfirmationEmail:
    """``templates/email/<template>.mjml.j2`` and ``<template>.txt.j2`` in ``language``,
    with the words, theme, site and tagline every notice uses, and ``context``."""
    words = strings(project, language)
    values = {
        "theme": project.theme, "site": project.site, "t": words, "language": language,
        "tagline": project.site.tagline_in(language), "subject": words[subject_key],
        **context,
    }  # fmt: skip
    mjml_source = environment(project, "email").get_template(f"{template}.mjml.j2").render(values)
    text = environment(project, "email", autoescape=False).get_template(f"{template}.txt.j2")
    return ConfirmationEmail(
        language,
        words[subject_key],
        inline_css(compile_mjml(mjml_source)),
        text.render(values).strip() + "\n",
    )


def render_confirmation(project: Project, language: str) -> ConfirmationEmail:
    """The confirmation e-mail in ``language``."""
    consent = project.site.consent
    return render_notice(
        project, language, "confirm", "confirm_subject",
        consent_text=consent.words(language) if consent else "",
        confirm_url=placeholders.CONFIRM_URL,
    )  # fmt: skip
