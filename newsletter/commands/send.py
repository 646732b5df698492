"""``newsletter send``: an issue to the list, a test send, or a dry run into a folder."""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path

import click

from newsletter.commands.options import (
    TIME,
    IssueFolder,
    comma_list,
    db_option,
    describe_time,
    open_db,
)
from newsletter.commands.progress import progress_display, report_counts, unknown_hint
from newsletter.exceptions import NewsletterError


@click.command()
@click.argument("issue_dir", type=IssueFolder())
@click.option(
    "--smtp",
    envvar="NEWSLETTER_SMTP_URL",
    metavar="URL",
    help="smtp://user@host:587?starttls, smtps://user@host:465 or smtp://host:25 "
    "(default: $NEWSLETTER_SMTP_URL). The password comes from $NEWSLETTER_SMTP_PASSWORD.",
)
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
              help="SMTP connections used at once.")  # fmt: skip
@click.option("--window", type=click.IntRange(1, 256), default=1, show_default=True,
              metavar="N",
              help="Messages each connection hands over before the first of them is "
                   "journaled: faster, and after a crash or kill at most N per connection "
                   "go twice (1: at most one).")  # fmt: skip
@click.option("--rate", type=click.FloatRange(min=0.1), metavar="R",
              help="At most R messages/s over all connections (default: no limit).")  # fmt: skip
@click.option("--to", "to", callback=comma_list, metavar="A@X,B@Y",
              help="Test send to these addresses only (not journaled).")  # fmt: skip
@click.option(
    "--dry-run",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write one .eml per recipient into DIR instead of sending.",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes sharing the send (one core each); any number of `send` "
                   "commands, here or on other machines, share it too.")  # fmt: skip
@click.option("--lease", type=click.FloatRange(min=1), default=60, show_default=True,
              metavar="SECONDS", hidden=True,
              help="How long a claim on journal rows holds without renewal.")  # fmt: skip
@click.option("--resend-unknown", is_flag=True,
              help="Send again the messages whose server reply never came (journaled "
                   "'unknown': the server may have them, so they are not resent unless "
                   "asked).")  # fmt: skip
@click.option("--retry-failed", is_flag=True,
              help="Send again to the recipients of this (existing) send whose messages "
                   "were refused for good ('failed'), once the cause is fixed; not to "
                   "addresses that bounced, nor to anyone who left the list since.")  # fmt: skip
@click.option("--send-id", help="Journal name of this send (default: the issue id).")
@click.option("--language", metavar="LANG",
              help="Only the readers of this language's edition (with --to: the edition "
                   "the test addresses get).")  # fmt: skip
@click.option("--at", type=TIME, metavar="TIME",
              help="Do not send now: journal the send to start at TIME (\"2021-01-15 08:00\" "
                   "in this machine's time zone, or ISO 8601 with an offset); "
                   "`newsletter worker` starts it.")  # fmt: skip
