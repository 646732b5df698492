"""An editor's subheadings in the PDFs are never hyphenated, unless a word in one is wider
than its column (then it must be, rather than be cut with nothing drawn or overflow).

Seen on a generated issue (tests/corpus seed 808, features long, tables, footnotes,
pictures): "12 500 zł company residents entrepreneurs local i.e. startup pro- / gramme
project …" and "entrepren- / eurs" in a subheading of the readers' PDF, whose words all fit
a line: hyphenation was on for every subheading, for the rare word wider than a column.
"""

from __future__ import annotations

import random
import re
import subprocess
from pathlib import Path

import pytest
from conftest import one_article_issue
from editions import drawn_pdf

from newsletter.load import Project, load_issue
from newsletter.render.heading_words import long_words_marked
from newsletter.render.paper_grids import measures
from newsletter.render.print import COLUMN_OF_TWO_PT, write_download

WORDS = ["przedsiębiorców", "innowacyjności", "współpracy", "konferencja", "transportowy",
         "mieszkańców", "programme", "entrepreneurs", "application", "przestrzeni",
         "cooperation", "dotacyjnego", "partnership", "badawczych", "municipality",
         "dzielnicowy", "investment", "zrównoważony"]
LONGEST = "Konstantynopolitańczykowianeczkaprzeciwkonstytucyjnościowy"  # wider than a column
FILLER = ("Miasto wspiera firmy w rozwoju i zaprasza do udziału w programie, który łączy "
          "przedsiębiorców z uczelniami oraz instytucjami otoczenia biznesu. ")


def body(seed: int, headings: int, paragraph_words: int) -> str:
    """Subheadings (# → h4, the largest) of 5–9 words of 9–15 letters, each before a
    paragraph; one holds a word wider than a column of a two-column article."""
    rng = random.Random(seed)
    filler = FILLER.split()
    parts = []
    for number in range(headings):
        words = [rng.choice(WORDS) for _ in range(rng.randint(5, 9))]
        if number == 1:
            words.insert(2, LONGEST)
        parts.append("# " + " ".join(words).capitalize())
        parts.append(" ".join(filler[i % len(filler)] for i in range(paragraph_words)))
    return "\n\n".join(parts)


def heading_lines(pdf: Path) -> list[str]:
    """Lines of the PDF set larger than body text (the subheadings), as drawn: a hyphen
    added by line breaking ends its line as U+00AD (tests/editions.py, drawn_pdf)."""
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(drawn_pdf(pdf)), "-"],
                            capture_output=True, text=True, check=True).stdout
    lines = []
    for line in re.findall(r"<line [^>]*>(.*?)</line>", layout, re.S):
        words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', line)
        if words and max(float(b) - float(a) for a, b, _ in words) > 17:  # body ~13, h4 ~21
            lines.append(" ".join(w for _, _, w in words))
    return lines


@pytest.mark.parametrize(("seed", "paragraph_words"), [(1, 60), (2, 20), (3, 40)])
def test_subheadings_are_hyphenated_only_where_a_word_cannot_fit(tmp_path: Path,
                                                                 project: Project,
                                                                 seed: int,
                                                                 paragraph_words: int):
    text = body(seed, 8, paragraph_words)  # 8 × (20–60 + 5–9): one and two columns
    issue = load_issue(one_article_issue(tmp_path / "2021-01", text, title="Nabór"), project)
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    lines = heading_lines(pdf)
    assert len(lines) >= 8, lines
    broken = [line for line in lines if line.endswith(("\u00ad", "-", "\u2010"))]
    assert broken, "the word wider than a column is hyphenated"
    # every line that ends hyphenated ends in a piece of the word wider than a column
    assert all(line.split()[-1].strip("\u00ad-\u2010").lower() in LONGEST.lower()
               for line in broken), broken


def test_only_words_wider_than_a_column_are_marked(project: Project):
    bold = measures(project)[0]
    html = (f"<h4>Startup <em>programme</em> &amp; {LONGEST}</h4><h6>{LONGEST}</h6>"
            f"<p>{LONGEST}</p><h3>{LONGEST}</h3>")
    marked = long_words_marked(html, bold, 10, COLUMN_OF_TWO_PT)
    assert marked.count('<span class="long-word">') == 2  # h4 and h6, not p or the title
    assert "<em>programme</em>" in marked and "Startup <em>" in marked


def test_no_word_of_an_address_or_an_acronym_is_marked(project: Project):
    """An address keeps its own breaks (after / ? & =): a hyphen added inside it would be
    typed by a reader (a figure label's address was hyphenated once labels were marked)."""
    bold = measures(project)[0]
    html = (f'<h4><span class="address">https://{LONGEST}.pl/<wbr>{LONGEST}</span> '
            f'<span class="acronym">{LONGEST.upper()}</span> <b>{LONGEST}</b></h4>')
    marked = long_words_marked(html, bold, 10, COLUMN_OF_TWO_PT)
    assert marked.count('<span class="long-word">') == 1, marked  # the bold word's only
    assert f'<b><span class="long-word">{LONGEST}</span></b>' in marked


def test_card_titles_are_never_hyphenated(tmp_path: Path, project: Project):
    """A card's title is a heading too ("Kalendarz szkoleń i webina- / riów" in a hand-made
    issue, where "webinariów" fitted the next line whole): the grid gives titles columns
    their longest word fits, so they wrap between words."""
    rng = random.Random(7)
    cards = "".join(
        f"          - title: {' '.join(rng.choice(WORDS) for _ in range(rng.randint(3, 6)))}\n"
        "            url: https://example.com/\n" for _ in range(9))
    text, lines = _polish_block(tmp_path, project, f"type: link_cards\n        cards:\n{cards}")
    assert sum(word in text for word in WORDS) >= 12, lines  # the titles are on the page
    broken = [line for line in lines if line.endswith(("\u00ad", "-", "\u2010"))]
    assert not broken, broken


def test_figure_labels_are_hyphenated_only_where_a_word_cannot_fit(tmp_path: Path,
                                                                     project: Project):
    """A figure's label is a few centred words ("wody deszczowej zatrzymanej w ogro- /
    dach" in a hand-made issue, where "ogrodach" fitted the next line whole): it wraps
    between words, and only a word wider than its figure (five to a row) is hyphenated."""
    rng = random.Random(11)
    labels = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))) for _ in range(10)]
    labels[3] = f"firm {LONGEST} w strefie"
    items = "".join(f'          - value: "{number}"\n            label: {label}\n'
                    for number, label in enumerate(labels, 1))
    text, lines = _polish_block(tmp_path, project, f"type: figures\n        items:\n{items}")
    assert sum(word in text for word in WORDS) >= 12, lines  # the labels are on the page
    broken = [line for line in lines if line.endswith(("\u00ad", "-", "\u2010"))]
    assert broken, "the word wider than a figure is hyphenated"
    assert all(line.split()[-1].strip("\u00ad-\u2010").lower() in LONGEST.lower()
               for line in broken), broken


def _polish_block(tmp_path: Path, project: Project, block: str) -> tuple[str, list[str]]:
    """The readers' PDF of a Polish issue of one block (``block``: its YAML from ``type``,
    indented for a section's list): the text after the cover, and its lines."""
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: innovation\n    blocks:\n"
        f"      - {block}", encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    text = subprocess.run(["pdftotext", "-f", "2", str(drawn_pdf(pdf)), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text, [line.strip() for line in text.splitlines() if line.strip()]
