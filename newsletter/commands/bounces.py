"""``newsletter bounces``: bounces, complaints and mailto: unsubscribes read after sending."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newsletter.commands.options import db_option, open_db
from newsletter.exceptions import NewsletterError

EX_TEMPFAIL = 75
"""sysexits.h: Postfix's pipe keeps the message queued and tries again later."""


@click.command()
@click.argument("path", metavar="PATH|-", required=False)
@click.option("--imap", "imap_url", metavar="URL",
              help="Read the unseen messages of an IMAP mailbox instead: imaps://user@host/INBOX "
                   "(password from $NEWSLETTER_IMAP_PASSWORD; a private CA: "
                   "$SSL_CERT_FILE).")  # fmt: skip
@click.option("--move-to", metavar="FOLDER",
              help="With --imap: move the messages applied (bounces, complaints, "
                   "unsubscribes) to this folder, which must exist; others are never "
                   "moved.")  # fmt: skip
@click.option("--recipient", metavar="ADDRESS",
              help="The envelope recipient, as an MTA's pipe passes it "
                   "(Postfix: ${original_recipient}).")  # fmt: skip
@click.option("--kept", is_flag=True,
              help="List the messages kept aside (attributed to nobody) and exit.")
@click.option("--save-kept", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write the messages kept aside into DIR, one .eml each, and exit.")
@db_option
@click.pass_context
def bounces(ctx: click.Context, path: str | None, imap_url: str | None, move_to: str | None,
            recipient: str | None, kept: bool, save_kept: Path | None,
            db: str | None) -> None:  # fmt: skip
    """Read bounces (DSNs), complaints (ARF) and mailto: unsubscribes and update the list.

    PATH is a Maildir folder, an mbox file or one message file; - reads one message from
    standard input (an MTA's pipe). A hard bounce marks the subscriber bounced, soft
    bounces add up to the [bounces] threshold of newsletter.toml, a complaint or a
    mailto: unsubscribe unsubscribes them. A message attributed to nobody is kept aside
    (see --kept); reading the same messages again changes nothing. Needs
    NEWSLETTER_SECRET (the one `send` signs with).

    \b
    Examples:
      newsletter bounces --db list.db ~/Maildir/.bounces
      newsletter bounces --db list.db - --recipient "$RECIPIENT"      # Postfix pipe
      NEWSLETTER_IMAP_PASSWORD=… newsletter bounces --db list.db \\
          --imap imaps://bounces@mail.example.org/INBOX --move-to Processed
      newsletter bounces --db list.db --kept
    """
    from newsletter.config import find_config, load_site
    from newsletter.deliver.returns import bounces as reading
    from newsletter.deliver.returns import mailboxes
    from newsletter.deliver.tokens import secret_key

    engine = open_db(db)
    if kept or save_kept:
        return _show_kept(engine, save_kept)
    if bool(path) == bool(imap_url):
        raise click.UsageError("give a PATH (a Maildir, an mbox file, a message file, or -) "
                               "or --imap URL")  # fmt: skip
    if move_to and not imap_url:
        raise click.UsageError("--move-to is for --imap")
    config = ctx.obj.get("config") if ctx.obj else None
    site = load_site(config or find_config(Path.cwd()))
    context = reading.Context(
        key=secret_key(), bounce_address=site.bounce_address,
        sender_domain=site.sender.email.rpartition("@")[2], settings=site.bounces,
        recipient=recipient,
    )  # fmt: skip
    mailbox = None
    if imap_url:
        from newsletter.deliver.returns.imap import ImapMailbox, imap_settings

        mailbox = ImapMailbox(imap_settings(imap_url), move_to)
        messages = mailbox.messages()
    elif path == "-":
        messages = iter([mailboxes.read_stdin()])
    else:
        target = Path(path or "")
        if not target.exists():
            raise NewsletterError(f"{path}: no such file or folder")
        messages = mailboxes.read_path(target)
    try:
        summary = reading.process(engine, messages, context,
                                  mailbox.done if mailbox else None)  # fmt: skip
    except Exception as exc:
        import sqlalchemy as sa

        if path == "-" and isinstance(exc, sa.exc.OperationalError):
            # A pipe: the database is busy or down; Postfix keeps the message and retries.
            click.secho(f"error: the database cannot be written now: {exc.orig}", err=True)
            sys.exit(EX_TEMPFAIL)
        raise
    finally:
        if mailbox:
            mailbox.close()
    for line in summary.kept:
        click.secho(f"kept aside: {line}", fg="yellow", err=True)
    for line in summary.errors:
        click.secho(f"error: {line}", fg="red", err=True)
    click.echo(summary.line())
    if summary.errors:
        sys.exit(1)


def _show_kept(engine, folder: Path | None) -> None:  # type: ignore[no-untyped-def]
    from newsletter.deliver.returns.bounces import kept_messages

    found = kept_messages(engine)
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
        for item in found:
            (folder / f"kept-{item.id}.eml").write_bytes(item.raw)
        click.echo(f"{len(found)} messages kept aside written to {folder}")
        return
    for item in found:
        click.echo(f"{item.id}\t{item.at:%Y-%m-%d %H:%M}\t{item.source}\t{item.detail}")
    click.echo(f"{len(found)} messages kept aside", err=True)
