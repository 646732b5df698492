"""Send control: a send's state, its schedule, and the operator's pause, resume and cancel.

The state lives in the ``sends`` table, so every worker of a send — in this process,
another process, another machine — obeys the same word: a worker claims journal rows
only while its send is ``running`` (the claim itself checks it), so a pause or a cancel
stops every worker at its next claim, and the messages already on a connection finish
and are recorded. Nothing here signals a process; the database is the only channel.

::

    scheduled ──(due: `newsletter worker`; or `newsletter send` now)──▶ running
    running ──pause──▶ paused ──resume──▶ running
    scheduled, running, paused ──cancel──▶ cancelled          (final)
    running ──(no row left open)──▶ done ──(deferred rows retried by `send`)──▶ running
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsletter.deliver.db import deliveries, now, sends
from newsletter.exceptions import NewsletterError

SCHEDULED, RUNNING, PAUSED, CANCELLED, DONE = "scheduled", "running", "paused", "cancelled", "done"
STATES = (SCHEDULED, RUNNING, PAUSED, CANCELLED, DONE)
OPEN_ROWS = ("pending", "retry")  # the journal's statuses a worker may still claim

# action → (states it applies to, the state it leads to)
TRANSITIONS = {
    "pause": ((RUNNING,), PAUSED),
    "resume": ((PAUSED,), RUNNING),
    "cancel": ((SCHEDULED, RUNNING, PAUSED), CANCELLED),
    "reopen": ((DONE,), RUNNING),  # `newsletter send` again, to retry deferred rows
}


@dataclass(frozen=True)
class SendPlan:
    """How a send is to be run, kept with it (``sends.options``) for `newsletter worker`.

    Only what is not secret: the SMTP URL and its password, and the unsubscribe secret,
    come from the environment of whoever runs the send.
    """

    concurrency: int = 4
    workers: int = 1
    rate: float | None = None
    language: str | None = None
    resend_unknown: bool = False  # also the rows whose server reply never came
    window: int = 1  # messages a connection hands over ahead of the journal (send.py)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> SendPlan:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in json.loads(text or "{}").items() if k in known})


@dataclass(frozen=True)
class SendInfo:
    """One send as `newsletter sends` lists it: its state and its rows per status."""

    id: str
    issue_id: str
    state: str
    recipients: int
    created_at: dt.datetime
    start_at: float | None
    issue_path: str | None
    plan: SendPlan
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def open(self) -> int:
        """Rows still to send (pending, or waiting for a retry)."""
        return sum(self.counts.get(s, 0) for s in OPEN_ROWS)


def schedule_send(
    engine: Engine,
    send_id: str,
    issue_id: str,
    issue_path: Path,
    start_at: dt.datetime,
    plan: SendPlan,
) -> None:
    """Journal a send to start at ``start_at`` (or move a scheduled one to that time).

    The recipient list is taken when the send starts, not now: whoever joins or leaves
    before then is mailed or not accordingly.
    """
    values = {"start_at": start_at.timestamp(), "issue_path": str(issue_path.resolve()),
              "options": plan.to_json()}  # fmt: skip
    with engine.begin() as connection:
        row = connection.execute(
            sa.select(sends.c.issue_id, sends.c.state).where(sends.c.id == send_id)
        ).first()
        if row is None:
            connection.execute(
                sends.insert().values(
                    id=send_id, issue_id=issue_id, message_key=secrets.token_hex(8), recipients=0,
                    created_at=now(), state=SCHEDULED, **values,
                )
            )  # fmt: skip
            return
        if row.issue_id != issue_id:
            raise NewsletterError(
                f"send '{send_id}' was made for issue {row.issue_id}, not {issue_id}: "
                "choose another --send-id"
            )
        if row.state != SCHEDULED:
            raise NewsletterError(
                f"send '{send_id}' is {row.state}, it cannot be scheduled again: "
                "choose another --send-id"
            )
        connection.execute(sends.update().where(sends.c.id == send_id).values(**values))


def keep_plan(engine: Engine, send_id: str, issue_path: Path, plan: SendPlan) -> None:
    """Remember how a send started by `newsletter send` runs, so a worker can go on with it
    after a crash or a resume."""
    with engine.begin() as connection:
        connection.execute(
            sends.update()
            .where(sends.c.id == send_id)
            .values(issue_path=str(issue_path.resolve()), options=plan.to_json())
        )


def change_state(engine: Engine, send_id: str, action: str) -> str:
    """Pause, resume or cancel a send; returns its new state.

    One conditional UPDATE, so two operators acting at once cannot, say, resume a send
    the other just cancelled. Raises NewsletterError when the send does not exist or its
    state does not allow the action.
    """
    allowed, target = TRANSITIONS[action]
    with engine.begin() as connection:
        changed = connection.execute(
            sends.update()
            .where(sends.c.id == send_id)
            .where(sends.c.state.in_(allowed))
            .values(state=target)
        ).rowcount
        if changed:
            return target
        state = connection.execute(sa.select(sends.c.state).where(sends.c.id == send_id)).scalar()
    if state is None:
        raise NewsletterError(f"no send '{send_id}' (`newsletter sends` lists them)")
    raise NewsletterError(f"send '{send_id}' is {state}: it cannot {action} "
                          f"(only a send that is {' or '.join(allowed)} can)")  # fmt: skip


def state_of(engine: Engine, send_id: str) -> str | None:
    """The send's state, or None when there is no such send."""
    with engine.connect() as connection:
        return connection.execute(sa.select(sends.c.state).where(sends.c.id == send_id)).scalar()


