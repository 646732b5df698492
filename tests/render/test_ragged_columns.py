"""Two columns are set one way: all justified, or all flush left (render/word_gaps.py).

A paragraph whose justified lines would open holes (a long address in a narrow column) is
set flush left. In a two-column article that left the interview of hand-made issue 2025-09
with answers ragged beside questions and answers justified with stretched gaps, which
reads as a mistake: such a body is now set flush left throughout.
"""

from __future__ import annotations

import random
from pathlib import Path

from page_depth import measured_pages

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

WORDS = ["city", "business", "support", "programme", "innovation", "entrepreneurs",
         "Krakow", "market", "office", "grant", "partners", "digital", "services"]
ADDRESS = "www.life-science.example.com/participants/future/registration-form-2025"


def two_columns(folder: Path, wide: bool) -> Path:
    """An article of nine paragraphs (set in two columns), the fifth with a long address
    when ``wide``."""
    rng = random.Random(7)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "."
                  for _ in range(9)]
    if wide:
        paragraphs[4] = f"Register at {ADDRESS} before the end of the month, " + paragraphs[4]
    folder.mkdir(parents=True)
    (folder / "talk.md").write_text("---\ntitle: The programme in full\n---\n"
                                    + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - file: talk.md\n", encoding="utf-8")
    return folder


def flush_share(pdf: Path) -> tuple[float, int]:
    """The share of the body's lines (each column's, not a paragraph's last) that reach
    their column's right edge, and how many lines were counted."""
    flush = counted = 0
    for page in measured_pages(pdf)[1:]:
        lines = [line for line in page.lines if line.x1 - line.x0 > 40]
        middle = 595.28 / 2
        for column in ([line for line in lines if line.x1 < middle],
                       [line for line in lines if line.x0 > middle]):
            if len(column) < 5:
                continue
            edge = max(line.x1 for line in column)
            counted += len(column)
            flush += sum(line.x1 >= edge - 0.5 for line in column)
    return flush / max(counted, 1), counted


def test_a_two_column_body_is_set_one_way(project: Project, tmp_path: Path):
    """Justified (nearly every line at its column's edge) or flush left (few), never a
    mix; with the long address, flush left."""
    for wide in (False, True):
        folder = two_columns(tmp_path / str(wide) / "2021-01", wide)
        pdf = write_download(load_issue(folder, project), project,
                             tmp_path / f"{wide}-out").files[0]
        share, counted = flush_share(pdf)
        assert counted > 40, counted
        assert share > 0.75 or share < 0.3, (wide, share)
        assert share < 0.3 or not wide, share


def test_every_two_column_body_of_an_issue_is_set_one_way():
    """One paragraph with holes in a two-column body sets every two-column body of the
    document flush left, not only its own: one ragged beside a justified one on the same
    pages read as a mistake (hand-made issue 2027-06: the articles with pictures ragged,
    the others justified, two of them on page 8). A one-column body keeps its own."""
    from lxml import html as lxml_html

    from newsletter.render.word_gaps import _with_their_columns

    root = lxml_html.fromstring(
        '<main><article class="block article long"><div class="body"><p>a</p><p>b</p>'
        '<ul><li>c</li></ul></div></article>'
        '<article class="block article long"><div class="body"><p>d</p></div></article>'
        '<article class="block article"><div class="body"><p>e</p><p>f</p></div>'
        '</article></main>')
    paragraphs = {e.text: e for e in root.iter("p", "li")}
    found = _with_their_columns(root, {paragraphs["d"]})
    assert {e.text for e in found} == {"a", "b", "c", "d"}
    assert {e.text for e in _with_their_columns(root, {paragraphs["e"]})} == {"e"}