@db_option
@click.pass_context
def send(
    ctx: click.Context,
    issue_dir: Path,
    smtp: str | None,
    concurrency: int,
    window: int,
    rate: float | None,
    to: list[str] | None,
    dry_run: Path | None,
    workers: int,
    lease: float,
    resend_unknown: bool,
    retry_failed: bool,
    send_id: str | None,
    language: str | None,
    at: dt.datetime | None,
    db: str | None,
) -> None:
    """Send an issue's e-mail edition to every subscriber.

    The recipient list is journaled before the first message: if the send stops (a
    crash, kill -9, a server that hangs up), run the same command again and it resumes
    where it stopped, mailing nobody twice except the few messages in flight. Running
    it while another run works (here or elsewhere) shares the send: nobody gets two. Needs
    NEWSLETTER_SECRET (signs the unsubscribe links; the same value for `serve`).

    \b
    Examples:
      newsletter send issues/2020-12 --to editor@um.krakow.pl --smtp smtp://localhost:1025
      newsletter send issues/2020-12 --db list.db --dry-run /tmp/eml
      NEWSLETTER_SMTP_PASSWORD=… newsletter send issues/2020-12 --db list.db \\
          --smtp 'smtp://newsletter@smtp.example.pl:587?starttls' --concurrency 4 --rate 20
      newsletter send issues/2021-01 --db list.db --at "2021-01-15 08:00" --workers 2
      newsletter send issues/2021-01 --db list.db --retry-failed    # after `newsletter report`
    """
    from newsletter.deliver.sending import send as sending
    from newsletter.deliver.sending.messages import Recipient
    from newsletter.deliver.sending.runner import approved_factories, issue_factories
    from newsletter.deliver.sending.smtp_settings import smtp_settings
    from newsletter.deliver.tokens import secret_key
    from newsletter.load import load_project

    # SIGTERM (systemd, kill, a container's stop) stops a send as Ctrl-C does: the
    # messages in flight are finished and recorded, so none goes twice on the next run.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    if retry_failed and (to or dry_run or at):
        raise NewsletterError("--retry-failed retries a send to the list: not with --to, "
                              "--dry-run or --at")  # fmt: skip
    if not (to or dry_run):
        from newsletter.deliver.doctor import placeholder_warning
        from newsletter.load import load_project

        loud = placeholder_warning(load_project(ctx.obj.get("config")).site)
        if loud:
            click.secho(loud, fg="red", bold=True, err=True)
    if at is not None:  # the worker that starts it needs the SMTP URL and the secret
        if to or dry_run:
            raise NewsletterError("--at schedules a send to the list: not with --to or --dry-run")
        how = plan(concurrency, workers, rate, language, window=window)
        return _schedule(ctx, issue_dir, at, send_id, db, how)
    key = secret_key()
    transport = None
    settings = None
    if dry_run:
        dry_run.mkdir(parents=True, exist_ok=True)
        transport = lambda: sending.DirectoryTransport(dry_run)  # noqa: E731
    else:
        settings = smtp_settings(smtp)  # checked before any work
        transport = sending.smtp_transport(settings)
    name = "test" if to else "dry-run" if dry_run else send_id
    engine = approval = None
    if to or dry_run:  # a look at the folder as it is: drafts too
        issue_id, main_language, made = issue_factories(issue_dir, ctx.obj.get("config"), key,
                                                        send_id=name)  # fmt: skip
    else:  # to the list: only the editions approved (stored), never the folder
        engine = open_db(db)
        approval = _approval_to_send(ctx, engine, issue_dir, send_id)
        issue_id, main_language, made = approved_factories(
            engine, approval, load_project(ctx.obj.get("config"), start=issue_dir), key, send_id)
    if language and language not in made:
        raise NewsletterError(
            f"issue {issue_id} has no '{language}' edition (it has: {', '.join(made)})"
        )

    def delivery(outbox, **options):  # type: ignore[no-untyped-def]
        return sending.Delivery(outbox, made[main_language], transport, editions=made, **options)

    if to:
        from newsletter.deliver.audience import subscribers as subs

        engine = open_db(db) if db else None
        recipients = []
        for address in to:
            checked = subs.candidate(address)
            found = subs.find(engine, checked.email) if engine else None
            # Subscribers get their real link; others one the endpoint rejects (id 0).
            recipients.append(Recipient(found.id if found else 0, checked.email, None, language))
        test = delivery(sending.ListOutbox(recipients), concurrency=1, rate=rate)
        counts = _run(test.run, len(recipients), "test send")
        if engine is not None:
            _record_test(ctx, engine, issue_dir, issue_id, counts.sent)
    elif dry_run:
        from newsletter.deliver.audience import subscribers as subs

        engine = open_db(db)
        listed = subs.count(engine)[subs.SUBSCRIBED]
        recipients = (
            Recipient(s.id, s.email, s.name, s.language)
            for s in subs.iter_subscribers(engine, subs.SUBSCRIBED)
        )
        dry = delivery(sending.ListOutbox(recipients), concurrency=concurrency)
        counts = _run(dry.run, listed, "writing")
    else:
        assert settings is not None and engine is not None and approval is not None
        if retry_failed:
            _retryable(engine, send_id or issue_id)
        journal = sending.prepare_send(engine, send_id or issue_id, issue_id, list(made),
                                       main_language)  # fmt: skip
        _bind(engine, journal.id, approval)
        run_plan = plan(concurrency, workers, rate, language, resend_unknown, window)
        try:
            counts = run_send(engine, journal, issue_dir, made, main_language, key, settings,
                              run_plan, lease, retry_failed)  # fmt: skip
        except KeyboardInterrupt:
            raise NewsletterError(
                "interrupted; what was sent is recorded: run the same command to resume"
            ) from None
        if counts is None:
            return
    report_counts(counts, dry_run)


