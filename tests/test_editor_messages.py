"""Messages for the mistakes editors still make (issue 16 item 5), as the CLI prints them.

A tab in the YAML (with its column), a picture named in another letter case or Unicode
normalisation, a block file in a language the issue does not list, literal Markdown,
``--config`` after the verb, two sections of one kind in the web menu, and ``title:``.
"""

from __future__ import annotations

import random
import shutil
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT, SAMPLE, edited_copy, editor_warnings, line_of, ok_line
from lxml import html as lxml_html
from test_cli import run

from newsletter.cli import main

CONFIG = str(ROOT / "newsletter.toml")


def check(issue: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", CONFIG, "check", str(issue)])


def test_a_tab_in_the_yaml_is_named_with_its_line_and_column(tmp_path: Path):
    """20 seeded places: a tab put into the indentation of a random indented line."""
    source = (DATA / "every-block" / "issue.yaml").read_text(encoding="utf-8").splitlines()
    indented = [n for n, line in enumerate(source) if line.startswith("  ") and line.strip()]
    rng = random.Random(5)
    for case in range(20):
        number = rng.choice(indented)
        line = source[number]
        depth = len(line) - len(line.lstrip(" "))
        column = rng.randint(1, depth)
        lines = [*source]
        lines[number] = line[: column - 1] + "\t" + line[column:]
        issue = tmp_path / f"tab-{case}"
        shutil.copytree(DATA / "every-block", issue)
        (issue / "issue.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = check(issue)
        assert result.exit_code == 1, result.output
        expected = f"{issue}/issue.yaml:{number + 1}:{column}: a tab in the indentation"
        assert result.stderr.splitlines()[0].startswith(expected), (lines[number], result.stderr)
        assert "Traceback" not in result.output


def test_config_is_accepted_after_the_verb(tmp_path: Path):
    shutil.copytree(SAMPLE, tmp_path / "issue")
    before = run("--config", CONFIG, "check", "issue", cwd=tmp_path)
    after = run("check", "issue", "--config", CONFIG, cwd=tmp_path)
    assert before.returncode == after.returncode == 0, after.stderr
    assert after.stdout == before.stdout
    assert after.stdout.splitlines()[-1] == ok_line(after.stderr)
    missing = run("check", "issue", "--config", "nowhere.toml", cwd=tmp_path)
    assert missing.returncode == 2
    assert "'--config': File 'nowhere.toml' does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr
    nested = run("build", "issue", "--only", "email", "--out", "out", "--config", CONFIG,
                 cwd=tmp_path)
    assert nested.returncode == 0, nested.stderr
    assert (tmp_path / "out" / "issue" / "email.html").is_file()


def test_pictures_are_found_in_either_normalisation_and_case_asks_did_you_mean(tmp_path):
    written = "images/zdjęcie-żółw.png"
    for stored, typed in (("NFD", "NFC"), ("NFC", "NFD")):
        issue = edited_copy(DATA / "every-block", tmp_path / stored.lower(), {
            "issue.yaml": [("file: images/card.png", "file: "
                            + unicodedata.normalize(typed, written))],
        })
        (issue / "images" / "card.png").rename(issue / unicodedata.normalize(stored, written))
        result = check(issue)
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[-1] == ok_line(result.stderr)
    issue = edited_copy(DATA / "every-block", tmp_path / "case", {
        "issue.yaml": [("file: images/card.png", "file: images/zdjęcie.jpg")],
    })
    (issue / "images" / "card.png").rename(issue / "images" / "Zdjęcie.JPG")
    result = check(issue)
    assert result.exit_code == 1
    line = line_of(issue / "issue.yaml", "images/zdjęcie.jpg")
    assert result.stderr.splitlines()[0].startswith(
        f"{issue}/issue.yaml:{line}: image 'images/zdjęcie.jpg' not found in {issue} — did you "
        "mean 'images/Zdjęcie.JPG'?")


def test_a_block_file_in_a_language_the_issue_does_not_list_is_a_warning(tmp_path: Path):
    innovation = "  - kind: innovation\n    blocks:\n"
    issue = edited_copy(DATA / "every-block", tmp_path / "issue", {  # language: pl
        "issue.yaml": [(innovation, innovation + "      - file: extra.md\n")],
    })
    for name in ("extra.md", "extra.en.md", "extra.uk.md", "images/extra.pl.md"):
        (issue / name).write_text("---\ntitle: Dodatek\n---\nTreść.\n", encoding="utf-8")
    result = check(issue)
    assert result.exit_code == 0, result.output
    warnings = editor_warnings(result.stderr)
    assert warnings == [
        f"warning: {issue}/extra.en.md: not read: the issue's languages are pl; add en to "
        "'languages' in issue.yaml, or delete the file",
        f"warning: {issue}/extra.uk.md: not read: 'uk' is not a language of the newsletter "
        "(en, pl); rename the file (e.g. extra.pl.md) or delete it",
    ]  # images/extra.pl.md is in a listed language: read when named, never warned about
    assert result.stdout.splitlines()[-1] == ok_line(result.stderr)


def test_literal_markdown_is_a_check_error_at_its_line_in_the_file(tmp_path: Path):
    issue = edited_copy(SAMPLE, tmp_path / "issue", {
        "open-city.md": [("\n\n", "\n\nSee [the plan](https://www.krakow.pl/plan 2021.pdf) and "
                          "a note[^x].\n\n")],
    })
    result = check(issue)
    assert result.exit_code == 1
    line = line_of(issue / "open-city.md", "[the plan]")
    assert result.stderr.splitlines() == [
        f"{issue}/open-city.md:{line}: footnote mark '[^x]' has no note: add a line "
        "'[^x]: the note' below the paragraph (a label has no spaces)",
        f"{issue}/open-city.md:{line}: link '[the plan](https://www.krakow.pl/plan 2021.pdf)': "
        "the address has a space, so it is printed as typed; write the space as %20 or put "
        "the address in angle brackets: [the plan](<https://www.krakow.pl/plan 2021.pdf>)",
        "2 problems found.",
    ]


@pytest.fixture(scope="module")
def two_of_a_kind(tmp_path_factory) -> Path:
    """The every-block issue with two innovation sections and its own title, built (web, PDF)."""
    tmp_path = tmp_path_factory.mktemp("kinds")
    innovation = "  - kind: innovation\n    blocks:\n"
    issue = edited_copy(DATA / "every-block", tmp_path / "2021-01", {
        "issue.yaml": [
            ("title: Business Kraków <script>", "title: Wydanie specjalne <script>"),
            ("  - kind: past\n", "  - kind: innovation\n    heading: Druga odsłona\n"),
            (innovation, innovation.replace("blocks:", "heading: Pierwsza odsłona\n    blocks:")),
        ],
    })
    result = run("--config", CONFIG, "build", str(issue), "--only", "web,pdf", "--out",
                 str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "out" / "2021-01"


def test_web_menu_tells_two_sections_of_one_kind_apart(two_of_a_kind: Path):
    page = lxml_html.parse(str(two_of_a_kind / "web" / "index.html")).getroot()
    menu = [a.text_content() for a in page.xpath("//nav[contains(@class, 'section-nav')]//a")]
    assert menu == ["Czas na współpracę", "Czas na innowacje: Pierwsza odsłona",
                    "Czas na innowacje: Druga odsłona"], menu


def test_the_issue_title_names_the_web_page_and_the_pdf(two_of_a_kind: Path):
    page = lxml_html.parse(str(two_of_a_kind / "web" / "index.html")).getroot()
    title = 'Wydanie specjalne <script>alert("x")</script> & "quotes"'
    assert page.findtext(".//title").startswith(title)
    assert page.findtext(".//title").endswith(" – styczeń 2021")  # Polish: an en dash
    pdf = next(p for p in two_of_a_kind.glob("*.pdf") if not p.stem.endswith("-print"))
    with pikepdf.open(pdf) as document:
        assert str(document.docinfo["/Title"]).startswith(title)


def test_an_english_main_file_beside_its_polish_one_says_which_is_read(tmp_path: Path):
    """An editor of a Polish issue wrote 'list.md' in English beside 'list.pl.md': check
    said 'list.md' has no English text (it is English) and never that 'list.pl.md' is not
    read (hand-made issue 2028-08). The message says which file is read as what."""
    folder = tmp_path / "2028-08"
    folder.mkdir()
    (folder / "list.md").write_text("---\ntitle: Summer letter\n---\nText.\n", encoding="utf-8")
    (folder / "list.pl.md").write_text("---\ntitle: List\n---\nTekst.\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "date: 2028-08-01\nlanguages: [pl, en]\nsections:\n  - kind: cooperation\n"
        "    blocks:\n      - file: list.md\n", encoding="utf-8")
    result = run("check", str(folder))
    assert result.returncode == 1
    assert ("'list.md' is read as the Polish text (the issue's first language), so "
            "'list.pl.md' is not read: if 'list.md' is in English, rename it list.en.md "
            "and 'list.pl.md' list.md") in result.stdout + result.stderr, result.stderr
