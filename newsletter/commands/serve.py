"""``newsletter serve``: the public pages: sign-up, confirmation, preferences, unsubscribe."""

from __future__ import annotations

import click

from newsletter.commands.options import db_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (put an HTTPS proxy in front in production).")  # fmt: skip
@click.option("--port", default=8025, show_default=True, type=int, help="Port to listen on.")
@click.option("--busy-timeout", default=5.0, show_default=True, type=click.FloatRange(0.1, 20),
              metavar="SECONDS", help="How long an unsubscribe waits for a locked SQLite "
              "database before it is queued (below mail clients' own timeouts).")  # fmt: skip
@click.option("--header-timeout", default=10.0, show_default=True,
              type=click.FloatRange(0.5, 300), metavar="SECONDS", help="Close a connection "
              "whose request line and headers have not all come in this time.")  # fmt: skip
@click.option("--smtp", "smtp_url", metavar="URL", help="SMTP server for sign-up confirmation "
              "e-mails (default: $NEWSLETTER_SMTP_URL; without one, no sign-up form).")  # fmt: skip
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes answering (one core each); they share one rate-limit budget, "
                   "kept in the database.")  # fmt: skip
@db_option
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, busy_timeout: float, header_timeout: float,
    smtp_url: str | None, workers: int, db: str | None,
) -> None:  # fmt: skip
    """Serve the reader's pages: /subscribe, /confirm/<token>, /p/<token>, /u/<token>.

    Every GET only shows a page; changes are POSTs (link scanners follow GETs). Mail
    clients' one-click unsubscribe (RFC 8058) POSTs to base_url + u/<token>: that address
    must reach this server over HTTPS. Sign-up needs a [consent] text in newsletter.toml
    and an SMTP server (--smtp) for the confirmation e-mails. Needs the same
    NEWSLETTER_SECRET as `send`.

    \b
    Example:
      newsletter serve --db list.db --port 8025 --smtp 'smtp://newsletter@smtp.example.pl:587?starttls'
    """
    import json
    import logging
    import os

    import uvicorn

    from newsletter.app.connections import HEADER_TIMEOUT_VARIABLE, head_timeout_protocol
    from newsletter.app.routes import RedactTokens, signup_enabled
    from newsletter.commands.options import require_db

    arguments = {"config": str(ctx.obj["config"]) if ctx.obj.get("config") else None,
                 "db": require_db(db), "busy_timeout": busy_timeout, "smtp": smtp_url}
    app, project, mailer = _build(**arguments)
    if not signup_enabled(project, mailer):
        missing = "no [consent] in newsletter.toml" if mailer else "no --smtp server"
        click.secho(f"warning: no sign-up form ({missing})", fg="yellow", err=True)
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    options = {"host": host, "port": port, "proxy_headers": True,
               "forwarded_allow_ips": project.site.serve.trusted_proxies}
    if workers == 1:
        uvicorn.run(app, http=head_timeout_protocol(header_timeout), **options)
    else:
        # Each worker process builds its own app from the same arguments (uvicorn starts
        # them fresh); the rate limits they share live in the database.
        if mailer:
            mailer.close()
        mailer = None
        os.environ[_ARGUMENTS] = json.dumps(arguments)
        os.environ[HEADER_TIMEOUT_VARIABLE] = str(header_timeout)
        uvicorn.run("newsletter.commands.serve:worker_app", factory=True, workers=workers,
                    http="newsletter.app.connections:HeadTimeoutProtocol", **options)
    if mailer:
        mailer.close()


_ARGUMENTS = "NEWSLETTER_SERVE_ARGUMENTS"
"""How `serve --workers N` hands its arguments to the worker processes uvicorn starts."""


def _build(config: str | None, db: str, busy_timeout: float, smtp: str | None):  # type: ignore[no-untyped-def]
    """The app, the project and the confirmation mailer (None without an SMTP server)."""
    import os
    from pathlib import Path

    from newsletter.app.routes import create_app
    from newsletter.deliver.audience.confirmations import ConfirmationMailer
    from newsletter.deliver.audience.unsubscribes import apply_queued
    from newsletter.deliver.db import open_database
    from newsletter.deliver.sending.smtp_settings import URL_VARIABLE, smtp_settings
    from newsletter.deliver.tokens import secret_key
    from newsletter.exceptions import ContentError
    from newsletter.load import load_project

    project = load_project(Path(config) if config else None)
    # The pages are offered in every language of the site: none may lack a word.
    if problems := project.language_problems(list(project.languages())):
        raise ContentError(problems)
    key = secret_key()
    engine = open_database(db, busy_timeout=busy_timeout)
    apply_queued(engine)
    mailer = None
    if smtp or os.environ.get(URL_VARIABLE):
        mailer = ConfirmationMailer(project.site, smtp_settings(smtp))
    return create_app(engine, project, key, mailer=mailer), project, mailer


def worker_app():  # type: ignore[no-untyped-def]
    """uvicorn's factory in each process of `serve --workers N`."""
    import json
    import logging
    import os

    from newsletter.app.routes import RedactTokens

    logging.getLogger("uvicorn.access").addFilter(RedactTokens())  # this process's logging
    app, _project, _mailer = _build(**json.loads(os.environ[_ARGUMENTS]))
    return app
