"""A reader's whole path in Debian's chromium against the app under uvicorn: sign up,
confirm from the e-mail, change language on the preference page, leave."""

from __future__ import annotations

from pathlib import Path

import pytest
from appserver import FAST, Served, serving

from newsletter.app.settings import AppSettings
from newsletter.deliver.audience import consent, subscribers
from newsletter.deliver.db import open_database


def status(served: Served, email: str) -> tuple[str, str | None]:
    found = subscribers.find(open_database(served.db), email)
    return found.status, found.language


def walk(page, served: Served, email: str, wait: float = 0) -> None:
    """Form → confirmation e-mail → confirm → preferences → Polski → leave."""
    page.goto(f"{served.base}/subscribe?lang=en")
    assert page.locator("h1").inner_text() == "Subscribe to Business Kraków"
    page.fill("#email", email)
    page.fill("#name", "Anna <b>Nowak</b>")
    page.check("#language-en")
    page.check("#consent")
    page.wait_for_timeout(wait * 1000)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Check your inbox", timeout=30_000)
    assert status(served, email) == ("pending", "en")
    message = served.mail_to(email)[0]
    assert message["Subject"] == "Confirm your subscription to Business Kraków"
    html = message.get_body(("html",)).get_content()
    link = served.confirm_link(email)
    assert link in html.replace("&amp;", "&") and "#003c7d" in html  # the theme's accent
    page.goto(link)  # what a link scanner does too: nothing changes
    assert status(served, email) == ("pending", "en")
    page.click("text=Confirm my subscription")
    page.wait_for_selector("text=You are subscribed")
    assert status(served, email) == ("subscribed", "en")
    page.click("text=Your preferences")
    page.wait_for_selector("text=Leave the list")
    page.check("#language-pl")
    page.click("text=Save")
    page.wait_for_selector("text=Ustawienia zostały zapisane.")  # the page now speaks Polish
    assert status(served, email) == ("subscribed", "pl")
    page.click("text=Wypisuję się")
    page.wait_for_selector("text=został wypisany")
    assert status(served, email)[0] == "unsubscribed"
    kinds = [e.kind for e in consent.history(open_database(served.db), email)]
    assert kinds == ["subscribed", "confirmed", "changed", "unsubscribed"]


def test_sign_up_confirm_change_language_and_leave(browser, project, tmp_path: Path):
    with serving(project, tmp_path / "list.db", AppSettings()) as served:  # the real work
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        walk(page, served, "anna@example.com")
        assert not errors  # no CSP violation, no script error
        events = consent.history(open_database(served.db), "anna@example.com")
        assert events[0].consent_version == project.site.consent.version
        assert events[0].ip == "127.0.0.0/24" and events[0].source == "form"


def test_the_same_without_javascript(browser, project, tmp_path: Path):
    with serving(project, tmp_path / "list.db", FAST) as served:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{served.base}/subscribe?lang=en")
        assert page.locator("noscript").count() == 1
        walk(page, served, "jan@example.com", wait=FAST.nojs_wait_seconds + 0.5)
        context.close()


def test_without_javascript_a_form_sent_at_once_is_asked_to_wait(browser, project, tmp_path):
    settings = AppSettings(pow_max_number=2000, nojs_wait_seconds=30)
    with serving(project, tmp_path / "list.db", settings) as served:
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{served.base}/subscribe?lang=en")
        page.fill("#email", "ewa@example.com")
        page.check("#consent")
        page.click("button[type=submit]")
        page.wait_for_selector("text=Please wait a few seconds")
        assert page.input_value("#email") == "ewa@example.com"  # nothing typed is lost
        assert subscribers.find(open_database(served.db), "ewa@example.com") is None
        context.close()


@pytest.mark.parametrize("width", [375])
def test_the_form_fits_a_phone(browser, project, tmp_path: Path, width: int):
    with serving(project, tmp_path / "list.db") as served:
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(f"{served.base}/subscribe")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
