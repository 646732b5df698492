"""A city publishes the newsletter under a path of its main site
(``base_url = "https://www.krakow.pl/newsletter/"``): every link of a mail points under it,
so every page `serve` shows must keep the reader under it too. The form posted to /subscribe
and the page's stylesheet and script came from /s/: outside the path the proxy forwards,
the city's main site answered them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import lxml.html
from appserver import CSRF, FAST, HIDDEN, serving

from newsletter.app.challenge import solve
from newsletter.deliver.audience import subscribers
from newsletter.deliver.db import open_database


def test_a_reader_signs_up_confirms_and_reaches_preferences_all_under_base_urls_path(
        project, tmp_path: Path):
    db = tmp_path / "list.db"
    open_database(db).dispose()
    with serving(project, db, path="/newsletter/") as served, \
            httpx.Client(base_url=served.base) as client:
        page_url = f"{served.base}/newsletter/subscribe?lang=en"
        page = client.get(page_url)
        assert page.status_code == 200, page.text
        html = lxml.html.fromstring(page.text)
        used = [urljoin(page_url, u) for u in html.xpath(
            "//form/@action | //a/@href | //link/@href | //script/@src")]
        outside = [u for u in used if urlsplit(u).netloc == urlsplit(served.base).netloc
                   and not urlsplit(u).path.startswith("/newsletter/")]
        assert used and outside == [], outside
        for asset in html.xpath("//link/@href | //script/@src"):
            assert client.get(urljoin(page_url, asset)).status_code == 200, asset

        hidden = dict(HIDDEN.findall(page.text))
        number = solve(hidden["pow_salt"], hidden["pow_challenge"], FAST.pow_max_number)
        action = urljoin(page_url, html.xpath("//form/@action")[0])
        sent = client.post(action, data={**hidden, "pow_number": str(number), "language": "en",
                                         "email": "ala@example.com", "consent": "2021-01"})
        assert sent.status_code == 200, sent.text
        link = served.confirm_link("ala@example.com")
        assert urlsplit(link).path.startswith("/newsletter/confirm/"), link
        csrf = CSRF.search(client.get(link).text).group(1)
        confirmed = client.post(link, data={"csrf": csrf})
        assert confirmed.status_code == 200, confirmed.text
        preferences = lxml.html.fromstring(confirmed.text).xpath("//main//a/@href | //p/a/@href")
        assert preferences and all(p.startswith("/newsletter/p/") for p in preferences), \
            preferences
        assert client.get(urljoin(link, preferences[0])).status_code == 200
        # A proxy that strips the path (proxy_pass …/;) reaches the same pages.
        assert client.get(f"{served.base}/subscribe?lang=en").status_code == 200
    person = subscribers.find(open_database(db), "ala@example.com")
    assert person is not None and person.status == "subscribed"
