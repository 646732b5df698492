"""A language is data: Ukrainian added to a copy of the site with `newsletter language add`,
filled in, and an issue in English and Ukrainian built into every edition."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

from newsletter.cli import main

ISSUE = """\
date: 2021-02-01
languages: [en, uk]
subject:
  en: Business Kraków — February 2021
  uk: Business Kraków — лютий 2021
preheader:
  en: Support for entrepreneurs from Ukraine.
  uk: Підтримка підприємців з України.
sections:
  - kind: cooperation
    heading:
      en: Business in Kraków
      uk: Бізнес у Кракові
    blocks:
      - file: welcome.md
      - type: figures
        title: {en: In numbers, uk: У цифрах}
        items:
          - value: "419"
            label: {en: participants, uk: учасників}
      - type: link_cards
        cards:
          - title: {en: Business map, uk: Мапа бізнесу}
            text: {en: Find companies near you., uk: Знайдіть компанії поруч.}
            button: {en: See the map, uk: Дивитися мапу}
            url: https://www.jestemaktywny.krakow.pl/
footer:
  editors: {en: Editors of Business Kraków, uk: Редакція Business Kraków}
  email: pi.umk@um.krakow.pl
"""

WELCOME = """\
---
title: Welcome
lead: The city supports entrepreneurs who came from Ukraine.
---
Kraków welcomes companies from Ukraine. The motto of the campaign is [Слава Україні]{lang=uk}.
"""

WELCOME_UK = """\
---
title: Ласкаво просимо
lead: Місто підтримує підприємців, які приїхали з України.
---
Краків вітає компанії з України. Гасло кампанії — [Kraków dla biznesu]{lang=pl}.

