"""``send --workers N``: N processes on this machine sharing one journaled send.

One Python process keeps one core busy (building messages and speaking SMTP hold the
GIL); the journal's claims let processes share a send with no coordination beyond the
database, so more processes are just more claimers. The messages are built once in the
parent; the workers are *forked* from it after that, so they start at once with the
package already imported (``spawn`` re-imported it in each: about 0.4 s of CPU per
worker, measured, on the cores the send needs). A forked child must not use its parent's
database connections: the caller disposes of its engine's pool before the fork (see
:func:`newsletter.deliver.sending.runner.run_journaled`), and each worker opens its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from sqlalchemy.engine import Engine

from newsletter.deliver.sending.journal import LEASE_SECONDS
from newsletter.deliver.sending.messages import MessageFactory
from newsletter.deliver.sending.outbox import JournalOutbox
from newsletter.deliver.sending.send import Delivery, RetryPolicy, SendCounts, smtp_transport
from newsletter.deliver.sending.smtp_settings import SmtpSettings
from newsletter.exceptions import TemporaryFailure, database_fault

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
    window: int = 1


def run_worker_here(engine: Engine, job: WorkerJob) -> Delivery:
    """The delivery of one worker, in this process, on an open database."""
    outbox = JournalOutbox(
        engine, job.send_id, language=job.language, lease=job.lease,
        resend_unknown=job.resend_unknown,
    )  # fmt: skip
    return Delivery(
        outbox, job.factory, smtp_transport(job.smtp), concurrency=job.concurrency,
        rate=job.rate, retry=job.retry, editions=job.editions, window=job.window,
    )  # fmt: skip


def run_worker(
    job: WorkerJob, on_progress: Callable[[SendCounts], None] | None = None
) -> tuple[str, dict[str, object]]:
    """One worker's whole run (in its own process): "done", or "stopped" when a signal
    stopped it (the messages in flight finished and recorded); its counts as plain data."""
    from newsletter.deliver.db import open_database

    delivery = run_worker_here(open_database(job.database), job)
    ending = "done"
    try:
        delivery.run(on_progress)
    except KeyboardInterrupt:
        ending = "stopped"
    counts = delivery.counts
    return ending, {**_counted(counts), "failures": counts.failures}


def _counted(counts: SendCounts) -> dict[str, int]:
    return {name: getattr(counts, name) for name in COUNTED}


def run_workers(
    job: WorkerJob, workers: int, on_progress: Callable[[SendCounts], None] | None = None
) -> SendCounts:
    """Run ``workers`` processes on the same send; their counts added up.

    ``on_progress`` gets the workers' counts so far, added up, about twice a second: each
    worker says its own as it goes (counting the journal's rows instead took 145 ms of
    the database every half second on a send of 1,000,000).

    The rate limit is split between them. The first worker error is raised after the
    others have finished (they stop on their own when the server is unreachable). A
    worker that dies (killed, out of memory) stops the others cleanly — each finishes
    and records the messages it has on a connection — and the run ends with a
    TemporaryFailure: run the same command again to resume. SIGINT or SIGTERM here
    (KeyboardInterrupt) is passed on to the workers, which stop the same way. The
    workers die with this process: if it is killed, they stop as on SIGTERM.
    """
    share = job.rate / workers if job.rate else None
    each = WorkerJob(**{**job.__dict__, "rate": share})
    context = multiprocessing.get_context("fork")
    parent = os.getpid()
    running: list[_Worker] = []
    for number in range(1, workers + 1):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_worker_process, args=(each, sender, parent),
                                  name=f"newsletter-worker-{number}")  # fmt: skip
        process.start()
        sender.close()
        running.append(_Worker(number, process, receiver))
    try:
        _wait_for(running, on_progress)
    except BaseException:  # Ctrl-C, SIGTERM, or the progress display's database read
        _stop(running)
        _wait_for(running, None)
        raise
    return _results(running)


@dataclass
class _Worker:
    number: int
    process: multiprocessing.process.BaseProcess
    results: Connection
    result: tuple[str, object] | None = None
    stopped: bool = False  # asked to stop by us
    so_far: dict[str, int] = field(default_factory=dict)  # its last progress report

    @property
    def died(self) -> bool:
        """Ended without a word (what it sent before exiting is in the pipe by now)."""
        alive = self.process.is_alive()
        self.collect()
        return self.result is None and not alive

    def collect(self) -> None:
        """Read what the worker said: progress reports, then its result."""
        while self.result is None and self.results.poll():
            try:
                message = self.results.recv()
            except (EOFError, OSError):  # it died before saying (more)
                return
            if message[0] == _PROGRESS:
                self.so_far = message[1]
            else:
                self.result = message


def _added_up(running: list[_Worker]) -> SendCounts:
    """The workers' counts so far (their results once they have ended)."""
    total = SendCounts()
    for worker in running:
        ended = worker.result[1] if worker.result and worker.result[0] != "error" else None
        counted = ended if isinstance(ended, dict) else worker.so_far
        for name in COUNTED:
            setattr(total, name, getattr(total, name) + int(counted.get(name, 0)))
    return total


