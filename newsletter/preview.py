"""`newsletter preview`: a local server that rebuilds an issue as the editor saves files.

Its own small module, not woven into the build: it watches the issue folder, templates,
theme and site configuration (watchfiles), rebuilds the e-mail and the web page at once
(tens of milliseconds) and the readers' PDF in the background (about a second), and tells
open pages to reload through server-sent events. A mistake in the issue is shown on the
page with file:line while the last good build stays visible; saving a fix recovers.
"""

from __future__ import annotations

import dataclasses
import http.server
import ipaddress
import json
import shutil
import threading
import traceback
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from newsletter.exceptions import ContentError, NewsletterError
from newsletter.load import Project, load_issue, load_project
from newsletter.model import Issue
from newsletter.output import EDITIONS, output_dir

HEARTBEAT_SECONDS = 15


class Preview:
    """Builds of one issue into a private folder, and what the page should show."""

    def __init__(self, issue_dir: Path, config: Path | None, out: Path, base_url: str):
        self.issue_dir = issue_dir.resolve()
        self.config = config
        self.out = out
        self.base_url = base_url
        self.version = 0
        self.pdf_version = 0
        self.problems: list[str] = []
        self.issue_id = self.issue_dir.name
        self.has_build = False
        self.languages: list[str] = []
        self.pdf_name = ""
        self._changed = threading.Condition()
        self._pdf_lock = threading.Lock()
        self._pdf_wanted: tuple[Issue, Project] | None = None
        self._pdf_thread: threading.Thread | None = None
        self._project: Project | None = None  # the last configuration that loaded

    def project(self) -> Project:
        """The configuration as it is on disk now (it may have been edited), pointed at
        this server for images and links."""
        project = load_project(self.config, start=self.issue_dir)
        site = project.site.model_copy(update={"base_url": self.base_url})
        self._project = dataclasses.replace(project, site=site)
        return self._project

    def watched(self) -> list[Path]:
        """The issue folder and everything a build reads besides it."""
        project = load_project(self.config, start=self.issue_dir)
        config_file = self.config or project.site.root / "newsletter.toml"
        return [self.issue_dir, project.site.templates_path, project.theme.folder, config_file]

    def rebuild(self) -> None:
        """Load the issue and rebuild the fast editions; queue the PDF. Never raises for a
        user's mistake: it becomes the page's problem list."""
        from newsletter.render.email import write_email
        from newsletter.render.web import write_web

        try:
            project = self.project()
            issue = load_issue(self.issue_dir, project)
            for variant in issue.editions():  # every language, each in its own folder
                target = output_dir(project, variant, self.out)
                target.mkdir(parents=True, exist_ok=True)
                write_email(variant, project, target)
                write_web(variant, project, target)
        except ContentError as exc:
            self._publish(problems=[str(p) for p in exc.problems])
            return
        except NewsletterError as exc:
            self._publish(problems=[str(exc)])
            return
        except Exception:  # a bug must not kill the preview; show it like a problem
            self._publish(problems=[traceback.format_exc()])
            return
        self.has_build = True
        self.languages = issue.languages or [issue.language]
        self.pdf_name = EDITIONS["pdf"].paths(target, issue, project)[0].name
        self._publish(problems=[])
        self._queue_pdf(issue, project)

    def _queue_pdf(self, issue: Issue, project: Project) -> None:
        with self._pdf_lock:
            self._pdf_wanted = (issue, project)
            if self._pdf_thread is None or not self._pdf_thread.is_alive():
                self._pdf_thread = threading.Thread(target=self._pdf_worker, daemon=True)
                self._pdf_thread.start()

    def _pdf_worker(self) -> None:
        from newsletter.render.print import write_download

        while True:
            with self._pdf_lock:
                wanted, self._pdf_wanted = self._pdf_wanted, None
                if wanted is None:
                    self._pdf_thread = None
                    return
            issue, project = wanted
            try:
                for variant in issue.editions():
                    write_download(variant, project, output_dir(project, variant, self.out))
            except NewsletterError as exc:
                self._publish(problems=[*self.problems, f"PDF: {exc}"])
                continue
            with self._changed:
                self.pdf_version += 1
                self.version += 1
                self._changed.notify_all()

    @property
    def pdf_pending(self) -> bool:
        return self._pdf_thread is not None

    def _publish(self, problems: list[str]) -> None:
        with self._changed:
            self.problems = problems
            self.version += 1
            self._changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Block until the version differs from ``seen`` (or timeout); the current version."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version

    def page(self, language: str | None = None) -> str:
        """The preview page, showing the editions in ``language`` (default: the main one);
        a switch leads to the others."""
        from newsletter.render.templating import environment

        project = self._project or self.project()  # read from disk once per rebuild only
        languages = self.languages or ["en"]
        current = language if language in languages else languages[0]
        return environment(project, "preview").get_template("index.html.j2").render(
            languages=languages,
            language=current,
            folder="" if current == languages[0] else f"{current}/",
            issue_id=self.issue_id,
            version=self.version,
            pdf_version=self.pdf_version,
            problems=self.problems,
            has_build=self.has_build,
            pdf_pending=self.pdf_pending,
            pdf_name=self.pdf_name,
        )

    def watch(self, stop: threading.Event, watching: threading.Event) -> None:
        """Rebuild on every change until ``stop`` is set (runs in its own thread).

        ``watching`` is set once the file watcher is really listening (its first, empty
        time-out), so no save made right after start-up is missed.
        """
        from watchfiles import watch

        changes = watch(
            *self.watched(), debounce=30, step=10, stop_event=stop,
            rust_timeout=100, yield_on_timeout=True,
        )
        for changed in changes:
            watching.set()
            if changed:
                self.rebuild()


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a --host value) is reachable from this machine only."""
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_names(bound: str) -> frozenset[str]:
    """The Host header names the preview answers: loopback names and the bound address.

    Any other name is refused, so a web page elsewhere cannot read an unpublished issue
    through a name of its own that resolves to 127.0.0.1 (DNS rebinding)."""
    return frozenset({*LOOPBACK_NAMES, bound.strip("[]").lower()})


def _host_of(header: str) -> str:
    """The name in a Host header, without the port (``[::1]:8000`` → ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview
    hosts: frozenset[str]

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if _host_of(self.headers.get("Host", "")) not in self.hosts:
            self.send_error(421, "Misdirected Request", "This preview answers only its own "
                            "address (http://127.0.0.1:…/ or http://localhost:…/).")  # fmt: skip
            return False
        return True

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/":
            language = parse_qs(query).get("lang", [None])[0]
            self._send(200, "text/html; charset=utf-8", self.preview.page(language).encode())
        elif path == "/status":
            body = {"version": self.preview.version, "problems": self.preview.problems}
            self._send(200, "application/json", json.dumps(body).encode())
        elif path == "/events":
            self._events()
        else:
            super().do_GET()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = self.preview.version
        try:
            self.wfile.write(f"data: {seen}\n\n".encode())
            self.wfile.flush()
            while True:
                current = self.preview.wait_for_change(seen, HEARTBEAT_SECONDS)
                message = f"data: {current}\n\n" if current != seen else ": keep-alive\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                seen = current
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows rebuilds, not every request


def serve(issue_dir: Path, config: Path | None, host: str, port: int, out: Path,
          ready: Any = print) -> None:
    """Run the preview until interrupted; ``ready`` receives the page's address."""
    out.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer((host, port), http.server.BaseHTTPRequestHandler)
    address = f"http://{host}:{server.server_port}/"
    preview = Preview(issue_dir, config, out, address)
    handler = type("Handler", (_Handler,), {"preview": preview, "hosts": host_names(host)})
    server.RequestHandlerClass = partial(handler, directory=str(out))  # type: ignore[assignment]
    server.daemon_threads = True
    preview.rebuild()
    stop, watching = threading.Event(), threading.Event()
    watcher = threading.Thread(target=preview.watch, args=(stop, watching), daemon=True)
    watcher.start()
    watching.wait(timeout=10)
    ready(address)
    try:
        server.serve_forever()
    finally:
        stop.set()
        server.server_close()
        shutil.rmtree(out, ignore_errors=True)
