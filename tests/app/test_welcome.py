"""The welcome e-mail after a confirmed sign-up, as the mail server receives it (aiosmtpd
on loopback): the reader's language, the latest published issue's link (or word that
none is out yet), and the way out of every issue: the one-click link and its headers."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import httpx
import pytest
from appserver import Served, post_form, serving, sign_up
from reader_judge import assert_clean

from newsletter.deliver.audience import subscribers
from newsletter.deliver.db import open_database
from newsletter.load import Project
from newsletter.render.archive import write_archive


@pytest.fixture
def published(project: Project, tmp_path: Path) -> Project:
    """The project with its own, empty output folder: nothing published yet."""
    site = project.site.model_copy(update={"output": str(tmp_path / "build")})
    return dataclasses.replace(project, site=site)


def confirm(served: Served, email: str, language: str) -> None:
    with httpx.Client(base_url=served.base) as client:
        assert sign_up(client, email, language).status_code == 200
        link = served.confirm_link(email).removeprefix(served.base)
        assert post_form(client, link).status_code == 200
        assert post_form(client, link).status_code == 200  # pressed twice: one welcome


def welcome(served: Served, email: str):
    """The welcome e-mail (after the confirmation); both judged as a reader reads them."""
    messages = served.mail_to(email, 2)
    assert len(messages) == 2, [m["Subject"] for m in messages]
    assert not served.mail_to(email, 3, timeout=0.5)[2:]  # and no more
    for message in messages:
        assert_clean(message.get_body(("html",)).get_content(), message["Subject"])
        assert_clean(text_of(message), message["Subject"], markup=False)
        assert "%%" not in message.as_string()  # every placeholder filled
    return messages[1]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_welcome_before_any_issue_says_so_and_shows_the_way_out(published, tmp_path):
    with serving(published, tmp_path / "list.db") as served:
        confirm(served, "anna@example.com", "pl")
        message = welcome(served, "anna@example.com")
        assert message["Subject"] == "Witamy w Business Kraków"
        assert message["Content-Language"] == "pl"
        text = text_of(message)
        assert "Nie opublikowano jeszcze żadnego wydania" in text
        assert "/web/" not in text and "/web/" not in message.get_body(("html",)).get_content()
        # the way out, as in every issue: RFC 8058 headers and the same link in the body
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Id"] == f"Business Kraków <{published.site.list_id}>"
        one_click = re.search(r"<(http://[^>]+/u/[^>]+)>", message["List-Unsubscribe"]).group(1)
        assert one_click in text and re.search(r"/p/\S+", text)
        answer = httpx.post(one_click, content=b"List-Unsubscribe=One-Click")
        assert answer.status_code == 200
        person = subscribers.find(open_database(served.db), "anna@example.com")
        assert person.status == "unsubscribed"


def test_the_welcome_links_the_latest_issue_in_the_readers_language(
    published, sample, tmp_path
):
    with serving(published, tmp_path / "list.db") as served:
        confirm(served, "first@example.com", "en")  # before the site is published
        assert "No issue has been published yet" in text_of(welcome(served, "first@example.com"))
        # the site is published while serve runs: the next welcome links it
        project = dataclasses.replace(published, site=published.site.model_copy(
            update={"base_url": "https://newsletter.krakow.example/"}))
        write_archive([sample], project, project.site.output_path)
        for language, web in (("en", "2020-12/web/"), ("pl", "2020-12/pl/web/")):
            email = f"reader-{language}@example.com"
            confirm(served, email, language)
            message = welcome(served, email)
            text, html = text_of(message), message.get_body(("html",)).get_content()
            url = f"https://newsletter.krakow.example/{web}"
            assert url in text and f'href="{url}"' in html, (language, text)
            month = {"en": "December 2020", "pl": "grudzień 2020"}[language]
            assert month.lower() in text.lower(), text
            assert message["Content-Language"] == language
