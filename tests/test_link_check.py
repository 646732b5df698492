"""``newsletter check --links`` against a real HTTP server on loopback: every address of
every language asked once and politely, each broken one named at its file:line, redirects
noted, the site's own and mailto: addresses left alone."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE, edited_copy, line_of

from newsletter.cli import main
from newsletter.link_check import check_links, user_agent

SLOW_SECONDS = 3.0
TIMEOUT = 1.0


class Web(BaseHTTPRequestHandler):
    """Routes for every kind of answer; counts what it was asked, by whom, how many at once."""

    asked: Counter = Counter()
    agents: set[str] = set()
    busy = 0
    most_busy = 0
    lock = threading.Lock()

    def _answer(self, body: bool) -> None:
        cls = type(self)
        with cls.lock:
            cls.asked[(self.command, self.path)] += 1
            cls.agents.add(self.headers.get("User-Agent", ""))
            cls.busy += 1
            cls.most_busy = max(cls.most_busy, cls.busy)
        try:
            self._route(body)
        finally:
            with cls.lock:
                cls.busy -= 1

    def _route(self, body: bool) -> None:
        path = self.path.split("?")[0]
        if path == "/moved":
            return self._send(301, b"", {"Location": "/ok"})
        if path == "/no-head" and self.command == "HEAD":
            return self._send(405, b"", {"Allow": "GET"})
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
        if path.startswith("/busy/"):
            time.sleep(0.3)  # long enough for requests to overlap
        status = {"/missing": 404, "/error": 500}.get(path, 200)
        self._send(status, b"<!doctype html><title>x</title>" if body else b"")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) or 31))
        self.end_headers()
        if self.command == "GET":
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body or b"<!doctype html><title>x</title>")

    def do_HEAD(self) -> None:
        self._answer(False)

    def do_GET(self) -> None:
        self._answer(True)

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def web_server() -> Iterator[str]:
    Web.asked, Web.agents, Web.busy, Web.most_busy = Counter(), set(), 0, 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Web)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def web() -> Iterator[str]:
    with web_server() as base:
        yield base


def issue_linking(web: str, tmp_path: Path) -> Path:
    """The sample issue, its addresses pointing at the loopback server, with Markdown links
    in an English and a Polish body, a mailto: and a link to the site's own archive."""
    own = "https://newsletter.krakow.example/2020-11/web/"
    return edited_copy(SAMPLE, tmp_path / "2020-12", {
        "issue.yaml": [("https://www.jestemaktywny.krakow.pl/", f"{web}/ok"),
                       ("https://www.jedzenie.krakow.pl/", f"{web}/moved"),
                       ("https://www.rynek.krakow.pl/", f"{web}/no-head")],
        "krakow-for-business.md": [
            ("https://www.dlabiznesu.krakow.pl/", f"{web}/ok"),
            ("The platform is available at www.dlabiznesu.krakow.pl.",
             f"The platform is [gone]({web}/missing),\n[failing]({web}/error),\n"
             f"[slow]({web}/slow),\n[nowhere](https://no-such-host.invalid/),\n"
             f"[ours]({own}) and [mail](mailto:pi.umk@um.krakow.pl).")],
        "krakow-for-business.pl.md": [("https://www.dlabiznesu.krakow.pl/", f"{web}/missing")],
        "microsoft-education.md": [("https://portaledukacyjny.krakow.pl/", f"{web}/ok")],
        "microsoft-education.pl.md": [("https://portaledukacyjny.krakow.pl/", f"{web}/ok")],
    })  # fmt: skip


def check(folder: Path):
    return CliRunner().invoke(main, ["--config", str(ROOT / "newsletter.toml"), "check",
                                     "--links", "--timeout", str(TIMEOUT), str(folder)])


