"""On a phone, a table that is not stacked gives every column room for its short words.

An editor's two-column table (a question, then a 300-word answer) came out in the e-mail
and on the web at 320 px with the question's column one letter wide ("P / y / t / a"):
the cells break anywhere, so the browser took a column's narrowest width as one letter
and gave all the rest to the long cell. Chromium lays the e-mail and the web page out;
a word of up to 10 letters must stay on one line in a table of 2 or 3 columns whose
longest words fit the phone side by side; one whose longest words do not is set row
under row there, and keeps its words of up to 21 letters whole.
"""

from __future__ import annotations

import pytest
from conftest import one_article_issue
from editions import cut_words_script

from newsletter.load import Project, load_issue
from newsletter.publish import build, choose_editions

LONG = " ".join(["wniosek konsultacje dotacja firma"] * 80)
SHORT = " ".join(["wniosek dotacja firma termin"] * 60)
BODY = f"""Tabele.

| Pytanie | Odpowiedź |
|---|---|
| Kto może złożyć wniosek? | {LONG} |
| Do kiedy? | Do 31 marca. |

| Program | Opis | Kwota |
|---|---|--:|
| Start | {SHORT} | 50 000 zł |

| Program | Opis | Kwota |
|---|---|--:|
| Przedsiębiorczość | Dofinansowanie współfinansowanie innowacyjności | 50 000 zł |
| Internacjonalizacja | Konsultacje dla przedsiębiorców | 12 500 zł |

| Kategoria | Zatrudnienie | Roczny obrót lub suma bilansowa |
|---|---|---|
| Mikroprzedsiębiorstwa | Internacjonalizacja przedsiębiorstw | Współfinansowanie do 2 mln euro |
| Małe przedsiębiorstwa | do 49 osób | do 10 mln euro |
| Średnie przedsiębiorstwa | do 249 osób | obrót do 50 mln euro lub suma bilansowa do 43 mln euro |

| Działanie | Termin | Odpowiedzialny |
|---|---|---|
| Konsultacje społeczne | do 31 marca | Wydział Przedsiębiorczości |
| Przygotowanie wniosków | kwiecień | Biuro Innowacji |
"""

BROKEN = cut_words_script("table.md-table th, table.md-table td", r"[^\s]{2,10}")
BROKEN_LONG = cut_words_script("table.md-table th, table.md-table td", r"[^\s]{2,21}")


@pytest.fixture(scope="module")
def pages(tmp_path_factory, project: Project):
    root = tmp_path_factory.mktemp("screen-tables")
    source = one_article_issue(root / "2021-01", BODY, title="Tabele")
    issue = load_issue(source, project)
    build(issue, project, choose_editions(["email", "web"]), root / "out")
    folder = root / "out" / issue.id
    return {"email": folder / "email.html", "web": folder / "web" / "index.html"}


def cut_words(pages, browser, edition: str, width: int, script: str) -> list[str]:
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(pages[edition].as_uri(), wait_until="load")
        return page.evaluate(script)
    finally:
        page.close()


@pytest.mark.parametrize("edition", ["email", "web"])
def test_no_short_word_of_a_table_is_broken_on_a_phone(pages, browser, edition):
    broken = cut_words(pages, browser, edition, 320, BROKEN)
    assert not broken, broken[:10]


@pytest.mark.parametrize("width", [320, 375, 481, 540, 599, 600, 640, 800])
@pytest.mark.parametrize("edition", ["email", "web"])
def test_a_table_whose_long_words_do_not_fit_a_phone_is_stacked_there(pages, browser,
                                                                       edition, width):
    """Three columns of words such as "Przedsiębiorczość", "Internacjonalizacja": left to
    the browser as a table, a 320 px phone cut even "Termin" and "marca"; set row under
    row, each cell has the phone's whole line. Just over the phone's query (481 px) the
    e-mail cut "Mikroprzedsiębiorstwa": such a table is stacked up to 599 px, and a table
    again from 600 px (the e-mail's widest column), its columns sized for its words."""
    broken = cut_words(pages, browser, edition, width, BROKEN_LONG)
    assert not broken, broken[:10]


STARTS = """() => [...document.querySelectorAll('table.md-stack td')]
  .filter((td) => getComputedStyle(td).display === 'block' && td.textContent.trim())
  .map((td) => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const first = [...range.getClientRects()].find((r) => r.width > 0);
    const left = td.getBoundingClientRect().left;
    return [td.textContent.trim().slice(0, 40), Math.round(first.left - left)];
  })"""


@pytest.mark.parametrize("edition", ["email", "web"])
def test_a_stacked_cell_reads_from_the_left_as_its_heading_does(pages, browser, edition):
    """Stacked on a phone, a right-aligned column's cell ("Kwota: 50 000 zł") stood at the
    right edge, its heading far from the start of the line where the reader looks; each
    stacked cell starts at the left, after its padding."""
    starts = cut_words(pages, browser, edition, 375, STARTS)
    assert starts, "no stacked cell at 375 px"
    assert all(start <= 8 for _, start in starts), [s for s in starts if s[1] > 8]
