"""Loading issue files: the sample, and a corpus of mistakes editors make."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, shown

from newsletter.exceptions import ContentError
from newsletter.load import load_issue

BAD = sorted(p for p in (DATA / "bad").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", BAD, ids=[p.name for p in BAD])
def test_bad_issue_reports_every_problem_with_file_and_line(case: Path, project, monkeypatch):
    monkeypatch.chdir(case.parent)  # "not found in <folder>" names the folder as typed
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ContentError) as caught:
        load_issue(Path(case.name), project)
    assert [shown(p, case.resolve()) for p in caught.value.problems] == expected


def test_empty_optional_fields_mean_no_value_and_contacts_may_be_lists(project):
    from newsletter.model import LinkCards

    issue = load_issue(DATA / "stress", project)
    cards = next(b for _, b in issue.blocks() if isinstance(b, LinkCards))
    assert [c.text is None for c in cards.cards] == [False, False, True, False, False]
    assert issue.footer.email == ["pi.umk@um.krakow.pl",
                                  "centrum.obslugi.inwestorow.i.innowacyjnej.gospodarki@um.krakow.pl"]
    assert issue.footer.phone == ["+48 12 616 12 34", "+48 12 616 00 00"]


def test_a_wrong_address_in_a_list_names_its_line(project, tmp_path):
    import shutil

    shutil.copytree(DATA / "stress", tmp_path / "x")
    path = tmp_path / "x" / "issue.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    - pi.umk@um.krakow.pl", "    - pi.umk(at)um.krakow.pl"),
                    encoding="utf-8")
    line = next(n for n, row in enumerate(path.read_text().splitlines(), 1) if "(at)" in row)
    with pytest.raises(ContentError) as caught:
        load_issue(tmp_path / "x", project)
    [problem] = caught.value.problems
    assert problem.location.line == line and "pi.umk(at)um.krakow.pl" in problem.message


@pytest.mark.parametrize("written", ["", "title: ''\n", "title:\n", "title: '   '\n"])
def test_an_issue_title_left_out_or_empty_is_the_site_name(written, tmp_path, project):
    """docs/authoring.md: an optional field left empty is the same as not writing it (the
    generated corpus found ``title: ''`` refused as "must not be empty")."""
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        f"{written}date: 2021-01-01\nsections:\n  - kind: past\n    blocks:\n"
        "      - type: figures\n        items:\n          - value: '5'\n            label: days\n",
        encoding="utf-8")
    issue = load_issue(folder, project)
    assert issue.title == project.site.name
    assert issue.subject_line == project.site.name


def test_a_long_titles_id_ends_after_a_whole_word():
    """Readers see a block's id in the text part's "Read more" links: a title's id cut
    at 60 characters read "…-the-2027-support-pro" (hand-made issue 2027-09)."""
    from newsletter.load import slugify

    title = "Six ways the city helps a start-up grow: the 2027 support programmes explained"
    assert slugify(title) == "six-ways-the-city-helps-a-start-up-grow-the-2027-support"
    long = slugify("Zażółć gęślą jaźń " * 6)
    assert len(long) <= 60 and ("zazolc-gesla-jazn-" * 6).startswith(long + "-")
    assert slugify("x" * 80) == "x" * 60  # one word: cut, as before
    assert slugify("Kraków for business") == "krakow-for-business"
