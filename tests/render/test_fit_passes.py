"""Page fitting has its layouts (print.FIT_PASSES) whatever the cover takes.

When a long issue's cover spills onto page 2, the layouts after it leave out the lead
story's picture, its lead, the story (render/cover_fit.py). Those layouts were counted
among page fitting's: generated seed 8804 (en, 46 pages) spent 3 of 7 on its cover, and
page fitting stopped after 4 with pages 30-32 at 0.62, 0.38 and 0.69 that the next three
would have filled. Here the cover spills on every layout it may, and page fitting always
has a change to make: it is asked for one on each of its own layouts.
"""

from __future__ import annotations

from collections.abc import Iterator

from render.test_moved_pictures import two_articles

from newsletter.load import Project, load_issue
from newsletter.render import cover_fit
from newsletter.render import print as render_print
from newsletter.render.page_fit import Tighten
from newsletter.render.print import write_download


def test_the_layouts_the_cover_takes_are_not_page_fittings(project: Project, tmp_path,
                                                           layouts, monkeypatch):
    """(``layouts``: a layout cache of the test's own, so nothing is replayed.)"""
    spilt = iter([True] * cover_fit.STEPS)
    monkeypatch.setattr(cover_fit, "spills", lambda pages: next(spilt, False))
    asked: list[int] = []

    def resizes(pages, tails=True) -> Iterator[Tighten]:
        asked.append(len(pages))
        yield Tighten("a-section")

    monkeypatch.setattr(render_print, "resizes", resizes)
    monkeypatch.setattr(render_print.Pictures, "resize", lambda self, change: True)
    issue = load_issue(two_articles(tmp_path / "issues", 4), project)
    write_download(issue, project, tmp_path / "out")
    assert len(asked) == render_print.fit_passes(asked[0]), asked


def test_a_longer_document_gets_more_layouts_to_fit_its_pages():
    """Page fitting fills one short page a layout, and a fill may leave a later page short:
    a 64-page issue (generated seed 9270, en) ran out of 7 layouts with page 48 at 0.73;
    a 14-page one (seed 9462, pl) took 14 to leave every inner page 0.8 deep (traced: its
    pages 7 and 8 were left at 0.58 and 0.67 by 7), a 25-page one (seed 9433, en) 12. One
    more layout a page, and no issue gets more than 24."""
    assert render_print.fit_passes(0) == render_print.FIT_PASSES
    assert render_print.fit_passes(14) >= 14
    assert render_print.fit_passes(25) >= 13
    counts = [render_print.fit_passes(pages) for pages in range(1, 400)]
    assert counts == sorted(counts) and max(counts) == render_print.MOST_FIT_PASSES
