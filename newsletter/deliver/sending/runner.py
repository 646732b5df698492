"""One run of a journaled send, as `newsletter send` and `newsletter worker` both start it.

The messages are made here from the approved editions stored with the send's approval
(:mod:`newsletter.review`), never from the issue folder, which may have changed since; only
a test send or a dry run renders the folder as it is. The run goes to one worker in this
process or to ``workers`` processes, and afterwards the send's state says how it ended:
done, or paused/cancelled by an operator meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from newsletter.deliver.sending import control
from newsletter.deliver.sending.journal import LEASE_SECONDS
from newsletter.deliver.sending.messages import MessageFactory
from newsletter.deliver.sending.send import SendCounts
from newsletter.deliver.sending.smtp_settings import SmtpSettings
from newsletter.deliver.sending.workers import WorkerJob, run_worker_here, run_workers
from newsletter.load import Project
from newsletter.review.store import Approval


def issue_factories(
    issue_dir: Path, config: Path | None, key: bytes, message_key: str | None = None,
    send_id: str | None = None,
) -> tuple[str, str, dict[str, MessageFactory]]:
    """The issue's id, its main language and the message factory of each language.

    Loads and renders the issue (a second or two): a worker does it once per send. A
    DKIM key that cannot sign stops here, before any message; ``send_id`` (default: the
    issue's id) goes into each message's Feedback-ID.
    """
    from newsletter.deliver.sending.signing import dkim_signer, feedback_id
    from newsletter.load import load_issue, load_project
    from newsletter.render.email import email_editions

    project = load_project(config, start=issue_dir)
    signer = dkim_signer(project.site)
    issue = load_issue(issue_dir, project)
    feedback = feedback_id(issue.id, send_id or issue.id, project.site.list_id)
    factories = {
        lang: MessageFactory.for_edition(
            project.site, issue.in_language(lang).subject_line, edition, key, message_key,
            lang, feedback_id=feedback, signer=signer,
        )
        for lang, edition in email_editions(issue, project).items()
    }  # fmt: skip
    return issue.id, issue.language, factories


def approved_factories(
    engine: Engine, approval: Approval, project: Project, key: bytes, send_id: str | None = None,
) -> tuple[str, str, dict[str, MessageFactory]]:
    """As :func:`issue_factories`, from the editions stored with ``approval``: the bytes
    approved, whatever the issue folder holds now."""
    from newsletter.deliver.sending.signing import dkim_signer, feedback_id
    from newsletter.review.editions import editions_from
    from newsletter.review.store import stored_files

    signer = dkim_signer(project.site)
    editions = editions_from(stored_files(engine, approval), approval.languages)
    feedback = feedback_id(approval.issue_id, send_id or approval.issue_id, project.site.list_id)
    factories = {
        lang: MessageFactory.for_edition(project.site, edition.subject, edition, key, None, lang,
                                         feedback_id=feedback, signer=signer)
        for lang, edition in editions.items()
    }  # fmt: skip
    return approval.issue_id, approval.languages[0], factories


def run_journaled(
    engine: Engine,
    send_id: str,
    main_language: str,
    factories: dict[str, MessageFactory],
    settings: SmtpSettings,
    plan: control.SendPlan,
    on_progress: Callable[[SendCounts], None] | None = None,
    lease: float = LEASE_SECONDS,
) -> SendCounts:
    """Run the send until no row is left open or an operator pauses or cancels it.

    ``counts.halted`` is then "paused" or "cancelled"; a send left with nothing open is
    marked done.
    """
    job = WorkerJob(
        engine.url.render_as_string(hide_password=False), send_id, factories[main_language],
        settings, factories, concurrency=plan.concurrency, rate=plan.rate, lease=lease,
        language=plan.language, resend_unknown=plan.resend_unknown, window=plan.window,
    )  # fmt: skip
    if plan.workers == 1:
        counts = run_worker_here(engine, job).run(on_progress)
    else:
        engine.dispose()  # no pooled connection crosses the fork (the workers open theirs)
        counts = run_workers(job, plan.workers, on_progress)
    state = control.finish(engine, send_id)
    if state in (control.PAUSED, control.CANCELLED):
        counts.halted = state
    return counts
