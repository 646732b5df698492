"""The PDFs' Markdown tables as a reader sees them: a column is at least as wide as its
longest word while the table has room for every column's (render/table_columns.py),
no text crosses into the next column, and an article long enough for two columns is set
in one when it holds a table (half a page squeezed a five-column calendar into cells of
two letters). Seeded tables; words and their boxes from poppler (``pdftotext -bbox``)."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from editions import drawn_pdf

from newsletter.load import Project, load_issue
from newsletter.render.print import TEXT_COLUMN_PT, write_download, write_print

LONG_WORDS = ["przedsiębiorczość", "współfinansowanie", "termomodernizacja",
              "innowacyjności", "inkubatorowych", "Dofinansowanie", "internacjonalizacja"]
SHORT = ["dla", "firm", "nowe", "biuro", "miasto", "rynek", "plan", "sieć", "kurs", "grant"]
TABLES = 4  # tables 3 and 4 in articles of two-column length (250–600 words)


@dataclass(frozen=True)
class Word:
    text: str
    page: int
    x0: float
    x1: float
    top: float


def _table(rng: random.Random, number: int) -> tuple[str, list[str]]:
    """A table with one column of single long words (at most two such columns, so they
    fit side by side even in half a page) and one of long text; its header cells are
    ``A<n>``, ``B<n>``…; returns the Markdown and the long words it holds."""
    kinds = ["word", "text", *rng.sample(["word", "short"], k=rng.randint(0, 1))]
    rng.shuffle(kinds)
    head = "| " + " | ".join(f"{chr(65 + c)}{number}" for c in range(len(kinds))) + " |"
    rows, longs = [], []
    for _ in range(3):
        cells = []
        for kind in kinds:
            if kind == "word":
                word = rng.choice(LONG_WORDS)
                longs.append(word)
                cells.append(word)
            elif kind == "text":
                cells.append(" ".join(rng.choice(SHORT) for _ in range(rng.randint(10, 20))))
            else:
                cells.append(rng.choice(SHORT))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, "|" + "---|" * len(kinds), *rows]), longs


def _article(title: str, body: str) -> str:
    lines = "".join(f"          {line}\n" if line else "\n" for line in body.splitlines())
    return f"      - type: article\n        title: {title}\n        body: |\n{lines}"


@pytest.fixture(scope="module", params=[1, 2])
def built(request, tmp_path_factory, project: Project) -> tuple[list[Word], list[str]]:
    rng = random.Random(request.param)
    articles, longs = [], []
    for number in range(1, TABLES + 1):
        table, words = _table(rng, number)
        longs += words
        # 250–600 words make an article set in two columns (docs/authoring.md)
        filler = " ".join(rng.choice(SHORT) for _ in range(240 if number > 2 else 40))
        articles.append(_article(f"Tabela {number}", f"{filler}.\n\n{table}\n\nKONIEC{number}"))
    folder = tmp_path_factory.mktemp("tables") / "2021-03"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-03-01\nlanguage: pl\nsubject: Tabele\nsections:\n"
        "  - kind: innovation\n    blocks:\n" + "".join(articles), encoding="utf-8")
    issue = load_issue(folder, project)
    pdf = write_download(issue, project, folder.parent / "out").files[0]
    return _words(pdf), longs


def _words(pdf: Path) -> list[Word]:
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    words, page = [], 0
    for line in xhtml.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">'
                          r"(.*)</word>", line)
        if found:
            x0, top, x1, text = found.groups()
            words.append(Word(text, page, float(x0), float(x1), float(top)))
    return words


def _issue_words(tmp_path: Path, project: Project, language: str, blocks: str,
                 write: Any = write_download) -> list[Word]:
    """The words of the readers' PDF (or ``write``'s) of an issue of one section of
    ``blocks`` (YAML)."""
    folder = tmp_path / "2021-03"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        f"date: 2021-03-01\nlanguage: {language}\nsections:\n  - kind: innovation\n"
        "    blocks:\n" + blocks, encoding="utf-8")
    return _words(write(load_issue(folder, project), project, tmp_path / "out").files[0])


def _past_the_column(words: list[Word]) -> list[tuple[str, float]]:
    """The words past the text column's right edge (the edge found from the column's left,
    where the word 'A' of a test's first paragraph starts), with how far, in pt."""
    left = min(w.x0 for w in words if w.text == "A")
    right = left + TEXT_COLUMN_PT + 0.5
    return [(w.text, round(w.x1 - right, 1)) for w in words if w.x1 > right]


