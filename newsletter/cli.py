"""The `newsletter` command group; each verb is a thin module in newsletter/commands/.

This and the command modules are the only code that talks to the terminal. Errors that
are the user's to fix (:class:`~newsletter.exceptions.NewsletterError`, files that cannot
be written) are printed as ``file:line: message`` lines and exit with status 1. Faults
that may pass (:class:`~newsletter.exceptions.TemporaryFailure`, a database that is locked,
full or away, a full disk) print one line and exit with 75, EX_TEMPFAIL, which service
managers and mail servers read as "try again". Anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from pathlib import Path
from typing import Any

import click

from newsletter import __version__, regex_cache
from newsletter.exceptions import (
    ContentError,
    NewsletterError,
    TemporaryFailure,
    database_fault,
)

EXIT_USER_ERROR = 1
EXIT_TEMPORARY = 75  # sysexits.h EX_TEMPFAIL
_FULL = {errno.ENOSPC, errno.EDQUOT}

# We use no pydantic plugins; looking for them scans every installed package's metadata
# (about 18 ms of each command's start-up, measured with python -X importtime).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


# One module per verb (or group) in newsletter/commands/, as the pipeline reads. A verb's
# module is imported when that verb runs (or --help lists them all): `build --only email`
# need not import what `send`, `serve` or `bounces` do.
COMMANDS = {
    "new": "new", "check": "check", "build": "build", "site": "build", "preview": "preview",
    "subscribers": "subscribers", "send": "send", "sends": "sends", "report": "report",
    "worker": "worker", "serve": "serve", "bounces": "bounces",
    "backup": "backup", "restore": "backup", "doctor": "doctor",
    "approve": "approve", "approvals": "approve",
    "language": "language",
}

KEEP_PATTERNS = {"check", "build", "site", "preview", "approve", "new"}
"""The verbs that keep the regular expressions they compile on disk (newsletter/
regex_cache.py): those that read an issue's text, public once it is sent. The verbs that
handle subscribers, bounces and requests do not: a pattern made from what they read
(someone's address) must not outlive the data that `forget` erases."""


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return _command(name) if name in COMMANDS else None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ContentError as exc:
            for problem in exc.problems:
                click.secho(str(problem), fg="red", err=True)
            count = len(exc.problems)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
            sys.exit(EXIT_USER_ERROR)
        except TemporaryFailure as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(EXIT_TEMPORARY)
        except NewsletterError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(EXIT_USER_ERROR)
        except OSError as exc:  # an output folder that cannot be written, a full disk…
            where = f"{exc.filename}: " if exc.filename else ""
            click.secho(f"error: {where}{exc.strerror or exc}", fg="red", err=True)
            sys.exit(EXIT_TEMPORARY if exc.errno in _FULL else EXIT_USER_ERROR)
        except Exception as exc:
            fault = database_fault(exc)
            if fault is None:
                raise
            click.secho(f"error: {fault}", fg="red", err=True)
            sys.exit(EXIT_TEMPORARY)


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


def _config_after_the_verb(ctx: click.Context, param: click.Parameter,
                           value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)
        ctx.obj["config"] = value


def _accept_config(command: click.Command) -> click.Command:
    """``--config`` after the verb as well (``newsletter check issues/x --config f.toml``):
    people type the options after the command they are running. Groups pass it down."""
    command.params.append(click.Option(
        ["--config"], type=click.Path(exists=True, dir_okay=False, path_type=Path),
        expose_value=False, is_eager=True, callback=_config_after_the_verb,
        help="Site configuration (default: the nearest newsletter.toml).",
    ))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_config(sub)
    return command


@functools.cache
def _command(name: str) -> click.Command:
    """The verb ``name`` from its module in newsletter/commands/, imported on first use."""
    from importlib import import_module

    if name in KEEP_PATTERNS:
        regex_cache.install()  # before the verb's imports compile their patterns
    return _accept_config(getattr(import_module(f"newsletter.commands.{COMMANDS[name]}"), name))
