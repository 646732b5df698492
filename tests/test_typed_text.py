"""What an editor's keyboard (or a paste from Word) puts into a text, told by `check` at its
line with the fix, never passed on to readers.

A three-language issue written from docs/authoring.md alone passed `check` with a soft
hyphen inside a link's address (Markdown made its host punycode, ``www.xn--krakow-dja.pl``:
a link to another host) and a zero-width space inside a card's address.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, one_article_issue

from newsletter.cli import main

CONFIG = str(ROOT / "newsletter.toml")


def check(issue: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", CONFIG, "check", str(issue)])


@pytest.mark.parametrize("written", [
    "[wyszukiwarka](https://www.kra\u00adkow.pl/szukaj)",   # soft hyphen: another host
    "<https://www.krakow.pl/bi\u200bznes>",                  # zero-width space
    "Zobacz https://www.krakow.pl/bi\u200bznes dziś.",       # a bare address
    "Zobacz www.kra\u00adkow.pl/biznes dziś.",
    "[portal](https://www.krakow.pl/a\u00a0b)",              # a no-break space
    "[portal](https://www.krakow.pl/a%C2%ADb)",              # the same, escaped
    "Napisz: pi.umk@um.kra\u00adkow.pl",
])
def test_an_invisible_character_in_an_address_is_named_at_its_line(tmp_path, written):
    issue = one_article_issue(tmp_path / "2021-01", f"Pierwszy akapit.\n\n{written}")
    result = check(issue)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = next(n for n, text in enumerate(
        (issue / "issue.yaml").read_text(encoding="utf-8").splitlines(), 1) if "akapit" in text)
    assert f"issue.yaml:{line + 2}: " in result.stderr, result.stderr
    assert ("invisible character" in result.stderr
            or "unsafe characters" in result.stderr), result.stderr


def test_an_invisible_character_in_a_url_field_is_named(tmp_path):
    issue = one_article_issue(tmp_path / "2021-01", "Tekst.")
    yaml_file = issue / "issue.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + (
        "      - type: link_cards\n        cards:\n          - title: Mapa\n"
        "            url: https://www.jestemak\u200btywny.krakow.pl/\n"), encoding="utf-8")
    result = check(issue)
    assert result.exit_code == 1
    assert "invisible character (U+200B ZERO WIDTH SPACE) after " \
        "'https://www.jestemak'" in result.stderr, result.stderr


def test_addresses_editors_really_write_pass(tmp_path):
    issue = one_article_issue(tmp_path / "2021-01", (
        "[Kraków](https://pl.wikipedia.org/wiki/Kraków_(miasto)), "
        "[Krak%C3%B3w](https://pl.wikipedia.org/wiki/Krak%C3%B3w), "
        "[plan](https://x.pl/a%20b?q=1&r=2#c), [napisz](mailto:a@krakow.pl?body=a%0Ab), "
        "[plan](<https://x.pl/a b>)."))
    result = check(issue)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("body", "line"), [
    ("Cena ~~50 zł~~ 30 zł.", 0),
    ("Lista:\n\n- pierwszy\n- ~~drugi~~ trzeci", 3),
    ("| Program | Kwota |\n|---|---|\n| Start | ~~50 000 zł~~ 40 000 zł |", 2),
])
def test_struck_words_are_named_at_their_line(tmp_path, body, line):
    """``~~…~~`` printed as typed in every edition, with `check` silent."""
    issue = one_article_issue(tmp_path / "2021-01", f"Akapit.\n\n{body}")
    result = check(issue)
    assert result.exit_code == 1, result.output
    first = next(n for n, text in enumerate(
        (issue / "issue.yaml").read_text(encoding="utf-8").splitlines(), 1) if "Akapit" in text)
    assert f"issue.yaml:{first + 2 + line}: '~~" in result.stderr, result.stderr
    assert "tildes and all" in result.stderr


def test_a_tilde_that_strikes_nothing_passes(tmp_path):
    issue = one_article_issue(tmp_path / "2021-01",
                              "Około ~20 osób, ~~ to nic, \\~~50 zł~~ i `~~kod~~`.")
    assert check(issue).exit_code == 0


@pytest.mark.parametrize(("value", "column", "said"), [
    ('"Granty "Kraków 2021" i więcej"', 24, "this \" ends the value in quotes early, at "
     "\"Granty \""),
    ("'O'Brien and Son'", 18, "this apostrophe ends the value in single quotes early, "
     "at 'O'"),
])
def test_a_quote_inside_a_quoted_title_is_named_where_it_ends_the_value(tmp_path, value,
                                                                          column, said):
    """An editor quotes the title and the words inside it alike; libyaml said "did not find
    expected key" and the hint sent them to the indentation."""
    issue = one_article_issue(tmp_path / "2021-01", "Tekst.", title=value)
    line = next(n for n, text in enumerate(
        (issue / "issue.yaml").read_text(encoding="utf-8").splitlines(), 1) if "title:" in text)
    result = check(issue)
    assert result.exit_code == 1
    assert f"issue.yaml:{line}:{column}: {said}" in result.stderr, result.stderr
    assert "indentation" not in result.stderr


