"""An address in a card stays inside the card on paper, and copies whole.

Generated seed 9283 (pl): a card's list item held 'invest@jestemaktywny.krakow.pl', wider
than the card's text (a third of the page, less the list's indent). An e-mail address has
none of the breaks a URL has (after / ? & =), and addresses were kept from breaking
anywhere (overflow-wrap: normal), so the address ran past the card's right edge into the
gap and the next card. It now breaks before its '@' (typography.breakable_url), as a URL
breaks after its '/'. A piece between two such breaks of 26 characters or more breaks
after its dots too (hand-made issue 2027-01: a contact card's
'pelnomocnik.ds.wspolpracy.z.uczelniami' ran off the page, its end lost), and a phone
number never binds to the address after it (the same issue's 'tel. +48 12 616 12 34' and
'centrum.obslugi.inwestora' were one piece, past the card into the next). A word longer
than a card still runs past it: 'konstantynopolitanczykowianeczka' at 8 pt is 46 mm.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import pytest

from newsletter.load import Project, load_issue
from newsletter.render.paper_grids import CARD_GAP_MM, CARD_PADDING_MM, TEXT_MM
from newsletter.render.print import write_download

MM = 72 / 25.4
LEFT_MM = (210 - TEXT_MM[0]) / 2  # the text area's left edge on the A4 page
ADDRESSES = ["invest@jestemaktywny.krakow.pl", "przedsiebiorczosc.innowacje@um.krakow.pl",
             "www.life-science.example.com/participants/future/future",
             "https://dzielnica-nowa-huta.example.com/przedsiebiorczosc/",
             "pelnomocnik.ds.wspolpracy.z.uczelniami@um.krakow.pl",
             "centrum.obslugi.inwestora@um.krakow.pl"]


def _cards() -> str:
    """Three cards a row: addresses in a list item, in a paragraph, alone in a line."""
    texts = [f"Kontakt:\\n\\n- Dotacja {ADDRESSES[0]} branża badania\\n- Rada {ADDRESSES[1]}"
             f"\\n  - Biura\\n    - Nowe biuro {ADDRESSES[0]} otwarte dla nauki",
             f"Adres {ADDRESSES[2]} i {ADDRESSES[0]} oraz {ADDRESSES[3]}",
             f"{ADDRESSES[1]}\\n\\nPełnomocnik ds. współpracy z uczelniami\\n\\n"
             f"tel. +48 12 616 15 00\\n{ADDRESSES[4]}\\n\\ntel. +48 12 616 12 34\\n{ADDRESSES[5]}"]
    return "".join(f'          - title: Karta {n}\n            text: "{text}"\n'
                   "            url: https://example.com/\n" for n, text in enumerate(texts, 1))


@pytest.fixture(scope="module")
def pdf(project: Project, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cards") / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: innovation\n    blocks:\n"
        f"      - type: link_cards\n        cards:\n{_cards()}", encoding="utf-8")
    return write_download(load_issue(folder, project), project, folder.parent / "out").files[0]


def test_every_word_of_a_card_stays_inside_its_card(pdf: Path):
    xhtml = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-bbox", str(pdf), "-"],
                           check=True, capture_output=True, text=True).stdout
    boxes = [(float(x0), float(y0), float(x1), text) for x0, y0, x1, text in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)<', xhtml)]
    top = min(y0 for _, y0, _, text in boxes if text == "Karta")  # the cards' first line
    foot = max(y0 for _, y0, _, text in boxes if text == "example.com")  # and last
    words = [(x0, x1, text) for x0, y0, x1, text in boxes if top - 1 <= y0 <= foot + 1]
    column = (TEXT_MM[0] - 2 * CARD_GAP_MM) / 3  # three cards a row
    lefts = [LEFT_MM + n * (column + CARD_GAP_MM) for n in range(3)]
    inside = [(left * MM, (left + column - CARD_PADDING_MM) * MM + 0.5) for left in lefts]
    in_cards = [(x0, x1, text) for x0, x1, text in words
                if any(left <= x0 < right for left, right in inside)]
    assert len(in_cards) > 20, words  # the cards' words are there
    outside = [(text, round(x1 - right, 1)) for x0, x1, text in in_cards
               for left, right in inside if left <= x0 < right and x1 > right]
    assert not outside, f"past the card's padding (pt): {outside}"


def test_an_address_in_a_card_copies_whole(pdf: Path):
    copied = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], check=True,
                            capture_output=True, text=True).stdout
    joined = copied.replace("\u00ad\n", "").replace("\n", "")
    assert "\u00ad" not in joined
    for address in ADDRESSES:
        shown = address.removeprefix("https://")
        assert shown in joined, (shown, [line for line in copied.splitlines()
                                         if shown[:8] in line])


SHORT = ["karta@um.krakow.pl", "maria.lis@kultura.krakow.pl", "www.krakow.pl/biznes/granty"]
"""Addresses narrower than any line they are set in: a card's text, a paragraph."""


