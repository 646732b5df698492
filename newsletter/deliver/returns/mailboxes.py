"""Where bounce messages come from: a Maildir, an mbox file, one message file, standard
input (an MTA's pipe), or an IMAP mailbox (newsletter/deliver/returns/imap.py).

Each source yields :class:`Incoming` items, one per message, each naming where it came
from (a file, ``file.mbox#3``, ``imap …/INBOX uid 42``), so a message that cannot be read
is reported with its place and the others go on. Nothing here changes a mailbox: files
are only read. Anyone on the Internet can write to a bounce address, so every message
is read up to :data:`MAX_MESSAGE_BYTES`, no further.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAX_MESSAGE_BYTES = 10 * 1024 * 1024
"""Real bounces and complaint reports are a few kilobytes to a few hundred (they quote the
message or only its headers); a 10 MB message is an attack or a mistake."""


@dataclass(frozen=True)
class Incoming:
    """One message as read: its bytes, or why it could not be read (``error``)."""

    source: str
    data: bytes | None
    error: str | None = None
    uid: str | None = None  # an IMAP message's UID, to flag or move it afterwards


def too_big(source: str, size: int) -> Incoming:
    return Incoming(source, None, f"{source}: over {MAX_MESSAGE_BYTES // (1024 * 1024)} MB "
                                  f"({size:,} bytes): not read")  # fmt: skip


def read_path(path: Path) -> Iterator[Incoming]:
    """The messages of a Maildir (its new/ and cur/), an mbox file, or a one-message file."""
    if path.is_dir():
        if not any((path / sub).is_dir() for sub in ("new", "cur")):
            yield Incoming(printable(path), None, f"{printable(path)}: a folder but not a "
                                                  "Maildir (no new/ or cur/ inside)")  # fmt: skip
            return
        yield from read_maildir(path)
        return
    try:
        with path.open("rb") as handle:
            start = handle.read(5)
    except OSError as exc:
        yield Incoming(printable(path), None, f"{printable(path)}: {exc.strerror or exc}")
        return
    if start == b"From ":
        yield from read_mbox(path)
    else:
        yield read_file(path)


def read_maildir(folder: Path) -> Iterator[Incoming]:
    """Every message file of a Maildir, oldest first (file names start with the time)."""
    for sub in ("new", "cur"):
        place = folder / sub
        if not place.is_dir():
            continue
        for name in sorted(os.listdir(place)):
            if not name.startswith("."):
                yield read_file(place / name)


def printable(path: Path) -> str:
    """A path as text that can be printed and stored: a file name that is not UTF-8 (a
    Maildir delivery agent writes what it was given) has its bytes shown as ``\\xff``.
    The file itself is opened by its real name (``os.fsencode`` gives the bytes back)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_file(path: Path) -> Incoming:
    """One message file, refused unread when it is over the limit."""
    source = printable(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MESSAGE_BYTES + 1)
            if len(data) > MAX_MESSAGE_BYTES:
                return too_big(source, os.fstat(handle.fileno()).st_size)
    except OSError as exc:
        return Incoming(source, None, f"{source}: {exc.strerror or exc}")
    return Incoming(source, data)


def read_stream(stream: BinaryIO, source: str = "<stdin>") -> Incoming:
    """One message from a stream (what Postfix's pipe gives a command)."""
    data = stream.read(MAX_MESSAGE_BYTES + 1)
    if len(data) > MAX_MESSAGE_BYTES:
        size = len(data)
        while chunk := stream.read(1024 * 1024):  # drain it, so the MTA sees us finish
            size += len(chunk)
        return too_big(source, size)
    return Incoming(source, data)


def read_stdin() -> Incoming:
    return read_stream(sys.stdin.buffer)


def read_mbox(path: Path) -> Iterator[Incoming]:
    """The messages of an mbox file, read line by line (memory stays at one message).

    A message starts at a ``From `` line at the start of the file or after an empty
    line (mboxo/mboxrd). Its ``From `` line is dropped and ``>From`` lines are left as
    they are (a bounce's meaning does not depend on them).
    """
    number = 0
    lines: list[bytes] = []
    size = 0
    over = False
    previous_blank = True
    try:
        with path.open("rb") as handle:
            # At most the limit at a time: a file of one endless line stays bounded.
            for line in iter(lambda: handle.readline(MAX_MESSAGE_BYTES + 1), b""):
                if line.startswith(b"From ") and previous_blank:
                    if number:
                        yield _mbox_message(path, number, lines, size, over)
                    number += 1
                    lines, size, over = [], 0, False
                    previous_blank = False
                    continue
                previous_blank = line in (b"\n", b"\r\n")
                size += len(line)
                if size > MAX_MESSAGE_BYTES:
                    over, lines = True, []
                elif not over:
                    lines.append(line)
    except OSError as exc:
        yield Incoming(f"{printable(path)}#{number}", None,
                       f"{printable(path)}: {exc.strerror or exc}")  # fmt: skip
        return
    if number:
        yield _mbox_message(path, number, lines, size, over)


def _mbox_message(path: Path, number: int, lines: list[bytes], size: int, over: bool) -> Incoming:
    source = f"{printable(path)}#{number}"
    if over:
        return too_big(source, size)
    return Incoming(source, b"".join(lines))
