"""Clients that attack the server rather than a form: big bodies and slow request heads,
against the real ``newsletter serve`` process over raw sockets."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from appserver import KEY, Process, serve_process
from mailhelpers import fill_list

from newsletter.deliver.audience import subscribers
from newsletter.deliver.db import open_database
from newsletter.deliver.tokens import PREFERENCES, make_expiring_token, make_token

LIMIT = 16 * 1024  # AppSettings.max_body


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Process]:
    db = tmp_path_factory.mktemp("hostile") / "list.db"
    engine = open_database(db)
    fill_list(engine, 3)
    engine.dispose()
    with serve_process(db, "--header-timeout", "2") as running:
        yield running


def exchange(port: int, head: bytes, body: Iterable[bytes] = (), timeout: float = 10) -> bytes:
    """Send a request head and as much of the body as the server takes; what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(head)
        try:
            for piece in body:
                connection.sendall(piece)
        except OSError:  # the server stopped reading and closed
            pass
        answer = b""
        try:
            while part := connection.recv(65536):
                answer += part
        except OSError:
            pass
        return answer


def chunked(total: int, size: int = 8192) -> Iterator[bytes]:
    """A chunked body of ``total`` bytes of form data, then its end."""
    piece = b"a" * size
    for _ in range(total // size):
        yield b"%x\r\n%s\r\n" % (size, piece)
    yield b"0\r\n\r\n"


def head(method: str, path: str, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1",
             "Content-Type: application/x-www-form-urlencoded", *headers]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


def routes() -> list[tuple[str, str]]:
    return [
        ("POST", "/subscribe"),
        ("POST", f"/confirm/{make_expiring_token(KEY, 1, 2**39)}"),
        ("POST", f"/p/{make_token(KEY, 1, PREFERENCES)}"),
        ("POST", f"/u/{make_token(KEY, 1)}"),
        ("GET", "/subscribe"),
        ("GET", f"/u/{make_token(KEY, 1)}"),
    ]


def test_every_route_refuses_an_oversize_body_declared_or_chunked(server: Process):
    for method, path in routes():
        declared = exchange(server.port, head(method, path, "Content-Length: 104857600"))
        assert status_of(declared) == 413, path  # refused before a byte of it was sent
        assert b"Connection: close" in declared or b"connection: close" in declared
        streamed = exchange(server.port, head(method, path, "Transfer-Encoding: chunked"),
                            [b"1a\r\nList-Unsubscribe=One-Click\r\n", *chunked(4 * LIMIT)])
        if method == "POST":
            assert status_of(streamed) == 413, path
            assert "Za dużo danych".encode() in streamed
        else:  # a GET reads no body: it answers, and closes rather than read the rest
            assert status_of(streamed) == 200 and b"connection: close" in streamed.lower()
    with open_database(server.db).connect() as connection:
        assert subscribers.by_id(connection, 1).status == "subscribed"  # nothing done
    # Within the limit a chunked one-click still works.
    small = exchange(server.port, head("POST", f"/u/{make_token(KEY, 2)}",
                                       "Transfer-Encoding: chunked", "Connection: close"),
                     [b"1a\r\nList-Unsubscribe=One-Click\r\n0\r\n\r\n"])  # fmt: skip
    assert status_of(small) == 200


def memory_kb(pid: int, field: str) -> int:
    """VmRSS (resident now) or VmHWM (the peak: a body read whole and freed shows there)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith(field)).split()[1])


def test_a_100_mb_upload_leaves_the_server_small(server: Process):
    pid = server.process.pid
    before = memory_kb(pid, "VmRSS:"), memory_kb(pid, "VmHWM:")
    started = time.monotonic()
    answer = exchange(server.port, head("POST", f"/u/{make_token(KEY, 3)}",
                                        "Transfer-Encoding: chunked"),
                      chunked(100 * 1024 * 1024, 65536), timeout=30)  # fmt: skip
    after = memory_kb(pid, "VmRSS:"), memory_kb(pid, "VmHWM:")
    print(f"VmRSS, VmHWM before {before} kB, after a 100 MB chunked POST {after} kB")
    assert after[0] - before[0] < 10_000 and after[1] - before[1] < 10_000, (before, after)
    assert time.monotonic() - started < 10  # refused early, not read to the end
    assert not answer or status_of(answer) == 413


def dribble(connection: socket.socket, data: bytes, every: float = 1.0) -> tuple[float, bytes]:
    """Send ``data`` a byte every ``every`` seconds until the server closes; the seconds
    that took and what the server said (a server that never closes fails the test)."""
    started = time.monotonic()
    answer = b""
    connection.settimeout(every)
    for byte in data:
        try:
            connection.sendall(bytes([byte]))
            while part := connection.recv(4096):
                answer += part
            return time.monotonic() - started, answer  # closed
        except TimeoutError:
            continue
        except OSError:
            return time.monotonic() - started, answer
    raise AssertionError(f"still open after {time.monotonic() - started:.0f} s")


def test_a_request_head_sent_a_byte_a_second_is_cut_off(server: Process):
    slow = b"GET /subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + b"x" * 40 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        seconds, answer = dribble(connection, slow)
    assert 1.5 < seconds < 4 and answer.startswith(b"HTTP/1.1 408 ")
    # The same on a kept-alive connection, after a normal request on it.
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(b"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 204 ")
        seconds, answer = dribble(connection, slow)
    assert seconds < 4 and answer.startswith(b"HTTP/1.1 408 ")
    # A connection that never sends a byte is closed as well, without an answer.
    with socket.create_connection(("127.0.0.1", server.port), timeout=6) as connection:
        started = time.monotonic()
        assert connection.recv(4096) == b"" and time.monotonic() - started < 4

    # Normal requests are not cut off.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        for _ in range(3):  # kept alive across requests (3 s in all), each head in time
            time.sleep(0.5)
            connection.sendall(b"GET /subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            time.sleep(0.5)  # a head in two parts, within the time-out
            connection.sendall(b"\r\n")
            answer = b""
            while b"</html>" not in answer:
                answer += connection.recv(65536)
            assert answer.startswith(b"HTTP/1.1 200 ")
