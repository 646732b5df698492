"""``newsletter backup`` and ``newsletter restore``: the list and the send journal, kept safe."""

from __future__ import annotations

from pathlib import Path

import click

from newsletter.commands.options import db_option, require_db


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def backup(file: Path, db: str | None) -> None:
    """Write a backup of the subscribers, the consent record and the send journal to FILE.

    Safe while `serve`, `worker` or `send` write: SQLite's online backup (one
    self-contained file) or, for PostgreSQL, pg_dump's custom format. The backup is
    checked before it takes FILE's name, so a backup that exists restores.

    \b
    Example:
      newsletter backup --db list.db /var/backups/newsletter/list-$(date +%F).db
    """
    from newsletter.deliver.backup import backup as make

    made = make(require_db(db), file)
    click.echo(f"backed up to {made.summary()}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database that already holds a list or sends.")
@db_option
def restore(file: Path, force: bool, db: str | None) -> None:
    """Put the backup FILE in place of the database (--db).

    Stop `serve`, `worker` and any `send` first. A send that was running when the backup
    was taken resumes with the same `newsletter send`: what the backup did not record as
    sent goes out again (some readers may get that issue twice; nobody misses it).

    \b
    Example:
      newsletter restore --db list.db /var/backups/newsletter/list-2026-12-01.db
    """
    from newsletter.deliver.backup import restore as put_back

    restored = put_back(file, require_db(db), force)
    click.echo(f"restored {restored.summary()}")
