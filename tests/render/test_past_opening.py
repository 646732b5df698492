"""A section whose opening head is tall, after a page of cards and contacts with nothing
left to give (render/page_fit.py: ``_moved_opening_mm``, ``_tightened``).

Hand-made issue 2029-03 (en): page 9 held the last row of a block of link cards and a row
of three contacts, and ended at 0.74 (0.69 before its one gap between blocks was spread);
"Call from the Past" opened page 10 with its band, heading, kicker, title, a three-line
lead and a 75 mm photograph. Measured with the photograph the opening missed the page by
far, so the section was never set tight; moved below the first paragraph the photograph
left a head that missed by 4 mm. Now the tight section is measured as the move would set
it: tight, its head and first paragraph end page 9 and the photograph follows.

Inputs: a news article of ``paragraphs`` seeded paragraphs (where the cards fall moves
with it), a block of seven cards with pictures of every shape (landscape, portrait,
panorama, a small logo, a transparent icon, none), three contacts and a history article;
readers' PDF, measured from its glyph boxes (tests/page_depth.py). Before: a page at 0.72
with 4, 9, 11 and 12 paragraphs (set tight, the head over the photograph still missed
by up to 14 mm: the page's row of card pictures now gives that first). With 6 paragraphs
the news article ended its page at 0.69 above a section whose cards, split one a row,
each beside its picture, did not fit: the first card's picture was never made shorter, as
its credit (under the picture) was counted as the card's text, which then seemed to set
the card's height (page_fit._row_of); now 0.96. With 7 the page ended at 0.73: the first
card's picture is at its smallest, and the card beside it, whose text is taller than the
room, does not break; the page, the news article's two-column end, had no gap to spread
(nothing grew inside two columns); now its paragraph gaps grow (render/page_spread.py,
counted half: the columns are balanced), 0.76."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from page_depth import measured_pages
from PIL import Image
from typeset_text import plain_sentences

from newsletter.load import load_issue
from newsletter.render.print import write_download

WORDS = ["city", "business", "support", "programme", "innovation", "entrepreneurs", "market",
         "office", "grant", "partners", "digital", "services", "companies", "export", "fair",
         "investors"]
PICTURES = [("landscape.jpg", (2400, 1600)), ("portrait.jpg", (900, 1200)),
            ("panorama.jpg", (3000, 1000)), ("logo.png", (200, 80)), ("icon.png", (800, 800)),
            (None, None), ("workshop.jpg", (1200, 900))]


def issue_folder(root: Path, paragraphs: int) -> Path:
    """The issue folder described in the module's docstring."""
    rng = random.Random(paragraphs)
    sentence = plain_sentences(rng, WORDS)

    folder = root / f"past-{paragraphs}"
    (folder / "images").mkdir(parents=True)
    for name, size in PICTURES:
        if name:
            mode = "RGBA" if name.endswith(".png") else "RGB"
            Image.new(mode, size, (40, 90, 150)).save(folder / "images" / name)
    Image.new("RGB", (1800, 1250), (150, 120, 90)).save(folder / "images" / "old.jpg")
    (folder / "news.md").write_text(
        f"---\ntitle: {sentence(5)[:-1]}\nlead: {sentence(25)}\n---\n"
        + "\n\n".join(sentence(rng.randint(25, 60)) for _ in range(paragraphs)) + "\n",
        encoding="utf-8")
    cards = "".join(
        f"          - title: {sentence(rng.randint(3, 6))[:-1]}\n"
        f"            text: {sentence(rng.randint(14, 30))}\n"
        f"            button: {sentence(2)[:-1]}\n"
        f"            url: https://www.dlabiznesu.krakow.pl/{index}\n"
        + (f"            image: {{file: images/{name}, alt: {sentence(5)[:-1]}"
           + (", credit: Photo Business Kraków}\n" if name.endswith(".jpg") else "}\n")
           if name else "")
        for index, (name, _) in enumerate(PICTURES))
    contacts = "".join(
        f"          - title: {sentence(2)[:-1]}\n"
        f"            text: |\n              {sentence(5)[:-1]}\\\n"
        f"              tel. +48 12 616 12 {index}0\\\n"
        f"              person{index}@um.krakow.pl\n"
        f"            button: Send an e-mail\n"
        f"            url: mailto:person{index}@um.krakow.pl\n"
        for index in range(3))
    (folder / "history.md").write_text(
        f"---\nkicker: A hundred years ago\ntitle: {sentence(8)[:-1]}\nlead: {sentence(36)}\n"
        "image: {file: images/old.jpg, alt: An old photograph, credit: Photo National "
        "Archives}\n---\n" + "\n\n".join(sentence(rng.randint(45, 60)) for _ in range(4))
        + "\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "date: 2029-03-15\nlanguages: [en]\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - file: news.md\n  - kind: innovation\n    blocks:\n"
        "      - type: link_cards\n        title: Where to find support\n        cards:\n"
        + cards + "      - type: link_cards\n        title: Contacts for exporters\n"
        "        cards:\n" + contacts
        + "  - kind: past\n    blocks:\n      - file: history.md\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("paragraphs", [1, 4, 6, 7, 8, 9, 11, 12])
def test_a_page_before_a_tall_section_opening_is_filled(project, tmp_path, paragraphs):
    folder = issue_folder(tmp_path, paragraphs)
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    pages = measured_pages(pdf)
    assert all(page.depth >= 0.75 for page in pages[1:-1]), [page.depth for page in pages]
