"""Every language complete: a prose field written once in a two-language issue is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE, edited_copy, line_of, shown

from newsletter.cli import main
from newsletter.exceptions import ContentError
from newsletter.load import Project, load_issue
from newsletter.model import Article, Figures, LinkCards


def problems(folder: Path, project: Project) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_issue(folder, project)
    return [shown(p, folder) for p in caught.value.problems]


CARDS_TITLE = ("        title:\n          en: 3 map tools currently implemented by Krakow\n"
               "          pl: 3 narzędzia mapowe realizowane obecnie przez Kraków\n")


def test_a_kicker_written_once_is_refused_with_its_line_and_the_missing_language(
        project, tmp_path):
    folder = edited_copy(SAMPLE, tmp_path / "issue", {
        "open-city.md": [("title: Open City\n", "title: Open City\nkicker: Culture\n")],
        "issue.yaml": [(CARDS_TITLE, "        title: 3 map tools\n")],
    })
    found = problems(folder, project)
    line = line_of(folder / "issue.yaml", "title: 3 map tools")
    assert found == [
        f"issue.yaml:{line}: 'title' is given once, for every language, so the pl edition "
        "would print the en text: give it per language (en: …, pl: …) or mark it as the "
        "same in every language with 'title: !same \"…\"'"
    ]  # the kicker is in open-city.md (English) only: its Polish file has none, no error


def test_marked_the_same_names_and_numbers_and_per_language_values_pass(project, tmp_path):
    folder = edited_copy(SAMPLE, tmp_path / "issue", {"issue.yaml": [
        (CARDS_TITLE, '        title: !same "Life Science Open Space"\n'),
        ("  - kind: past\n",
         "  - kind: past\n    heading: {en: From the past, pl: Z przeszłości}\n"),
    ]})
    issue = load_issue(folder, project)
    for language in ("en", "pl"):
        edition = issue.in_language(language)
        cards = next(b for _, b in edition.blocks() if isinstance(b, LinkCards))
        assert cards.title == "Life Science Open Space"
        # figure values, card URLs, the footer's address: shared without a mark
        figures = next(b for _, b in edition.blocks() if isinstance(b, Figures))
        assert figures.items[0].value == "5"
    assert issue.in_language("pl").sections[2].heading == "Z przeszłości"


def test_every_kind_of_prose_field_is_checked(project, tmp_path):
    folder = tmp_path / "issue"
    folder.mkdir()
    (folder / "issue.yaml").write_text("""\
date: 2021-01-01
languages: [pl, en]
subject: Business Kraków
preheader: {pl: Zapowiedź, en: Preview}
sections:
  - kind: cooperation
    heading: Nagłówek
    blocks:
      - type: article
        title: {pl: Tytuł, en: Title}
        lead: Lead
        body: {pl: Treść., en: Body.}
        links:
          - label: Strona
            url: https://www.krakow.pl/
      - type: figures
        items:
          - value: "419"
            label: uczestników
      - type: letter
        body: Treść listu.
        signature:
          name: Jacek Majchrowski
          role: Prezydent
      - file: cards.yaml
      - type: article
        only: pl
        title: Tylko po polsku
        body: Tylko po polsku.
footer:
  editors: Redakcja
  email: pi.umk@um.krakow.pl
  address: ul. Józefa Meiera 16D
""", encoding="utf-8")
    (folder / "cards.yaml").write_text("""\
type: link_cards
cards:
  - title: {pl: Mapa, en: Map}
    button: Zobacz
    url: https://www.jestemaktywny.krakow.pl/
""", encoding="utf-8")
    found = problems(folder, project)
    named = sorted(p.split(": ", 2)[0] + " " + p.split("'")[1] for p in found)
    assert named == sorted([
        "issue.yaml:3 subject", "issue.yaml:7 heading", "issue.yaml:11 lead",
        "issue.yaml:14 label", "issue.yaml:19 label", "issue.yaml:21 body",
        "issue.yaml:24 role", "issue.yaml:31 editors", "cards.yaml:4 button",
    ])  # not: the signature's name, values, URLs, e-mail, address, the block only in pl
    assert all("the en edition would print the pl text" in p for p in found)


def test_a_one_language_issue_is_unaffected(project, tmp_path):
    folder = tmp_path / "issue"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: past\n    blocks:\n"
        "      - type: article\n        kicker: Nowość\n        title: Tytuł\n"
        "        body: Treść.\n", encoding="utf-8")
    issue = load_issue(folder, project)
    assert isinstance(issue.sections[0].blocks[0], Article)


@pytest.mark.parametrize(("written", "message"), [
    ('!sam "Life Science Open Space"', "unknown tag '!sam': the one tag an issue knows is "
     "!same (a text the same in every language) — did you mean '!same'?"),
    ("!same {en: A, pl: B}", "'!same' marks one text as the same in every language "
     "(key: !same \"text\"), not a list or a group"),
])
def test_a_tag_other_than_same_on_a_text_is_named(project, tmp_path, written, message):
    folder = edited_copy(SAMPLE, tmp_path / "issue", {
        "issue.yaml": [(CARDS_TITLE, f"        title: {written}\n")]})
    line = line_of(folder / "issue.yaml", written)
    assert problems(folder, project) == [f"issue.yaml:{line}: {message}"]


def test_check_refuses_a_shared_field_without_a_traceback(tmp_path):
    folder = edited_copy(SAMPLE, tmp_path / "issue", {
        "issue.yaml": [(CARDS_TITLE, "        title: 3 map tools\n")]})
    result = CliRunner().invoke(main, ["--config", str(SAMPLE.parent.parent / "newsletter.toml"),
                                       "check", str(folder)])
    assert result.exit_code == 1, result.output
    assert "'title' is given once, for every language" in result.output
    assert "Traceback" not in result.output


def test_check_warns_of_a_figures_value_with_words_given_once(tmp_path):
    """"1 250 miejsc" and "PLN 3.5 million", given once in a Polish and English issue,
    printed as typed in both editions and `check` said nothing (hand-made issue 2028-05).
    A value with words is a warning at its line; numbers, per-language values and a
    value marked the same in every language are not."""
    folder = edited_copy(SAMPLE, tmp_path / "issue", {"issue.yaml": [
        ('          - value: "419"\n', '          - value: "419 uczestników"\n'),
        ('          - value: "156"\n', '          - value: {en: 156 panelists, pl: 156 osób}\n'),
        ('          - value: "72"\n', '          - value: !same "72 ZOOM"\n')]})
    result = CliRunner().invoke(main, ["--config", str(SAMPLE.parent.parent / "newsletter.toml"),
                                       "check", str(folder)])
    assert result.exit_code == 0, result.output
    line = line_of(folder / "issue.yaml", '"419 uczestników"')
    warnings = [text for text in result.output.splitlines() if "holds words" in text]
    assert warnings == [f"warning: {folder / 'issue.yaml'}:{line}: 'value' '419 uczestników' "
                        "holds words and is given once, so every edition prints it as "
                        "written: give it per language (en: …, pl: …) or mark it the same in "
                        "every language with 'value: !same \"…\"'"], result.output
