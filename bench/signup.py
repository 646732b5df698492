"""Benchmark of sign-up: prints figures, asserts nothing.

    .venv/bin/python bench/signup.py [--posts 3000] [--clients 50]

1. Sign-up POSTs per second and latency (p50, p99, max) with ``--clients`` concurrent
   clients, against the app under uvicorn in its own process, on a fresh SQLite list,
   confirmation e-mails going to Postfix's ``smtp-sink``. Every POST is a valid, new
   sign-up with a solved challenge (made here with the server's key), so each does the
   full work: checks, proof-of-work verification, a database write (row and consent
   event) and a queued e-mail. The abuse limits are raised for the run, or they would
   answer most POSTs early.
2. The proof of work in Debian's chromium: ``crypto.subtle`` SHA-256 per second, and
   what the default challenge (up to 50,000 hashes, half on average) costs a reader.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import asyncio
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEY = b"bench-secret-0123456789abcdef"
UNLIMITED = dict(ip_burst=10**9, ip_per_hour=10**9, address_burst=10**9,
                 address_per_day=10**9, mails_per_hour=10**9)  # fmt: skip


def sink() -> tuple[subprocess.Popen, str]:
    """Postfix's smtp-sink on a loopback port, as bench/send.py starts it."""
    spec = importlib.util.spec_from_file_location("bench_send", ROOT / "bench" / "send.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.sink()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def serve(port: int, db: str, smtp: str) -> None:
    """The server process: the app as ``serve`` builds it, with the limits raised."""
    import uvicorn

    from newsletter.app.routes import create_app
    from newsletter.app.settings import AppSettings
    from newsletter.deliver.audience.confirmations import ConfirmationMailer
    from newsletter.deliver.db import open_database
    from newsletter.deliver.sending.smtp_settings import smtp_settings
    from newsletter.load import load_project

    project = load_project(ROOT / "newsletter.toml")
    mailer = ConfirmationMailer(project.site, smtp_settings(smtp))
    app = create_app(open_database(db, busy_timeout=5), project, KEY,
                     AppSettings(**UNLIMITED), mailer)  # fmt: skip
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def forms(count: int) -> list[dict[str, str]]:
    """Valid sign-up forms, each with its own address and a solved challenge."""
    from newsletter.app.challenge import make_challenge
    from newsletter.app.security import make_form_token

    now = time.time()
    made = []
    for n in range(count):
        challenge = make_challenge(KEY, 50_000, int(now) + 3600)
        made.append({
            "csrf": make_form_token(KEY, "subscribe", now - 10),
            "pow_salt": challenge.salt, "pow_challenge": challenge.challenge,
            "pow_signature": challenge.signature, "pow_number": str(challenge.number),
            "email": f"reader{n:06d}@example.com", "name": f"Czytelnik {n}",
            "language": "pl", "consent": "2021-01",
        })  # fmt: skip
    return made


async def post_all(base: str, filled: list[dict[str, str]], clients: int):
    import httpx

    latencies: list[float] = []
    codes: dict[int, int] = {}
    queue = list(reversed(filled))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                data = queue.pop()
                start = time.perf_counter()
                response = await client.post("/subscribe", data=data)
                latencies.append(time.perf_counter() - start)
                codes[response.status_code] = codes.get(response.status_code, 0) + 1

        await client.post("/subscribe", data=forms(1)[0] | {"email": "warm@example.com"})
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    return elapsed, sorted(latencies), codes


def bench_posts(posts: int, clients: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-signup-"))
    port = free_port()
    sinking, smtp = sink()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port),
                               str(folder / "list.db"), smtp])  # fmt: skip
    try:
        wait_for(port)
        filled = forms(posts)
        elapsed, latencies, codes = asyncio.run(
            post_all(f"http://127.0.0.1:{port}", filled, clients)
        )
        server_cpu = _child_cpu(server.pid)
    finally:
        server.terminate()
        server.wait(10)
        sinking.terminate()
        sinking.wait(10)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(f"sign-up POSTs: {posts:,} by {clients} concurrent clients, SQLite, uvicorn in 1 process")
    print(f"  {posts / elapsed:,.0f} POSTs/s   p50 {pct(0.50):.1f} ms   p99 {pct(0.99):.1f} ms   "
          f"max {latencies[-1] * 1000:.1f} ms   statuses {codes}")  # fmt: skip
    if server_cpu is not None:
        print(f"  server CPU {server_cpu / posts * 1000:.2f} ms per POST")
    shutil.rmtree(folder, ignore_errors=True)


def _child_cpu(pid: int) -> float | None:
    """User+system CPU seconds of a running process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_browser(hashes: int = 50_000) -> None:
    """crypto.subtle SHA-256 rate in chromium on a secure-context (loopback) page."""
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = """async (count) => {
        const encoder = new TextEncoder(); const start = performance.now();
        for (let n = 0; n < count; n++) {
            const d = await crypto.subtle.digest("SHA-256", encoder.encode("1700000000.abc" + n));
            Array.from(new Uint8Array(d)).map(b => b.toString(16).padStart(2, "0")).join("");
        }
        return performance.now() - start; }"""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--no-sandbox"]
        )
        page = chromium.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        milliseconds = page.evaluate(script, hashes)
        chromium.close()
    server.shutdown()
    rate = hashes / milliseconds * 1000
    print(f"proof of work in chromium: {rate:,.0f} SHA-256/s; the default challenge "
          f"(≤ 50,000) takes {25_000 / rate:.2f} s on average, {50_000 / rate:.2f} s at most")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), args.serve[1], args.serve[2])
        return
    bench_posts(args.posts, args.clients)
    bench_browser()


if __name__ == "__main__":
    main()