def plan(concurrency: int, workers: int, rate: float | None, language: str | None,
         resend_unknown: bool = False, window: int = 1):  # type: ignore[no-untyped-def]  # fmt: skip
    from newsletter.deliver.sending.control import SendPlan

    return SendPlan(concurrency=concurrency, workers=workers, rate=rate, language=language,
                    resend_unknown=resend_unknown, window=window)


def _schedule(ctx: click.Context, issue_dir: Path, at: dt.datetime, send_id: str | None,
              db: str | None, how) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    """Journal the send for later; `newsletter worker` starts it when it is due."""
    from newsletter.deliver.sending.control import schedule_send
    from newsletter.load import load_issue, load_project
    from newsletter.review.status import describe_approval, sendable
    from newsletter.review.store import bind_send

    project = load_project(ctx.obj.get("config"), start=issue_dir)
    issue = load_issue(issue_dir, project)  # a broken issue is refused now, not at 8:00
    if how.language and how.language not in [e.language for e in issue.editions()]:
        raise NewsletterError(f"issue {issue.id} has no '{how.language}' edition")
    engine = open_db(db)
    sid = send_id or issue.id
    approval = sendable(engine, issue_dir, project)  # fixed now: what 8:00 sends
    schedule_send(engine, sid, issue.id, issue_dir, at, how)
    bind_send(engine, sid, approval)  # moved to another time: the version approved now
    click.echo(f"{sid}: {describe_approval(approval, engine)}", err=True)
    click.echo(f"scheduled {sid} for {describe_time(at)}; `newsletter worker` starts it then "
               f"(`newsletter sends cancel {sid}` to cancel)")  # fmt: skip


def _approval_to_send(ctx: click.Context, engine, issue_dir: Path,
                      send_id: str | None):  # type: ignore[no-untyped-def]  # fmt: skip
    """The approval whose stored editions go to the list: the folder's valid approval
    (else an error naming what changed), or, for a send already journaled, the one it
    started with (one send, one version)."""
    from newsletter.load import load_project
    from newsletter.review.status import sendable
    from newsletter.review.store import approval_of_send

    project = load_project(ctx.obj.get("config"), start=issue_dir)
    approval = sendable(engine, issue_dir, project)
    started = approval_of_send(engine, send_id or approval.issue_id)
    if started is None:
        return approval
    if not started.same_version(approval):
        click.echo(f"send {send_id or approval.issue_id} goes on with the version it started "
                   f"with (sha256 {started.short}); a send of the version approved since "
                   "needs its own --send-id", err=True)  # fmt: skip
    return started


def _bind(engine, send_id: str, approval) -> None:  # type: ignore[no-untyped-def]
    """Record the approval a send carries (kept when it already has one), and say it."""
    from newsletter.review.status import describe_approval
    from newsletter.review.store import approval_of_send, bind_send

    bound = approval_of_send(engine, send_id)
    if bound is None:
        bind_send(engine, send_id, approval)
        bound = approval
    click.echo(f"{send_id}: {describe_approval(bound, engine)}", err=True)


