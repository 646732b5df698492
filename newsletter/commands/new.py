"""`newsletter new`: scaffold an issue folder."""

from __future__ import annotations

import datetime as dt

import click

from newsletter.commands.common import project


@click.command()
@click.argument("issue_id")
@click.option(
    "--date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publication date (default: first day of the month in the id, or today).",
)
@click.pass_context
def new(ctx: click.Context, issue_id: str, date: dt.datetime | None) -> None:
    """Create issues/ISSUE_ID with the three sections and an example of every block.

    \b
    Example:
      newsletter new 2021-01
    """
    from newsletter.scaffold import scaffold_issue

    target = scaffold_issue(project(ctx), issue_id, date.date() if date else None)
    click.echo(f"Created {target}")
    click.echo(f"Edit {target / 'issue.yaml'}, then run: newsletter check {target}")
