"""``send --workers N``: N processes on this machine sharing one journaled send.

One Python process keeps one core busy (building messages and speaking SMTP hold the
GIL); the journal's claims let processes share a send with no coordination beyond the
database, so more processes are just more claimers. The messages are built once in the
parent; the workers are *forked* from it after that, so they start at once with the
package already imported (``spawn`` re-imported it in each: about 0.4 s of CPU per
worker, measured, on the cores the send needs). A forked child must not use its parent's
database connections: the caller disposes of its engine's pool before the fork (see
:func:`newsletter.deliver.runner.run_journaled`), and each worker opens its own.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from newsletter.deliver.journal import LEASE_SECONDS, JournalOutbox
from newsletter.deliver.messages import MessageFactory
from newsletter.deliver.send import Delivery, RetryPolicy, SendCounts, smtp_transport
from newsletter.deliver.smtp import SmtpSettings

COUNTED = ("sent", "failed", "bounced", "deferred", "skipped", "unknown", "retries")


@dataclass(frozen=True)
class WorkerJob:
    """What one worker process needs; everything in it can be pickled."""

    database: str
    send_id: str
    factory: MessageFactory
    smtp: SmtpSettings
    editions: dict[str, MessageFactory] = field(default_factory=dict)
    concurrency: int = 4
    rate: float | None = None
    language: str | None = None
    lease: float = LEASE_SECONDS
    resend_unknown: bool = False
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def run_worker_here(engine: Engine, job: WorkerJob) -> Delivery:
    """The delivery of one worker, in this process, on an open database."""
    outbox = JournalOutbox(
        engine, job.send_id, language=job.language, lease=job.lease,
        resend_unknown=job.resend_unknown,
    )  # fmt: skip
    return Delivery(
        outbox, job.factory, smtp_transport(job.smtp), concurrency=job.concurrency,
        rate=job.rate, retry=job.retry, editions=job.editions,
    )  # fmt: skip


def run_worker(job: WorkerJob) -> dict[str, object]:
    """One worker's whole run (in its own process); its counts as a plain dict."""
    from newsletter.deliver.db import open_database

    counts = run_worker_here(open_database(job.database), job).run()
    return {**{name: getattr(counts, name) for name in COUNTED}, "failures": counts.failures}


def run_workers(
    job: WorkerJob, workers: int, on_progress: Callable[[], None] | None = None
) -> SendCounts:
    """Run ``workers`` processes on the same send; their counts added up.

    The rate limit is split between them. The first worker error is raised after the
    others have finished (they stop on their own when the server is unreachable).
    """
    share = job.rate / workers if job.rate else None
    each = WorkerJob(**{**job.__dict__, "rate": share})
    total = SendCounts()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_worker, each) for _ in range(workers)]
        while wait(futures, timeout=0.5).not_done:
            if on_progress:
                on_progress()
        if on_progress:
            on_progress()
        errors = [f.exception() for f in futures if f.exception() is not None]
        for future in futures:
            if future.exception() is None:
                result = future.result()
                for name in COUNTED:
                    setattr(total, name, getattr(total, name) + result[name])
                total.failures.extend(result["failures"])  # type: ignore[arg-type]
    if errors:
        raise errors[0]
    return total
