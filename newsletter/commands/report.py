"""``newsletter report``: what became of a send, and who did not get it (CSV)."""

from __future__ import annotations

import click

from newsletter.commands.options import db_option, open_db


@click.command()
@click.argument("send_id")
@click.option("--csv", "csv_file", type=click.File("w", encoding="utf-8", lazy=True),
              metavar="FILE|-",
              help="Write who did not get it (address, name, status, last reply, attempts) "
                   "as UTF-8 CSV to FILE, or - for standard output.")  # fmt: skip
@db_option
def report(send_id: str, csv_file, db: str | None) -> None:  # type: ignore[no-untyped-def]
    """Count a send's recipients by status, per language, and what came back later.

    Statuses from the journal: sent (the server accepted it), failed (refused for good),
    bounced (refused, and the address taken off the list), deferred (refused for now,
    five times), unknown (no reply came), skipped (left the list first), pending. Later:
    bounces, complaints and unsubscribes of its recipients since the send started.
    `newsletter send ISSUE --retry-failed` sends again to the failed ones.

    \b
    Examples:
      newsletter report 2021-01 --db list.db
      newsletter report 2021-01 --db list.db --csv not-delivered.csv
    """
    from newsletter.deliver.sending.report import ORDER, send_report, write_undelivered
    from newsletter.review.status import describe_approval
    from newsletter.review.store import approval_of_send

    engine = open_db(db)
    found = send_report(engine, send_id)
    started = f"{found.started:%Y-%m-%d %H:%M} UTC"
    to_stdout = csv_file is not None and csv_file.name == "-"
    echo = (lambda text: click.echo(text, err=True)) if to_stdout else click.echo
    echo(f"send {found.send_id}  issue {found.issue_id}  {found.state}  started {started}  "
         f"{found.recipients:,} recipients")  # fmt: skip
    echo(f"  {describe_approval(approval_of_send(engine, send_id), engine)}")
    width = max(len(f"{n:,}") for n in found.counts.values())
    for status in ORDER:
        echo(f"  {status:<10}{found.counts[status]:>{width},}")
    for language, counts in sorted(found.languages.items()):
        parts = ", ".join(f"{counts[s]:,} {s}" for s in ORDER if counts.get(s))
        echo(f"  {language}: {parts}")
    later = ", ".join(f"{n:,} {kind}" for kind, n in found.later.items())
    echo(f"since the send started: {later}")
    if csv_file is not None:
        written, left_out = write_undelivered(engine, send_id, csv_file)
        where = "standard output" if to_stdout else csv_file.name
        note = f" ({left_out:,} forgotten since, left out)" if left_out else ""
        click.echo(f"{written:,} not delivered, written to {where}{note}", err=True)
    if found.counts["failed"]:
        echo(f"{found.counts['failed']:,} failed: once the cause is fixed, `newsletter send "
             f"<issue folder> --send-id {send_id} --retry-failed` sends them again")
