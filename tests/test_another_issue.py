"""Other editors' issues, written by hand in real prose, which nobody tuned the layout for:
every corpus judge (tests/corpus/judges.py) must pass on each as on the generated issues,
in every language and edition.

- tests/data/2021-04: Polish first, then English, with an interview, a letter with a
  greeting, a table with footnotes, a two-column article with a Ukrainian passage, seven
  figures and cards.
- tests/data/2022-06: Polish only, shaped unlike the other on purpose: a long article
  (about 1000 words) with a panorama picture, subheadings, a numbered list, a nested
  list, a quotation, footnotes and links; twelve figures; a letter with no title, a long
  signature and no signature picture; a portrait picture over a table of nine rows; five
  cards, three with pictures of three shapes; an 18-word title over a square picture; a
  paragraph holding every Polish binding rule (ul., nr, tel., dr, prof., "w", dates,
  phone, e-mail address, URL, acronyms). Its first build showed card titles and figure
  labels hyphenated where the word fitted the next line whole (since fixed, and tested
  in tests/render/test_heading_words.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from conftest import ROOT
from corpus import judges
from corpus.build import BuiltIssue, build_issue, served

ISSUES = {"2021-04": ["pl", "en"], "2022-06": ["pl"]}  # folder → its languages


@pytest.fixture(scope="module", params=sorted(ISSUES))
def built(request, tmp_path_factory) -> Iterator[BuiltIssue]:
    before = os.environ.get("NEWSLETTER_IMAGE_CACHE")
    os.environ["NEWSLETTER_IMAGE_CACHE"] = str(tmp_path_factory.mktemp("image-cache"))
    root = tmp_path_factory.mktemp("another")
    try:
        with served(root / "build") as project:
            yield build_issue(ROOT / "tests" / "data" / request.param, project, root / "build")
    finally:
        if before is None:
            del os.environ["NEWSLETTER_IMAGE_CACHE"]
        else:
            os.environ["NEWSLETTER_IMAGE_CACHE"] = before


def test_it_is_in_its_languages(built):
    assert [issue.language for issue in built.variants] == ISSUES[built.source.name]


@pytest.mark.parametrize("judge", sorted(judges.JUDGES))
def test_every_judge_passes_on_another_editors_issue(built, browser, judge):
    faults = (judges.JUDGES[judge](built, browser) if judge in judges.BROWSER
              else judges.JUDGES[judge](built))
    assert faults == [], "\n".join(faults)
