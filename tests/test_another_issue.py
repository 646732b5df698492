"""Another editor's issue (tests/data/2021-04): written by hand in real Polish and English
prose, Polish first, with an interview, a letter with a greeting, a table with footnotes,
a two-column article with a Ukrainian passage, seven figures and cards. Nobody tuned the
layout for it: every corpus judge (tests/corpus/judges.py) must pass on it as on the
generated issues, in both languages and every edition.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from conftest import ROOT
from corpus import judges
from corpus.build import BuiltIssue, build_issue, served

ISSUE = ROOT / "tests" / "data" / "2021-04"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Iterator[BuiltIssue]:
    before = os.environ.get("NEWSLETTER_IMAGE_CACHE")
    os.environ["NEWSLETTER_IMAGE_CACHE"] = str(tmp_path_factory.mktemp("image-cache"))
    root = tmp_path_factory.mktemp("another")
    try:
        with served(root / "build") as project:
            yield build_issue(ISSUE, project, root / "build")
    finally:
        if before is None:
            del os.environ["NEWSLETTER_IMAGE_CACHE"]
        else:
            os.environ["NEWSLETTER_IMAGE_CACHE"] = before


def test_it_is_in_both_languages(built):
    assert [issue.language for issue in built.variants] == ["pl", "en"]


@pytest.mark.parametrize("judge", sorted(judges.JUDGES))
def test_every_judge_passes_on_another_editors_issue(built, browser, judge):
    faults = (judges.JUDGES[judge](built, browser) if judge in judges.BROWSER
              else judges.JUDGES[judge](built))
    assert faults == [], "\n".join(faults)
