"""`newsletter preview`: the live preview server (the work is in newsletter/preview.py)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from newsletter.commands.options import IssueFolder
from newsletter.exceptions import NewsletterError


@click.command()
@click.argument("issue_dir", type=IssueFolder(exists=True))
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
    from newsletter.preview import is_loopback, serve

    out = Path(tempfile.mkdtemp(prefix="newsletter-preview-"))

    def ready(address: str) -> None:
        if not is_loopback(host):
            bound = address.rstrip("/").rsplit(":", 1)[1]
            click.secho(
                f"warning: --host {host} is not a loopback address: anyone who can reach "
                f"this machine on port {bound} can read the unpublished issue",
                fg="yellow", err=True,
            )  # fmt: skip
        click.echo(f"Preview of {issue_dir} at {address} (Ctrl+C to stop)")
        sys.stdout.flush()

    try:
        serve(issue_dir, ctx.obj.get("config"), host, port, out, ready)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    except OSError as exc:
        raise NewsletterError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
