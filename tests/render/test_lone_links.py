"""An article's links never open a page alone, its text all on the page before.

Hand-made issue 2027-01 (en): "Download the report (PDF, 4.2 MB) →" stood alone atop page 7,
under the running head, its article's text ending page 6. The links keep the last two
lines of the paragraph above with them (render/lone_links.py) when that paragraph has four
or more lines on the page before. Seeded text shifts the second article's end a line at a
time across the foot of page 2 (two columns, the links in the second).
"""

from __future__ import annotations

import subprocess

import pytest
from page_depth import measured_pages
from test_moved_pictures import after_an_article, longer_first

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

LINK = "Download the report (PDF, 4.2 MB)"


def article_with_links(root, words: int):
    """Two articles of text, the second with one link, the first ``words`` words longer."""
    return longer_first(after_an_article(root, f"links-{words}", 2, lambda sentence: (
        "second.md", f"---\ntitle: The second article\nlinks:\n  - label: {LINK}\n"
        "    url: https://www.krakow.pl/report.pdf\n---\n"
        + "\n\n".join(sentence(70) for _ in range(4)) + "\n"), {}), words)


@pytest.mark.parametrize("words", [60, 68])
def test_an_articles_links_take_lines_of_its_text_over_to_the_next_page(
        project: Project, tmp_path, words):
    pdf = write_download(load_issue(article_with_links(tmp_path / "issues", words), project),
                         project, tmp_path / "out").files[0]
    pages = measured_pages(pdf)
    for page in pages[1:]:
        lines = [line for line in subprocess.run(
            ["pdftotext", "-f", str(page.number), "-l", str(page.number), str(pdf), "-"],
            check=True, capture_output=True, text=True).stdout.splitlines() if line.strip()]
        # under the running head (line 0), two lines of text at least above the links
        at = next((n for n, line in enumerate(lines) if line.startswith(LINK)), None)
        assert at is None or at >= 3, (page.number, lines[:4])
    assert all(p.depth >= 0.75 for p in pages[1:-1]), [p.depth for p in pages]
