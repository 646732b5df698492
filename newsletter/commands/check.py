"""`newsletter check`: validate an issue and summarize it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsletter.commands.common import project, warn
from newsletter.commands.options import IssueFolder

if TYPE_CHECKING:
    from newsletter.load import Project


@click.command()
@click.argument("issue_dir", type=IssueFolder())
@click.option("--links", is_flag=True,
              help="Also ask every web address of every language (needs the network); "
                   "a broken one is a problem, a redirect a note.")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True,
              help="With --links: seconds an address may take to answer.")
@click.pass_context
def check(ctx: click.Context, issue_dir: Path, links: bool, timeout: float) -> None:
    """Validate an issue and print a short summary.

    Every problem is listed as file:line: message, and the command exits with status 1.
    Warnings (characters no font of the PDFs has, an animated picture that every
    edition shows as its first frame, a block file in a language the issue does not
    list, template words still marked for a translator, a language whose letters the
    PDFs' fonts lack) are listed the same way; they leave the status at 0. The e-mail is rendered
    in each language to tell its size and which blocks it carries as teasers (to stay
    under Gmail's clipping limit).

    With --links, every http(s) address the editors wrote (fields and Markdown links,
    every language) is asked once, a few at a time and at most two at once per server;
    each broken one (4xx/5xx, no such host, no answer in time, a TLS error) is a problem
    at the file:line where it is written, and the command exits with status 1. Addresses
    under base_url (published with the issue) and mailto: are not asked.

    \b
    Example:
      newsletter check issues/2020-12
      newsletter check --links issues/2020-12
    """
    from newsletter.card_notices import card_table_notices
    from newsletter.completeness import worded_values
    from newsletter.coverage import uncovered, uncovered_languages
    from newsletter.languages import unread_language_files
    from newsletter.load import load_issue
    from newsletter.picture_notices import picture_notices
    from newsletter.plain_text_notices import plain_text_notices
    from newsletter.render.email import email_editions, size_report
    from newsletter.summary import summarize
    from newsletter.words import site_languages

    site = project(ctx, issue_dir)
    issue = load_issue(issue_dir, site)
    for line in summarize(issue).lines(issue):
        click.echo(line)
    for language, edition in email_editions(issue, site, with_text=False).items():
        click.echo(size_report(edition, language))
    languages = issue.languages or [issue.language]
    unread = unread_language_files(issue.source_dir, languages, site.languages())
    table = site_languages(site.site.templates_path)
    problems = uncovered(issue, site.theme) + picture_notices(issue, site) + unread
    problems += plain_text_notices(issue) + card_table_notices(issue) + worded_values(issue)
    problems += site.untranslated(languages)
    problems += uncovered_languages({code: table[code] for code in languages}, site.theme)
    warnings = [str(problem) for problem in problems]
    if links:
        warnings += _check_links(issue_dir, site, timeout)
    warn(warnings)
    count = f" ({len(warnings)} warning{'' if len(warnings) == 1 else 's'})"
    click.secho("OK" + (count if warnings else ""), fg="green")


def _check_links(issue_dir: Path, site: Project, timeout: float) -> list[str]:
    """Ask the issue's addresses; raise the broken ones as problems, return the notes."""
    from newsletter.exceptions import ContentError
    from newsletter.issue_links import check_issue_links

    report = check_issue_links(issue_dir, site.site, site.languages(), timeout)
    own = f"; {report.own} of this site's own not asked" if report.own else ""
    click.echo(f"links: {report.written} written, {report.asked} addresses asked{own}")
    if report.unresolved and report.asked > 1:
        warn(["no address resolved: is this computer on the network (DNS)?"])
    if report.broken:
        warn(report.moved)
        raise ContentError(report.broken)
    return report.moved
