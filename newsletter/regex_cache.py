"""Regular expressions compiled in earlier processes, kept on disk like Python's bytecode.

A command's start-up is mostly imports, and most of an import's own work is compiling the
regular expressions libraries build at their top: markdown-it, PyYAML, pydantic, jinja2,
click, cssselect and ours compile some 450 patterns in every ``newsletter build``, and
linkify-it's host and e-mail patterns are 4-5 KB each. Python compiles a pattern in pure
Python (``re._parser`` and ``re._compiler``) into a list of integers that its C engine
runs; only that last step is fast. This module keeps those lists between processes, the
way ``__pycache__`` keeps bytecode: :func:`install` (called first thing by the CLI) loads
them and has ``re`` take a pattern's list from them when it has it, and writes the file
again at exit when the process compiled a pattern it did not have.

What is kept is ``re``'s own output for the same pattern and flags, so a pattern behaves
the same either way (``tests/test_regex_cache.py`` compiles every kept pattern again and
compares). The file is keyed by the exact Python build (its compiler and engine change
between releases); one that cannot be read is ignored and written anew; it is written
whole and renamed into place, so concurrent processes never read half of it. Nothing is
cached for patterns compiled with ``re.DEBUG`` or outside the Pythons this is written for
(3.11 to 3.13: the function replaced is the same in each).
"""

from __future__ import annotations

import atexit
import marshal
import os
import re
import sys
from pathlib import Path
from typing import Any

from newsletter.cache_home import cache_home

_MOST = 5_000
"""Patterns kept at most (a build compiles about 450; a send, a server, a check more):
past it, the file starts again from what this process compiled."""

_SUPPORTED = ((3, 11), (3, 12), (3, 13))

Entry = tuple[int, list[int], int, dict[str, int], tuple[Any, ...]]
"""What ``_sre.compile`` takes after the pattern: flags, code, groups, group names both ways.
In the file each entry is marshalled on its own and decoded when its pattern is first
compiled: the file holds every verb's patterns (a PDF build adds WeasyPrint's, a thousand
more), and decoding them all, 340,000 integers, cost an e-mail build 50 ms."""


class _Kept:
    """The loaded file, what this process added to it, and ``re``'s own compiler."""

    def __init__(self, file: Path, original: Any) -> None:
        self.file = file
        self.original = original
        self.entries: dict[tuple[str | bytes, int], Entry | bytes] = {}
        self.added = 0


_KEPT: _Kept | None = None


def cache_file() -> Path:
    """Where the patterns of this Python build are kept."""
    build = f"{sys.implementation.cache_tag}-{sys.version.split()[0]}-{_engine_magic()}"
    return cache_home() / "regex" / f"patterns-{build}.marshal"


def _engine_magic() -> int:
    import _sre

    return int(getattr(_sre, "MAGIC", 0))


def install(file: Path | None = None) -> bool:
    """Have ``re`` compile from the kept patterns for the rest of the process; True when
    it does (once per process; a Python this was not written for is left alone)."""
    global _KEPT
    if _KEPT is not None:
        return True
    compiler = getattr(re, "_compiler", None)
    if sys.version_info[:2] not in _SUPPORTED or compiler is None:
        return False
    kept = _KEPT = _Kept(file or cache_file(), compiler.compile)
    kept.entries = _read(kept.file)
    compiler.compile = _compile
    atexit.register(_write)
    return True


def uninstall() -> None:
    """Give ``re`` its own compiler back (tests)."""
    global _KEPT
    if _KEPT is None:
        return
    re._compiler.compile = _KEPT.original  # type: ignore[attr-defined]
    atexit.unregister(_write)
    _KEPT = None


def _read(file: Path) -> dict[tuple[str | bytes, int], Entry | bytes]:
    try:
        loaded = marshal.loads(file.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _compile(p: Any, flags: int = 0) -> Any:
    """``re._compiler.compile``, answered from the kept patterns when it can be."""
    kept = _KEPT
    if kept is None or not isinstance(p, (str, bytes)) or flags & re.DEBUG:
        return (kept.original if kept else re._compiler.compile)(p, flags)  # type: ignore[attr-defined]
    import _sre

    key = (p, int(flags))  # "a" and b"a" are different keys
    entry = kept.entries.get(key)
    if isinstance(entry, bytes):  # as read from the file: decoded on first use
        try:
            entry = kept.entries[key] = marshal.loads(entry)
        except (EOFError, ValueError, TypeError):
            entry = None
    if entry is None:
        entry = kept.entries[key] = _entry(p, int(flags))
        kept.added += 1
    try:
        return _sre.compile(p, *entry)
    except Exception:  # an entry not of this shape (a file made otherwise): compile again
        entry = kept.entries[key] = _entry(p, int(flags))
        kept.added += 1
        return _sre.compile(p, *entry)


def _entry(p: str | bytes, flags: int) -> Entry:
    """What ``re._compiler.compile`` hands to ``_sre.compile`` for ``p``: its own steps."""
    compiler = re._compiler  # type: ignore[attr-defined]
    parsed = re._parser.parse(p, flags)  # type: ignore[attr-defined]
    code = compiler._code(parsed, flags)
    groupindex = parsed.state.groupdict
    indexgroup: list[Any] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # the opcodes are ints of a named subclass, which marshal does not write: plain ints
    return (int(flags | parsed.state.flags), [int(word) for word in code],
            int(parsed.state.groups - 1), dict(groupindex), tuple(indexgroup))


def _write() -> None:
    """At exit: write the kept patterns again if this process compiled new ones."""
    kept = _KEPT
    if kept is None or not kept.added:
        return
    entries = kept.entries
    if len(entries) > _MOST:
        entries = dict(list(entries.items())[-_MOST:])
    data = marshal.dumps({
        key: entry if isinstance(entry, bytes) else marshal.dumps(entry)
        for key, entry in entries.items()
    })
    try:
        kept.file.parent.mkdir(parents=True, exist_ok=True)
        part = kept.file.with_name(f".{kept.file.name}.{os.getpid()}")
        part.write_bytes(data)
        os.replace(part, kept.file)
    except OSError:
        pass  # a read-only home: the next process compiles again, nothing else changes
    kept.added = 0