def _record_test(ctx: click.Context, engine, issue_dir: Path, issue_id: str,
                 sent: int) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    """Mark the test send in the records, with whether the folder was approved then."""
    from newsletter.load import load_project
    from newsletter.review.folder import folder_files
    from newsletter.review.status import review_status
    from newsletter.review.store import record_test_send

    status = review_status(engine, issue_dir, issue_id,
                           load_project(ctx.obj.get("config"), start=issue_dir))  # fmt: skip
    approval = status.approval if status.approved else None
    record_test_send(engine, issue_id, sent, folder_files(issue_dir), approval)
    click.echo(f"test send of {issue_id}: {status.describe()}", err=True)


def _retryable(engine, send_id: str) -> None:  # type: ignore[no-untyped-def]
    """--retry-failed needs a send that has run: refuse a new or a scheduled one."""
    from newsletter.deliver.sending import control

    state = control.state_of(engine, send_id)
    if state is None:
        raise NewsletterError(f"no send '{send_id}' to retry (`newsletter sends` lists them; "
                              "--send-id names one)")  # fmt: skip
    if state == control.SCHEDULED:
        raise NewsletterError(f"send '{send_id}' has not started: nothing has failed yet")


def run_send(engine, journal, issue_dir: Path, made, main_language: str, key: bytes, settings,
             how, lease: float = 60.0, retry_failed: bool = False):  # type: ignore[no-untyped-def]  # fmt: skip
    """Run a journaled send (started, resumed or joined) with progress; its counts, or
    None when nothing was left to do. Shared with `newsletter worker`. ``retry_failed``:
    first put the failed rows of people still subscribed back in the queue."""
    from newsletter.deliver.sending import control
    from newsletter.deliver.sending import send as sending
    from newsletter.deliver.sending.runner import run_journaled

    if journal.state in (control.PAUSED, control.CANCELLED):
        hint = (f"`newsletter sends resume {journal.id}` continues it"
                if journal.state == control.PAUSED else "use --send-id for a new send")  # fmt: skip
        raise NewsletterError(f"send {journal.id} is {journal.state}: {hint}")
    for factory in made.values():
        factory.message_key = journal.message_key
    if retry_failed:
        reopened = sending.reopen_failed(engine, journal.id, how.language)
        click.echo(f"retrying {journal.id}: {reopened:,} failed recipient"
                   f"{'' if reopened == 1 else 's'} back in the queue", err=True)  # fmt: skip
    done = sending.journal_counts(engine, journal.id, how.language)
    todo = done[sending.PENDING] + done[sending.RETRY] + done[sending.DEFERRED]
    todo += done[sending.UNKNOWN] if how.resend_unknown else 0
    verb = "resuming" if journal.resumed else "sending"
    click.echo(
        f"{verb} {journal.id}: {journal.recipients:,} recipients, "
        f"{done[sending.SENT]:,} already sent, {todo:,} to send",
        err=True,
    )
    if not todo:
        click.echo("nothing left to send", err=True)
        unknown_hint(done[sending.UNKNOWN])
        control.finish(engine, journal.id)
        return None
    if journal.state == control.DONE:  # deferred rows to retry
        control.change_state(engine, journal.id, "reopen")
    control.keep_plan(engine, journal.id, issue_dir, how)
    with progress_display(todo, f"{verb} {journal.id}") as on_progress:
        counts = run_journaled(engine, journal.id, main_language, made, settings, how,
                               on_progress, lease)  # fmt: skip
    if counts.halted:
        click.echo(f"send {journal.id} {counts.halted}: the messages in flight were finished",
                   err=True)  # fmt: skip
    return counts


def _run(work, total: int, label: str):  # type: ignore[no-untyped-def]
    """Run a test send or a dry run with progress."""
    with progress_display(total, label) as on_progress:
        try:
            return work(on_progress)
        except KeyboardInterrupt:
            raise NewsletterError("interrupted") from None
