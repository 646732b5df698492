"""``newsletter serve``: the unsubscribe endpoint behind the links in every message."""

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
@db_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, busy_timeout: float, db: str | None) -> None:
    """Serve the unsubscribe pages: GET /u/<token> asks, POST /u/<token> unsubscribes.

    Mail clients' one-click unsubscribe (RFC 8058) POSTs to the link in List-Unsubscribe,
    base_url + u/<token>: that address must reach this server over HTTPS. Needs the same
    NEWSLETTER_SECRET as `send`.

    \b
    Example:
      newsletter serve --db list.db --port 8025
    """
    import logging

    import uvicorn

    from newsletter.commands.options import require_db
    from newsletter.deliver.app import RedactTokens, create_app
    from newsletter.deliver.db import open_database
    from newsletter.deliver.tokens import secret_key
    from newsletter.deliver.unsubscribes import apply_queued
    from newsletter.load import load_project

    key = secret_key()
    engine = open_database(require_db(db), busy_timeout=busy_timeout)
    apply_queued(engine)
    site = load_project(ctx.obj.get("config")).site
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    uvicorn.run(create_app(engine, site, key), host=host, port=port, proxy_headers=True)
