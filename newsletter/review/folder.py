"""The files of an issue folder by content: what an approval covers, and what changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def folder_files(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (its relative POSIX path → sha256 of its bytes).

    Hidden files and folders (``.git``, an editor's ``.swp``, ``.DS_Store``) are left out:
    they are not part of the issue and change without anyone editing it.
    """
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        found[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def manifest_hash(files: dict[str, str]) -> str:
    """One sha256 naming a set of files and their contents (order does not matter)."""
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()


def changed_files(approved: dict[str, str], now: dict[str, str]) -> list[str]:
    """The files that differ between an approval and the folder now: edited, added
    ("(new)") or removed ("(removed)"), sorted by name."""
    names = sorted(set(approved) | set(now))
    return [
        name + (" (new)" if name not in approved else " (removed)" if name not in now else "")
        for name in names
        if approved.get(name) != now.get(name)
    ]