def finish(engine: Engine, send_id: str) -> str | None:
    """After a run: a running send with no row left open is done. Returns the state."""
    still_open = (
        sa.select(deliveries.c.send_id)
        .where(deliveries.c.send_id == send_id)
        .where(deliveries.c.status.in_(OPEN_ROWS))
    )
    with engine.begin() as connection:
        connection.execute(
            sends.update()
            .where(sends.c.id == send_id)
            .where(sends.c.state == RUNNING)
            .where(~sa.exists(still_open))
            .values(state=DONE)
        )
    return state_of(engine, send_id)


def list_sends(engine: Engine, send_id: str | None = None) -> list[SendInfo]:
    """Every send (or one), newest first, with its journal rows counted per status."""
    query = sa.select(sends).order_by(sends.c.created_at.desc(), sends.c.id)
    counted = sa.select(deliveries.c.send_id, deliveries.c.status, sa.func.count()).group_by(
        deliveries.c.send_id, deliveries.c.status
    )
    if send_id:
        query = query.where(sends.c.id == send_id)
        counted = counted.where(deliveries.c.send_id == send_id)
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
        counts: dict[str, dict[str, int]] = {}
        for sid, status, number in connection.execute(counted):
            counts.setdefault(sid, {})[status] = number
    return [_info(row, counts.get(row["id"], {})) for row in rows]


def _info(row: Any, counts: dict[str, int]) -> SendInfo:
    return SendInfo(
        row["id"], row["issue_id"], row["state"], row["recipients"], row["created_at"],
        row["start_at"], row["issue_path"], SendPlan.from_json(row["options"]), counts,
    )  # fmt: skip


def runnable(engine: Engine, moment: float | None = None) -> list[SendInfo]:
    """What `newsletter worker` should run now: scheduled sends that are due, and
    running ones with rows left open (resumed, or whose process stopped), oldest first."""
    moment = time.time() if moment is None else moment
    found = [
        s
        for s in list_sends(engine)
        if (s.state == SCHEDULED and (s.start_at or 0) <= moment)
        or (s.state == RUNNING and s.open)
    ]
    return sorted(found, key=lambda s: (s.start_at or 0, s.created_at))