def test_a_column_is_as_wide_as_its_longest_word_while_the_table_has_room(built):
    words, longs = built
    shown = {word.text for word in words}
    broken = sorted({word for word in longs if word not in shown})
    assert not broken, f"long words broken inside their cell: {broken}"


def test_an_article_with_a_table_is_set_in_one_column(built):
    words, _ = built
    for number in (3, 4):
        header = next(w for w in words if w.text == f"A{number}")
        title = [w for w in words[:words.index(header)]  # the heading, not the contents'
                 if w.text == "Tabela" and _follows(words, w, str(number))][-1]
        before = [w for w in words if (title.page, title.top) < (w.page, w.top)
                  < (header.page, header.top)]
        lines: dict[tuple[int, float], list[Word]] = {}
        for word in before:
            lines.setdefault((word.page, round(word.top)), []).append(word)
        widest = max(run for line in lines.values() for run in _runs(line))
        assert widest > 0.6 * TEXT_COLUMN_PT, \
            f"article {number}'s text is set {widest:.0f} pt wide: in two columns"


def _runs(line: list[Word]) -> list[float]:
    """Widths of a line's runs of words: two columns side by side give two runs (the gap
    between columns is wider than any word space)."""
    line = sorted(line, key=lambda w: w.x0)
    runs, start = [], line[0]
    for before, after in itertools.pairwise(line):
        if after.x0 - before.x1 > 12:
            runs.append(before.x1 - start.x0)
            start = after
    return [*runs, line[-1].x1 - start.x0]


def _follows(words: list[Word], word: Word, text: str) -> bool:
    index = words.index(word)
    return index + 1 < len(words) and words[index + 1].text == text


def test_no_text_crosses_into_the_next_column(built):
    words, _ = built
    for number in range(1, TABLES + 1):
        header = [w for w in words if re.fullmatch(rf"[A-D]{number}", w.text)]
        assert header, f"table {number}'s header is not in the PDF"
        end = next(w for w in words if w.text == f"KONIEC{number}")
        first = header[0]
        starts = sorted({round(w.x0, 1) for w in header if w.page == first.page
                         and abs(w.top - first.top) < 1})
        inside = [w for w in words
                  if (first.page, first.top) < (w.page, w.top) < (end.page, end.top)
                  and not re.fullmatch(rf"[A-D]{number}", w.text)]
        assert inside, f"table {number} has no cells"
        padding = 3 * 72 / 25.4 - 0.5  # a cell's 1.5 mm each side, less rounding
        for word in inside:
            for start in starts[1:]:
                assert not (word.x0 < start - padding and word.x1 > start - padding + 0.6), \
                    f"table {number}: '{word.text}' runs into the column at {start} pt"


HEADINGS = ["Dziewięćsetdziewięćdziesięciodziewięcioletni", "Programme entrepreneurs green",
            "Internacjonalizacja przedsiębiorstw", "Termomodernizacja", "Współfinansowanie",
            "Rindfleischetikettierungsgesetz"]


