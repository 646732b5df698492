"""``newsletter worker``: starts scheduled sends when they are due, and carries on sends
that are running with nobody left to finish them (resumed, or their process stopped)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import click

from newsletter.commands.options import db_option, open_db
from newsletter.commands.progress import report_counts
from newsletter.exceptions import NewsletterError


@click.command()
@click.option(
    "--smtp",
    envvar="NEWSLETTER_SMTP_URL",
    metavar="URL",
    help="The SMTP server, as for `send` (default: $NEWSLETTER_SMTP_URL); the password "
    "comes from $NEWSLETTER_SMTP_PASSWORD.",
)
@click.option("--once", is_flag=True,
              help="Run what is due now, then exit (for a systemd timer or cron).")  # fmt: skip
@click.option("--every", type=click.FloatRange(min=0.5), default=30, show_default=True,
              metavar="SECONDS", help="How often to look for due sends.")  # fmt: skip
@db_option
@click.pass_context
def worker(ctx: click.Context, smtp: str | None, once: bool, every: float, db: str | None) -> None:
    """Start scheduled sends (`newsletter send ISSUE --at TIME`) when they are due.

    Runs until stopped, looking every --every seconds; with --once it runs what is due
    and exits, for a systemd timer or cron. A running send whose process stopped, or
    one resumed with `newsletter sends resume`, is carried on too; several workers (here
    or on other machines sharing a PostgreSQL list) share a send without double mail.
    Each send runs with the options given when it was scheduled (--workers,
    --concurrency, --rate, --language). Needs NEWSLETTER_SECRET, as `send` does.

    \b
    Example:
      newsletter worker --db list.db --smtp smtp://127.0.0.1:25 --once
    """
    from newsletter.deliver.sending.control import runnable
    from newsletter.deliver.sending.smtp_settings import smtp_settings
    from newsletter.deliver.tokens import secret_key

    key = secret_key()
    settings = smtp_settings(smtp)
    engine = open_db(db)
    # systemd stops a service with SIGTERM: finish the messages in flight, like Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            for info in runnable(engine):
                try:
                    _run(ctx, engine, info, key, settings)
                except NewsletterError as exc:  # this send's problem: say so, go on
                    if once:
                        raise
                    click.secho(f"error: send {info.id}: {exc}", fg="red", err=True)
            if once:
                return
            time.sleep(every)
    except KeyboardInterrupt:
        click.echo("worker stopped; what was sent is recorded", err=True)


def _run(ctx: click.Context, engine, info, key: bytes, settings) -> None:  # type: ignore[no-untyped-def]
    from newsletter.commands.send import run_send
    from newsletter.deliver.sending.journal import prepare_send
    from newsletter.deliver.sending.runner import approved_factories, issue_factories
    from newsletter.load import load_project
    from newsletter.review.status import describe_approval
    from newsletter.review.store import approval_of_send

    issue_dir = Path(info.issue_path or ".")
    approval = approval_of_send(engine, info.id)
    if approval is not None:  # the editions approved, whatever the folder holds now
        start = issue_dir if issue_dir.is_dir() else None
        project = load_project(ctx.obj.get("config"), start=start)
        issue_id, main_language, made = approved_factories(engine, approval, project, key,
                                                           info.id)  # fmt: skip
        click.echo(f"{info.id}: {describe_approval(approval, engine)}", err=True)
    elif not info.issue_path or not issue_dir.is_dir():
        raise NewsletterError(f"the issue folder {info.issue_path} of this send is gone")
    else:  # a send journaled before approvals existed: as it was then, from the folder
        issue_id, main_language, made = issue_factories(issue_dir, ctx.obj.get("config"), key)
    journal = prepare_send(engine, info.id, issue_id, list(made), main_language)
    counts = run_send(engine, journal, issue_dir, made, main_language, key, settings, info.plan)
    if counts is not None:
        report_counts(counts)
