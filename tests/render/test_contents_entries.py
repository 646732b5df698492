"""The contents on the cover: a title's last word, the dot leader and the page number share
a line (issue 17: paper a designer would sign).

Another editor's issue (tests/data/2021-04, English) had two titles that just filled their
line, "Call for Cooperation: Support for local business" and "The hall is not only for
shopping, it is a meeting place": the dots and the number stood alone on the next line.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from editions import drawn_pdf
from markupsafe import Markup
from page_depth import measured_pages

from newsletter.load import Project, load_issue
from newsletter.render.contents_entries import with_page_number
from newsletter.render.print import write_download

LEADER = r"(?:[.\u2024\u2026]\s*){3,}\d+$"  # poppler gives the leader as ". . . . 2"
ONLY_LEADER = re.compile(r"^\s*" + LEADER)


@pytest.mark.parametrize("language", ["en", "pl"])
def test_no_contents_line_is_only_dots_and_a_page_number(project: Project, tmp_path: Path,
                                                          language: str):
    issue = load_issue(ROOT / "tests" / "data" / "2021-04", project).in_language(language)
    pdf = write_download(issue, project, tmp_path).files[0]
    cover = measured_pages(pdf)[0].lines
    numbered = [line.text for line in cover if re.search(LEADER, line.text)]
    assert len(numbered) >= 10, numbered  # every section and title of the contents is there
    alone = [line.text for line in cover if ONLY_LEADER.match(line.text)]
    assert not alone, alone
    # a space either side of the dots: a one-dot leader between a title's last number and
    # the page number read as one number ('wniosek 5.12', generated seed 8301)
    glued = [text for text in numbered if not re.search(r"\S \.+ \d+$", text.rstrip())]
    assert not glued, glued


def test_the_last_word_is_held_whole_elements_and_all():
    held = with_page_number(Markup('Dotacje <span class="acronym">NCBR</span> i '
                                   '<span class="acronym">PARP</span>'), "#dotacje")
    assert held == Markup('Dotacje <span class="acronym">NCBR</span> i <span class="toc-end" '
                          'data-target="#dotacje"><span class="acronym">PARP</span></span>')
    assert with_page_number("Kalendarium", "#k") == Markup(
        '<span class="toc-end" data-target="#k">Kalendarium</span>')
    assert with_page_number("A & B <c>", "#x") == Markup(
        'A &amp; B <span class="toc-end" data-target="#x">&lt;c&gt;</span>')


def test_a_very_long_last_word_stays_in_its_column(project: Project, tmp_path: Path):
    """A title ending in a word longer than a contents column (a generated issue's
    'Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz') was held unbreakable
    with the page number and ran 50 pt past the page's margin; it is now hyphenated."""
    from corpus.judges import page_margins

    word = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"
    # eleven titles before it: the contents in two columns, this title in the second
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        + "".join(f"      - type: article\n        title: Artykuł {n}\n"
                  f"        body: Tekst.\n" for n in range(11))
        + f"      - type: article\n        title: Ustawa {word}\n        body: Tekst.\n",
        encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    _, right, _, left = page_margins()[1]
    cover = measured_pages(pdf)[0].lines
    entries = [line.x0 for line in cover if "Artykuł" in line.text or "Ustawa" in line.text]
    assert max(entries) - min(entries) > 150, "the contents are set in two columns"
    past = [(line.text, round(line.x1)) for line in cover
            if line.x1 > 595.28 - right + 0.5 or line.x0 < left - 0.5]
    assert not past, past
    assert with_page_number(f"Ustawa {word}", "#u").endswith(
        '<span class="toc-end" data-target="#u"></span>')


def test_a_title_ending_in_a_number_never_reads_as_one_with_its_page(project: Project,
                                                                    tmp_path: Path):
    """A leader has a space either side: where a title's last line left room for one dot,
    'wniosek 5' + '.' + '12' read as the number 5.12 (generated seed 8301's contents).
    Titles of every length ending in a number, so some fill their line to the dot."""
    import random

    rng = random.Random(17)
    words = ["dotacja", "wniosek", "firma", "budżet", "rynek", "przestrzeń", "konferencja",
             "nauka", "sieć"]
    titles = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 9))).capitalize()
              + f" {rng.randint(1, 9)}" for _ in range(18)]
    from paper import NS

    cover = _cover_of(titles, project, tmp_path)
    numbered = []  # (the title's last word, the leader's dots, the page number)
    for line in cover.iterfind(".//x:line", NS):
        words = [(w.text or "", float(w.get("xMin")), float(w.get("xMax")))
                 for w in line.iterfind("x:word", NS)]
        dots = [w for w in words if w[0] == "."]
        if dots and words[-1][0].isdigit() and len(words) > len(dots) + 1:
            numbered.append((words[-len(dots) - 2], dots, words[-1]))
    assert len(numbered) >= len(titles), numbered
    space = 2.0  # pt: a space of the contents' 9-10 pt type is 2.2-2.5 pt
    glued = [(last[0], len(dots), number[0]) for last, dots, number in numbered
             if dots[0][1] - last[2] < space or number[1] - dots[-1][2] < space
             or not last[0][-1:].isalnum()]
    assert not glued, glued


