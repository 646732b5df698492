"""`newsletter language add CODE`: a new language for the site, ready for a translator."""

from __future__ import annotations

import click

from newsletter.commands.common import project


@click.group()
def language() -> None:
    """The languages the newsletter is written in (the blocks of
    templates/_shared/strings.yaml).

    \b
    Example:
      newsletter language add uk
    """


@language.command()
@click.argument("code")
@click.option("--from", "source", metavar="CODE",
              help="The language whose words are copied (default: the main one, the first "
                   "block of strings.yaml).")
@click.pass_context
def add(ctx: click.Context, code: str, source: str | None) -> None:
    """Add the language CODE (uk, de, …): its block in templates/_shared/strings.yaml, its
    tagline and consent text in newsletter.toml, its section labels in the theme, each a
    copy of the main language's marked 'TODO translate:' for a translator to replace.
    `newsletter check` counts the words left; an issue may then say languages: [en, CODE].

    \b
    Example:
      newsletter language add uk
    """
    from newsletter.exceptions import display_path
    from newsletter.new_language import add_language

    added = add_language(project(ctx), code, source)
    for path in added.files:
        click.echo(f"wrote {display_path(path)}")
    for note in added.by_hand:
        click.secho(f"to do by hand: {note}", fg="yellow", err=True)
    click.echo(f"Translate the {added.words} words marked 'TODO translate:' in these files, "
               f"then write issues with languages: [..., {code}] (docs/authoring.md, "
               "\"Adding a language\").")
