"""Rate limits: a token bucket per key (client network, address, all).

:class:`SharedRateLimit` keeps the buckets in the database, so every process of
``serve --workers N`` (and every machine sharing a PostgreSQL list) draws on one budget: with
buckets in each process's memory, N processes would give a script N budgets. One atomic
statement per check (an upsert that takes a token only when there is one), a millisecond on
SQLite, is cheap next to what a POST does after it. When the database is locked past the
wait, a check falls back to the process's own buckets (:class:`RateLimit`): the pages stay up
and still limited. Buckets that have refilled are the same as no bucket and are deleted now
and then.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from newsletter.deliver.db import rate_limits


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


class SharedRateLimit(RateLimit):
    """A :class:`RateLimit` whose buckets live in the database (table ``rate_limits``),
    named ``name:key``; the in-memory buckets serve while the database cannot."""

    PRUNE_EVERY = 1000  # checks between deletions of refilled buckets

    def __init__(self, engine: Engine, name: str, burst: int, per_hour: float, secret: bytes,
                 clock: Callable[[], float] = time.time):
        super().__init__(burst, per_hour, clock=clock)
        self.engine = engine
        self.name = name
        self.secret = secret
        self.checks = 0

    def stored_key(self, key: str) -> str:
        """What the table keeps of a key: a keyed hash, since the keys are readers'
        networks and addresses (personal data a table of counters does not need)."""
        digest = hmac.new(self.secret, f"{self.name}:{key}".encode(), hashlib.sha256)
        return f"{self.name}:{digest.hexdigest()[:40]}"

    def allow(self, key: str) -> bool:
        now = self.clock()
        try:
            with self.engine.begin() as connection:
                taken = connection.execute(self._take(self.stored_key(key), now)).first()
                self.checks += 1
                if self.checks % self.PRUNE_EVERY == 0:
                    self._prune_refilled(connection, now)
        except sa.exc.OperationalError:  # locked past the wait: this process's buckets
            return super().allow(key)
        return taken is not None

    def _take(self, key: str, now: float) -> Any:
        """INSERT the bucket less one token, or UPDATE it (refilled, less one) only when it
        has a token: one statement, atomic on SQLite and PostgreSQL; a row comes back when
        a token was taken."""
        table = rate_limits
        dialect = self.engine.dialect.name
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
        refilled = table.c.tokens + (now - table.c.at) * self.rate
        level = sa.case((refilled > self.burst, float(self.burst)), else_=refilled)
        return (insert.values(key=key, tokens=float(self.burst - 1), at=now)
                .on_conflict_do_update(index_elements=[table.c.key],
                                       set_={"tokens": level - 1, "at": now},
                                       where=level >= 1)
                .returning(table.c.tokens))

    def _prune_refilled(self, connection: Connection, now: float) -> None:
        refilled = rate_limits.c.tokens + (now - rate_limits.c.at) * self.rate
        connection.execute(rate_limits.delete()
                           .where(rate_limits.c.key.startswith(f"{self.name}:"))
                           .where(refilled >= self.burst))


def used_once(engine: Engine, name: str, expires: float, now: float) -> bool:
    """Record ``name`` (a proof of work's salt) as used until ``expires``; False when any
    `serve` process used it before (a replay). Refilled rate-limit buckets and used salts
    share the table; expired salts are deleted now and then."""
    key = f"used:{name}"
    insert = (pg_insert if engine.dialect.name == "postgresql" else sqlite_insert)(rate_limits)
    try:
        with engine.begin() as connection:
            first = connection.execute(
                insert.values(key=key, tokens=0.0, at=expires)
                .on_conflict_do_nothing(index_elements=[rate_limits.c.key])
                .returning(rate_limits.c.key)).first()
            if int(now) % 64 == 0:
                connection.execute(rate_limits.delete()
                                   .where(rate_limits.c.key.startswith("used:"))
                                   .where(rate_limits.c.at < now))
    except sa.exc.OperationalError:  # locked past the wait: this process's memory decides
        return True
    return first is not None
