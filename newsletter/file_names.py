"""Finding a file an editor named, as the editor wrote it.

macOS writes "zdjęcie.jpg" decomposed (NFD: e + combining ogonek) while the editor's YAML
has it composed (NFC); both look the same and are the same name to a person, so such a file
is found. A name that differs only in case ("Zdjęcie.JPG") is not taken silently: the web
server that publishes the issue tells cases apart, so the editor is asked "did you mean".
"""

from __future__ import annotations

import unicodedata
from pathlib import Path


def _same(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def find_file(folder: Path, written: str) -> Path | None:
    """``written`` (a relative path) under ``folder``, each part matched as written or in
    another Unicode normalisation; None when there is no such file."""
    current = folder
    for part in Path(written.strip()).parts:
        if part in (".", ".."):
            current = current / part
            continue
        exact = current / part
        if exact.exists():
            current = exact
            continue
        try:
            entries = list(current.iterdir())
        except OSError:
            return None
        match = next((e for e in entries if _same(e.name) == _same(part)), None)
        if match is None:
            return None
        current = match
    return current if current.is_file() else None


def case_differs(folder: Path, written: str) -> str | None:
    """The path of the file ``written`` names when only letter case (or normalisation)
    differs, as it is written on disk (for "did you mean"); None when there is none."""
    current = folder
    shown: list[str] = []
    for part in Path(written.strip()).parts:
        try:
            entries = sorted(current.iterdir())
        except OSError:
            return None
        match = next((e for e in entries if _same(e.name) == _same(part)), None) or \
            next((e for e in entries if _same(e.name).casefold() == _same(part).casefold()),
                 None)
        if match is None:
            return None
        shown.append(_same(match.name))
        current = match
    return "/".join(shown) if current.is_file() else None
