"""Rate limits kept in memory: a token bucket per key (client network, address, all).

In memory, not in the database: a limit is checked on every POST, before anything else,
and must cost microseconds when a script sends thousands. ``serve`` is one process, so
one process's memory sees every request; a restart forgets the buckets, which only
gives an attacker one fresh burst. The table is bounded: full buckets are dropped
first, as they are the same as no bucket.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimit:
    """``burst`` requests at once per key, refilled at ``per_hour``."""

    def __init__(
        self,
        burst: int,
        per_hour: float,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.burst = burst
        self.rate = per_hour / 3600.0
        self.max_keys = max_keys
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, when)
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one token for ``key``; False (and nothing taken) when there is none."""
        now = self.clock()
        with self.lock:
            tokens, when = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - when) * self.rate)
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                return False
            self.buckets[key] = (tokens - 1, now)
            if len(self.buckets) > self.max_keys:
                self._prune(now)
            return True

    def _prune(self, now: float) -> None:
        """Drop buckets that have refilled (the same as absent); then the oldest."""
        full = [k for k, (t, w) in self.buckets.items() if t + (now - w) * self.rate >= self.burst]
        for key in full:
            del self.buckets[key]
        if len(self.buckets) > self.max_keys:
            oldest = sorted(self.buckets, key=lambda k: self.buckets[k][1])
            for key in oldest[: len(self.buckets) - self.max_keys]:
                del self.buckets[key]