def _wait_for(
    running: list[_Worker], on_progress: Callable[[SendCounts], None] | None
) -> None:
    """Until every worker has ended, reading their results as they come; a dead worker
    makes the others stop."""
    while True:
        alive = [w for w in running if w.process.is_alive()]
        for worker in running:
            worker.collect()
        if any(w.died for w in running):
            _stop(running)
        if not alive:
            break
        waitables = [w.process.sentinel for w in alive] + [w.results for w in alive]
        multiprocessing.connection.wait(waitables, timeout=0.5)
        if on_progress:
            on_progress(_added_up(running))
    for worker in running:
        worker.process.join()
        worker.collect()
    if on_progress:
        on_progress(_added_up(running))


def _stop(running: list[_Worker]) -> None:
    """Ask the live workers to stop as on SIGTERM (each once)."""
    for worker in running:
        if worker.process.is_alive() and not worker.stopped and worker.process.pid:
            worker.stopped = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.process.pid, signal.SIGTERM)


def _results(running: list[_Worker]) -> SendCounts:
    total = _added_up(running)  # every worker's result, when none died or failed (below)
    errors: list[BaseException] = []
    dead = []
    for worker in running:
        if worker.result is None:
            dead.append(worker)
            continue
        ending, value = worker.result
        if ending == "error":
            errors.append(value)  # type: ignore[arg-type]
            continue
        total.failures.extend(value["failures"])  # type: ignore[index]
    if dead:
        worker = dead[0]
        code = worker.process.exitcode or 0
        how = (f"was killed by {signal.Signals(-code).name}" if code < 0
               else f"stopped with exit status {code}")  # fmt: skip
        others = "the other workers finished their messages in flight and stopped; "
        raise TemporaryFailure(
            f"worker {worker.number} (pid {worker.process.pid}) {how}; "
            f"{others if len(running) > 1 else ''}what was sent is recorded: run the same "
            "command to resume"
        )
    if errors:
        raise errors[0]
    return total


def _worker_process(job: WorkerJob, results: Connection, parent: int) -> None:
    """The body of a worker process: run, then send back ("done" | "stopped", counts) or
    ("error", exception)."""
    signal.signal(signal.SIGTERM, _stop_once)
    signal.signal(signal.SIGINT, _stop_once)
    _die_with(parent)
    try:
        message: tuple[str, object] = run_worker(job, _reporter(results))
    except KeyboardInterrupt:  # stopped before its delivery began
        message = ("stopped", {**dict.fromkeys(COUNTED, 0), "failures": []})
    except Exception as exc:
        message = ("error", _portable(exc))
    with contextlib.suppress(OSError):  # the parent may be gone
        results.send(message)
        results.close()


_PROGRESS = "progress"


def _reporter(results: Connection) -> Callable[[SendCounts], None]:
    """A worker's progress, told to the parent through its pipe when it has changed
    (Delivery.run asks five times a second)."""
    told: dict[str, int] = {}

    def report(counts: SendCounts) -> None:
        counted = _counted(counts)
        if counted != told:
            told.update(counted)
            with contextlib.suppress(OSError):  # the parent may be gone
                results.send((_PROGRESS, counted))

    return report


def _stop_once(_signum: int, _frame: object) -> None:
    """SIGTERM or SIGINT (Ctrl-C reaches the whole process group, and the parent passes
    it on too): stop like Ctrl-C, and ignore the next one so the messages in flight
    finish and are recorded."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _die_with(parent: int) -> None:
    """Get SIGTERM when the parent dies (even of kill -9), so no worker goes on alone:
    prctl(PR_SET_PDEATHSIG) on Linux, and a watch of getppid() every second anywhere."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _portable(exc: Exception) -> BaseException:
    """An error that can cross to the parent in one piece: a database fault becomes a
    TemporaryFailure of one line (the CLI's exit 75), anything else as it is if it can
    be pickled."""
    fault = database_fault(exc)
    if fault is not None:
        return TemporaryFailure(fault)
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
