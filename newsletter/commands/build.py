"""`newsletter build` (one issue) and `newsletter site` (every issue and the archive)."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.commands.common import project, report
from newsletter.commands.options import IssueFolder, comma_list, db_option, open_db
from newsletter.exceptions import NewsletterError


@click.command()
@click.argument("issue_dir", type=IssueFolder())
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: build/ from newsletter.toml); files go to OUT/<id>/.",
)
@click.option(
    "--only",
    callback=comma_list,
    metavar="EDITIONS",
    help="Comma-separated editions to build: email, pdf, print, web (default: all).",
)
@click.option(
    "--language",
    "languages",
    callback=comma_list,
    metavar="LANGS",
    help="Comma-separated languages to build, e.g. pl (default: all the issue's).",
)
@click.pass_context
def build(
    ctx: click.Context, issue_dir: Path, out: Path | None, only: list[str] | None,
    languages: list[str] | None,
) -> None:
    """Build the editions of an issue into build/<id>/.

    \b
    Writes email.html and email.txt, business-krakow-<id>.pdf (readers),
    business-krakow-<id>-print.pdf (printer) and web/index.html; an issue in
    several languages gets the same files for each other language in
    build/<id>/<lang>/.
    \b
    Examples:
      newsletter build issues/2020-12
      newsletter build issues/2020-12 --only email --out /tmp/preview
      newsletter build issues/2020-12 --language pl
    """
    from newsletter import publish
    from newsletter.load import load_issue

    editions = publish.choose_editions(only)
    site = project(ctx, issue_dir)
    issue = load_issue(issue_dir, site)
    unknown = [lang for lang in languages or [] if lang not in issue.languages]
    if unknown:
        raise click.UsageError(f"--language {unknown[0]}: the issue is written in "
                               f"{', '.join(issue.languages)}")
    report(publish.build(issue, site, editions, out, languages))


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: build/ from newsletter.toml).",
)
@click.option("--force", is_flag=True, help="Rebuild every edition, even those up to date.")
@db_option
@click.pass_context
def site(ctx: click.Context, out: Path | None, force: bool, db: str | None) -> None:
    """Build every published issue in issues/ with all its editions, plus the archive.

    Published means approved (`newsletter approve`, recorded in the database of --db or
    NEWSLETTER_DB) as the folder is now; with `[review] approvals = 0` in newsletter.toml,
    every issue that builds. Drafts are skipped with a line saying why (an issue that
    does not load: its problems, file:line); an approved issue that fails to build is
    reported and skipped too, and the command exits 1 after writing everything else.
    Writes build/index.html (every published issue, newest first, with its PDFs) and
    build/feed.xml (Atom). Publish the output folder as it is at base_url. Editions
    newer than everything they are made from are kept as they are.

    \b
    Example:
      newsletter site --db list.db
      newsletter site --db list.db --out /tmp/site
    """
    from newsletter import publish

    site_project = project(ctx)
    built = publish.build_site(site_project, out, force, _published(site_project, db))
    report(built)
    for error in built.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    if built.errors:
        raise NewsletterError("an issue meant to be published did not build (above); the "
                              "others and the archive were written")  # fmt: skip


def _published(site_project, db: str | None):  # type: ignore[no-untyped-def]
    """Which folders `site` publishes: approved ones (or every one, review off)."""
    if site_project.site.review.approvals == 0:
        return None
    if not db:
        raise NewsletterError(
            "site publishes approved issues only, and approvals are in the list's database: "
            "pass --db PATH or set NEWSLETTER_DB (or set [review] approvals = 0 in "
            "newsletter.toml to publish every issue that builds)")
    from newsletter.review.status import publication_gate

    return publication_gate(open_db(db), site_project)