def test_broken_links_are_named_where_they_are_written(web: str, tmp_path: Path):
    folder = issue_linking(web, tmp_path)
    started = time.monotonic()
    result = check(folder)
    took = time.monotonic() - started
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if "broken link" in line]
    body, body_pl = folder / "krakow-for-business.md", folder / "krakow-for-business.pl.md"
    expected = {
        f"{body}:{line_of(body, '/missing')}": f"(en): {web}/missing: 404 Not Found",
        f"{body}:{line_of(body, '/error')}": f"(en): {web}/error: 500 Internal Server Error",
        f"{body}:{line_of(body, '/slow')}": f"(en): {web}/slow: no answer within 1 s",
        f"{body}:{line_of(body, '.invalid')}":
            "(en): https://no-such-host.invalid/: no such host",
        f"{body_pl}:{line_of(body_pl, '/missing')}": f"(pl): {web}/missing: 404 Not Found",
    }  # fmt: skip
    assert len(errors) == len(expected), result.output
    for where, what in expected.items():
        assert any(e.startswith(f"{where}: broken link {what}") for e in errors), (where, errors)
    issue = folder / "issue.yaml"
    assert f"{issue}:{line_of(issue, '/moved')}: {web}/moved moved to {web}/ok" in result.output
    assert "5 problems found." in result.output
    assert "/no-head" not in "\n".join(errors)  # HEAD refused, GET answered: fine
    assert "/ok" not in "\n".join(errors)
    # asked once each, however often written (…/ok: 3 places in 2 languages, and once
    # more as where …/moved leads); HEAD first
    assert Web.asked[("HEAD", "/ok")] == 2 and Web.asked[("GET", "/ok")] == 0
    assert Web.asked[("HEAD", "/moved")] == 1
    assert Web.asked[("HEAD", "/missing")] == 1 and Web.asked[("GET", "/missing")] == 1
    assert Web.asked[("HEAD", "/no-head")] == 1 and Web.asked[("GET", "/no-head")] == 1
    assert {path for _, path in Web.asked} <= {"/ok", "/moved", "/no-head", "/missing",
                                               "/error", "/slow"}  # not ours, not mailto
    assert Web.agents == {user_agent("Business Kraków", "https://newsletter.krakow.example/")}
    assert "Business-Krakw-link-check/1 (+https://newsletter.krakow.example/)" in Web.agents
    assert took < SLOW_SECONDS + 2  # the slow one was given up on, the rest went on


def test_an_issue_whose_links_all_answer_passes(web: str, tmp_path: Path):
    folder = edited_copy(SAMPLE, tmp_path / "2020-12", {
        name: [(old, f"{web}/ok")] for name, old in (
            ("krakow-for-business.md", "https://www.dlabiznesu.krakow.pl/"),
            ("krakow-for-business.pl.md", "https://www.dlabiznesu.krakow.pl/"),
            ("microsoft-education.md", "https://portaledukacyjny.krakow.pl/"),
            ("microsoft-education.pl.md", "https://portaledukacyjny.krakow.pl/"))
    } | {"issue.yaml": [(u, f"{web}/no-head") for u in (
        "https://www.jestemaktywny.krakow.pl/", "https://www.jedzenie.krakow.pl/",
        "https://www.rynek.krakow.pl/")]})  # fmt: skip
    result = check(folder)
    assert result.exit_code == 0, result.output
    assert "links: 7 written, 2 addresses asked" in result.output and "OK" in result.output


def test_one_server_gets_at_most_two_requests_at_once(web: str):
    urls = [f"{web}/busy/{n}" for n in range(12)]
    answers = check_links(urls + urls, "test/1", timeout=5, concurrent=8, per_host=2)
    assert len(answers) == 12 and not any(a.broken for a in answers.values())
    assert Web.most_busy == 2
    assert sum(Web.asked.values()) == 12  # each once, HEAD answered


def test_a_certificate_nobody_vouches_for_is_a_tls_error(tmp_path: Path):
    import ssl
    import subprocess

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), Web)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}/ok"
        answer = check_links([url], "test/1", timeout=5)[url]
    finally:
        server.shutdown()
        server.server_close()
    assert answer.broken and answer.describe().startswith("TLS error: the certificate"), answer
