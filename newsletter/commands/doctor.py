"""``newsletter doctor``: everything a first send depends on, checked before it."""

from __future__ import annotations

import os
import sys

import click


@click.command()
@click.option("--smtp", "smtp_url", envvar="NEWSLETTER_SMTP_URL", metavar="URL",
              help="The relay, as for `send` (default: $NEWSLETTER_SMTP_URL).")
@click.option("--dns", "dns_server", metavar="HOST[:PORT]",
              help="Ask this DNS server instead of the system's (e.g. the domain's own "
                   "server, to check records before they have spread).")
@click.pass_context
def doctor(ctx: click.Context, smtp_url: str | None, dns_server: str | None) -> None:
    """Check what a send depends on, and say how to fix what is wrong.

    base_url is real and serves the sign-up page over HTTPS; NEWSLETTER_SECRET, the relay's
    password and the DKIM key are set; the relay answers with STARTTLS and takes the login;
    DKIM's DNS record is the private key's public half; SPF lets the relay send; DMARC is
    published and aligned with the sender; the bounce and sender domains have MX records.
    Exits 1 when a check fails (warnings alone leave it at 0).

    \b
    Example:
      newsletter doctor --smtp 'smtp://newsletter@smtp.um.krakow.pl:587?starttls'
    """
    from newsletter.deliver.doctor import FAILURE, OK, WARNING, diagnose, resolver_for
    from newsletter.load import load_project

    site = load_project(ctx.obj.get("config")).site
    findings = diagnose(site, dict(os.environ), smtp_url, resolver_for(dns_server))
    colours = {OK: "green", WARNING: "yellow", FAILURE: "red"}
    for finding in findings:
        click.secho(str(finding), fg=colours[finding.level])
    failed = sum(f.level == FAILURE for f in findings)
    warned = sum(f.level == WARNING for f in findings)
    click.echo(f"{len(findings)} checks: {failed} failed, {warned} warnings")
    if failed:
        sys.exit(1)
