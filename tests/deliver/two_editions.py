"""A send of the sample issue in its two languages (en, the main one, and pl), as its own
process: ``python two_editions.py DB SMTP_URL RATE``."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from mailhelpers import SECRET  # noqa: E402

from newsletter.deliver.db import open_database  # noqa: E402
from newsletter.deliver.sending import send as sending  # noqa: E402
from newsletter.deliver.sending.messages import MessageFactory  # noqa: E402
from newsletter.deliver.sending.smtp_settings import smtp_settings  # noqa: E402
from newsletter.load import load_issue, load_project  # noqa: E402
from newsletter.render.email import EmailEdition, email_editions  # noqa: E402

MARKS = {"en": "Call for COOPERATION", "pl": "Czas na WSPÓŁPRACĘ"}
"""A line only each language's text part has (its first section label)."""


def editions(issue, project) -> dict[str, EmailEdition]:
    """The sample's e-mail in each of its languages."""
    made = email_editions(issue, project)
    assert list(made) == ["en", "pl"]
    return made


def send(db: str, url: str, rate: float | None = None) -> sending.SendCounts:
    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(ROOT / "issues" / "2020-12", project)
    engine = open_database(db)
    made = editions(issue, project)
    journal = sending.prepare_send(engine, "2020-12", issue.id, list(made), "en")
    factories = {
        lang: MessageFactory.for_edition(
            project.site, issue.in_language(lang).subject_line, edition, SECRET.encode(),
            journal.message_key, lang,
        )
        for lang, edition in made.items()
    }
    delivery = sending.Delivery(
        sending.JournalOutbox(engine, journal.id), factories["en"],
        sending.smtp_transport(smtp_settings(url, {})), editions=factories,
        concurrency=4, rate=rate,
    )  # fmt: skip
    return delivery.run()


if __name__ == "__main__":
    send(sys.argv[1], sys.argv[2], float(sys.argv[3]))
