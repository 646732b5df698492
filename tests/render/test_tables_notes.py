"""Pipe tables and footnotes as editors type them, in every edition, measured as read.

An article with a seeded random table (long Polish words, amounts, addresses), a 45-row
table and footnotes is added to the every-block issue and every edition is built: Chromium
measures the e-mail at 320/375 px and the web page at 320 px (no element wider than the
screen, every line of a cell inside its cell); poppler reads both PDFs (the long table's
header on every page it runs over, no row split between pages); the text part and the
visible text of every edition keep no Markdown punctuation.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DATA, ROOT, edited_copy, published
from editions import edition_texts, pdf_pages
from lxml import html as lxml_html
from test_markdown import _generated_text, _unescaped

from newsletter.load import Project, load_issue
from newsletter.model import Issue
from newsletter.output import EDITIONS
from newsletter.publish import build, choose_editions

_WORDS = ["Kraków", "przedsiębiorczość", "współpraca", "Konstantynopolitańczykowianeczka",
          "12 500 zł", "https://www.dlabiznesu.krakow.pl/programy-wsparcia/2021", "dla", "firm",
          "np.", "m.in.", "innowacyjność", "**ważne**", "[mapa](https://mapa.krakow.pl/)"]
LONG_ROWS = 45
ARTIFACTS = ROOT / "test-artifacts"
_PUNCTUATION = re.compile(r"\]\(|\[\^|\|\s*-{3}|-{3}\s*\||\*\*|\]\[")


def _random_table(rng: random.Random, columns: int, rows: int) -> str:
    head = "| " + " | ".join(f"Nagłówek {c + 1}" for c in range(columns)) + " |"
    rule = "|" + "|".join(rng.choice(["---", ":---", "---:"]) for _ in range(columns)) + "|"
    body = ["| " + " | ".join(" ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 4)))
                              for _ in range(columns)) + " |" for _ in range(rows)]
    return "\n".join([head, rule, *body])


LONG_HEADING = "Data rozpoczęcia wydarzenia (dzień, miesiąc i rok, według kalendarza)"


def _wide_table() -> str:
    """A calendar of five columns: on a phone its rows are stacked, headings in each; its
    longest words fit side by side in the e-mail's widest column. (A street's name and its
    house number are one piece: with "ul. Marii Konopnickiej 17" they did not fit, and
    the e-mail stacked the calendar at every width, as it should.)"""
    rows = [f"| {day:02d}.04.2021 | 10:00–12:00 | Spotkanie numer {day} | ICE Kraków, "
            f"ul. Długa 5 | https://www.dlabiznesu.krakow.pl/wydarzenia/{day} |"
            for day in range(1, 5)]
    return "\n".join([f"| {LONG_HEADING} | Godzina | Wydarzenie | Miejsce | Zapisy |",
                      "|---|---|---|---|---|",
                      *rows])


def _long_table() -> str:
    rows = [f"| W{n:02d} początek | {'opis ' * (n % 7 + 1)}| K{n:02d} koniec |"
            for n in range(1, LONG_ROWS + 1)]
    return "\n".join(["| Pozycja | Opis | Zamknięcie |", "|---|---|---|", *rows])


@dataclass(frozen=True)
class Built:
    issue: Issue
    project: Project
    folder: Path
    base: str
    columns: int


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Iterator[Built]:
    rng = random.Random(4)
    columns = rng.randint(3, 5)
    body = (f"Przypis pierwszy[^a] i drugi[^b].\n\n{_random_table(rng, columns, 6)}\n\n"
            f"Druga tabela, długa[^a].\n\n{_long_table()}\n\n"
            f"Kalendarz.\n\n{_wide_table()}\n\n"
            "[^a]: Nota pierwsza, WYJAŚNIENIE-A.\n[^b]: Nota druga, WYJAŚNIENIE-B.\n")
    mixed = _generated_text(rng, mistakes=False)[0]  # every construct, escapes included
    article = "".join(
        f"      - type: article\n        title: {title}\n        body: |\n"
        + "".join(f"          {line}\n" if line else "\n" for line in text.splitlines())
        for title, text in (("Tabele i przypisy", body), ("Wszystko naraz", mixed)))
    root = tmp_path_factory.mktemp("tables")
    source = edited_copy(DATA / "every-block", root / "src" / "2021-01", {
        "issue.yaml": [("  - kind: innovation\n    blocks:\n",
                        "  - kind: innovation\n    blocks:\n" + article)],
    })
    out = root / "out"
    with published(out) as project:
        issue = load_issue(source, project)
        build(issue, project, choose_editions(None), out)
        yield Built(issue, project, out / issue.id, project.site.base_url, columns)


GEOMETRY = """() => {
  const tables = [...document.querySelectorAll('table.md-table')];
  const wide = [...document.querySelectorAll('body *')]
    .map((el) => [el.tagName + '.' + el.className, el.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5))
    .map(([n, r]) => [n, Math.round(r.left), Math.round(r.right)]);
  const outside = [];
  for (const cell of document.querySelectorAll('table.md-table th, table.md-table td')) {
    const c = cell.getBoundingClientRect();
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.width < 0.5) continue;
        if (r.left < c.left - 0.5 || r.right > c.right + 0.5)
          outside.push([node.textContent.slice(0, 30), r.left, r.right, c.left, c.right]);
      }
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, wide, outside,
          headers: tables.map((t) => t.querySelectorAll('thead th').length),
          notes: [...document.querySelectorAll('.footnotes li')].map((li) => li.textContent.trim()),
          marks: [...document.querySelectorAll('sup.note-mark')].map((s) => s.textContent)};
}"""


def _measure(browser, url: str, width: int, shot: str) -> dict:
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(url, wait_until="load")
        ARTIFACTS.mkdir(exist_ok=True)  # for people to look at; nothing reads the pixels
        page.locator("table.md-table").first.screenshot(path=str(ARTIFACTS / shot))
        return page.evaluate(GEOMETRY)
    finally:
        page.close()


def _assert_holds(found: dict, width: int, columns: int) -> None:
    assert found["headers"][:2] == [columns, 3], found["headers"]
    assert found["scrollWidth"] <= width, f"page is {found['scrollWidth']} px wide"
    assert found["wide"] == [], f"wider than the {width} px screen: {found['wide'][:5]}"
    assert found["outside"] == [], f"text outside its cell: {found['outside'][:5]}"
    assert found["marks"][:3] == ["1", "2", "1"]  # then the mixed article's own 1, 2…
    # the notes as typed, but for the word joiner that keeps "WYJAŚNIENIE-A" whole
    assert [n.replace("\u2060", "")[:30] for n in found["notes"][:2]] == [
        "Nota pierwsza, WYJAŚNIENIE-A.", "Nota druga, WYJAŚNIENIE-B."]


@pytest.mark.parametrize("width", [320, 375])
def test_email_tables_hold_on_a_phone(built, browser, width):
    found = _measure(browser, f"{built.base}{built.issue.id}/email.html", width,
                     f"table-email-{width}.png")
    _assert_holds(found, width, built.columns)


STACKED = """() => [...document.querySelectorAll('table.md-stack')].map((table) => {
  const width = table.getBoundingClientRect().width;
  const bodyRows = [...table.querySelectorAll('tr')].filter((tr) => tr.querySelector('td'));
  const rows = bodyRows.map((tr) => {
    const cells = [...tr.querySelectorAll('td')].map((td) => td.getBoundingClientRect());
    return {narrowest: Math.min(...cells.map((c) => c.width)),
            tops: new Set(cells.map((c) => Math.round(c.top))).size};
  });
  const labels = [...table.querySelectorAll('.md-label')].map((l) => [
    l.textContent, getComputedStyle(l).display]);
  const lines = (td) => {  // lines the cell's own value (not its heading) is set on
    const range = document.createRange();
    range.selectNodeContents(td.lastChild);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  };
  const values = bodyRows.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map(lines));
  return {width, rows, labels, values};
})"""


@pytest.mark.parametrize("page", ["email.html", "web/index.html"])
def test_wide_tables_are_stacked_on_a_phone_with_their_headings(built, browser, page):
    """Five columns in 375 px broke dates letter by letter; on a phone each row is set
    cell under cell, each after its heading; at 640 px it is a table again, whose dates
    and times (short values) are never broken: the address column gives way."""
    for width in (375, 640):
        tab = browser.new_page(viewport={"width": width, "height": 800})
        try:
            tab.goto(f"{built.base}{built.issue.id}/{page}", wait_until="load")
            tables = tab.evaluate(STACKED)
        finally:
            tab.close()
        # (the random table of three columns is stacked on a phone too: its 32-letter word
        # does not fit one beside the others)
        calendars = [table for table in tables
                     if table["labels"] and table["labels"][0][0].startswith("Data rozpo")]
        assert calendars, "the five-column calendar is not marked to stack"
        calendar = calendars[0]
        assert [text.replace("\xa0", " ") for text, _ in calendar["labels"][:5]] == [
            f"{LONG_HEADING}: ", "Godzina: ", "Wydarzenie: ", "Miejsce: ", "Zapisy: "]
        shown = {display for _, display in calendar["labels"]}
        if width == 375:
            assert shown == {"inline"}, "the headings are not shown in the stacked rows"
            assert all(row["narrowest"] >= 0.9 * calendar["width"] for row in calendar["rows"])
        else:
            assert shown == {"none"}, "a desktop reader sees the headings twice"
            assert all(row["tops"] == 1 for row in calendar["rows"]), "not a table at 640 px"
        assert all(lines == [1, 1] for lines in calendar["values"]), \
            f"a date or time broken over lines at {width} px: {calendar['values']}"


def test_web_tables_hold_on_a_phone_with_real_header_cells(built, browser):
    found = _measure(browser, f"{built.base}{built.issue.id}/web/index.html", 320,
                     "table-web-320.png")
    _assert_holds(found, 320, built.columns)
    page = lxml_html.parse(str(built.folder / "web" / "index.html")).getroot()
    table = page.xpath("//table[contains(@class, 'md-table')]")[1]
    assert [th.text_content() for th in table.xpath("./thead/tr/th")] == [
        "Pozycja", "Opis", "Zamknięcie"]
    assert len(table.xpath("./tbody/tr")) == LONG_ROWS
    # the notes close their own block, after its tables
    article = page.xpath("//article[.//table[contains(@class, 'md-table')]]")[0]
    body = article.xpath(".//div[@class='body']")[0]
    assert body[-1].get("class") == "footnotes"


@pytest.mark.parametrize("edition", ["pdf", "print"])
def test_pdf_table_repeats_its_header_and_keeps_its_rows(built, edition):
    path = EDITIONS[edition].paths(built.folder, built.issue, built.project)[0]
    pages = pdf_pages(path)
    spanned = []
    for page in pages:
        text = " ".join(line.text for line in page.lines)
        starts = set(re.findall(r"\bW(\d\d)\b", text))
        ends = set(re.findall(r"\bK(\d\d)\b", text))
        if starts or ends:
            spanned.append(page)
            assert starts == ends, f"a row split across pages: {sorted(starts ^ ends)}"
            # the header row is repeated on every page (and column) the rows run over
            segments = len({round(line.x0) for line in page.lines
                            if re.match(r"W\d\d\b", line.text)})
            assert text.count("Zamknięcie") >= max(segments, 1), \
                f"page {page.lines[0].page}: the header row is not repeated"
    assert len(spanned) >= 2, "the long table should run over a page break"
    for page in spanned:  # and stays inside the text column (A4 minus 16 mm each side)
        bleed = (page.width - 595.276) / 2
        left, right = bleed + 16 * 72 / 25.4 - 0.5, page.width - bleed - 16 * 72 / 25.4 + 0.5
        assert all(left <= line.x0 and line.x1 <= right for line in page.lines), page
    everything = " ".join(line.text for page in pages for line in page.lines)
    everything = everything.replace("\u2010", "-")  # poppler reads a hyphen as U+2010
    assert all(f"W{n:02d}" in everything for n in range(1, LONG_ROWS + 1))
    assert "WYJAŚNIENIE-A" in everything and "WYJAŚNIENIE-B" in everything


@pytest.mark.parametrize("edition", ["pdf", "print"])
def test_pdf_note_marks_copy_as_superior_figures(built, edition):
    """A note's mark after a word or a number copies as the mark it is ("pierwszy¹"), not as
    a digit joined to what comes before it: "nr 651/2014³" copied as "651/20143", a wrong
    number (hand-made issue 2026-06)."""
    path = EDITIONS[edition].paths(built.folder, built.issue, built.project)[0]
    copied = " ".join(line.text for page in pdf_pages(path) for line in page.lines)
    assert "Przypis pierwszy¹ i drugi²." in copied.replace("\u00a0", " ")
    assert "Druga tabela, długa¹." in copied
    assert "pierwszy1" not in copied


def test_text_part_has_the_tables_and_numbered_notes(built):
    text = (built.folder / "email.txt").read_text(encoding="utf-8")
    assert "Przypis pierwszy[1] i\u00a0drugi[2]." in text  # "i" bound to its word (Polish)
    text = text.replace("\u00a0", " ")
    assert re.search(r"^\s*\[1\] Nota pierwsza, WYJAŚNIENIE-A\.$", text, re.MULTILINE)
    assert re.search(r"^\s*\[2\] Nota druga, WYJAŚNIENIE-B\.$", text, re.MULTILINE)
    assert "W45" in text and "K45" in text
    assert max(len(line) for line in text.splitlines()) <= 78


def test_no_edition_shows_markdown_punctuation(built):
    """Judged on what readers see, after MJML, premailer and WeasyPrint: no '](', '[^',
    '|---', '**' of a seeded mix of every construct (what was escaped aside). Tags are
    judged in tests/test_markdown.py: this issue's plain-text fields show '<b>' on purpose."""
    for edition, shown in edition_texts(built.folder, built.issue, built.project).items():
        leaked = [m.group() for m in _PUNCTUATION.finditer(_unescaped(shown))]
        assert not leaked, f"{edition} shows {leaked}"


def test_table_css_only_in_an_email_with_tables_or_notes(built, sample, project):
    """An e-mail without tables or notes carries none of their CSS (bytes against Gmail's
    clipping); one with them carries it (the phone test above fails without it at 320 px)."""
    from newsletter.render.email import render_email

    assert ".md-table" not in render_email(sample, project).html
    assert ".md-table" in (built.folder / "email.html").read_text(encoding="utf-8")
