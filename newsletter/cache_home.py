"""Where this program keeps what it can compute again (pictures' derivatives, layouts,
parsed styles, compiled patterns): ``$XDG_CACHE_HOME/business-krakow-newsletter``, or
``~/.cache/…``. Servers set XDG_CACHE_HOME to their CacheDirectory (deploy/systemd)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_home() -> Path:
    """The folder every cache of this program lives under (made by each when it writes)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "business-krakow-newsletter"
