"""What an approval covers: the e-mail editions of every language, as bytes.

Built here once, at the moment of approval, with the checks a send makes (an e-mail Gmail
would clip is refused), so the bytes a reviewer approved are the bytes sent later.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from newsletter.load import Project
from newsletter.model import Issue

SUBJECT, HTML, TEXT = "subject", "email.html", "email.txt"
"""The names of an edition's parts; its pictures keep their path (``images/…``)."""


@dataclass(frozen=True)
class EditionFile:
    """One file of one language's e-mail edition."""

    language: str
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ApprovedEdition:
    """One language's e-mail edition as a send needs it."""

    language: str
    subject: str
    html: str
    text: str


def edition_files(issue: Issue, project: Project) -> list[EditionFile]:
    """Subject, HTML, text and the pictures the HTML shows, of each language (the main
    language first). Raises ContentError as `send` would (e.g. an e-mail Gmail clips)."""
    from newsletter.render.email import email_editions

    files: list[EditionFile] = []
    for language, edition in email_editions(issue, project).items():
        subject = issue.in_language(language).subject_line
        files += [
            EditionFile(language, SUBJECT, subject.encode("utf-8")),
            EditionFile(language, HTML, edition.html.encode("utf-8")),
            EditionFile(language, TEXT, edition.text.encode("utf-8")),
        ]
        pictures = edition.images.files if edition.images else {}
        files += [EditionFile(language, name, pictures[name].read_bytes())
                  for name in sorted(pictures)]  # fmt: skip
    return files


def editions_from(files: dict[tuple[str, str], bytes], languages: list[str],
                  ) -> dict[str, ApprovedEdition]:  # fmt: skip
    """The stored files of an approval (``(language, name) → bytes``) as editions, in
    the order of ``languages`` (the main one first)."""
    return {
        language: ApprovedEdition(
            language,
            files[language, SUBJECT].decode("utf-8"),
            files[language, HTML].decode("utf-8"),
            files[language, TEXT].decode("utf-8"),
        )
        for language in languages
    }
