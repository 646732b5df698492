"""The journal's leases: which claimed rows this worker holds, until when, and renewing them.

A row goes out only while its lease is ours: the expiry this worker *knows* it holds (a
claim's or a renewal's, taken only once committed) is checked before the message and
again before its final dot (:class:`Handover`), so a worker frozen past its lease does
not send the rows another one took over meanwhile. A live worker renews its leases every
third of a lease; a dead one's expire and are taken over (on this machine at once: its
process id is gone, :func:`alive_here`).
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from typing import Any

import sqlalchemy as sa

from newsletter.deliver.db import deliveries
from newsletter.deliver.sending.lanes import Lanes


class LeaseLost(Exception):
    """The lease of a row ran out before its message was handed over (the renewal
    stalled): another worker may be sending it, so this one must not."""


def worker_name() -> str:
    """``host:pid:random``: unique per run, and says whether the process still lives."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def alive_here(owner: str) -> bool:
    """False only for a worker of this machine whose process is gone."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Leases:
    """The rows of one send this worker claimed and has not done yet, with the lease
    expiry it knows it holds on each, renewed by a thread of its own."""

    def __init__(self, lanes: Lanes, send_id: str, lease: float):
        self.lanes = lanes
        self.send_id = send_id
        self.lease = lease
        self.owner = worker_name()
        self._lock = threading.Lock()
        # The margin covers the time from the check to the final dot.
        self._held: dict[int, float] = {}
        self._margin = min(5.0, lease / 10)
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._error: BaseException | None = None

    def hold(self, subscriber_ids: Any, until: float) -> None:
        """Rows claimed (committed): ours until ``until``."""
        with self._lock:
            self._held.update((subscriber_id, until) for subscriber_id in subscriber_ids)

    def release(self, subscriber_id: int) -> None:
        """Forget a row: its outcome is recorded, or it does not go out from here."""
        with self._lock:
            self._held.pop(subscriber_id, None)

    def held(self) -> list[int]:
        """The rows held now."""
        with self._lock:
            return list(self._held)

    def ours(self, subscriber_id: int) -> bool:
        until = self._held.get(subscriber_id)
        return until is not None and time.time() + self._margin < until

    def give_back(self, subscriber_id: int) -> None:
        """A row whose lease we no longer trust: free it if it is still ours, so it is
        claimed again (by us or another worker) instead of being renewed by us unsent."""
        self.release(subscriber_id)
        with self.lanes.transaction() as connection:
            connection.execute(
                deliveries.update()
                .where(deliveries.c.send_id == self.send_id)
                .where(deliveries.c.subscriber_id == subscriber_id)
                .where(deliveries.c.lease_owner == self.owner)
                .values(lease_owner=None, lease_until=None)
            )

    def start(self) -> None:
        """Start renewing."""
        self._renewer = threading.Thread(target=self._renew, daemon=True)
        self._renewer.start()

    def stop(self) -> None:
        self._stop.set()
        if self._renewer:
            self._renewer.join()

    def check(self) -> None:
        """Raise the error that stopped the renewals, if one did."""
        if self._error is not None:
            raise self._error

    def _renew(self) -> None:
        """Every third of a lease, extend ours. The rows it returns are the ones still
        ours; a row another worker took meanwhile (our renewal came too late) is not
        among them and keeps its old expiry here, so it does not go out from here. An
        error stops the renewals and, through claim() and active(), the sender."""
        renew = (
            deliveries.update()
            .where(deliveries.c.send_id == self.send_id)
            .where(deliveries.c.lease_owner == self.owner)
            .values(lease_until=sa.bindparam("until", type_=sa.Float))
            .returning(deliveries.c.subscriber_id)
        )
        while not self._stop.wait(self.lease / 3):
            until = time.time() + self.lease
            try:
                with self.lanes.transaction() as connection:
                    renewed = connection.execute(renew, {"until": until}).scalars().all()
            except Exception as exc:
                self._error = exc
                return
            with self._lock:
                for subscriber_id in renewed:
                    if subscriber_id in self._held:
                        self._held[subscriber_id] = until


class Handover:
    """The moment a message is handed over for good (SMTP's final dot) waits for this:
    the connection's previous outcome committed, and the row's lease still ours."""

    __slots__ = ("_leases", "_previous", "_subscriber_id")

    def __init__(self, leases: Leases, subscriber_id: int, previous: Any):
        self._leases = leases
        self._subscriber_id = subscriber_id
        self._previous = previous

    @property
    def done(self) -> bool:
        return self._previous.done and self._leases.ours(self._subscriber_id)

    def wait(self) -> None:
        self._previous.wait()
        if not self._leases.ours(self._subscriber_id):
            self._leases.give_back(self._subscriber_id)
            raise LeaseLost(f"the lease of row {self._subscriber_id} ran out before its message")
