"""One issue in several languages: the format, what is missing, and the editions of each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, SAMPLE, shown
from editions import edition_texts, leaked_words, words_of

from newsletter.exceptions import ContentError
from newsletter.load import Project, load_issue
from newsletter.model import Article, Figures, Issue, Letter, LinkCards


def problems(folder: Path, project: Project) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_issue(folder, project)
    return [shown(p, folder) for p in caught.value.problems]


def test_the_sample_is_in_english_and_polish(sample: Issue):
    assert sample.languages == ["en", "pl"] and sample.language == "en"
    polish = sample.in_language("pl")
    assert polish.language == "pl" and polish.is_translation and not sample.is_translation
    assert polish.subject_line == "Business Kraków – grudzień 2020"
    english_blocks = [b for _, b in sample.blocks()]
    polish_blocks = [b for _, b in polish.blocks()]
    assert [b.type for b in english_blocks] == [b.type for b in polish_blocks]
    letter = next(b for b in polish_blocks if isinstance(b, Letter))
    assert letter.signature.role == "Prezydent Miasta Krakowa"
    assert "Józefa Meiera 16D" in " ".join(b.body for b in polish_blocks
                                          if isinstance(b, Article))
    # names, numbers, addresses and pictures are the same as in the English edition
    for english, translated in zip(english_blocks, polish_blocks, strict=True):
        if isinstance(english, Figures):
            assert [i.value for i in english.items] == [i.value for i in translated.items]
            assert english.items[0].label != translated.items[0].label
        if isinstance(english, LinkCards):
            assert [c.url for c in english.cards] == [c.url for c in translated.cards]
        if isinstance(english, Article) and english.image:
            assert english.image.file == translated.image.file
            assert english.image.alt != translated.image.alt


# What is missing in a language, a misspelt language or 'only': tests/data/bad/language-missing


def test_a_block_marked_for_one_language_appears_only_there(project, tmp_path):
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder)
    (folder / "open-city.pl.md").unlink()
    yaml = folder / "issue.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "      - file: open-city.md\n", "      - file: open-city.md\n        only: en\n"),
        encoding="utf-8")
    issue = load_issue(folder, project)
    titles = {lang: [getattr(b, "title", None) for _, b in issue.in_language(lang).blocks()]
              for lang in ("en", "pl")}
    assert "Open City" in titles["en"] and len(titles["pl"]) == len(titles["en"]) - 1


def test_one_language_issues_work_as_before(project):
    issue = load_issue(DATA / "stress", project)
    assert issue.languages == ["pl"] and issue.translations == {} and not issue.is_translation


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory) -> tuple[Path, Issue, Project]:
    """Every edition of the sample in both its languages."""
    from conftest import ROOT

    from newsletter.load import load_project
    from newsletter.publish import build, choose_editions

    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    out = tmp_path_factory.mktemp("site")
    build(issue, project, choose_editions(None), out)
    return out / issue.id, issue, project


def test_each_language_has_every_edition_under_the_same_names(sample_site):
    folder, issue, project = sample_site
    from newsletter.output import EDITIONS

    for edition in EDITIONS.values():
        for path in edition.paths(folder, issue, project):
            relative = path.relative_to(folder)
            assert path.is_file() and (folder / "pl" / relative).is_file(), relative


def test_no_edition_shows_the_other_languages_words(sample_site):
    folder, issue, project = sample_site
    english = edition_texts(folder, issue, project)
    polish = edition_texts(folder / "pl", issue.in_language("pl"), project)
    english_words, polish_words = words_of(project, "en", "pl"), words_of(project, "pl", "en")
    assert "Call for" in english_words and "Czas na" in polish_words
    assert leaked_words(polish, english_words) == {name: [] for name in polish}
    assert leaked_words(english, polish_words) == {name: [] for name in english}
    assert "Grudzień 2020" in polish["pdf"] and "December 2020" in english["pdf"]


def test_the_pdfs_running_heads_write_the_month_in_the_languages_own_case(sample_site):
    """Every page's head names the month after the newsletter's name, inside a line: in
    Polish in small letters ("Business Kraków · grudzień 2020"), as the masthead's
    standalone "Grudzień 2020" is not (hand-made issues' proof-reading); English keeps its
    capital. The printer's PDF has the same heads."""
    folder, issue, project = sample_site
    polish = edition_texts(folder / "pl", issue.in_language("pl"), project)
    english = edition_texts(folder, issue, project)
    for edition in ("pdf", "print"):
        assert polish[edition].count("Business Kraków · grudzień 2020") >= 3, edition
        assert "· Grudzień" not in polish[edition], edition
        assert english[edition].count("Business Kraków · December 2020") >= 3, edition


def test_polish_pdfs_say_their_language_and_title(sample_site):
    import pikepdf

    folder, issue, project = sample_site
    from newsletter.output import EDITIONS

    polish = issue.in_language("pl")
    for edition in ("pdf", "print"):
        path = EDITIONS[edition].paths(folder / "pl", polish, project)[0]
        with pikepdf.open(path) as pdf:
            assert str(pdf.Root.Lang) == "pl"
            # Polish sets a spaced en dash (typography's "dash"), English an em dash
            assert str(pdf.docinfo["/Title"]) == "Business Kraków – grudzień 2020"
