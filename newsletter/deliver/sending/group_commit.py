"""Group commit of a send's outcomes: the connections queue them, one waiting thread
writes everything queued in one go, while the others go on sending.

A connection holds the final dot of its next message until its previous outcome is
committed (journal.py, rule 3). Outcomes are not written one by one: the first caller of
:meth:`Saved.wait` that finds no commit under way writes all that is queued, so there
are far fewer commits than messages. Only a commit that succeeded counts: when it fails
(a locked database, a full disk), no waiting connection hands over another message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")


class Saved:
    """An outcome handed to the journal; ``wait()`` returns once it is committed (and
    raises the database's error if the commit failed). An outcome whose commit failed
    is never ``done``: the connection waiting for it does not hand over another message.
    """

    __slots__ = ("_commits", "_ticket")

    def __init__(self, commits: GroupCommit, ticket: int):
        self._commits = commits
        self._ticket = ticket

    @property
    def done(self) -> bool:
        return self._commits._committed >= self._ticket

    def wait(self) -> None:
        if not self.done:
            self._commits.wait(self._ticket)


class GroupCommit(Generic[Item]):
    """Items queued by any thread, written in batches by ``write`` (one commit each)."""

    def __init__(self, write: Callable[[list[Item]], None]):
        self._write = write
        self._commit = threading.Condition()
        self._queued: list[tuple[int, Item]] = []
        self._tickets = 0
        self._committed = 0
        self._committing = False
        self.error: BaseException | None = None

    def record(self, item: Item) -> Saved:
        """Queue one item; the handle says when it is committed.

        Nothing is written here: the next caller of :meth:`Saved.wait` that finds no
        commit under way writes everything queued so far in one transaction.
        """
        with self._commit:
            if self.error is not None:
                raise self.error
            self._tickets += 1
            self._queued.append((self._tickets, item))
            return Saved(self, self._tickets)

    def wait_all(self) -> None:
        """Return once everything queued so far is committed."""
        self.wait(self._tickets)

    def wait(self, ticket: int) -> None:
        with self._commit:
            while self._committed < ticket:
                if self.error is not None:
                    raise self.error
                if self._committing:
                    self._commit.wait()
                    continue
                self._flush_locked()

    def _flush_locked(self) -> None:
        """Commit what is queued (called holding ``_commit``, which it lets go meanwhile)."""
        self._committing = True
        batch, self._queued = self._queued, []
        self._commit.release()
        written = False
        try:
            if batch:
                self._write([item for _, item in batch])
            written = True
        except BaseException as exc:
            self.error = exc
            raise
        finally:
            self._commit.acquire()
            self._committing = False
            # Only a commit that succeeded counts: when it failed (a locked database, a
            # full disk), the connections waiting for it must not send their final dot.
            if batch and written:
                self._committed = max(self._committed, batch[-1][0])
            self._commit.notify_all()
