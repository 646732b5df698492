"""`newsletter check`: validate an issue and summarize it."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.commands.common import project, warn


@click.command()
@click.argument("issue_dir", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def check(ctx: click.Context, issue_dir: Path) -> None:
    """Validate an issue and print a short summary.

    Every problem is listed as file:line: message, and the command exits with status 1.
    Warnings (characters no font of the PDFs has, an animated picture that every
    edition shows as its first frame, a block file in a language the issue does not
    list, template words still marked for a translator, a language whose letters the
    PDFs' fonts lack) are listed the same way; they leave the status at 0. The e-mail is rendered
    in each language to tell its size and which blocks it carries as teasers (to stay
    under Gmail's clipping limit).

    \b
    Example:
      newsletter check issues/2020-12
    """
    from newsletter.coverage import uncovered, uncovered_languages
    from newsletter.languages import unread_language_files
    from newsletter.load import load_issue
    from newsletter.picture_notices import picture_notices
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
    problems = uncovered(issue, site.theme) + picture_notices(issue) + unread
    problems += site.untranslated(languages)
    problems += uncovered_languages({code: table[code] for code in languages}, site.theme)
    warnings = [str(problem) for problem in problems]
    warn(warnings)
    count = f" ({len(warnings)} warning{'' if len(warnings) == 1 else 's'})"
    click.secho("OK" + (count if warnings else ""), fg="green")
