"""The journal's own database connections on PostgreSQL, one per job, held for a run.

A send's hot path talks to the database all the time: the group commit of outcomes, the
producer's claims, the readers' checks of the send's state. Through the pool each of
them paid a checkout, a ``BEGIN``, a ``SET LOCAL synchronous_commit = off`` and a
``COMMIT`` or ``ROLLBACK`` of its own: four or five round trips where one carries the
work, while the connections wait for the group commit before their final dot (and in
one process every round trip also waits for the GIL). A lane is a connection kept for
one job, used by one thread at a time, in autocommit with ``synchronous_commit = off``
for its session (reset when the run ends: it goes back to the pool as it came):

- each statement is its own transaction, so the hot path writes only what stays true
  row by row: a claim is one statement; a batch of outcomes is one pipelined
  executemany whose rows commit one by one (a kill between two of them leaves the
  later rows open, to be sent again: the messages in flight, as before). Writes that
  must go together (a bounce: the row and the subscriber) take a transaction instead;
- commits do not wait for the disk: a killed sender loses nothing (the server has the
  commit), and only a crash of the database server itself can drop the last fraction
  of a second of commits, whose messages would then go again: the rule SQLite's
  ``synchronous=NORMAL`` already follows (db.py).

SQLite gains nothing from this (no round trips, and one writer at a time): there a
``write`` lane is a transaction of the pool's connection and a ``read`` lane the pool's
connection, as before.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from sqlalchemy.engine import Connection, Engine


class Lanes:
    """Connections by job name, opened on first use, closed by :meth:`close`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._open: dict[str, Connection] = {}
        self._lock = threading.Lock()

    @property
    def autocommit(self) -> bool:
        """Whether each statement on a lane commits by itself (PostgreSQL)."""
        return self._postgres

    def write(self, lane: str) -> contextlib.AbstractContextManager[Connection]:
        """``lane``'s connection for writes: on SQLite a transaction committed when the
        block ends; on PostgreSQL each statement commits by itself."""
        return self._use(lane, self.engine.begin)

    def read(self, lane: str) -> contextlib.AbstractContextManager[Connection]:
        """``lane``'s connection for reads (on SQLite the pool's, as before)."""
        return self._use(lane, self.engine.connect)

    @contextlib.contextmanager
    def _use(
        self, lane: str, pooled: Callable[[], contextlib.AbstractContextManager[Connection]]
    ) -> Iterator[Connection]:
        if not self._postgres:
            with pooled() as connection:
                yield connection
            return
        with self._lock:
            connection = self._open.get(lane)
        if connection is None:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("SET synchronous_commit = off")
            with self._lock:
                self._open[lane] = connection
        try:
            yield connection
        except BaseException:
            self._discard(lane)  # a broken session is not reused: the next one is fresh
            raise

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A transaction of the pool's, beside the lanes (renewals, a row given back, a
        bounce). On PostgreSQL it does not wait for the disk either (``SET LOCAL
        synchronous_commit = off``), by the same rule as the lanes. Waiting for the disk
        made each commit 1 ms and each claim 4 ms here."""
        with self.engine.begin() as connection:
            if self._postgres:
                connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
            yield connection

    def _discard(self, lane: str) -> None:
        with self._lock:
            connection = self._open.pop(lane, None)
        if connection is not None:
            connection.invalidate()  # never back to the pool with our session settings
            connection.close()

    def close(self) -> None:
        """Give every connection back to the pool with the server's own settings."""
        with self._lock:
            held, self._open = self._open, {}
        for connection in held.values():
            try:
                connection.exec_driver_sql("RESET synchronous_commit")
            except Exception:
                connection.invalidate()
            connection.close()
