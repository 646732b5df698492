"""The public app as scripts see it (httpx against uvicorn): limits, tokens, headers,
escaping, and answers that tell nothing about who is on the list."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import lxml.html
import pytest
from appserver import FAST, KEY, Served, serving

from newsletter.app.challenge import solve
from newsletter.deliver.audience import subscribers
from newsletter.deliver.db import open_database
from newsletter.deliver.tokens import (
    CONFIRM,
    PREFERENCES,
    make_expiring_token,
    make_token,
)  # fmt: skip

HIDDEN = re.compile(r'name="(csrf|pow_salt|pow_challenge|pow_signature)" value="([^"]*)"')


@pytest.fixture
def served(project, tmp_path: Path):
    db = tmp_path / "list.db"
    engine = open_database(db)
    subscribers.add(engine, subscribers.candidate("stays@example.com", None, "pl", "test"))
    subscribers.add(engine, subscribers.candidate("left@example.com", None, "en", "test"))
    subscribers.remove(engine, "left@example.com")
    engine.dispose()
    with serving(project, db) as running:
        yield running


def form(client: httpx.Client, email: str, **fields: str) -> dict[str, str]:
    """A filled sign-up form, as the page's script would send it (challenge solved)."""
    page = client.get("/subscribe?lang=en")
    hidden = dict(HIDDEN.findall(page.text))
    number = solve(hidden["pow_salt"], hidden["pow_challenge"], FAST.pow_max_number)
    return {**hidden, "pow_number": str(number), "email": email, "language": "en",
            "consent": "2021-01", **fields}  # fmt: skip


def sign_up(served: Served, email: str, **fields: str) -> httpx.Response:
    with httpx.Client(base_url=served.base) as client:
        return client.post("/subscribe?lang=en", data=form(client, email, **fields))


def status(served: Served, email: str) -> str | None:
    found = subscribers.find(open_database(served.db), email)
    return found.status if found else None


def test_a_thousand_sign_ups_from_one_address_are_limited(served: Served):
    with httpx.Client(base_url=served.base) as client:
        data = form(client, "flood@example.com")
        codes = [client.post("/subscribe", data=data).status_code for _ in range(1000)]
    assert codes.count(429) >= 1000 - FAST.ip_burst
    assert codes[0] == 200 and len(served.mail_to("flood@example.com", 2, timeout=1)) == 1


def test_the_answer_is_the_same_whether_or_not_the_address_is_on_the_list(served: Served):
    answers = {e: sign_up(served, e) for e in ("stays@example.com", "new@example.com")}
    assert {a.status_code for a in answers.values()} == {200}
    texts = {a.text.replace(e, "ADDRESS") for e, a in answers.items()}
    assert len(texts) == 1
    assert served.mail_to("new@example.com") and not served.mail_to("stays@example.com", 1, 1)
    assert status(served, "stays@example.com") == "subscribed"


def test_someone_who_left_must_confirm_again(served: Served):
    assert sign_up(served, "left@example.com").status_code == 200
    assert status(served, "left@example.com") == "unsubscribed"  # not yet
    link = served.confirm_link("left@example.com")
    with httpx.Client() as client:
        csrf = re.search(r'name="csrf" value="([^"]*)"', client.get(link).text).group(1)
        assert client.post(link, data={"csrf": csrf}).status_code == 200
    assert status(served, "left@example.com") == "subscribed"


def test_per_address_mails_are_limited(served: Served):
    for _ in range(FAST.address_burst + 2):
        assert sign_up(served, "many@example.com").status_code == 200  # the same answer
    time.sleep(0.5)
    assert len(served.mail_to("many@example.com", 99, timeout=1)) == FAST.address_burst


def test_honeypot_forged_csrf_cross_site_and_replayed_work_are_refused(served: Served):
    assert sign_up(served, "bot@example.com", website="http://spam").status_code == 200
    with httpx.Client(base_url=served.base) as client:
        data = form(client, "forged@example.com")
        assert client.post("/subscribe", data={**data, "csrf": "1.x.y"}).status_code == 403
        other = make_token(KEY, 1, PREFERENCES)  # a real signature, for something else
        assert client.post("/subscribe", data={**data, "csrf": other}).status_code == 403
        cross = client.post("/subscribe", data=data, headers={"Origin": "https://evil.example"})
        assert cross.status_code == 403
        assert client.post("/subscribe", data=data).status_code == 200
        assert client.post("/subscribe", data=data).status_code == 400  # work used up
        wrong = {**data, "pow_number": str(int(data["pow_number"]) + 1)}
        assert client.post("/subscribe", data=wrong).status_code == 400
    time.sleep(0.5)
    assert status(served, "bot@example.com") is None and not served.recorder.received[1:]