def test_an_acronym_typed_with_a_hyphen_is_never_broken_at_it(project: Project,
                                                            tmp_path: Path):
    """'COVID-19' in a contents entry broke after its hyphen, 'COVID-' / '19' (generated
    seed 8509 pl): the acronym in its span, the '‑19' after it began a run the list
    item's overflow-wrap cut at its first character. The whole word is the acronym's
    span now. Titles with one to twelve words before it, so it meets every line end."""
    from paper import NS

    words = ["Rynek", "transport", "żółć", "invest@example.org", "jaźń", "nauka", "firma",
             "budżet", "dotacja", "przestrzeń", "miasto", "konferencja"]
    titles = [" ".join(words[:n]) + " COVID-19 nauka firma innowacje" for n in range(1, 13)]
    cover = _cover_of(titles, project, tmp_path)
    ends = [[w.text or "" for w in line.iterfind("x:word", NS)][-1]
            for line in cover.iterfind(".//x:line", NS)]
    broken = [end for end in ends if re.search(r"COVID[-\u2010\u2011]$", end)]
    assert not broken, broken


def test_a_long_last_word_is_one_space_from_its_leader(project: Project, tmp_path: Path):
    """A title's last word too long to go down with the page number is followed by its
    space and the dots, one space: a second space before the dots (the leader's own) left
    a blank of up to 3.5 spaces, and where WeasyPrint then broke the line without room for
    a dot, four spaces between the word and its number with nothing between
    ('…dziewięcioletni    5', generated seed 9631 en). Titles of every length ending in
    a long word, so their last lines end everywhere: no blank of 3 spaces or more between
    the word, the dots and the number."""
    import random

    from paper import NS, SPACE_SHARE

    rng = random.Random(9631)
    words = ["dotacja", "wniosek", "firma", "budżet", "rynek", "przestrzeń", "nauka", "sieć"]
    long = ["przeciwkonstytucyjnościowy", "Konstantynopolitańczykowianeczka",
            "współodpowiedzialnościami", "dziewięćsetdziewięćdziesięciodziewięcioletni"]
    titles = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 9))).capitalize()
              + f" {rng.choice(long)}" for _ in range(18)]
    cover = _cover_of(titles, project, tmp_path)
    blanks = []  # (the line's last words, the widest blank in spaces of its type)
    for line in cover.iterfind(".//x:line", NS):
        words = [(w.text or "", float(w.get("xMin")), float(w.get("xMax")),
                  float(w.get("yMax")) - float(w.get("yMin")))
                 for w in line.iterfind("x:word", NS)]
        dots = [w for w in words if w[0] == "."]
        text = [w for w in words[:-1] if w[0] != "."]
        if not text or not words[-1][0].isdigit() or len(text[-1][0]) < 17:
            continue
        tail = text[-1:] + dots + words[-1:]  # the long word, the dots, the number
        widest = max((after[1] - before[2]) / (SPACE_SHARE * after[3])
                     for before, after in itertools.pairwise(tail))
        blanks.append((f"{text[-1][0]} {'.' * len(dots)} {words[-1][0]}", round(widest, 1)))
    assert len(blanks) >= 12, blanks  # the long words' entries
    wide = [blank for blank in blanks if blank[1] >= 3]
    assert not wide, wide


def _cover_of(titles: list[str], project: Project, tmp_path: Path) -> Any:
    """poppler's page element (words in lines) of the cover of a Polish issue of one
    section of articles with ``titles``."""
    from paper import NS, _xhtml

    blocks = "".join(f"      - type: article\n        title: {t}\n        body: Tekst.\n"
                     for t in titles)
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        + blocks, encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    return next(_xhtml(pdf, "-bbox-layout").iterfind(".//x:page", NS))


