"""``newsletter serve``: the unsubscribe endpoint behind the links in every message."""

from __future__ import annotations

import click

from newsletter.commands.options import db_option, open_db


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (put an HTTPS proxy in front in production).")  # fmt: skip
@click.option("--port", default=8025, show_default=True, type=int, help="Port to listen on.")
@db_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, db: str | None) -> None:
    """Serve the unsubscribe pages: GET /u/<token> asks, POST /u/<token> unsubscribes.

    Mail clients' one-click unsubscribe (RFC 8058) POSTs to the link in List-Unsubscribe,
    base_url + u/<token>: that address must reach this server over HTTPS. Needs the same
    NEWSLETTER_SECRET as `send`.

    \b
    Example:
      newsletter serve --db list.db --port 8025
    """
    import uvicorn

    from newsletter.deliver.app import create_app
    from newsletter.deliver.tokens import secret_key
    from newsletter.load import load_project

    key = secret_key()
    engine = open_db(db)
    site = load_project(ctx.obj.get("config")).site
    uvicorn.run(create_app(engine, site, key), host=host, port=port, proxy_headers=True)
