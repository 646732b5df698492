"""The `newsletter` command: thin click commands over the pipeline's plain functions.

This is the only module that talks to the terminal. Errors that are the user's to fix
(:class:`~newsletter.exceptions.NewsletterError`) are printed as ``file:line: message``
lines and exit with status 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import click

from newsletter import __version__
from newsletter.commands.send import send as send_command
from newsletter.commands.serve import serve as serve_command
from newsletter.commands.subscribers import subscribers as subscribers_group
from newsletter.exceptions import ContentError, NewsletterError

EXIT_USER_ERROR = 1

# We use no pydantic plugins; looking for them scans every installed package's metadata
# (about 18 ms of each command's start-up, measured with python -X importtime).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ContentError as exc:
            for problem in exc.problems:
                click.secho(str(problem), fg="red", err=True)
            count = len(exc.problems)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
            sys.exit(EXIT_USER_ERROR)
        except NewsletterError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(EXIT_USER_ERROR)
        except OSError as exc:  # an output folder that cannot be written, a full disk…
            where = f"{exc.filename}: " if exc.filename else ""
            click.secho(f"error: {where}{exc.strerror or exc}", fg="red", err=True)
            sys.exit(EXIT_USER_ERROR)


def _project(ctx: click.Context, start: Path | None = None):
    from newsletter.load import load_project

    return load_project(ctx.obj.get("config"), start=start)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsletter")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="NEWSLETTER_CONFIG",
    help="Site configuration (default: the nearest newsletter.toml).",
)
@click.pass_context
def main(ctx: click.Context, config: Path | None) -> None:
    """Build and publish Business Kraków from its issue files.

    \b
    Typical month:
      newsletter new 2021-01
      newsletter check issues/2021-01
      newsletter build issues/2021-01
    """
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


@main.command()
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

    target = scaffold_issue(_project(ctx), issue_id, date.date() if date else None)
    click.echo(f"Created {target}")
    click.echo(f"Edit {target / 'issue.yaml'}, then run: newsletter check {target}")


@main.command()
@click.argument("issue_dir", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def check(ctx: click.Context, issue_dir: Path) -> None:
    """Validate an issue and print a short summary.

    Every problem is listed as file:line: message, and the command exits with status 1.

    \b
    Example:
      newsletter check issues/2020-12
    """
    from newsletter.load import load_issue
    from newsletter.summary import summarize

    issue = load_issue(issue_dir, _project(ctx, issue_dir))
    for line in summarize(issue).lines(issue):
        click.echo(line)
    click.secho("OK", fg="green")


def _split_editions(ctx: click.Context, param: click.Parameter, value: str | None):
    if not value:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]


@main.command()
@click.argument("issue_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: build/ from newsletter.toml); files go to OUT/<id>/.",
)
@click.option(
    "--only",
    callback=_split_editions,
    metavar="EDITIONS",
    help="Comma-separated editions to build: email, pdf, print, web (default: all available).",
)
@click.pass_context
def build(ctx: click.Context, issue_dir: Path, out: Path | None, only: list[str] | None) -> None:
    """Build the editions of an issue into build/<id>/.

    \b
    Writes email.html and email.txt, business-krakow-<id>.pdf (readers),
    business-krakow-<id>-print.pdf (printer) and web/index.html.
    \b
    Examples:
      newsletter build issues/2020-12
      newsletter build issues/2020-12 --only email --out /tmp/preview
    """
    from newsletter import publish
    from newsletter.load import load_issue

    editions = publish.choose_editions(only)
    project = _project(ctx, issue_dir)
    issue = load_issue(issue_dir, project)
    if not editions:
        click.echo(f"{issue_dir}: valid; no edition can be built by this version yet.")
        return
    built = publish.build(issue, project, editions, out)
    for path in built.files:
        click.echo(f"wrote {_shown(path)} ({path.stat().st_size:,} bytes)")
    for warning in built.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: build/ from newsletter.toml).",
)
@click.pass_context
def site(ctx: click.Context, out: Path | None) -> None:
    """Build every issue in issues/ with all its editions, plus the archive.

    Writes build/index.html (every issue, newest first, with its PDFs) and
    build/feed.xml (Atom). Publish the output folder as it is at base_url.

    \b
    Example:
      newsletter site
      newsletter site --out /tmp/site
    """
    from newsletter import publish

    built = publish.build_site(_project(ctx), out)
    for path in built.files:
        click.echo(f"wrote {_shown(path)} ({path.stat().st_size:,} bytes)")
    for warning in built.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)


@main.command()
@click.argument("issue_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port (0 picks a free one).")
@click.pass_context
def preview(ctx: click.Context, issue_dir: Path, host: str, port: int) -> None:
    """Show an issue in the browser and update it as you save its files.

    The page shows the e-mail at phone and desktop width, the web page and the PDF.
    Mistakes appear on the page with file:line; the last good version stays visible.
    Stop with Ctrl+C.

    \b
    Example:
      newsletter preview issues/2021-01
    """
    import tempfile

    from newsletter.preview import serve

    out = Path(tempfile.mkdtemp(prefix="newsletter-preview-"))

    def ready(address: str) -> None:
        click.echo(f"Preview of {issue_dir} at {address} (Ctrl+C to stop)", )
        sys.stdout.flush()

    try:
        serve(issue_dir, ctx.obj.get("config"), host, port, out, ready)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    except OSError as exc:
        raise NewsletterError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# The mailing list's commands live in newsletter/commands/, one module per verb or group.
main.add_command(subscribers_group)
main.add_command(send_command)
main.add_command(serve_command)