SEED_9218_TABLE = [
    ["Branża mapa miasto", "Innowacje nauka do", "Na e-mail", "Im. Kościuszki",
     "Miasto przestrzeń np."],
    ["---"] * 5,
    ["*Badania z gęśla ok. 40 osób*", "biuro@example.org", "Dla", "€2,5 mln",
     "kontakt@jestemaktywny.krakow.pl"],
    ["+48 12 616 12 34", "99,5%", "https://www.jestemaktywny.krakow.pl/of/the", "12 500 zł",
     "www.life-science.example.com"],
    ["<https://example.org/in/future/survey>", "+48 12 616 12 34",
     "*Miasto biało-czerwony dotacja*", "Urząd mieszkańcy mapa",
     "Przestrzeń transport cyfrowy tj."],
    ["Edukacja refleksja", "12 500 zł", "[Definicja](https://example.org/with/research)",
     "2021–2027", "Wsparcie 1 234 567"],
    ["Ok. 40 osób rada", "<https://www.example.org/>", "5", "419", "Uczestnicy usługi np."],
    ["12 500 zł", "99,5%", "2021–2027", "Przedsiębiorców edukacja lokalny w",
     "[30-552 cyfrowy dotacja dla](https://www.dlabiznesu.krakow.pl/conference/transport)"],
    ["Branża przedsiębiorców", "<https://life-science.example.com/with>",
     "[Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz na na miesiąc]"
     "(mailto:invest@dlabiznesu.krakow.pl)", "Im. Kościuszki rada do",
     "Nauka partner wsparcie"],
]
"""Generated seed 9218's table (pl): its fourth column is about 25 mm wide."""


@pytest.mark.parametrize("before", range(1, 7))
def test_an_acronym_typed_with_a_hyphen_in_a_table_link_is_never_broken_at_it(
        project: Project, tmp_path: Path, before: int):
    """'COVID-19' in a link in a table cell broke after its hyphen, 'COVID-' / '19'
    (generated seed 9218 pl): the link's text was bound ('COVID-⁠19', a word joiner
    after the hyphen) before its acronyms were marked, and the acronym's span stopped at
    'COVID'; the cell's overflow-wrap cut the run '-⁠19 jaźń' after it at its first
    character. The joiner is part of the word now. Zero to five words before it, in that
    table's narrow column, so it meets the cell's line ends."""
    words = ["Rynek", "transport", "żółć", "jaźń", "nauka", "firma"]
    typed = " ".join([*words[:before - 1], "Wniosek", "COVID-19", "jaźń"])
    link = f"[{typed}](https://www.krakow.pl/)"
    rows = [*SEED_9218_TABLE, ["**Przestrzeń konfliktu gęśla**", "99,5%",
                               "Innowacje publiczny", link, "1 234 567"]]
    body = "Tekst.\n\n" + "".join(f"| {' | '.join(row)} |\n" for row in rows)
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - file: a.md\n", encoding="utf-8")
    (folder / "a.md").write_text(f"---\ntitle: Dotacje\n---\n{body}", encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "COVID" in text
    assert not re.search(r"COVID[-\u2010\u2011]\s", text), text


def test_contents_titles_are_not_hyphenated(project: Project, tmp_path: Path):
    """A title in the contents wraps between words, as a card's title and a heading do:
    "Kra- / kowska przedsiębiorczość", "zmienia- / ły XIX-wieczny Kraków" (hand-made issue
    2025-05), where the whole word fitted the next line. Twelve long titles of long words,
    each one word longer than the one before, put a word at every line's end."""
    words = ["Krakowska", "przedsiębiorczość", "międzynarodowych", "rzemieślników",
             "zmieniały", "XIX-wieczny", "Kraków", "konkurencyjności", "samorządowych",
             "innowacyjnych", "przedsięwzięć", "dokumentacyjnego"]
    folder = tmp_path / "2021-01"
    folder.mkdir()
    titles = [" ".join(words[(n + i) % len(words)] for i in range(5 + n % 4))
              for n in range(12)]
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n"
        "    heading: Kupcy, cechy i kramy. Krakowska przedsiębiorczość w XIX wieku\n"
        "    blocks:\n"
        + "".join(f"      - type: article\n        title: {title}\n        body: Tekst.\n"
                  for title in titles), encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(drawn_pdf(pdf)), "-"], check=True,
                          capture_output=True, text=True).stdout
    lines = [line for line in text.splitlines() if line.strip()]
    assert sum(bool(re.search(LEADER, line)) for line in lines) >= 12, lines
    broken = [line for line in lines if line.rstrip().endswith(("\u00ad", "\u2010"))]
    assert not broken, broken
