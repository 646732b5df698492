"""``newsletter subscribers …``: the mailing list from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from newsletter.commands.common import site_language_codes
from newsletter.commands.options import db_option, open_db

STATUS_CHOICE = click.Choice(
    ["subscribed", "unsubscribed", "bounced", "complained", "pending", "expired", "forgotten"]
)


@click.group()
def subscribers() -> None:
    """Import, add, remove, list, count and export subscribers; show or erase what is
    stored about one person.

    \b
    Example:
      newsletter subscribers import --db list.db subscribers.csv
    """


@subscribers.command("import")
@click.argument("file", metavar="FILE.csv|FILE.zip|-")
@click.option(
    "--source",
    help="Consent source recorded for rows without a source column (default: the file name).",
)
@click.option("--smtputf8", is_flag=True,
              help="Accept non-ASCII before the @ (if the relay offers SMTPUTF8).")  # fmt: skip
@click.option("--from", "form", type=click.Choice(["mailchimp", "listmonk", "csv"]),
              help="Whose export the file is (default: recognised by its header row).")
@db_option
def import_(file: str, source: str | None, smtputf8: bool, form: str | None,
            db: str | None) -> None:
    """Import subscribers from a CSV file (or - for standard input).

    UTF-8 (with or without BOM) or Windows-1250, separated by , or ; with a header row
    naming the columns: email/e-mail/adres e-mail (required), name/imię i nazwisko,
    language/język (one of the site's: pl, en, …), source/źródło. Mailchimp's exports
    (subscribed, unsubscribed, cleaned; or the ZIP holding them, as downloaded) and listmonk's
    are recognised by their header rows:
    names, statuses, languages and the times and networks of each opt-in are kept. Rejected
    rows are listed with their line number; the others are imported. Importing again
    changes nothing, and nobody who left the list or asked to be forgotten is put back.

    \b
    Example:
      newsletter subscribers import --db list.db subscribers.csv
      newsletter subscribers import --db list.db cleaned_members_export_3f1a.csv
      newsletter subscribers import --db list.db members_export_3f1a.zip
    """
    from newsletter.deliver.audience.archives import csv_files

    engine = open_db(db)
    if file == "-":
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        path = Path(file)
        if not path.is_file():
            raise click.BadParameter(f"{file}: no such file", param_hint="FILE")
        data, name = path.read_bytes(), file
    for part, content in csv_files(data, name):
        _import_one(engine, content, part, source, smtputf8, form)


def _import_one(engine, data: bytes, name: str, source: str | None, smtputf8: bool,  # type: ignore[no-untyped-def]
                form: str | None) -> None:
    """One CSV file into the list, with a progress bar and its report."""
    from newsletter.deliver.audience.importer import import_csv

    total = max(data.count(b"\n"), 1)
    with click.progressbar(length=total, label="importing", file=sys.stderr, show_pos=True) as bar:
        done = 0

        def progress(rows: int) -> None:
            nonlocal done
            bar.update(rows - done)
            done = rows

        report = import_csv(engine, data, name, source, progress, smtputf8, form=form,
                            languages=site_language_codes())
    for problem in report.rejected:
        click.secho(f"{problem}", fg="red", err=True)
    for note in report.notes:
        click.secho(f"{name}: {note}", fg="yellow", err=True)
    export = "" if report.format == "csv" else f"{report.format} export, "
    click.echo(f"{name} ({export}{report.encoding}, '{report.delimiter}'): {report.summary()}")


@subscribers.command()
@click.argument("email")
@click.option("--name", help="Full name, shown in the To: header.")
@click.option("--language", help="Preferred language: one of the site's (en, pl, …: the "
              "blocks of templates/_shared/strings.yaml).")
@click.option("--source", help="Where the consent was given (form, event, …).")
@click.option("--smtputf8", is_flag=True,
              help="Accept non-ASCII before the @ (if the relay offers SMTPUTF8).")  # fmt: skip
@click.option("--after-forget", is_flag=True,
              help="The person asked to be forgotten and now asks to come back: let them "
                   "sign up through the form (double opt-in). Adds nothing itself.")  # fmt: skip
@db_option
def add(  # type: ignore[no-untyped-def]
    email: str, name: str | None, language: str | None, source: str | None, smtputf8: bool,
    after_forget: bool, db,
) -> None:  # fmt: skip
    """Add one subscriber (never re-adds someone who unsubscribed or asked to be forgotten).

    \b
    Example:
      newsletter subscribers add --db list.db jan@example.com --name "Jan Kowalski"
    """
    import dataclasses

    from newsletter.deliver.audience import subscribers as subs
    from newsletter.deliver.audience.data_requests import allow_back
    from newsletter.deliver.tokens import secret_key
    from newsletter.exceptions import NewsletterError

    checked = subs.candidate(email, name, language, source or "manual", smtputf8,
                             languages=site_language_codes())
    checked = dataclasses.replace(checked, origin="command: subscribers add")
    engine = open_db(db)
    if after_forget:
        if not allow_back(engine, checked.email, secret_key()):
            raise NewsletterError(f"{checked.email} was not forgotten: add it without "
                                  "--after-forget")  # fmt: skip
        click.echo(f"{checked.email}: not added; this person may now sign up through the "
                   "form, which asks them to confirm by e-mail")  # fmt: skip
        return
    outcome = subs.add(engine, checked)
    if outcome == "forgotten":
        raise NewsletterError(
            f"{checked.email}: not added: this person asked to be forgotten (if they ask to "
            "come back, --after-forget lets them sign up through the form)"
        )
    messages = {
        "added": "added",
        "updated": "already subscribed; details updated",
        "unchanged": "already subscribed",
        "kept": "not added: this address left the list (unsubscribed, bounced or complained)",
    }
    click.echo(f"{email.strip()}: {messages[outcome]}")


@subscribers.command()
@click.argument("email")
@db_option
def remove(email: str, db: str | None) -> None:
    """Unsubscribe an address (kept as unsubscribed, so no import re-adds it).

    \b
    Example:
      newsletter subscribers remove --db list.db jan@example.com
    """
    from newsletter.deliver.audience import subscribers as subs

    found = subs.remove(open_db(db), email)
    click.echo(f"{found.email}: unsubscribed")


@subscribers.command("list")
@click.option("--status", type=STATUS_CHOICE, help="Only subscribers with this status.")
@db_option
def list_(status: str | None, db: str | None) -> None:
    """Print subscribers, one a line: e-mail, status, language, name.

    \b
    Example:
      newsletter subscribers list --db list.db --status bounced
    """
    from newsletter.deliver.audience import subscribers as subs

    for item in subs.iter_subscribers(open_db(db), status):
        click.echo(f"{item.email}\t{item.status}\t{item.language or '-'}\t{item.name or ''}")


@subscribers.command()
@db_option
def count(db: str | None) -> None:
    """How many subscribers have each status.

    \b
    Example:
      newsletter subscribers count --db list.db
    """
    from newsletter.deliver.audience import subscribers as subs

    counts = subs.count(open_db(db))
    for status, number in counts.items():
        click.echo(f"{status:<13}{number:>9,}")
    click.echo(f"{'total':<13}{sum(counts.values()):>9,}")


@subscribers.command()
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="CSV file.")
@click.option("--status", type=STATUS_CHOICE, help="Only subscribers with this status.")
@db_option
def export(out, status: str | None, db: str | None) -> None:  # type: ignore[no-untyped-def]
    """Write the list as UTF-8 CSV (re-importable), to standard output or --out.

    \b
    Example:
      newsletter subscribers export --db list.db --out list.csv
    """
    from newsletter.deliver.audience import subscribers as subs

    written = subs.export(open_db(db), out, status)
    click.echo(f"{written} subscribers exported", err=True)


@subscribers.command()
@click.argument("email")
@click.option("--json", "as_json", is_flag=True,
              help="Everything stored about the person (their row, every consent event, "
                   "every send that listed them) as one JSON document: the answer to an "
                   "access request.")  # fmt: skip
@db_option
def show(email: str, as_json: bool, db: str | None) -> None:
    """Print one person's entry and whole consent history, oldest first.

    Each event: time (UTC), kind, source (form, import file:line, command, link), the
    version of the consent text, the truncated network address, and what changed.

    \b
    Example:
      newsletter subscribers show --db list.db jan@example.com
      newsletter subscribers show --db list.db jan@example.com --json > jan.json
    """
    from newsletter.deliver.audience import consent
    from newsletter.deliver.audience import subscribers as subs
    from newsletter.exceptions import NewsletterError

    engine = open_db(db)
    if as_json:
        import json

        from newsletter.deliver.audience.data_requests import person_data

        data = person_data(engine, email)
        if data is None:
            raise NewsletterError(f"{email.strip()} is not on the list")
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    found = subs.find(engine, email)
    if found is None:
        raise NewsletterError(f"{email.strip()} is not on the list")
    click.echo(f"{found.email}\t{found.status}\t{found.language or '-'}\t{found.name or ''}")
    for event in consent.history(engine, found.email):
        click.echo(f"  {event.describe()}")


@subscribers.command()
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def forget(email: str, yes: bool, db: str | None) -> None:
    """Erase a person's data on their request (GDPR right to erasure).

    Their address, name and language go from the list; their consent events lose the
    network and details, and every text (a server's reply, a source, other people's
    records) loses their address and name, found in any encoding; a message kept aside
    that names them is erased; the journal keeps only counts and statuses. Old copies in
    the database are cleared too (SQLite's log is checkpointed, PostgreSQL is vacuumed).
    A keyed hash of the address (HMAC-SHA256 under NEWSLETTER_SECRET) is kept, so no
    import, `add` or sign-up puts them back; one event records that an erasure happened.
    Cannot be undone.

    \b
    Example:
      newsletter subscribers forget --db list.db jan@example.com
    """
    from newsletter.deliver.audience.data_requests import forget as erase
    from newsletter.deliver.tokens import secret_key

    key = secret_key()  # before asking: without it, nothing can be done
    engine = open_db(db)
    if not yes:
        click.confirm(f"Erase everything stored about {email.strip()}? This cannot be undone",
                      abort=True, err=True)  # fmt: skip
    done = erase(engine, email, key)
    elsewhere = (f"; {done.others} other records named them and were cleaned"
                 f" ({done.kept} kept-aside messages erased)" if done.others else "")  # fmt: skip
    if done.listed:
        click.echo(f"{email.strip()}: forgotten ({done.events} consent events and "
                   f"{done.deliveries} journal replies cleaned{elsewhere}); imports and "
                   "sign-ups will not add this address again")  # fmt: skip
    else:
        click.echo(f"{email.strip()}: not on the list{elsewhere}; remembered as forgotten, "
                   "so imports and sign-ups will not add it")  # fmt: skip
    if done.warning:
        click.secho(f"warning: {done.warning}", fg="yellow", err=True)
