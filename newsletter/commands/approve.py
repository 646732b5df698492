"""``newsletter approve`` (record an approval) and ``newsletter approvals`` (where an
issue stands): the review between writing an issue and sending or publishing it."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.commands.common import project
from newsletter.commands.options import IssueFolder, db_option, open_db


@click.command()
@click.argument("issue_dir", type=IssueFolder())
@click.option("--by", required=True, metavar="NAME",
              help="Who approves: your name as colleagues know it (\"Anna Nowak\").")  # fmt: skip
@db_option
@click.pass_context
def approve(ctx: click.Context, issue_dir: Path, by: str, db: str | None) -> None:
    """Approve an issue as it is now, for sending and for the public archive.

    Builds the issue's e-mail editions in every language and keeps them in the database
    with the hash of every file of the issue folder: a send (now, --at, or by `newsletter
    worker`) carries exactly these editions. Once any file of the folder changes, the
    approval no longer counts and the issue has to be approved again. `[review]
    approvals` in newsletter.toml says how many different people must approve.

    \b
    Example:
      newsletter approve issues/2021-01 --by "Anna Nowak" --db list.db
    """
    from newsletter.review.status import approve as record

    approval, status = record(open_db(db), issue_dir, project(ctx, issue_dir), by)
    files = len(approval.sources)
    click.echo(f"approved {approval.issue_id} by {approval.approved_by} on {approval.when}: "
               f"{files} file{'s' if files != 1 else ''} of {issue_dir}, e-mail editions in "
               f"{', '.join(approval.languages)} (sha256 {approval.short})")  # fmt: skip
    click.echo(status.describe())
    if status.approved:
        click.echo(f"ready to send: newsletter send {issue_dir}")


@click.command()
@click.argument("issue_dir", type=IssueFolder())
@db_option
@click.pass_context
def approvals(ctx: click.Context, issue_dir: Path, db: str | None) -> None:
    """Say where an issue stands: draft, approved (by whom, when), or changed since its
    approval (which files); then every approval it had.

    \b
    Example:
      newsletter approvals issues/2021-01 --db list.db
    """
    from newsletter.load import load_issue
    from newsletter.review.status import review_status

    site = project(ctx, issue_dir)
    issue = load_issue(issue_dir, site)
    engine = open_db(db)
    status = review_status(engine, issue_dir, issue.id, site)
    click.echo(f"{issue.id}: {status.describe()}")
    for approval in status.approvals:
        mark = "current" if approval in status.current else "void (the files changed since)"
        click.echo(f"  {approval.when}  {approval.approved_by}  sha256 {approval.short}  {mark}")