@pytest.mark.parametrize("columns", [4, 6])
def test_no_heading_of_a_crowded_table_runs_past_its_column(tmp_path, project: Project,
                                                             columns):
    """A table whose columns' longest words do not all fit, headed by words longer than
    a column (an English issue: Polish and German words have no hyphenation points in
    it). Every word stays inside the text area, and a heading inside its column: a word
    that fits nowhere is broken, as it is in a body cell."""
    rng = random.Random(columns)
    head = "| " + " | ".join(HEADINGS[:columns]) + " |"
    rows = ["| " + " | ".join(rng.choice(LONG_WORDS) for _ in range(columns)) + " |"
            for _ in range(3)]
    table = "\n".join([head, "|" + "---|" * columns, *rows])
    words = _issue_words(tmp_path, project, "en",
                         _article("Crowded", f"A table.\n\n{table}\n\nKONIEC"))
    left = min(w.x0 for w in words if w.text == "A")  # the text column's left edge
    right = left + TEXT_COLUMN_PT + 0.5
    outside = [(w.text, round(w.x1)) for w in words if w.x1 > right]
    assert not outside, f"past the text area's right edge at {right:.0f} pt: {outside}"
    lines: dict[tuple[int, int], list[Word]] = {}
    for word in words:
        lines.setdefault((word.page, round(word.top)), []).append(word)
    overlapping = [(a.text, b.text) for line in lines.values()
                   for a, b in itertools.pairwise(sorted(line, key=lambda w: w.x0))
                   if b.x0 < a.x1 - 0.5]
    assert not overlapping, f"words drawn over each other: {overlapping}"


@pytest.mark.parametrize("cards", [1, 2, 3])
def test_a_table_in_a_card_stays_in_its_card(tmp_path, project: Project, cards: int):
    """A card's text may hold a table. Left to WeasyPrint's automatic layout, a table
    whose heading held a long word ran 30 pt past its card and the page's margin in a
    row of two cards (generated seed 8309 en page 11); its columns are now fitted to
    the card's width, as an article's are to the text column. And such a card has a row
    of its own, across the page (paper_grids.card_rows: in a row of two, generated seed
    9660's ran past a page's foot): the cards stand one under another."""
    from newsletter.render.paper_grids import MM, card_column_mm

    rng = random.Random(cards)
    entries = []
    for number in range(cards):
        head = "| " + " | ".join(rng.sample(HEADINGS, 3)) + " |"
        rows = ["| " + " | ".join(rng.choice(LONG_WORDS + SHORT) for _ in range(3)) + " |"
                for _ in range(3)]
        text = "\n".join(f"                {line}" for line in
                         ["Tabela:", "", head, "|---|---|---|", *rows])
        entries.append(f"          - title: KARTA{number}\n            url: https://krakow.pl/\n"
                       f"            text: |\n{text}\n")
    words = _issue_words(tmp_path, project, "en",
                         "      - type: link_cards\n        cards:\n" + "".join(entries))
    titles = sorted((w for w in words if w.text.startswith("KARTA")),
                    key=lambda w: (w.page, w.top))
    assert len(titles) == cards
    assert len({round(t.x0) for t in titles}) == 1, titles  # one under another
    inner = card_column_mm(1) * MM
    vocabulary = " ".join(HEADINGS + LONG_WORDS + SHORT)
    outside = []
    for word in words:
        piece = word.text.strip("-\u2010\u00ad")
        card = max((t for t in titles if (t.page, t.top) < (word.page, word.top)),
                   key=lambda t: (t.page, t.top), default=None)
        if card is None or not piece or piece not in vocabulary:
            continue  # the cards' tables only (not the folio, not a colophon)
        if word.x1 > card.x0 + inner + 0.5:
            outside.append((word.text, round(word.x1 - (card.x0 + inner))))
    assert not outside, f"past its card's inner right edge (pt): {outside}"


GIANTS = ["Konstantynopolitańczykowianeczka", "Dziewięćsetdziewięćdziesięciodziewięcioletni",
          "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"]
CHAINS = ["12 500 zł", "art. 15 ust. 2", "z 2021 r.", "€ 2,5 mln", "w Krakowie"]