Місто допомагає з реєстрацією фірми, пошуком приміщень та консультаціями щодо податків.
"""

WORDS = {  # a few real words; every other one is filled with a Ukrainian stand-in
    "read_more": "Читати далі", "view_in_browser": "Переглянути у браузері",
    "contents": "У цьому випуску", "editors": "Редакція", "contact": "Контакт",
    "download_pdf": "Завантажити PDF", "languages": "Мови",
}


def run(site: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", str(site / "newsletter.toml"), *args])


def fill_translations(site: Path) -> None:
    """What a translator does: every 'TODO translate: …' replaced by Ukrainian."""
    strings = site / "templates" / "_shared" / "strings.yaml"
    count = iter(range(1000))

    def translated(match: re.Match[str]) -> str:
        key = match.group(1)
        return f"  {key}: {WORDS.get(key, f'Слово номер {next(count)}')}"

    text = re.sub(r"^  (\w+): 'TODO translate: .*'$", translated,
                  strings.read_text(encoding="utf-8"), flags=re.MULTILINE)
    strings.write_text(text, encoding="utf-8")
    for name in ("newsletter.toml", "assets/theme.yaml"):
        path = site / name
        path.write_text(re.sub(r'"TODO translate: [^"]*"', '"Переклад"',
                               path.read_text(encoding="utf-8")), encoding="utf-8")


def copy_site(target: Path) -> Path:
    target.mkdir()
    shutil.copy(ROOT / "newsletter.toml", target)
    for folder in ("templates", "assets"):
        shutil.copytree(ROOT / folder, target / folder)
    issue = target / "issues" / "2021-02"
    issue.mkdir(parents=True)
    (issue / "issue.yaml").write_text(ISSUE, encoding="utf-8")
    (issue / "welcome.md").write_text(WELCOME, encoding="utf-8")
    (issue / "welcome.uk.md").write_text(WELCOME_UK, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = copy_site(tmp_path_factory.mktemp("uk") / "site")
    added = run(site, "language", "add", "uk")
    assert added.exit_code == 0, added.output
    fill_translations(site)
    return site


@pytest.fixture(scope="module")
def built(site: Path) -> Path:
    result = run(site, "build", str(site / "issues" / "2021-02"), "--out", str(site / "out"))
    assert result.exit_code == 0, result.output
    return site / "out" / "2021-02"


def test_language_add_writes_marked_words_where_they_live(tmp_path):
    site = copy_site(tmp_path / "site")
    result = run(site, "language", "add", "uk")
    assert result.exit_code == 0, result.output
    block = yaml.safe_load((site / "templates/_shared/strings.yaml").read_text("utf-8"))["uk"]
    english = yaml.safe_load((ROOT / "templates/_shared/strings.yaml").read_text("utf-8"))["en"]
    assert block["language_name"] == "Українська" and block["locale"] == "uk_UA"
    assert block["hyphenation"] == "uk_UA"
    assert block["read_more"] == "TODO translate: Read more"
    assert set(block) >= set(english)
    # the rules its passages were bound by (typography.yaml), now the edition's own
    assert {"в", "з", "і"} <= set(block["typography"]["bind_after"])
    assert block["typography"]["bind_numbers"] is True
    toml = (site / "newsletter.toml").read_text(encoding="utf-8")
    assert 'uk = "TODO translate: Business Support Centre"' in toml
    assert 'text.uk = "TODO translate: I agree to receive' in toml
    theme = (site / "assets/theme.yaml").read_text(encoding="utf-8")
    assert 'uk: "TODO translate: Cooperation"' in theme
    # the marked words build, and check counts them
    check = run(site, "check", str(site / "issues" / "2021-02"))
    assert check.exit_code == 0, check.output
    assert re.search(r"strings\.yaml:\d+: \d+ words of 'uk' not translated yet", check.output)
    assert "'tagline' is not translated yet in uk" in check.output
    again = run(site, "language", "add", "uk")
    assert again.exit_code == 1 and "'uk' is already a language of the site" in again.output


def test_every_edition_is_ukrainian(built: Path, site: Path):
    uk = built / "uk"
    email, web = (uk / "email.html").read_text("utf-8"), (uk / "web/index.html").read_text("utf-8")
    assert re.search(r'<html[^>]* lang="uk"', email) and re.search(r'<html[^>]* lang="uk"', web)
    assert "Лютий 2021" in web  # the month from Babel's Ukrainian
    english_web = (built / "web/index.html").read_text("utf-8")
    assert re.search(r'hreflang="uk" lang="uk">Українська<', english_web)  # the switch
    assert 'aria-current="page">Українська<' in web
    # the passage in Polish carries its language in both HTML editions
    for html in (email, web):
        assert '<span lang="pl">Kraków dla biznesu</span>' in html
    assert '<span lang="uk">Слава Україні</span>' in english_web
    # no English template word is left when every word is given
    english = yaml.safe_load((ROOT / "templates/_shared/strings.yaml").read_text("utf-8"))["en"]
    texts = {"email.txt": (uk / "email.txt").read_text("utf-8"), "email.html": email,
             "web": web, "pdf": _pdf_text(uk / "business-krakow-2021-02.pdf")}
    left = [(where, word) for where, text in texts.items()
            for key, word in english.items()
            if isinstance(word, str) and len(word) > 3 and key != "language_name"
            and "{" not in word and word in text]
    assert left == []


def test_the_pdfs_say_their_language_and_the_passages_theirs(built: Path):
    for name in ("business-krakow-2021-02.pdf", "business-krakow-2021-02-print.pdf"):
        with pikepdf.open(built / "uk" / name) as pdf:
            assert str(pdf.Root.Lang) == "uk"
    with pikepdf.open(built / "uk" / "business-krakow-2021-02.pdf") as pdf:
        assert ("/Span", "pl") in _structure_langs(pdf.Root.StructTreeRoot)
    with pikepdf.open(built / "business-krakow-2021-02.pdf") as pdf:
        assert ("/Span", "uk") in _structure_langs(pdf.Root.StructTreeRoot)


def test_the_pdf_fonts_cover_cyrillic(built: Path):
    """A character the embedded fonts lack is drawn from a machine font (DejaVu) without a
    word: Cyrillic text in a PDF that embeds Source Sans 3 alone came from Source Sans 3."""
    for name in ("business-krakow-2021-02.pdf", "business-krakow-2021-02-print.pdf"):
        pdf = built / "uk" / name
        assert "Ласкаво просимо" in _pdf_text(pdf)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert fonts and all("Source-Sans-3" in line for line in fonts), fonts


def test_a_missing_word_is_a_check_error_not_english(site: Path, tmp_path):
    broken = tmp_path / "site"
    shutil.copytree(site, broken, ignore=shutil.ignore_patterns("out"))
    strings = broken / "templates" / "_shared" / "strings.yaml"
    text = strings.read_text(encoding="utf-8")
    uk_line = text[: text.index("\nuk:")].count("\n") + 2
    strings.write_text(text.replace("  read_more: Читати далі\n", ""), encoding="utf-8")
    result = run(broken, "check", str(broken / "issues" / "2021-02"))
    assert result.exit_code == 1
    assert f"strings.yaml:{uk_line}: 'uk' has no 'read_more' (en has it on line" in result.output
    assert "Traceback" not in result.output


def test_check_warns_of_a_script_the_pdf_font_lacks(site: Path, tmp_path):
    georgian = tmp_path / "site"
    shutil.copytree(site, georgian, ignore=shutil.ignore_patterns("out"))
    assert run(georgian, "language", "add", "ka").exit_code == 0
    issue = georgian / "issues" / "2021-02" / "issue.yaml"
    issue.write_text("date: 2021-02-01\nlanguage: ka\nsections:\n  - kind: past\n    blocks:\n"
                     "      - type: article\n        title: ახალი ამბები\n        body: ტექსტი.\n",
                     encoding="utf-8")
    result = run(georgian, "check", str(issue.parent))
    assert result.exit_code == 0, result.output
    assert re.search(r"strings\.yaml:\d+: 'ka': \d+ of its letters are in no font the PDFs "
                     r"embed \(Source Sans 3, Noto Emoji\)", result.output)


def test_a_mark_that_is_not_a_language_is_refused(site: Path, tmp_path):
    folder = tmp_path / "issue"
    shutil.copytree(site / "issues" / "2021-02", folder)
    welcome = folder / "welcome.md"
    welcome.write_text(WELCOME.replace("{lang=uk}", "{.red}"), encoding="utf-8")
    result = run(site, "check", str(folder))
    assert result.exit_code == 1
    assert "welcome.md:5: '{.red}': only a language can be marked, as {lang=uk}" in result.output


@pytest.mark.parametrize("code, hint", [
    ("ua", "'ua' is a country's code; did you mean 'uk'?"),
    ("cz", "'cz' is a country's code; did you mean 'cs'?"),
    ("qq", "(ISO 639: uk Ukrainian, cs Czech, de German, …)")])
def test_a_country_for_a_language_is_refused_with_the_countrys_language(site: Path, tmp_path,
                                                                        code, hint):
    """"{lang=ua}" passed check and went out as lang="ua" (hand-made issue 2028-02): no
    screen reader or hyphenation knows it; Ukrainian is "uk"."""
    folder = tmp_path / "issue"
    shutil.copytree(site / "issues" / "2021-02", folder)
    welcome = folder / "welcome.md"
    welcome.write_text(WELCOME.replace("{lang=uk}", f"{{lang={code}}}"), encoding="utf-8")
    result = run(site, "check", str(folder))
    assert result.exit_code == 1
    assert f"welcome.md:5: '{{lang={code}}}' names no language" in result.output
    assert hint in result.output
    welcome.write_text(WELCOME.replace("{lang=uk}", "{lang=uk-UA}"), encoding="utf-8")
    assert run(site, "check", str(folder)).exit_code == 0


def _checked_with_mark(site: Path, tmp_path: Path, mark: str):
    """`newsletter check` of the 2021-02 issue with its welcome's passage marked ``mark``
    (line 5) instead of {lang=uk}."""
    folder = tmp_path / "issue"
    shutil.copytree(site / "issues" / "2021-02", folder)
    (folder / "welcome.md").write_text(WELCOME.replace("{lang=uk}", mark), encoding="utf-8")
    return run(site, "check", str(folder))


@pytest.mark.parametrize("value, code", [
    ("German", "de"), ("niemiecki", "de"), ("Deutsch", "de"), ("Ukrainian", "uk"),
    ("ukraiński", "uk"), ("UK", "uk"), ("English", "en")])
def test_a_language_written_by_name_is_refused_with_its_code(site: Path, tmp_path, value,
                                                             code):
    """"{lang=German}" (hand-made issue F) was told only that it is no language code;
    the editor wrote a language's name, in English, Polish or its own words, or a code in
    capitals: check names the code."""
    result = _checked_with_mark(site, tmp_path, f"{{lang={value}}}")
    assert result.exit_code == 1
    assert (f"welcome.md:5: '{{lang={value}}}' is not a language code: did you mean "
            f"{{lang={code}}}?") in result.output, result.output


def test_a_mark_with_spaces_inside_is_told_it_is_not_read(site: Path, tmp_path):
    """'{lang = de}' is not read as a mark (it would be printed as typed): check says so
    and how to write it, not that 'de' is no language."""
    result = _checked_with_mark(site, tmp_path, "{lang = de}")
    assert result.exit_code == 1
    assert ("welcome.md:5: '{lang = de}' is not read (spaces inside the braces): write "
            "{lang=de}") in result.output, result.output


def _structure_langs(node: object) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, pikepdf.Dictionary):
        if "/Lang" in node:
            found.append((str(node.get("/S")), str(node.Lang)))
        if "/K" in node:
            found += _structure_langs(node.K)
    elif isinstance(node, pikepdf.Array):
        for item in node:
            found += _structure_langs(item)
    return found


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize(("name", "written", "line", "expected"), [
    ("theme.yaml", 'label:\n  en: "Call for"\n  pl: "Czas na"\nname: x\n', 1,
     {"label": {"en": "Call for", "pl": "Czas na", "uk": "TODO translate: Call for"},
      "name": "x"}),
    ("theme.yaml", 'label: {en: "Call for", pl: "Czas na"}\n', 1,
     {"label": {"en": "Call for", "pl": "Czas na", "uk": "TODO translate: Call for"}}),
    ("site.toml", '[tagline]\nen = "Call for"\n\n[print]\nbleed_mm = 3\n', 1,
     {"tagline": {"en": "Call for", "uk": "TODO translate: Call for"},
      "print": {"bleed_mm": 3}}),
    ("site.toml", '[consent]\ntext.en = "Call for"\nversion = "1"\n', 2,
     {"consent": {"text": {"en": "Call for", "uk": "TODO translate: Call for"},
                  "version": "1"}}),
    ("site.toml", 'tagline = { en = "Call for" }  # per language\n', 1,
     {"tagline": {"en": "Call for", "uk": "TODO translate: Call for"}}),
])
def test_a_language_is_added_to_each_layout_of_a_value(tmp_path, name, written, line,
                                                       expected):
    import tomllib

    from newsletter.exceptions import Location
    from newsletter.new_language import _add_value

    path = tmp_path / name
    path.write_text(written, encoding="utf-8")
    assert _add_value(Location(path, line), "uk", "TODO translate: Call for")
    text = path.read_text(encoding="utf-8")
    assert (tomllib.loads(text) if name.endswith(".toml") else yaml.safe_load(text)) == expected
