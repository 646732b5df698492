"""What a page's foot sends overleaf with a block that does not fit is no more than it must
be (issue 17 item 1: every inner page at least three quarters full).

CSS keeps some things together (a heading with what follows it, a list's first item with
its second, WeasyPrint's own ``ol, ul { break-before: avoid }``); chained, they can be
taller than what a page has left, and then all of it goes over and leaves a gap:

- generated seed 8308 (pl; features office, tables, footnotes, pictures, long), page 23 at
  0.44: an article's last subheading, a paragraph of three lines (orphans and widows keep
  it whole) and its 25 footnotes, which never broke (``break-inside: avoid-page``) and were
  glued to that paragraph by WeasyPrint's rule for lists (the notes are an ``<ol>``), 164 mm
  where 143 were left. Footnotes now break between notes, two at least on each page, and
  a lone note is not kept with what follows its block (generated seed 17, en: a page at
  0.60 when it was);

The depth tests sweep the text before the glued blocks so that a page's foot passes
through all of them, and measure the pages from the PDF (tests/page_depth.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import one_article_issue
from page_depth import measured_pages

from newsletter.load import Project, load_issue
from newsletter.render.print import render_html, write_download

FILLER = ("Miasto wspiera lokalne firmy w okresie ponownego otwarcia lokali, a doradcy "
          "Wydziału pomagają w przygotowaniu wniosków i w rozliczeniu dotacji.")
NOTES = 25


def _notes_body(paragraphs: int) -> str:
    """Running text, a subheading, a paragraph of three lines with the marks of
    :data:`NOTES` one-line footnotes, and the notes (at the article's end)."""
    text = [f"{FILLER} Akapit {n}." for n in range(paragraphs)]
    marks = " ".join(f"Wsparcie[^{n}]." for n in range(1, NOTES + 1))
    notes = [f"[^{n}]: Przypis {n}: szczegóły programu w Wydziale." for n in range(1, NOTES + 1)]
    return "\n\n".join([*text, "### Przypisy do programu", marks, *notes])


def _shallow(pdf: Path) -> list[float]:
    """The PDF's pages' depths when an inner one (not the cover, not the last) is under
    0.75; else empty."""
    depths = [page.depth for page in measured_pages(pdf)]
    return depths if any(depth < 0.75 for depth in depths[1:-1]) else []


def test_long_footnotes_break_between_notes_rather_than_leave_a_page_short(
        project: Project, tmp_path: Path):
    shallow, split, notes_by_page = {}, 0, {}
    for paragraphs in range(14, 30, 2):
        folder = one_article_issue(tmp_path / f"{paragraphs}" / "2021-01",
                                   _notes_body(paragraphs), title="Program")
        pdf = write_download(load_issue(folder, project), project,
                             tmp_path / f"out-{paragraphs}").files[0]
        if found := _shallow(pdf):
            shallow[paragraphs] = found
        counts = [sum(1 for line in page.lines if line.text.split()[1:2] == ["Przypis"])
                  for page in measured_pages(pdf)]
        counts = [count for count in counts if count]
        notes_by_page[paragraphs] = counts
        assert sum(counts) == NOTES, counts
        split += len(counts) > 1
    assert not shallow, shallow
    assert split, "no variant put a page's foot inside the notes: move the range"
    # a note is never alone on a page, at the end of its list or at its start
    assert all(min(counts) >= 2 for counts in notes_by_page.values()), notes_by_page


def _break_after(box: Any, element: str) -> list[str]:
    """The break-after values a page break after ``element``'s box meets (its own and its
    last descendants', as WeasyPrint reads them between two blocks)."""
    from weasyprint.layout.block import _add_break_values

    def find(inside: Any) -> Any:
        if getattr(inside, "element", None) is not None and \
                inside.element.get("class") == element:
            return inside
        return next((found for child in getattr(inside, "children", None) or ()
                     if (found := find(child)) is not None), None)

    return _add_break_values(find(box), "after")


@pytest.mark.parametrize("notes", [1, 3])
def test_an_articles_notes_hold_only_their_own_items_together(project: Project,
                                                               tmp_path: Path, notes: int):
    """A note keeps with the one after it, never a lone one with what follows its list:
    the break-after of a list's only item is its block's, and a lone note glued its article
    to the next one's head and picture (generated seed 17, en: page 3 at 0.60, the list's
    last item, the note and the next article overleaf)."""
    import weasyprint

    marks = " ".join(f"Wsparcie[^{n}]." for n in range(1, notes + 1))
    text = [marks, *[f"[^{n}]: Przypis {n}." for n in range(1, notes + 1)]]
    folder = one_article_issue(tmp_path / "2021-01", "\n\n".join(text))
    html = render_html(load_issue(folder, project), project, "download")
    page = weasyprint.HTML(string=html, base_url=str(folder)).render().pages[1]._page_box
    assert _break_after(page, "footnotes") == ["auto"] * 4  # div, ol, li, p