@pytest.mark.parametrize("seed", range(3))
def test_a_crowded_tables_short_columns_keep_their_bound_words(tmp_path, project: Project,
                                                               seed: int):
    """A table whose longest words do not all fit the column: only the columns of the
    longest words give way. Shrunk all in proportion, a cell's '12 500 zł' broke at
    '12 500' / 'zł' and 'art. 15 ust. 2' at 'ust.' / '2' beside a column of a word that
    had to break anyway (generated seeds 8308 and 5210: line_edges)."""
    rng = random.Random(seed)
    giants = rng.randint(1, 2)
    columns = giants + 3
    head = "| " + " | ".join(f"K{c}" for c in range(columns)) + " |"
    rows, chains = [], []
    for _ in range(3):
        row = [rng.choice(GIANTS) for _ in range(giants)]
        picked = rng.sample(CHAINS, 3)
        chains += picked
        rows.append("| " + " | ".join(row + picked) + " |")
    table = "\n".join([head, "|" + "---|" * columns, *rows])
    words = _issue_words(tmp_path, project, "pl",
                         _article("Tabela", f"Tabela:\n\n{table}\n\nKONIEC"))
    broken = []
    for chain in chains:
        parts = chain.split()
        starts = [i for i, w in enumerate(words) if w.text == parts[0]
                  and [x.text for x in words[i:i + len(parts)]] == parts]
        assert starts, f"{chain!r} not found whole-worded"
        broken += [chain for i in starts
                   if len({round(w.top) for w in words[i:i + len(parts)]}) > 1]
    assert not broken, f"bound words set over two lines: {broken}"


SEED_8410_TABLE = """\
| W | Inwestycja dotacja | Mapa nowy projekt | W z | M.st. urząd |
|---|---|---|---|---|
| 2021–2027 | Zielony | https://example.org/a/new/a | invest@jestemaktywny.krakow.pl | Nowy \
platforma |
| 2021–2027 | Dotacja miesiąc | <https://example.org/> | Rada | **Źródło** |
| [Nr 12 tydzień do](mailto:invest@jestemaktywny.krakow.pl) | Wniosek z rada | Uczestnicy \
dzielnica | Urząd dzielnica transport współpraca | Uczestnicy |
| 2021–2027 | 419 | 5 | biuro@krakow.pl | [Uczestnicy do nauka tzw.](https://www.jestemaktyw\
ny.krakow.pl/science/survey/platform) |
| https://dlabiznesu.krakow.pl/application/company | 2021–2027 | 99,5% | [Sieć współpraca \
ankieta](https://www.dlabiznesu.krakow.pl/district-2368/map-6556/innovation-7830/open-4259/we\
ek-4987/in-5589/for-1532/project-1650/programme-4374/market-4476/office-6051/local-6086/resid\
ents-8642/?etap=4&rok=2021) | Cyfrowy urząd partner mapa |"""
"""Generated seed 8410's table (as the generator wrote it; a backslash joins lines)."""


def test_a_links_printed_address_in_a_cell_stays_in_its_column(tmp_path, project: Project):
    """The printer's PDF prints a link's address after its words. In a cell, inline after
    the link's last word, the address's first piece ('(www.jestemaktywny.krakow.pl/')
    stayed on that line and ran 3 pt past the page's margin (generated seed 8410's table,
    here as it was); it now starts a line of its own."""
    words = _issue_words(tmp_path, project, "pl",
                         _article("Tabela", f"A tabela.\n\n{SEED_8410_TABLE}\n\nKONIEC"),
                         write_print)
    outside = _past_the_column(words)
    assert not outside, f"past the text column's right edge (pt): {outside}"


SEED_5214_TABLE = """\
| Jaźń gęśla | Wniosek NCBR żółć | Źródło | Ankieta dzielnica | Konferencja |
|---|---|---|---|---|
| <https://life-science.example.com/support/city/startup> | [Żółć mieszkańcy biało-czerwony \
tydzień](mailto:kontakt@krakow.pl) | [PARP pi.umk@example.org konferencja](mailto:biuro@exa\
mple.org) | Miasto | Biuro@life-science.example.com |
| 99,5% | 1 000 000+ | 12 500 zł | kontakt@krakow.pl | I innowacje cyfrowy |
| Ok. 40 osób żółć rada pi.umk@life-science.example.com | 5 | Przyszłość ul. branża | \
[Platforma rada](mailto:pi.umk@example.org) | invest@jestemaktywny.krakow.pl |
| 419 | €2,5 mln | Budżet budżet program | [Konferencja współpraca tydzień](mailto:invest@j\
estemaktywny.krakow.pl) | kontakt@dlabiznesu.krakow.pl |"""
"""Generated seed 5214's table, from a letter's body (a backslash joins lines)."""


