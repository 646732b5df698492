"""Acronyms in capitals are never hyphenated in the PDFs' plain fields (issue 17 item 4):
titles, kickers, leads, card titles, figure labels and captions, as in Markdown texts.
Read from the readers' PDF: each acronym is whole on one line wherever it is printed.
Nor is an address typed in a plain field (issue 17 item 5): it copies as typed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from editions import drawn_pdf, pdf_pages

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

ACRONYMS = ["KONSORCJUM", "INWESTYCJE", "MAŁOPOLSKA", "PROGRAMOWY", "INNOWACYJNE",
            "TECHNOLOGIE"]
"""Words in capitals (a programme's name as its office writes it), each narrower than a
figure's label (a fifth of the column): in cards and labels they would be hyphenated
if they could be, and need not break anywhere else."""


ADDRESSES = [
    "https://www.sse.krakow.pl/inwestorzy/ulgi-podatkowe-dla-przedsiebiorcow-malopolski",
    "https://www.dlabiznesu.krakow.pl/programy-wsparcia/bony-na-innowacje?rok=2021&etap=2",
    "www.rozwoj-przedsiebiorczosci.krakow.pl/nowa-huta",
    "obsluga-inwestorow-zagranicznych@krakow.pl",
]
"""Addresses with hyphens and long parts, wider than a card's or a figure's column, so
they must break: only after / ? & = or at a typed hyphen, never hyphenated."""


def write_issue(folder: Path) -> Path:
    folder.mkdir()
    words = " ".join(ACRONYMS)
    at = dict(enumerate(ADDRESSES))
    cards = "".join(f"          - title: {' '.join(ACRONYMS[i:] + ACRONYMS[:i])} {at[i]}\n"
                    f"            url: https://example.com/{i}\n" for i in range(3))
    items = "".join(f"          - value: \"{i}\"\n            label: {words} {at[i % 4]}\n"
                    for i in range(5))
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n"
        f"    heading: Strefa {at[0]} i {at[3]}\n    blocks:\n"
        f"      - type: article\n        id: story\n        kicker: {words}\n"
        f"        title: Programy {words} {at[1]}\n        lead: Nabór {words} i {words} {at[2]}\n"
        "        body: Tekst artykułu.\n"
        f"        links:\n          - label: {at[3]}\n            url: https://example.com/\n"
        "      - type: link_cards\n        id: cards\n        title: Karty\n"
        f"        cards:\n{cards}"
        f"      - type: figures\n        id: numbers\n        items:\n{items}",
        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def plain_pdf(project: Project, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plain")
    issue = load_issue(write_issue(folder / "acronyms"), project)
    return write_download(issue, project, folder / "out").files[0]


def test_an_acronym_in_a_plain_field_is_never_split_across_lines(plain_pdf):
    pdf = plain_pdf
    lines = [line.text for page in pdf_pages(pdf)[1:] for line in page.lines]
    # words of the lines, less the pieces of addresses (which break at / and hyphens)
    words = [word for line in lines for token in line.upper().split()
             if not re.search(r"[/.@?&=-]", token) for word in re.findall(r"\w+", token)]
    pieces = [(word, acronym) for word in words for acronym in ACRONYMS if word != acronym
              and len(word) >= 2 and (acronym.startswith(word) or acronym.endswith(word))]
    assert words.count(ACRONYMS[0]) >= 10, lines  # kicker, title, lead ×2, 3 cards, 5 labels
    assert not pieces, pieces


def test_an_address_in_a_plain_field_copies_as_typed(plain_pdf):
    """A section heading, a title, a lead, a card title, a figure label and a link's label
    holding an address: each printed occurrence, its line ends undone, is the address as
    typed (a hyphen added by hyphenation would copy as a soft hyphen inside it, and a
    reader typing it from paper would type the hyphen)."""
    copied = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(plain_pdf), "-"],
                            check=True, capture_output=True, text=True).stdout
    whole = copied.replace("\n", "")
    assert whole.count("https://") > copied.count("https://www"), "no address broke a line"
    for address in ADDRESSES:
        assert whole.count(address) >= 2, (address, [line for line in copied.splitlines()
                                                     if address[8:16] in line])
    drawn = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(drawn_pdf(plain_pdf)), "-"],
                           check=True, capture_output=True, text=True).stdout
    assert "\xad" not in copied
    hyphenated = [line for line in drawn.splitlines() if line.endswith("\xad") and
                  re.search(r"[/@.=?&]|^(ulgi|programy|bony|obsluga|rozwoj|przedsiebior)",
                            line.split()[-1])]
    assert not hyphenated, hyphenated


LONG = "Grundstücksverkehrsgenehmigungszuständigkeitsübertragungsverordnungsänderungsgesetz"
"""A word wider than the text column at a title's size, with no hyphenation point an
English dictionary knows."""


def test_a_word_longer_than_a_line_stays_on_the_page_in_every_plain_field(
        project: Project, tmp_path):
    """Titles set whole (no hyphenation) must still break a word that fits no line: the
    cover's lead story, the contents, a section heading, an article's title and lead, a
    card's title and a figure's label all hold one."""
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        f"date: 2021-01-01\nsections:\n  - kind: innovation\n    heading: Strefa {LONG}\n"
        f"    blocks:\n      - type: article\n        title: Ustawa {LONG} z 2021\n"
        f"        lead: Nowa {LONG} w praktyce\n        body: Tekst.\n"
        "      - type: link_cards\n        cards:\n"
        f"          - title: Karta {LONG}\n            url: https://example.com/\n"
        "      - type: figures\n        items:\n"
        f"          - value: \"5\"\n            label: {LONG}\n", encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    right = 595.3 - 16 * 72 / 25.4 + 0.5  # the page less its right margin (16 mm)
    boxes = re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', xhtml)
    outside = [(text, round(float(x1))) for x1, text in boxes if float(x1) > right]
    assert not outside, f"past the text area's right edge ({right:.0f} pt): {outside}"
