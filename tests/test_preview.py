"""`newsletter preview` as an editor uses it: a server that follows the files they save."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A copy of the project with the sample issue, previewed by a real subprocess."""
    for name in ("newsletter.toml", "assets", "templates"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    issue = tmp_path / "issues" / "2020-12"
    shutil.copytree(SAMPLE, issue)
    exe = Path(sys.executable).with_name("newsletter")
    process = subprocess.Popen(
        [str(exe), "preview", "issues/2020-12", "--port", "0"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        assert " at http://127.0.0.1:" in line, line + process.stderr.read()
        yield line.split(" at ", 1)[1].split()[0], issue
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def eventually(check: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("the preview did not update")


def test_preview_follows_edits_errors_and_fixes(preview):
    url, issue = preview
    page = get(url)
    for pane in ("/2020-12/email.html", "/2020-12/web/", "business-krakow-2020-12.pdf"):
        assert pane in page
    assert "Open City" in get(url + "2020-12/email.html")
    assert "Open City" in get(url + "2020-12/web/")

    article = issue / "open-city.md"
    source = article.read_text(encoding="utf-8")
    article.write_text(source.replace("title: Open City", "title: Otwarte Miasto"), "utf-8")
    eventually(lambda: "Otwarte Miasto" in get(url + "2020-12/email.html"))
    eventually(lambda: "Otwarte Miasto" in get(url + "2020-12/web/"))

    article.write_text(source.replace("title: Open City", "titel: Broken"), "utf-8")
    eventually(lambda: json.loads(get(url + "status"))["problems"] != [])
    shown = get(url)
    assert "issues/2020-12/open-city.md:" in shown
    assert "did you mean &#39;title&#39;?" in shown
    assert "Otwarte Miasto" in get(url + "2020-12/email.html")  # the last good build stays

    article.write_text(source.replace("title: Open City", "title: Miasto Naprawione"), "utf-8")
    eventually(lambda: json.loads(get(url + "status"))["problems"] == [])
    assert "Miasto Naprawione" in get(url + "2020-12/email.html")
    assert "did you mean" not in get(url)


def test_preview_tells_open_pages_to_reload(preview):
    url, issue = preview
    with urllib.request.urlopen(url + "events", timeout=10) as events:
        first = events.readline().decode()
        assert first.startswith("data: ")
        events.readline()
        theme = issue.parent.parent / "templates" / "email" / "footer.mjml.j2"
        theme.write_text(theme.read_text("utf-8") + "\n", "utf-8")  # a template counts too
        second = events.readline().decode()
        while not second.startswith("data: "):
            second = events.readline().decode()
        assert int(second.split()[1]) > int(first.split()[1])


def test_preview_page_shows_every_edition_in_a_browser(preview, browser):
    url, _ = preview
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        page.goto(url, wait_until="load")
        assert len(page.frames) == 5  # the page and its four panes
        email = next(f for f in page.frames if f.url.split("?")[0].endswith("email.html"))
        assert "COOPERATION" in email.inner_text("body").upper()
        web = next(f for f in page.frames if "/web/" in f.url)
        assert web.locator("h1").inner_text().startswith("Business Kraków")
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "test-artifacts" / "preview.png"))
    finally:
        page.close()


def test_preview_switches_between_the_issues_languages(preview, browser):
    url, _ = preview
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        page.goto(url, wait_until="load")
        page.click("nav.languages >> text=PL")
        page.wait_for_load_state("load")
        assert page.url.endswith("/?lang=pl")
        email = next(f for f in page.frames if f.url.split("?")[0].endswith("/pl/email.html"))
        eventually(lambda: "WSPÓŁPRACĘ" in email.inner_text("body").upper())
        web = next(f for f in page.frames if "/pl/web/" in f.url)
        assert web.locator("html").get_attribute("lang") == "pl"
        assert "Call for" not in web.inner_text("body")
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "test-artifacts" / "preview-pl.png"))
    finally:
        page.close()


def status_for_host(url: str, host: str) -> int:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.putrequest("GET", "/", skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_preview_answers_only_its_own_host_names(preview):
    """A page elsewhere whose name resolves to 127.0.0.1 (DNS rebinding) must not read the
    unpublished issue: the Host header has to be one of the preview's own names."""
    url, _issue = preview
    port = url.rstrip("/").rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost"):
        assert status_for_host(url, host) == 200, host
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", ""):
        assert status_for_host(url, host) == 421, host


def test_preview_warns_when_others_can_reach_it(tmp_path: Path):
    exe = Path(sys.executable).with_name("newsletter")
    process = subprocess.Popen(
        [str(exe), "preview", str(SAMPLE), "--host", "0.0.0.0", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        warning = process.stderr.readline()
        port = process.stdout.readline().split()[-4].rstrip("/").rsplit(":", 1)[1]
        assert warning == (
            "warning: --host 0.0.0.0 is not a loopback address: anyone who can reach this "
            f"machine on port {port} can read the unpublished issue\n"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
