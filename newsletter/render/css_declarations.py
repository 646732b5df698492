"""cssutils' reading of CSS declarations (``margin:0;color:#fff``), remembered on disk.

premailer turns every declaration block it merges (a rule's, an element's ``style=``) into
``(property, value)`` pairs with cssutils, which normalizes values as it serializes them.
Once the stylesheet's rules are kept (:mod:`newsletter.render.css_inlining`), these few
dozen parses were all an e-mail build still needed cssutils for: importing it (and
urllib.request, http, ssl, importlib.metadata with it) and compiling its grammar were
about 35 ms of every ``build --only email``. The declarations are the templates' and the
theme's, the same from build to build (a picture's height is the one that varies), so
each one's pairs are kept in one small JSON file in the premailer cache folder, keyed by
the premailer and cssutils versions; a declaration not kept yet is read by cssutils as
before (imported then) and kept. The pairs are cssutils' own: the e-mail is
byte-identical.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsletter.cache_home import cache_home

Pairs = list[tuple[str, str]]

_MOST = 2_000
"""Declarations kept on disk at most: past it, the file starts again from what this
process read (a site's templates have a few dozen; pictures' heights add a few each)."""


def cache_folder() -> Path:
    """Where premailer's parses are kept between processes."""
    return cache_home() / "premailer"


@functools.cache
def cssutils_stamp() -> int:
    """The installed cssutils, without importing it (it states no version in its module:
    its file's time stands for it)."""
    spec = importlib.util.find_spec("cssutils")
    return Path(spec.origin).stat().st_mtime_ns if spec and spec.origin else 0


class RememberedPairs:
    """premailer's ``csstext_to_pairs`` (``parse``), answered from disk when it can be."""

    def __init__(self, parse: Callable[..., Pairs], version: str) -> None:
        self._parse = parse
        self._file = cache_folder() / f"declarations-{version}-{cssutils_stamp()}.json"
        self._known: dict[str, Pairs] | None = None
        self._used: dict[str, Pairs] = {}
        self._new = False
        self._lock = getattr(parse, "_lock", None)  # premailer's own code reads it

    def __call__(self, csstext: str, validate: bool = False) -> Pairs:
        if validate:  # not what we ask (disable_validation): as premailer does it
            return self._parse(csstext, validate=True)
        known = self._read()
        pairs = known.get(csstext)
        if pairs is None:
            pairs = known[csstext] = [tuple(pair) for pair in  # type: ignore[misc]
                                      self._parse(csstext, validate=False)]
            self._new = True
        self._used[csstext] = pairs
        return list(pairs)

    def _read(self) -> dict[str, Pairs]:
        if self._known is None:
            try:
                kept = json.loads(self._file.read_text(encoding="utf-8"))
                self._known = {text: [(name, value) for name, value in pairs]
                               for text, pairs in kept.items()}
            except (OSError, ValueError, TypeError, AttributeError):
                self._known = {}  # none kept yet, or damaged: read them again
        return self._known

    def keep(self) -> None:
        """Write what was read since the last call (whole, then renamed: a reader never
        sees half a file); a read-only home only means reading them again next time."""
        if not self._new or self._known is None:
            return
        kept: dict[str, Any] = self._known if len(self._known) <= _MOST else self._used
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            partial = self._file.with_name(f"{self._file.stem}.{os.getpid()}.tmp")
            partial.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
            partial.replace(self._file)
            self._new = False
        except OSError:
            pass
