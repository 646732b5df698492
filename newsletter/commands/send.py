"""``newsletter send``: an issue to the list, a test send, or a dry run into a folder."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from newsletter.commands.options import comma_list, db_option, open_db
from newsletter.exceptions import NewsletterError


@click.command()
@click.argument("issue_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--smtp",
    envvar="NEWSLETTER_SMTP_URL",
    metavar="URL",
    help="smtp://user@host:587?starttls, smtps://user@host:465 or smtp://host:25 "
    "(default: $NEWSLETTER_SMTP_URL). The password comes from $NEWSLETTER_SMTP_PASSWORD.",
)
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
              help="SMTP connections used at once.")  # fmt: skip
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
@click.option("--send-id", help="Journal name of this send (default: the issue id).")
@click.option("--language", metavar="LANG",
              help="Only the readers of this language's edition (with --to: the edition "
                   "the test addresses get).")  # fmt: skip
@db_option
@click.pass_context
def send(
    ctx: click.Context,
    issue_dir: Path,
    smtp: str | None,
    concurrency: int,
    rate: float | None,
    to: list[str] | None,
    dry_run: Path | None,
    workers: int,
    lease: float,
    resend_unknown: bool,
    send_id: str | None,
    language: str | None,
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
    """
    from newsletter.deliver import send as sending
    from newsletter.deliver.messages import MessageFactory, Recipient
    from newsletter.deliver.signing import dkim_signer, feedback_id
    from newsletter.deliver.smtp import smtp_settings
    from newsletter.deliver.tokens import secret_key
    from newsletter.deliver.workers import WorkerJob, run_worker_here
    from newsletter.load import load_issue, load_project
    from newsletter.render.email import email_editions

    key = secret_key()
    transport = None
    settings = None
    if dry_run:
        dry_run.mkdir(parents=True, exist_ok=True)
        transport = lambda: sending.DirectoryTransport(dry_run)  # noqa: E731
    else:
        settings = smtp_settings(smtp)  # checked before any work
        transport = sending.smtp_transport(settings)
    project = load_project(ctx.obj.get("config"), start=issue_dir)
    signer = dkim_signer(project.site)  # a bad key stops here, before any message
    issue = load_issue(issue_dir, project)
    editions = email_editions(issue, project)
    if language and language not in editions:
        raise NewsletterError(
            f"issue {issue.id} has no '{language}' edition (it has: {', '.join(editions)})"
        )

    def factories(
        message_key: str | None = None, journal_id: str = "test"
    ) -> dict[str, MessageFactory]:
        feedback = feedback_id(issue.id, journal_id, project.site.list_id)
        return {
            lang: MessageFactory.for_edition(
                project.site, issue.in_language(lang).subject_line, edition, key, message_key,
                lang, feedback_id=feedback, signer=signer,
            )
            for lang, edition in editions.items()
        }  # fmt: skip

    def factory(message_key: str | None = None, journal_id: str = "test") -> MessageFactory:
        return factories(message_key, journal_id)[issue.language]

    def delivery(outbox, journal_id: str = "test", **options):  # type: ignore[no-untyped-def]
        made = factories(None, journal_id)
        return sending.Delivery(outbox, made[issue.language], transport, editions=made, **options)

    if to:
        from newsletter.deliver import subscribers as subs

        engine = open_db(db) if db else None
        recipients = []
        for address in to:
            checked = subs.candidate(address)
            found = subs.find(engine, checked.email) if engine else None
            # Subscribers get their real link; others one the endpoint rejects (id 0).
            recipients.append(Recipient(found.id if found else 0, checked.email, None, language))
        test = delivery(sending.ListOutbox(recipients), concurrency=1, rate=rate)
        counts = _run(test.run, len(recipients), "test send")
    elif dry_run:
        from newsletter.deliver import subscribers as subs

        engine = open_db(db)
        listed = subs.count(engine)[subs.SUBSCRIBED]
        recipients = (
            Recipient(s.id, s.email, s.name, s.language)
            for s in subs.iter_subscribers(engine, subs.SUBSCRIBED)
        )
        dry = delivery(sending.ListOutbox(recipients), "dry-run", concurrency=concurrency)
        counts = _run(dry.run, listed, "writing")
    else:
        engine = open_db(db)
        journal = sending.prepare_send(
            engine, send_id or issue.id, issue.id, list(editions), issue.language
        )
        done = sending.journal_counts(engine, journal.id, language)
        todo = done[sending.PENDING] + done[sending.RETRY] + done[sending.DEFERRED]
        todo += done[sending.UNKNOWN] if resend_unknown else 0
        verb = "resuming" if journal.resumed else "sending"
        click.echo(
            f"{verb} {journal.id}: {journal.recipients:,} recipients, "
            f"{done[sending.SENT]:,} already sent, {todo:,} to send",
            err=True,
        )
        if not todo:
            click.echo("nothing left to send", err=True)
            _unknown_hint(done[sending.UNKNOWN])
            return
        assert settings is not None
        job = WorkerJob(
            engine.url.render_as_string(hide_password=False), journal.id,
            factory(journal.message_key, journal.id), settings,
            factories(journal.message_key, journal.id),
            concurrency=concurrency, rate=rate, lease=lease, language=language,
            resend_unknown=resend_unknown,
        )  # fmt: skip
        if workers == 1:
            counts = _run(lambda progress: run_worker_here(engine, job).run(progress), todo, verb)
        else:
            progress = _journal_progress(engine, journal.id, todo, workers, job)
            counts = _run(progress, todo, verb)
    _summary(counts, dry_run)


