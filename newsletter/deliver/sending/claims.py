"""The journal's claims: the statements that take a send's next free rows for a worker.

Kept apart from the outbox that runs them: they change with the databases and their
planners (EXPLAIN on 1,000,000 rows: docs/delivery.md, "PostgreSQL: indexes and plans"),
not with how a send goes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from newsletter.deliver.db import deliveries, sends, subscribers
from newsletter.deliver.sending.control import RUNNING
from newsletter.deliver.sending.journal import PENDING, RETRY


def claim_statements(send_id: str, owner: str, language: str | None, postgres: bool) -> list[Any]:
    """The claims of up to ``:limit`` free rows, due retries first, then pending rows,
    lowest subscriber first in each; run in turn until ``limit`` rows are taken.

    One status at a time, by equality: an index then hands the rows over in order
    (SQLite: deliveries_pending; PostgreSQL: the partial deliveries_open). With
    ``status IN (pending, retry)`` SQLite walked the primary key past every row already
    sent, on every claim: a claim took 6 ms at the end of 20,000 rows, and would take
    seconds near the end of a million. Built once: SQLAlchemy's statement building
    cost as much CPU as the query.
    """
    running = (
        sa.select(sends.c.id).where(sends.c.id == send_id).where(sends.c.state == RUNNING)
    )
    claim = deliveries.update()
    if not postgres:
        claim = claim.where(deliveries.c.send_id == send_id)
    claim = (
        claim.where(sa.exists(running))  # paused or cancelled: nothing more is claimed
        .values(lease_owner=owner, lease_until=sa.bindparam("until", type_=sa.Float))
        .returning(deliveries.c.subscriber_id, deliveries.c.language, deliveries.c.attempts)
    )
    if not postgres:
        column = deliveries.c.subscriber_id
        return [
            claim.where(column.in_(_free(send_id, language, deliveries, status, column)))
            for status in (RETRY, PENDING)
        ]
    # PostgreSQL: one statement, one round trip. Both statuses' rows are chosen in
    # one list (retries first: UNION ALL keeps the order, and stops at the limit, so
    # the pending rows past it are not even locked), then found again by their
    # address (ctid = ANY(ARRAY(…))): the ARRAY is computed once (an InitPlan) and
    # read with a TID scan, whatever the planner believes of the table. Joined back
    # by key instead (IN, or a MATERIALIZED CTE), a planner with stale statistics (a
    # journal just written, reltuples 0) walked the whole send for every claim: 3.1 s
    # a claim on 1,000,000 rows (EXPLAIN ANALYZE, docs/delivery.md). The rows are
    # locked by the same statement, so their ctid cannot change before the UPDATE.
    # Each status in its own subquery: FOR UPDATE is not allowed in a UNION's arms.
    arms = []
    for status in (RETRY, PENDING):
        name = f"{status}_rows"
        ctid = sa.literal_column(f"{name}.ctid").label("ctid")
        free = _free(send_id, language, deliveries.alias(name), status, ctid)
        rows = free.subquery(f"{status}_arm")
        arms.append(sa.select(rows.c.ctid))
    chosen = sa.union_all(*arms).limit(sa.bindparam("limit", type_=sa.Integer))
    address = sa.literal_column("deliveries.ctid")
    # The claimed rows' people come back with them: a second statement per claim (its
    # round trip, and SQLAlchemy's execute) was a third of the producer's CPU (py-spy
    # --gil of bench/send.py --pg). Each is found by its primary key in a subquery of
    # RETURNING, whatever the planner believes of the tables (a join in UPDATE … FROM
    # may be planned as a scan of every subscriber when their statistics are stale).
    person = [
        sa.select(column).where(subscribers.c.id == deliveries.c.subscriber_id)
        .scalar_subquery().label(f"person_{column.name}")
        for column in (subscribers.c.email, subscribers.c.name, subscribers.c.status)
    ]  # fmt: skip
    claim = claim.returning(*person)
    return [claim.where(address == sa.func.any(sa.func.array(chosen.scalar_subquery())))]

def _free(
    send_id: str, language: str | None, table: sa.FromClause, status: str, column: sa.ColumnElement
) -> Any:
    """``column`` of up to ``:limit`` rows of ``table`` (the journal or an alias of it)
    of one status that nobody holds and that are due, locked with SKIP LOCKED."""
    moment = sa.bindparam("moment", type_=sa.Float)
    c = table.c
    query = sa.select(column).where(c.send_id == send_id)
    if language:
        query = query.where(c.language == language)
    return (
        query
        .where(c.status == status)
        .where(sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= moment))
        .where(sa.or_(c.lease_until.is_(None), c.lease_until < moment))
        .order_by(c.subscriber_id)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .with_for_update(skip_locked=True)
    )