@pytest.fixture(scope="module")
def short_pdf(project: Project, tmp_path_factory) -> Path:
    """Cards and an article whose texts put each short address at every place of a line:
    one more word before it in each card and paragraph."""
    words = ["Zniżki", "w", "ponad", "dwustu", "instytucjach", "kultury", "miasta", "dla",
             "firm", "i", "ich", "pracowników"]
    cards, paragraphs = [], []
    for count in range(1, 16):
        before = " ".join(words[i % len(words)] for i in range(count))
        address = SHORT[count % len(SHORT)]
        cards.append(f"          - title: Karta {count}\n"
                     f'            text: "{before}; kontakt: {address}. Zapraszamy."\n'
                     "            url: https://example.com/\n")
        paragraphs.append(" ".join([before] * 3) + f"; kontakt: {address}. Zapraszamy.")
    folder = tmp_path_factory.mktemp("short") / "2021-01"
    folder.mkdir()
    (folder / "note.md").write_text("---\ntitle: Kontakty\n---\n" + "\n\n".join(paragraphs)
                                    + "\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: innovation\n    blocks:\n"
        "      - file: note.md\n"
        f"      - type: link_cards\n        cards:\n{''.join(cards)}", encoding="utf-8")
    return write_download(load_issue(folder, project), project, folder.parent / "out").files[0]


def test_an_address_that_fits_a_line_is_not_broken(short_pdf: Path):
    """An address breaks (after '/', before '@') only where it is wider than the rest of
    its line and the line below alike; 'karta' / '@um.krakow.pl' in a card and
    'maria.lis' / '@kultura.krakow.pl' at a paragraph's end broke where the whole address
    fitted the next line (hand-made issue 2025-09). Each copies whole, on one line."""
    copied = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(short_pdf), "-"],
                            check=True, capture_output=True, text=True).stdout
    lines = copied.splitlines()
    for address in SHORT:
        on_one_line = sum(address in line for line in lines)
        assert on_one_line >= 5, (address, on_one_line)
        starts = [address[:i] for i in range(1, len(address))
                  if address[i - 1] == "/" or address[i] == "@"]  # where it may break
        broken = [f"{line} / {after}" for line, after in itertools.pairwise(lines)
                  if line.rstrip().endswith(tuple(starts)) and after.startswith(
                      address[len(next(s for s in starts if line.rstrip().endswith(s))):])]
        assert not broken, broken


def test_an_address_kept_whole_is_found_again_after_the_document_changes():
    """Page fitting changes the document between layouts (a row of cards set one card a
    row, a contents shortened on the cover), which moves every element after the change:
    kept by its place, an address's 'keep whole' landed on paragraphs, and whole lines ran
    off the page (generated seed 9387, pl). It is kept by the address's text and how many
    of the same come before it in the issue's body."""
    import weasyprint

    from newsletter.render.address_breaks import set_whole

    body = ('<main><p>a <a class="url">x@y.pl</a></p><p>b <a class="url">x@y.pl</a></p>'
            '<p>c <span class="url">www.krakow.pl/a</span></p></main>')
    for extra in ("", "<ul><li>one more card</li><li>and another</li></ul>"):
        html = f"<nav><p>{extra}</p></nav>" + body.replace("<main>", "<main>" + extra)
        source = weasyprint.HTML(string=html)
        set_whole(source, {("x@y.pl", 1), ("www.krakow.pl/a", 0)})
        marked = [(element.tag, "".join(element.itertext()))
                  for element in source.etree_element.iter()
                  if "nowrap" in (element.get("style") or "")]
        assert marked == [("a", "x@y.pl"), ("span", "www.krakow.pl/a")], (extra, marked)
        second = [element for element in source.etree_element.iter() if element.tag == "a"][1]
        assert "nowrap" in second.get("style")


@pytest.mark.parametrize(("width_mm", "level"), [(32, 1), (22, 2)])
def test_an_address_wider_than_its_line_breaks_at_its_dots_then_anywhere(width_mm, level):
    """An address whose piece between its breaks is wider than its line (a list nested
    deep in a card: generated seed 9834) is found past its block's edge after a layout;
    the next breaks it after its dots too, and, where a piece between dots is still
    wider, at any letter: every line of it inside its block, its text as typed."""
    import weasyprint

    from newsletter.render.address_breaks import (
        addresses_past_their_block,
        lines_of,
        set_narrow,
    )

    html = (f'<main><p style="width: {width_mm}mm; font-size: 10pt">Biuro '
            '<a class="url">invest<wbr>@jestemaktywny.krakow.pl</a> otwarte</p></main>')
    narrow: dict[tuple[str, int], int] = {}
    for _ in range(4):
        source = weasyprint.HTML(string=html)
        set_narrow(source, narrow)
        document = source.render()
        past = addresses_past_their_block(source, document)
        if not past:
            break
        narrow |= {key: narrow.get(key, 0) + 1 for key in past}
    assert narrow == {("invest@jestemaktywny.krakow.pl", 0): level}
    page = document.pages[0]._page_box
    paragraph = next(box for box in _boxes(page) if getattr(box, "element_tag", "") == "p")
    right = paragraph.content_box_x() + paragraph.width
    ends = [max(child.position_x + child.width for child in _boxes(line)
                if hasattr(child, "text")) for line in lines_of(page)]
    assert len(ends) >= 3 and all(end <= right + 0.5 for end in ends), (ends, right)
    address = next(e for e in source.etree_element.iter() if e.get("class") == "url")
    assert "".join(address.itertext()).replace("\u200b", "") == \
        "invest@jestemaktywny.krakow.pl"


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)