def test_a_table_in_a_letter_stays_in_its_columns(tmp_path, project: Project):
    """A letter's body is set larger than an article's; its table was set at 0.9 em of
    that, while its columns were fitted to words measured at 0.9 of the base size:
    'invest@jestemaktywny.krakow.pl' ran 2 pt past its column and the page's margin
    (generated seed 5214 pl page 6). Every table now has the one size it is measured at."""
    body = "".join(f"          {line}\n" for line in f"A list.\n\n{SEED_5214_TABLE}".split("\n"))
    words = _issue_words(tmp_path, project, "pl",
                         f"      - type: letter\n        body: |\n{body}"
                         "        signature:\n          name: Jan Kowalski\n")
    outside = _past_the_column(words)
    assert not outside, f"past the text column's right edge (pt): {outside}"


SEED_5210_TABLE = """\
| +48 12 616 12 34 | SME and etc. | Mr Smith with company | Entrepreneurs No. 5 99,5% |
|---|---|---|---|
| https://dlabiznesu.krakow.pl/startupinvestment-394/map-3249/public-4116/application-9016/\
project-6707/education-2949/budget-5951/public-1943/application-458/open-9161/research-3011/\
?etap=2&rok=2021 | *Survey for science i.e.* | 99,5% | Conference |
| 12 500 zł | E-mail in | Programme 9 a.m. space | €2,5 mln |
| Survey | €2,5 mln | **Partner conference residents** | **Pi.umk@jestemaktywny.krakow.pl \
science** |
| [The new](https://dlabiznesu.krakow.pl/digital/education/map) | [Efficient](mailto:biuro@dl\
abiznesu.krakow.pl) | 2021–2027 | [Market local open](https://example.org/network/with) |"""
"""Generated seed 5210's table (a backslash joins lines)."""


def test_a_bold_cells_words_are_measured_bold(tmp_path, project: Project):
    """Columns are fitted to words measured in the font they are set in: a body cell's
    '**Pi.umk@jestemaktywny.krakow.pl science**' was measured regular, got a column 6 %
    too narrow and ran 29 pt past the page's margin (generated seed 5210 en page 15)."""
    words = _issue_words(tmp_path, project, "en",
                         _article("Table", f"A table.\n\n{SEED_5210_TABLE}\n\nTHE END"))
    outside = _past_the_column(words)
    assert not outside, f"past the text column's right edge (pt): {outside}"


ADDRESSES = ["https://www.jestemaktywny.krakow.pl/city/public", "invest@jestemaktywny.krakow.pl",
             "https://life-science.example.com/support/city/startup",
             "kontakt@dlabiznesu.krakow.pl", "www.dlabiznesu.krakow.pl/przedsiebiorczosc",
             "pi.umk@life-science.example.com"]


def _address_cuts(words: list[Word], addresses: list[str], longer: int = 0) -> list[str]:
    """The pieces of ``addresses`` that a line ends (or starts) inside a word: a piece is
    fine when it ends where the address may break (after / . ? & = # or before a hyphen
    or an @) or at the address's end, and starts at its start or after such a break; or when it is
    cut inside a part between such breaks of more than ``longer`` characters (a part
    wider than its column, which breaks at any letter)."""
    breaks_after, cuts = "/.?&=#", []
    for word in words:
        text = word.text.rstrip(",;)").lstrip("(").replace("\u2011", "-")
        if len(text) < 4 or not any(c in text for c in "./@") or text in addresses:
            continue
        places = [(a, i) for a in addresses for i in range(len(a))
                  if a.startswith(text, i)]
        if places and not any(
                (end == len(a) or a[end - 1] in breaks_after or a[end] in "-@"
                 or (longer and _part_at(a, end) > longer))
                and (i == 0 or a[i - 1] in breaks_after or a[i] in "-@"
                     or (longer and _part_at(a, i) > longer))
                for a, i in places for end in [i + len(text)]):
            cuts.append(text)
    return cuts


