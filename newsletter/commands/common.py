"""What the publishing commands share: the project from --config, and how results print."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsletter.exceptions import display_path

if TYPE_CHECKING:
    from newsletter.load import Project
    from newsletter.output import Built


def project(ctx: click.Context, start: Path | None = None) -> Project:
    """newsletter.toml from --config, or the nearest one above ``start`` (or the cwd)."""
    from newsletter.load import load_project

    return load_project(ctx.obj.get("config") if ctx.obj else None, start=start)


def site_language_codes() -> tuple[str, ...] | None:
    """The site's languages (strings.yaml's blocks) when a newsletter.toml is found from
    --config or the current folder; None when none is (a list kept apart from the site)."""
    from newsletter.exceptions import NewsletterError

    try:
        return project(click.get_current_context()).languages()
    except NewsletterError:
        return None


def report(built: Built) -> None:
    """The files written, with sizes, then the warnings (in yellow, on stderr)."""
    for path in built.files:
        click.echo(f"wrote {display_path(path)} ({path.stat().st_size:,} bytes)")
    if built.up_to_date:
        click.echo(f"up to date: {len(built.up_to_date)} files (nothing they are made from "
                   "changed)")
    warn(built.warnings)


def warn(warnings: list[str]) -> None:
    """Warnings in yellow on stderr: things to look at that do not stop the command."""
    for warning in warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
