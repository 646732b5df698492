"""``newsletter sends``: the journaled sends, their state and counts; pause, resume, cancel."""

from __future__ import annotations

import datetime as dt

import click

from newsletter.commands.options import db_option, describe_time, open_db

ORDER = ("sent", "pending", "retry", "failed", "deferred", "skipped", "unknown")


@click.group(invoke_without_command=True)
@db_option
@click.pass_context
def sends(ctx: click.Context, db: str | None) -> None:
    """List the sends with their state, recipients by status and the approval each
    carries (who, when, the editions' hash), then the test sends; pause, resume or cancel one.

    A send is scheduled, running, paused, cancelled or done. Pausing or cancelling
    stops every worker of the send (here or on other machines) at its next claim of
    recipients; the messages already on a connection finish and are recorded.

    \b
    Example:
      newsletter sends --db list.db
      newsletter sends pause 2021-01 --db list.db
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    if ctx.invoked_subcommand is None:
        _list(db)


def _list(db: str | None) -> None:
    from newsletter.deliver.sending.control import SCHEDULED, list_sends
    from newsletter.review.status import describe_approval
    from newsletter.review.store import approval_of_send, list_test_sends

    engine = open_db(db)
    found = list_sends(engine)
    tests = list_test_sends(engine)
    if not found and not tests:
        click.echo("no sends yet")
        return
    for info in found:
        if info.state == SCHEDULED:
            when = "starts " + describe_time(dt.datetime.fromtimestamp(info.start_at or 0, dt.UTC))
        else:
            created = info.created_at  # SQLite gives it back without its zone (UTC)
            created = created if created.tzinfo else created.replace(tzinfo=dt.UTC)
            when = f"created {describe_time(created)}"
        counts = ", ".join(
            f"{info.counts[status]:,} {status}" for status in ORDER if info.counts.get(status)
        )
        click.echo(f"{info.id}  issue {info.issue_id}  {info.state}  {when}  "
                   f"{info.recipients:,} recipients{': ' + counts if counts else ''}")  # fmt: skip
        click.echo(f"  {describe_approval(approval_of_send(engine, info.id), engine)}")
    for test in tests:
        approval = (describe_approval(test.approval, engine) if test.approval
                    else "a draft (not approved)")  # fmt: skip
        click.echo(f"test  issue {test.issue_id}  sent {describe_time(test.sent_at)}  "
                   f"to {test.recipients:,} address{'es' if test.recipients != 1 else ''}  "
                   f"{approval}")  # fmt: skip


def _action(name: str, done: str, hint: str):  # type: ignore[no-untyped-def]
    """``sends pause|resume|cancel SEND_ID``: one state change, told back in one line."""

    @click.argument("send_id")
    @db_option
    @click.pass_context
    def command(ctx: click.Context, send_id: str, db: str | None) -> None:
        from newsletter.deliver.sending.control import change_state

        change_state(open_db(db or ctx.obj.get("db")), send_id, name)
        click.echo(f"send {send_id} {done}{hint.format(id=send_id)}")

    return command


PAUSE_HELP = """Pause a running send: its workers stop at their next claim of recipients.

\b
Example:
  newsletter sends pause 2021-01 --db list.db
"""
RESUME_HELP = """Resume a paused send: a running `newsletter worker` continues it (or run
`newsletter worker --once`, or the same `newsletter send` again).

\b
Example:
  newsletter sends resume 2021-01 --db list.db
"""
CANCEL_HELP = """Cancel a send for good (scheduled, running or paused): nothing more is
sent; what was sent stays recorded.

\b
Example:
  newsletter sends cancel 2021-01 --db list.db
"""

sends.command("pause", help=PAUSE_HELP)(
    _action("pause", "paused", "; `newsletter sends resume {id}` continues it")
)
sends.command("resume", help=RESUME_HELP)(
    _action("resume", "resumed", "; `newsletter worker` sends the rest")
)
sends.command("cancel", help=CANCEL_HELP)(_action("cancel", "cancelled", ""))