def _part_at(address: str, index: int) -> int:
    """The length of the part of ``address`` (between the places it may break) that holds
    the character boundary at ``index``."""
    start = max(address.rfind(c, 0, index) for c in "/.?&=#") + 1
    ends = [address.find(c, index) for c in "/.?&=#"]
    end = min([e + 1 for e in ends if e >= 0] or [len(address)])
    return end - start


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_address_in_a_crowded_table_breaks_at_its_dots_not_its_letters(
        tmp_path, project: Project, seed: int):
    """A table whose columns cannot hold every address's longest piece between slashes:
    an address broke at any letter ('www.jestemaktywny.kra' / 'kow.pl'); it now breaks
    after its dots too, as LaTeX's url package does, and at a letter only when a piece
    between dots is wider than its column."""
    rng = random.Random(seed)
    columns = rng.randint(4, 5)
    head = "| " + " | ".join(f"K{c}" for c in range(columns)) + " |"
    rows = ["| " + " | ".join(rng.choice([*ADDRESSES, "Rada", "12 500 zł", "Urząd miasta"])
                              for _ in range(columns)) + " |" for _ in range(4)]
    table = "\n".join([head, "|" + "---|" * columns, *rows])
    words = _issue_words(tmp_path, project, "pl",
                         _article("Tabela", f"A tabela.\n\n{table}\n\nKONIEC"))
    assert not _address_cuts(words, ADDRESSES)


SEED_9014_TABLE = """\
| Dziewięćsetdziewięćdziesięciodziewięcioletni | Grant | Business of research | Dziewięćset\
dziewięćdziesięciodziewięcioletni market | Business 9 a.m. |
|---|---|---|---|---|
| Konstantynopolitańczykowianeczka investment | Conference approx. Konstantynopolitańczyk\
owianeczka | Dr Nowak week | Programme | Platform |
| Conference services | 2021–2027 | Business partner company well-known | +48 12 616 12 34 | \
Future |
| 99,5% | Investment education | www.krakow.pl | 99,5% | Business |
| https://www.krakow.pl/project/space | <https://dlabiznesu.krakow.pl/startup/the/innovation> \
| **Research transport week** | Invest@life-science.example.com office | https://www.dlabizn\
esu.krakow.pl/platform-9413/services-4118/research-6710/to-6442/?etap=9&rok=2021 |
| Project market | Przeciwkonstytucyjnościowy survey district Art. 15 | [Space network digit\
al startup](https://www.example.org/) | Cooperation year | Business |"""
"""Generated seed 9014's table (shortened address; a backslash joins lines)."""


def test_an_address_beside_columns_of_giant_words_breaks_between_its_pieces(
        tmp_path, project: Project):
    """Beside columns of words no column holds, the table breaks words at any letter, and
    an address in it was cut at any letter too though its column held each piece between
    its dots and slashes ('dlabiznesu.kr' / 'akow.pl/platf' / 'orm-9413/ser', generated
    seed 9014); it now breaks between its pieces only."""
    addresses = ["www.krakow.pl", "https://www.krakow.pl/project/space",
                 "https://dlabiznesu.krakow.pl/startup/the/innovation",
                 "Invest@life-science.example.com", "https://www.dlabiznesu.krakow.pl/platform"
                 "-9413/services-4118/research-6710/to-6442/?etap=9&rok=2021"]
    words = _issue_words(tmp_path, project, "en",
                         _article("Table", f"A table.\n\n{SEED_9014_TABLE}\n\nEND"),
                         write_print)
    assert not _address_cuts(words, addresses, longer=10)