def _journal_progress(engine, send_id: str, todo: int, workers: int, job):  # type: ignore[no-untyped-def]
    """Run worker processes; their progress is read from the journal."""
    from newsletter.deliver import send as sending
    from newsletter.deliver.workers import run_workers

    def run(progress):  # type: ignore[no-untyped-def]
        counts = sending.SendCounts()

        def update() -> None:
            left = sending.journal_counts(engine, send_id, job.language)
            counts.sent = max(0, todo - left[sending.PENDING] - left[sending.RETRY])
            progress(counts)

        return run_workers(job, workers, update)

    return run


def _run(work, total: int, label: str):  # type: ignore[no-untyped-def]
    """Run a delivery under a progress bar that shows the rate and the ETA."""
    started = time.monotonic()
    state = {"done": 0}

    def rate(_item: object) -> str:
        elapsed = max(time.monotonic() - started, 1e-6)
        return f"{state['done'] / elapsed:,.0f}/s"

    with click.progressbar(
        length=max(total, 1),
        label=label,
        show_eta=True,
        show_pos=True,
        item_show_func=rate,
        file=sys.stderr,
    ) as bar:

        def progress(counts) -> None:  # type: ignore[no-untyped-def]
            bar.update(counts.done - state["done"])
            state["done"] = counts.done

        try:
            return work(progress)
        except KeyboardInterrupt:
            raise NewsletterError(
                "interrupted; what was sent is recorded: run the same command to resume"
            ) from None


def _summary(counts, dry_run: Path | None) -> None:  # type: ignore[no-untyped-def]
    verb = "written" if dry_run else "sent"
    click.echo(
        f"{counts.sent:,} {verb}, {counts.failed:,} failed ({counts.bounced:,} hard bounces "
        f"marked), {counts.deferred:,} deferred, {counts.skipped:,} skipped (unsubscribed), "
        f"{counts.retries:,} retries" + (f", {counts.unknown:,} unknown" if counts.unknown else "")
    )
    for address, reply in counts.failures[:20]:
        click.secho(f"  {address}: {reply}", fg="yellow", err=True)
    if counts.deferred:
        click.echo("some messages were deferred: run the same command again to retry them")
    _unknown_hint(counts.unknown)
    if dry_run:
        click.echo(f"messages in {dry_run}")


def _unknown_hint(unknown: int) -> None:
    if unknown:
        click.echo(
            f"{unknown:,} messages got no reply after they were sent (journaled 'unknown'): "
            "the server may have them, so they are not resent; --resend-unknown sends them "
            "again"
        )
