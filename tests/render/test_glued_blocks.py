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
- generated seed 8307 (en, same features), page 30 at 0.69: a two-column article moved
  whole, head and all, because its second column would have opened with a subheading, a
  list of one item (with a nested item), another subheading and two lines, more than the
  column's room: the rule keeping a list's first item with what follows it (its second,
  or for a list of one item what follows the list) glued them all. WeasyPrint 70's columns
  give up a whole multi-column box when one of its columns cannot start, so the article's
  head went over too. An item that holds a list is two lines by itself (WeasyPrint glues
  the nested list to its first line) and is no longer kept with what follows it; a list
  of one one-line item still is (else a lead or a heading ends a page with one line).

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
from newsletter.markdown import to_html
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


def _columns_issue(folder: Path, letter_words: int) -> Path:
    """A letter of ``letter_words`` words, then an article set in two columns (250–600
    words) whose second paragraph is a subheading of two or three lines, a list of one
    item with a nested item, another subheading and a long paragraph."""
    words = ["city", "business", "support", "programme", "innovation", "entrepreneurs",
             "Krakow", "market", "office", "grant", "partners", "digital", "services"]
    letter = " ".join(words[n % len(words)] for n in range(letter_words)).capitalize() + "."
    sentence = " ".join(words[(n * 7) % len(words)] for n in range(40)).capitalize() + "."
    body = [sentence,
            "#### Council district month project grant the district green for "
            "programme partners digital",
            "- Education.\n  - Services green",
            "##### Entrepreneurs support affluent future company conference new city "
            "participants",
            *[sentence] * 6]
    folder.mkdir(parents=True)
    lines = "".join(f"          {line}\n" if line else "\n"
                    for line in "\n\n".join(body).splitlines())
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nsections:\n  - kind: cooperation\n    heading: Talks\n    blocks:\n"
        "      - type: letter\n        body: |\n"
        f"          {letter}\n"
        "        signature:\n          name: Jan Nowak\n"
        "      - type: article\n        title: The fifty digital market\n"
        "        lead: SME cooperation education industry for\n"
        f"        body: |\n{lines}", encoding="utf-8")
    return folder


def test_a_list_of_one_item_does_not_carry_a_two_column_article_overleaf(
        project: Project, tmp_path: Path):
    shallow = {}
    for letter_words in range(270, 420, 15):
        folder = _columns_issue(tmp_path / f"{letter_words}" / "2021-01", letter_words)
        issue = load_issue(folder, project)
        pdf = write_download(issue, project, tmp_path / f"out-{letter_words}").files[0]
        if found := _shallow(pdf):
            shallow[letter_words] = found
    assert not shallow, shallow



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


def test_only_an_item_that_holds_a_list_is_marked_for_paper():
    text = "- Education.\n  - Services green\n- Transport.\n\n1. Alone."
    assert to_html(text, paged=True).count('<li class="md-nests">') == 1
    assert "md-nests" not in to_html(text)  # the e-mail's and the web page's lists