DEADLINES = "\n".join([
    "| Program | Dla kogo | Kwota | Nabór wniosków | Wyniki | Regulamin |",
    "|---|---|---|---|---|---|",
    "| Kraków dla Start-upów | firmy do 3 lat | 25 000 zł | 1–15 października 2028 r. | do 30 "
    "listopada 2028 r. | https://www.dlabiznesu.krakow.pl/programy/krakow-dla-start-upow-2028/"
    "regulamin |",
    "| Bon na innowacje | MŚP | 80 000 zł | 15 października – 5 listopada 2028 r. | do 20 "
    "grudnia 2028 r. | https://www.kpt.krakow.pl/bon-na-innowacje/dokumenty-do-pobrania?rok=2028 |",
    "| Eksport bez granic | eksporterzy | 15 000 zł | 1–20 listopada 2028 r. | do 10 stycznia "
    "2029 r. | https://www.dlabiznesu.krakow.pl/programy/eksport-bez-granic |"])


def test_a_tables_dates_and_short_words_are_not_hyphenated(tmp_path, project: Project):
    """Beside a wide column of addresses, a deadline table's cells hyphenated the dates a
    reader scans for: "5 li-" / "stopada 2028 r.", "Bon na inno-" / "wacje" (hand-made
    issue 2028-10). A cell hyphenates only words of ten letters or more."""
    from conftest import one_article_issue

    issue = load_issue(one_article_issue(tmp_path / "2021-01", DEADLINES,
                                         title="Terminy"), project)
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    text = subprocess.run(["pdftotext", "-raw", str(drawn_pdf(pdf)), "-"], check=True,
                          capture_output=True, text=True).stdout
    lines = text.splitlines()
    cut = [f"{line.split()[-1]} / {following.split()[0]}"
           for line, following in itertools.pairwise(lines)
           if line.endswith("\xad") and following.split()
           and len(line.split()[-1] + following.split()[0]) - 1 < 10]
    assert not cut, cut


EMPHASISED = ["al. Jana Pawła II 41 partner", "ZUS 12 dni", "COVID-19 w firmie",
              "nr 5 NCBR program", "prof. Zając i MŚP 3 wnioski"]
"""Chains of words bound across an element's edges once set: an acronym's or a compound's
span ("II", "ZUS", "COVID-19") with the words bound after it."""


@pytest.mark.parametrize("seed", range(4))
def test_emphasis_in_a_cell_breaks_only_at_its_spaces(tmp_path, project: Project, seed: int):
    """Where every column holds its longest word, no word of a cell is cut. In emphasis,
    WeasyPrint 70 cut the text after an acronym's span at the first character that fit
    (overflow-wrap: anywhere): "*Współpraca al. Jana Pawła II 41 partner*" ended a line with
    "41" and "partner" under it (generated seed 9756 pl), or "pa" / "rtner"."""
    from paper import cut_words

    rng = random.Random(seed)
    columns = rng.randint(3, 5)
    head = "| " + " | ".join(f"K{c}" for c in range(columns)) + " |"
    rows = []
    for _ in range(6):
        cells = []
        for _ in range(columns):
            words = [rng.choice(SHORT) for _ in range(rng.randint(1, 4))]
            words.insert(rng.randint(0, len(words)), rng.choice(EMPHASISED))
            mark = rng.choice(["*", "**", "_"])
            cells.append(f"{mark}{' '.join(words)}{mark}")
        rows.append("| " + " | ".join(cells) + " |")
    table = "\n".join([head, "|" + "---|" * columns, *rows])
    folder = tmp_path / "2021-03"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-03-01\nlanguage: pl\nsections:\n  - kind: innovation\n    blocks:\n"
        + _article("Tabela", f"Tabela:\n\n{table}\n\nKONIEC"), encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    written = set(re.findall(r"\w+", table))
    assert not cut_words(pdf, written), "words cut where no hyphen is"
    words = _words(pdf)
    ends = [f"{w.text} / {after.text}" for w, after in itertools.pairwise(words)
            if w.text in ("41", "12", "5", "3", "II", "i", "w", "nr", "al.", "prof.")
            and round(after.top) != round(w.top) and after.page == w.page]
    assert not ends, f"lines ending with a word bound to the next: {ends}"
