"""Strings a library computes, kept on disk between processes (a small JSON file each).

Some strings an edition needs come from a library whose import and data cost more than
the e-mail build's own work: Babel's month names (25 ms of every ``build --only email``),
pyphen's hyphenation of a few long words (120 ms to import). What the library wrote is
kept by key, in one file per kind keyed by the installed library (its files' time), so a
warm build imports neither; a string not kept yet is computed, as before, and kept. The
strings are the library's own: the editions are byte-identical.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path

from newsletter.cache_home import cache_home

MOST = 1_000
"""Strings kept at most per kind: past it, start again."""


class KeptStrings:
    """The strings of one kind (``name``), computed by ``package`` (whose files' time
    keys the file: an upgrade computes them again)."""

    def __init__(self, name: str, package: str) -> None:
        self.name, self.package = name, package
        self._kept: dict[str, str] | None = None

    def get(self, key: str, compute: Callable[[], str]) -> str:
        """The string kept under ``key``, or ``compute()``'s, then kept."""
        if self._kept is None:
            self._kept = self._read()
        kept = self._kept
        if key not in kept:
            kept[key] = compute()
            self._write(kept if len(kept) <= MOST else {key: kept[key]})
        return kept[key]

    @functools.cached_property
    def _file(self) -> Path:
        spec = importlib.util.find_spec(self.package)
        stamp = Path(spec.origin).stat().st_mtime_ns if spec and spec.origin else 0
        return cache_home() / f"{self.name}-{stamp}.json"

    def _read(self) -> dict[str, str]:
        try:
            kept = json.loads(self._file.read_text(encoding="utf-8"))
            if isinstance(kept, dict) and all(isinstance(v, str) for v in kept.values()):
                return kept
        except (OSError, ValueError):
            pass
        return {}  # none kept yet, or damaged: the library writes them again

    def _write(self, kept: dict[str, str]) -> None:
        """Whole, then renamed (a reader never sees half a file); a read-only home only
        means asking the library again next time."""
        try:
            path = self._file
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
            partial.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
            partial.replace(path)
        except OSError:
            pass