def test_a_quote_inside_a_block_file_s_front_matter_is_named_at_the_file_s_line(tmp_path):
    issue = one_article_issue(tmp_path / "2021-01", "Tekst.")
    yaml_file = issue / "issue.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + "      - file: grants.md\n",
                         encoding="utf-8")
    (issue / "grants.md").write_text('---\nkicker: Nowość\ntitle: "Granty "2021""\n---\nTekst.\n',
                                     encoding="utf-8")
    result = check(issue)
    assert result.exit_code == 1
    assert 'grants.md:3:16: this " ends the value in quotes early' in result.stderr, \
        result.stderr


PLAIN = """\
date: 2021-06-01
languages: [pl, en]
subject: {pl: "**Ważne**: granty", en: Grants}
sections:
  - kind: cooperation
    heading: {pl: "*Kraków* dla biznesu", en: Kraków for business}
    blocks:
      - type: article
        title: {pl: Granty, en: Grants}
        lead: {pl: "Zobacz [portal](https://www.krakow.pl/) i daty.", en: See the portal.}
        body: {pl: Tekst., en: Text.}
      - type: figures
        title: {pl: Liczby, en: Numbers}
        items:
          - value: "**5**"
            label: {pl: "dni <br> konferencji", en: days}
          - value: "5*"
            label: {pl: hotel 5* i 4*, en: hotels}
"""


def test_markdown_typed_into_a_plain_text_field_is_a_warning_with_the_text_as_it_should_be(
        tmp_path):
    """Every edition printed the stars, brackets and tags of a title, a lead, a value or a
    label (plain text) as typed, and check said OK."""
    issue = tmp_path / "2021-06"
    issue.mkdir()
    (issue / "issue.yaml").write_text(PLAIN, encoding="utf-8")
    result = check(issue)
    assert result.exit_code == 0, result.output
    warnings = [line.split("issue.yaml:", 1)[1] for line in result.stderr.splitlines()
                if "plain text" in line]
    assert warnings == [
        "3: 'subject' is plain text, where Markdown is not applied: readers would see "
        "'**Ważne**' as typed; write it without the signs: 'Ważne: granty'",
        "6: 'heading' is plain text, where Markdown is not applied: readers would see "
        "'*Kraków*' as typed; write it without the signs: 'Kraków dla biznesu'",
        "10: 'lead' is plain text, where Markdown is not applied: readers would see "
        "'[portal](https://www.krakow.pl/)' as typed; write it without the signs: "
        "'Zobacz portal i daty.' (a link belongs in a Markdown text or the block's links)",
        "15: 'value' is plain text, where Markdown is not applied: readers would see "
        "'**5**' as typed; write it without the signs: '5'",  # shared: said once
        "16: 'label' is plain text, where HTML is not applied: readers would see '<br>' as "
        "typed; delete it (this field is one paragraph, without formatting)",
    ], result.stderr


@pytest.mark.parametrize(("typed", "reads"), [
    ("Kraków&nbsp;dla biznesu", "Kraków\u00a0dla biznesu"),  # from a CMS's source
    ("2020&#8211;2021", "2020–2021"),
    ("__Granty__ 2021", "Granty 2021"),
    ("Hotel 5* i 4*", None),  # stars that mark nothing
    ("R&D, Tom & Jerry; snake__case", None),
    # a passage marked in another language, as Markdown texts allow (lang= or a class)
    ("[Слава Україні]{lang=uk}: Kraków", "Слава Україні: Kraków"),
    ("Motto [Bonjour !]{ lang=fr } du jour", "Motto Bonjour ! du jour"),
    ("Dzień otwarty {10–12}", None),  # braces that mark nothing
])
def test_what_a_plain_text_field_would_read_as(typed, reads):
    from newsletter.markdown_checks import markup_in_plain_text

    message = markup_in_plain_text(typed, "title")
    if reads is None:
        assert message is None
    else:
        assert message is not None and (message.endswith(f"'{reads}'")
                                        or f": '{reads}' (" in message), message


