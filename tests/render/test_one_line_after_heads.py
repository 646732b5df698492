"""A head never ends a page with a single line under it (issue 17 item 2), also when what
follows it is one line by itself: a one-line paragraph or a list's first item, which
orphans (two lines of a paragraph) do not hold.

Generated seed 518 (features tables, footnotes), the Polish printer's PDF: page 3 ended
with a section's band and heading and its intro's "1. Wsparcie jaźń nauka firma.", the
list's other items on page 4 (the paper judges' one stranded fault over 130 issues).
"""

from __future__ import annotations

from pathlib import Path

from corpus.generate import generate
from page_depth import measured_pages
from paper import body_texts, stranded, stranding_texts, whole_texts

from newsletter.load import Project, load_issue
from newsletter.render.print import write_print


def test_a_section_heading_keeps_more_than_its_intros_first_item(project: Project,
                                                                   tmp_path: Path):
    written = generate(518, tmp_path / "issues", frozenset({"tables", "footnotes"}))
    issue = load_issue(written.folder, project).in_language("pl")
    pdf = write_print(issue, project, tmp_path / "out").files[0]
    problems = [p for page in measured_pages(pdf)[1:] for p in stranded(
        page.lines, stranding_texts(issue, project), body_texts(issue), whole_texts(issue))]
    assert not problems, problems