def test_one_solution_passes_one_sign_up_wherever_its_digits_are_cut(served: Served):
    """The hash covers salt + number: moving digits between the two fields, or writing the
    number another way, keeps the hash; none of it may pass a second sign-up."""
    with httpx.Client(base_url=served.base) as client:
        data = form(client, "cut0@example.com")
        while len(data["pow_number"]) < 3:  # enough digits to move (95 % of challenges)
            data = form(client, "cut0@example.com")
        salt, number = data["pow_salt"], data["pow_number"]
        recut = [(salt + number[:k], number[k:]) for k in (1, 2)]
        recut += [(salt, "0" + number), (salt[:-1], salt[-1] + number)]  # leading zero; back
        for n, (other_salt, other_number) in enumerate(recut, 1):
            tried = {**data, "email": f"cut{n}@example.com", "pow_salt": other_salt,
                     "pow_number": other_number}  # fmt: skip
            assert client.post("/subscribe", data=tried).status_code == 400, (n, tried)
        assert client.post("/subscribe", data=data).status_code == 200  # the genuine one
        again = {**data, "email": "cut9@example.com"}
        assert client.post("/subscribe", data=again).status_code == 400  # used up
    time.sleep(0.5)
    assert [to for to, _ in served.recorder.messages()] == ["cut0@example.com"]


def test_forged_expired_and_foreign_tokens_are_refused(served: Served):
    sign_up(served, "tokens@example.com")
    link = served.confirm_link("tokens@example.com")
    token = link.split("/confirm/")[1].split("?")[0]
    event_id, expires, _ = token.split("-", 2)
    person = subscribers.find(open_database(served.db), "stays@example.com").id
    refused = {
        f"/confirm/{event_id}-{expires}-{'A' * 22}": 404,  # forged
        f"/confirm/{make_expiring_token(b'another key 0123456789', int(event_id), 2**40)}": 404,
        f"/confirm/{make_expiring_token(KEY, int(event_id), 1_000_000)}": 410,  # expired
        f"/confirm/{make_token(KEY, int(event_id), CONFIRM)}": 404,  # malformed
        f"/p/{make_token(KEY, person)}": 404,  # an unsubscribe token
        f"/u/{make_token(KEY, person, PREFERENCES)}": 404,  # a preference token
        f"/p/{token}": 404,  # a confirmation token
        f"/p/{make_token(KEY, 99999, PREFERENCES)}": 404,  # nobody
    }
    with httpx.Client(base_url=served.base) as client:
        for path, code in refused.items():
            assert client.get(path).status_code == code, path
            assert client.post(path, data={"csrf": "x"}).status_code == code, path
        # A genuine page whose form lacks its CSRF token, or carries another page's:
        preferences = f"/p/{make_token(KEY, person, PREFERENCES)}"
        assert client.post(preferences, data={"action": "leave"}).status_code == 403
        page = client.get(link)
        csrf = re.search(r'name="csrf" value="([^"]*)"', page.text).group(1)
        assert client.post(preferences, data={"action": "leave", "csrf": csrf}).status_code == 403
    assert status(served, "stays@example.com") == "subscribed"
    assert status(served, "tokens@example.com") == "pending"


def test_pages_escape_what_they_show_and_have_no_inline_script(served: Served):
    hostile = "<img src=x onerror=alert(1)>"
    with httpx.Client(base_url=served.base) as client:
        pages = [
            client.get("/subscribe", params={"email": hostile, "name": hostile}),
            client.post("/subscribe?lang=en", data=form(client, hostile, name=hostile)),
            client.post("/subscribe", data=form(client, "o'brien&co@example.com")),
            client.get(f"/u/{make_token(KEY, 1)}"),
            client.get(f"/p/{make_token(KEY, 1, PREFERENCES)}"),
            client.get("/confirm/1-2-3"),
        ]
    for page in pages:
        assert page.headers["content-security-policy"].startswith("default-src 'none'")
        assert "'unsafe-inline'" not in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "<img" not in page.text  # shown as text, never as markup
        document = lxml.html.document_fromstring(page.text)
        for script in document.iter("script"):
            assert script.get("src") and not (script.text or "").strip()
        assert not document.xpath("//@style | //style")
        assert not [a for e in document.iter() for a in e.attrib if a.startswith("on")]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[0].text
    assert "o&#39;brien&amp;co@example.com" in pages[2].text


def test_without_a_mail_server_there_is_no_sign_up_form(project, tmp_path: Path):
    with serving(project, tmp_path / "list.db", signup=False) as served:
        assert httpx.get(f"{served.base}/subscribe").status_code == 404
        assert httpx.get(f"{served.base}/u/{make_token(KEY, 1)}").status_code == 404


def test_serve_offers_sign_up_with_an_smtp_server_and_keeps_tokens_out_of_its_log(tmp_path):
    import logging
    import os
    import subprocess
    import sys

    from conftest import ROOT
    from mailhelpers import Recorder, free_port, smtp_server

    from newsletter.app.routes import RedactTokens

    port = free_port()
    exe = Path(sys.executable).with_name("newsletter")
    env = {**os.environ, "NEWSLETTER_SECRET": KEY.decode()}
    with smtp_server(Recorder()) as url:
        process = subprocess.Popen(
            [str(exe), "serve", "--db", str(tmp_path / "l.db"), "--port", str(port),
             "--smtp", url], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            for _ in range(200):  # bounded wait for start-up
                try:
                    page = httpx.get(f"http://127.0.0.1:{port}/subscribe", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            assert page.status_code == 200 and 'name="consent"' in page.text
        finally:
            process.terminate()
            process.wait(10)
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, "%s %s", (
        "GET /p/12-abc?lang=pl", "POST /confirm/1-2-xyz"), None)  # fmt: skip
    RedactTokens().filter(record)
    assert record.args == ("GET /p/…?lang=pl", "POST /confirm/…")