def test_a_translation_named_in_capitals_is_not_lost_without_a_word(tmp_path):
    """Windows keeps what an editor types: 'granty.PL.md' and 'kraków.pl.MD' beside their
    block files; the loader reads 'x.MD' but looks for the language in lowercase, and the
    warning about unread translations knew neither."""
    issue = tmp_path / "2021-01"
    issue.mkdir()
    (issue / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: en\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - file: granty.md\n      - file: Kraków.MD\n", encoding="utf-8")
    for name in ("granty.md", "granty.EN.md", "Kraków.MD", "Kraków.pl.MD"):
        (issue / name).write_text("---\ntitle: Granty\n---\nTekst.\n", encoding="utf-8")
    result = check(issue)
    assert result.exit_code == 0, result.output
    assert (f"warning: {issue}/granty.EN.md: not read: a language is written in lowercase: "
            "rename it granty.en.md") in result.stderr, result.stderr
    assert (f"warning: {issue}/Kraków.pl.MD: not read: the issue's languages are en; add pl "
            "to 'languages' in issue.yaml, or delete the file") in result.stderr


def test_a_table_in_a_card_is_named_at_its_line(tmp_path):
    """A card is a third of the page: its table came out a letter a column in the e-mail
    (the card pushed past its row) and with its numbers split in the PDFs."""
    issue = one_article_issue(tmp_path / "2021-01", "Tekst.")
    yaml_file = issue / "issue.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + (
        "      - type: link_cards\n        intro: |\n          | Program | Kwota |\n"
        "          |---|--:|\n          | Start | 50 000 zł |\n        cards:\n"
        "          - title: Granty\n            url: https://www.krakow.pl/\n"
        "            text: |\n              Programy:\n\n              | Program | Kwota |\n"
        "              |---|--:|\n              | Start | 50 000 zł |\n"), encoding="utf-8")
    line = next(n for n, text in enumerate(
        yaml_file.read_text(encoding="utf-8").splitlines(), 1) if "              | Program" in text)
    result = check(issue)
    assert result.exit_code == 0
    warnings = [w for w in result.stderr.splitlines() if "does not fit a card" in w]
    assert warnings == [  # one, though the issue is checked in each edition; the intro's is fine
        f"warning: {issue}/issue.yaml:{line}: a table does not fit a card (a third of the "
        "page wide): its columns come out a letter or two wide; put it in the group's intro "
        "or in an article, or write its rows as a list"], result.stderr


@pytest.mark.parametrize(("line", "column", "fix"), [
    ("        kicker: #nowość", 17, 'kicker: "#nowość"'),
    ("        title: Granty 2021 #kraków", 28, 'title: "Granty 2021 #kraków"'),
])
def test_a_hashtag_is_never_dropped_as_a_yaml_comment(tmp_path, line, column, fix):
    """In YAML '#' after a space starts a comment: the kicker '#nowość' vanished, and
    '#kraków' was cut from the title, with check saying OK."""
    issue = one_article_issue(tmp_path / "2021-01", "Tekst.")
    yaml_file = issue / "issue.yaml"
    text = yaml_file.read_text(encoding="utf-8").replace("        title: Tabela\n",
                                                         f"        title: Tabela\n{line}\n")
    text = text.replace("        title: Tabela\n        title:", "        title:")
    yaml_file.write_text(text, encoding="utf-8")
    number = text.splitlines().index(line) + 1
    result = check(issue)
    assert result.exit_code == 1, result.output
    assert f"issue.yaml:{number}:{column}: '#" in result.stderr, result.stderr
    assert result.stderr.splitlines()[0].endswith(f"put the value in quotes: {fix}")


def test_comments_written_as_comments_and_text_blocks_keep_their_hashes(tmp_path):
    issue = one_article_issue(tmp_path / "2021-01", "# Nagłówek\n\nTekst #kraków.")
    yaml_file = issue / "issue.yaml"
    yaml_file.write_text("# Wydanie #1, szkic\n" + yaml_file.read_text(encoding="utf-8")
                         .replace("date: 2021-01-01", "date: 2021-01-01  # data #wydania")
                         .replace("title: Tabela", 'title: "Tabela #1"  #komentarz'),
                         encoding="utf-8")
    result = check(issue)
    assert result.exit_code == 0, result.output


def test_a_colon_inside_a_value_asks_for_quotes_at_its_column(tmp_path):
    """'lead: Uwaga: nowe granty' got libyaml's "mapping values are not allowed here" and a
    hint about indentation."""
    issue = one_article_issue(tmp_path / "2021-01", "Tekst.", title="Uwaga: nowe granty")
    line = next(n for n, text in enumerate(
        (issue / "issue.yaml").read_text(encoding="utf-8").splitlines(), 1) if "Uwaga" in text)
    result = check(issue)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].endswith(
        f"issue.yaml:{line}:21: the ': ' after 'Uwaga' would start another field: put the "
        'value in quotes: title: "Uwaga: nowe granty"'), result.stderr
