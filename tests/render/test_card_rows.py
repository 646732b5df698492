"""A row of cards on paper reads as one row: its pictures stand on one line, so the cards'
titles start level, and each picture's credit stands under its picture
(render/print.py ``Pictures.card_frames``).

Hand-made issues 2027-09, 2028-02, 2028-05, 2028-08 and 2029-03: a portrait, a landscape
and a logo in one row put the three titles at three heights (15 mm apart), and a narrow
picture's credit began at the card's left edge, up to 35 mm left of the picture.

Inputs: rows of three cards whose pictures take seeded shapes (portrait, square,
landscape, panorama, a small logo) with and without credits; the readers' PDF, measured
from poppler's word boxes and the drawn pictures (tests/pdf_boxes.py)."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pdf_boxes import image_boxes
from PIL import Image

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

SHAPES = {"portrait": (1000, 1600), "square": (1200, 1200), "landscape": (1600, 1000),
          "panorama": (3000, 1000), "logo": (300, 120)}
NAMES = ["Alfa", "Bravo", "Delta"]
WORDS = ["miasto", "firmy", "wsparcie", "oferta", "biuro", "dzielnica"]
MM = 72 / 25.4


def cards_issue(root: Path, seed: int) -> Path:
    """An issue of one group of three cards (one row on paper), pictures and credits
    chosen by ``seed``; each card's title starts with its name (:data:`NAMES`), each
    credit with "Fot." and that name."""
    rng = random.Random(seed)
    folder = root / f"cards-{seed}"
    (folder / "images").mkdir(parents=True)
    cards = ""
    for number, name in enumerate(NAMES):
        shape = rng.choice(list(SHAPES))
        Image.new("RGB", SHAPES[shape], (40 + 60 * number, 120, 200 - 50 * number)).save(
            folder / "images" / f"{name}.png")
        credit = f"\n      credit: Fot. {name} {rng.choice(['Nowak', 'Urząd Miasta Krakowa'])}" \
            if rng.random() < 0.6 else ""
        cards += (f"  - title: {name} {rng.choice(['park', 'centrum biznesu', 'biuro'])}\n"
                  f"    url: https://www.krakow.pl/{number}\n"
                  f"    text: {' '.join(rng.choice(WORDS) for _ in range(rng.randint(6, 16)))}.\n"
                  f"    image:\n      file: images/{name}.png\n      alt: {name}{credit}\n")
    (folder / "cards.yaml").write_text("type: link_cards\ntitle: Adresy\ncards:\n" + cards,
                                       encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "date: 2029-03-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - file: cards.yaml\n", encoding="utf-8")
    return folder


def words(pdf: Path) -> list[tuple[int, str, float, float, float, float]]:
    """Every word: its page (1-based), text, left, top, right, bottom in points from the
    page's top left."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    found = []
    for number, page in enumerate(html.split("<page ")[1:], 1):
        for x0, y0, x1, y1, word in re.findall(
                r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<',
                page):
            found.append((number, word, float(x0), float(y0), float(x1), float(y1)))
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_a_rows_titles_start_level_and_credits_stand_under_their_pictures(
        project: Project, tmp_path: Path, seed: int):
    issue = load_issue(cards_issue(tmp_path, seed), project)
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    found = words(pdf)
    # a title's first word: the lowest of its name's (a credit above it names it too)
    titles = {name: max((w for w in found if w[1] == name), key=lambda w: (w[0], w[3]))
              for name in NAMES}
    assert len({w[0] for w in titles.values()}) == 1, "the row is one row on one page"
    tops = [w[3] for w in titles.values()]
    assert max(tops) - min(tops) < 1 * MM, {name: round(w[3] / MM, 1)
                                             for name, w in titles.items()}
    page_number = next(iter(titles.values()))[0]
    with pikepdf.open(pdf) as document:
        page = document.pages[page_number - 1]
        height = float(page.mediabox[3])
        pictures = [(left, height - top, right, height - bottom)
                    for _, (left, bottom, right, top) in image_boxes(page)]
    for card in issue.sections[0].blocks[0].cards:
        name = card.title.split()[0]
        if not card.image.credit:
            continue
        title = titles[name]
        fot = next(w for w, after in itertools.pairwise(found)
                   if w[1] == "Fot." and after[1] == name)
        line = [w for w in found if w[0] == page_number and abs(w[3] - fot[3]) < 1
                and title[2] - MM <= w[2] <= title[2] + 50 * MM]
        left, right = min(w[2] for w in line), max(w[4] for w in line)
        picture = min((box for box in pictures if box[3] <= fot[3] + 1
                       and box[0] < title[2] + 50 * MM and box[2] > title[2]),
                      key=lambda box: fot[3] - box[3])
        centred = abs((left + right) / 2 - (picture[0] + picture[2]) / 2) < 1 * MM
        aligned = abs(left - picture[0]) < 1 * MM
        assert centred or aligned, (name, round(left / MM, 1), round(right / MM, 1),
                                    [round(v / MM, 1) for v in picture])


CARD_PARTS = """() => [...document.querySelectorAll('.card')].map(card => {
    const box = e => e ? e.getBoundingClientRect() : null;
    const img = box(card.querySelector('img'));
    const credit = card.querySelector('.card-credit');
    const range = document.createRange();
    if (credit) range.selectNodeContents(credit);
    const inner = box(card);
    const padding = parseFloat(getComputedStyle(card).paddingLeft);
    return {title: box(card.querySelector('.card-title')).top,
            link: box(card.querySelector('.card-link a')).top,
            picture: img && {left: img.left, right: img.right, bottom: img.bottom},
            credit: credit && {left: range.getBoundingClientRect().left,
                               right: range.getBoundingClientRect().right,
                               bottom: box(credit).bottom},
            content: {left: inner.left + padding, right: inner.right - padding}};
})"""


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_on_the_web_page_a_rows_parts_line_up_and_pictures_fill_a_phones_card(
        project: Project, tmp_path: Path, browser, seed: int):
    """At 1024 px the three cards share a row: their pictures (each with its credit) stand
    on one line, their titles and buttons are level. At 375 px (a card a row) a picture
    with the pixels for it fills its card, as wide as the card's text, and a narrower one
    is centred with its credit under it."""
    from newsletter.publish import build, choose_editions

    issue = load_issue(cards_issue(tmp_path, seed), project)
    build(issue, project, choose_editions(["web"]), tmp_path / "out")
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    try:
        page.goto((tmp_path / "out" / issue.id / "web" / "index.html").as_uri())
        cards = page.evaluate(CARD_PARTS)
        for part in ("title", "link"):
            assert max(c[part] for c in cards) - min(c[part] for c in cards) < 1, (part, cards)
        # each picture (with its credit) stands right above its title, as in the others
        above = [c["title"] - (c["credit"] or c["picture"])["bottom"] for c in cards]
        assert max(above) - min(above) < 1, cards
        page.set_viewport_size({"width": 375, "height": 900})
        for card, source in zip(page.evaluate(CARD_PARTS), issue.sections[0].blocks[0].cards,
                                strict=True):
            picture, content = card["picture"], card["content"]
            width, height = source.image.pixel_size()
            if width >= 480 and height <= 1.5 * width:
                assert abs(picture["left"] - content["left"]) < 1, card
                assert abs(picture["right"] - content["right"]) < 1, card
            middle = (picture["left"] + picture["right"]) / 2
            assert abs(middle - (content["left"] + content["right"]) / 2) < 1, card
            if card["credit"] and picture["right"] - picture["left"] < 300:
                credit = card["credit"]
                assert abs((credit["left"] + credit["right"]) / 2 - middle) < 1, card
    finally:
        page.close()


EMAIL_CARDS = """() => [...document.querySelectorAll('div.bk-card')].map(card => {
    const img = card.querySelector('img');
    const texts = [...card.querySelectorAll('.bk-text')];
    const credit = card.querySelector('.bk-credit div');
    const range = document.createRange();
    if (credit) range.selectNodeContents(credit);
    const middle = r => (r.left + r.right) / 2;
    return {picture: img ? img.getBoundingClientRect().top : null,
            middle: img ? middle(img.getBoundingClientRect()) : null,
            credit: credit ? middle(range.getBoundingClientRect()) : null,
            top: card.getBoundingClientRect().top,
            title: texts[0].getBoundingClientRect().top,
            loaded: !img || (img.complete && img.naturalWidth > 0)};
})"""


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_in_the_email_a_rows_titles_start_level_and_a_phone_adds_no_room(
        project: Project, tmp_path: Path, browser, seed: int):
    """At 640 px the row's pictures stand on one line (room above the shorter ones), so
    the three titles start level; at 375 px the cards are stacked and every picture
    starts as close under its card's top as the others (no room is left above it), its
    credit centred under it."""
    from conftest import published

    from newsletter.render.email import write_email

    with published(tmp_path / "site") as served:
        issue = load_issue(cards_issue(tmp_path, seed), served)
        (tmp_path / "site" / issue.id).mkdir(parents=True)
        write_email(issue, served, tmp_path / "site" / issue.id)
        page = browser.new_page(viewport={"width": 640, "height": 900})
        try:
            page.goto(f"{served.site.base_url}{issue.id}/email.html", wait_until="load")
            cards = page.evaluate(EMAIL_CARDS)
            assert len(cards) == 3 and all(c["loaded"] for c in cards), cards
            titles = [c["title"] for c in cards]
            assert max(titles) - min(titles) < 2, cards
            page.set_viewport_size({"width": 375, "height": 900})
            cards = page.evaluate(EMAIL_CARDS)
            above = [c["picture"] - c["top"] for c in cards]
            assert max(above) - min(above) < 1, cards
            # each picture narrower than its stacked card, centred, its credit under it
            assert all(abs(c["credit"] - c["middle"]) < 1 for c in cards if c["credit"]), cards
        finally:
            page.close()


def article_and_picture_cards(root: Path, paragraphs: int) -> Path:
    """An article of ``paragraphs`` paragraphs, then a row of three cards, each a small
    portrait (600 × 900 px), a title and a 60-word text: too tall for most pages' feet,
    and no picture can make it short enough (page fitting sets it card under card)."""
    rng = random.Random(paragraphs)

    def sentence(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."

    folder = root / f"split-{paragraphs}"
    (folder / "images").mkdir(parents=True)
    cards = ""
    for number, name in enumerate(NAMES):
        Image.new("RGB", (600, 900), (40 + 60 * number, 120, 90)).save(
            folder / "images" / f"{name}.png")
        cards += (f"  - title: {name} {sentence(3)[:-1].lower()}\n"
                  f"    url: https://www.krakow.pl/{number}\n    text: {sentence(60)}\n"
                  f"    image: {{file: images/{name}.png, alt: {name}}}\n")
    (folder / "cards.yaml").write_text("type: link_cards\ncards:\n" + cards, encoding="utf-8")
    (folder / "first.md").write_text(
        "---\ntitle: Pierwszy artykuł\n---\n"
        + "\n\n".join(sentence(60) for _ in range(paragraphs)) + "\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "date: 2029-03-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - file: first.md\n      - file: cards.yaml\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("paragraphs", [5, 8])
def test_a_card_alone_in_its_row_sets_its_picture_beside_its_text(
        project: Project, tmp_path: Path, paragraphs: int):
    """Cards too wordy to share a row are set one a row across the page: each small
    picture at the card's left, its title at its right (above its text, a picture set for
    a row of three stood alone in the middle of a card across the page: hand-made issue
    2029-03). The pages stay full and the contact never stands alone on the last page
    (the cards' pictures, alike, give it room: page_fit._shrunk_rows)."""
    from page_depth import measured_pages

    issue = load_issue(article_and_picture_cards(tmp_path, paragraphs), project)
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    found = words(pdf)
    with pikepdf.open(pdf) as document:
        boxes = {number: [(left, float(page.mediabox[3]) - top, right,
                           float(page.mediabox[3]) - bottom)
                          for _, (left, bottom, right, top) in image_boxes(page)]
                 for number, page in enumerate(document.pages, 1)}
    for name in NAMES:
        title = max((w for w in found if w[1] == name), key=lambda w: (w[0], w[3]))
        beside = [box for box in boxes[title[0]] if box[1] - 1 <= title[3] <= box[3]]
        assert beside and beside[0][2] < title[2], (name, title, boxes[title[0]])
    pages = measured_pages(pdf)
    assert all(page.depth >= 0.75 for page in pages[1:-1]), [page.depth for page in pages]
    last = [w for w in found if w[0] == len(pages)]
    assert any(w[1] == "Więcej" for w in last), "the contact alone on the last page"


CREDIT = "Partner przedsiębiorców rynek cyfrowy budżet"


def thin_picture_card(root: Path, length: int) -> Path:
    """An article of four paragraphs of 60 words and one of ``length``, a card alone in its
    group, set beside its picture (a strip 60 × 420 px with a credit of five words), then
    a row of two cards."""
    rng = random.Random(5)

    def sentence(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."

    folder = root / f"thin-{length}"
    (folder / "images").mkdir(parents=True)
    Image.new("RGB", (60, 420), (90, 120, 150)).save(folder / "images" / "strip.png")
    (folder / "issue.yaml").write_text(
        "date: 2029-03-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: article\n        title: Pierwszy artykuł\n        body: |\n"
        + "".join(f"          {sentence(count)}\n\n" for count in [60] * 4 + [length])
        + "      - type: link_cards\n        cards:\n          - title: Mapa\n"
        "            url: https://www.krakow.pl/mapa\n            button: Miasto wsparcie\n"
        "            image: {file: images/strip.png, alt: Pasek, credit: "
        f"{CREDIT}}}\n      - type: link_cards\n        cards:\n"
        + "".join(f"          - title: {name} {sentence(3)[:-1].lower()}\n"
                  f"            url: https://www.krakow.pl/{name}\n"
                  f"            text: {sentence(12)}\n" for name in NAMES[:2]),
        encoding="utf-8")
    return folder


@pytest.mark.parametrize("length", [60, 76, 108, 164, 212, 244])
def test_a_picture_beside_its_card_keeps_its_credit_under_it(
        project: Project, tmp_path: Path, length: int):
    """A strip of a picture set beside its card's text had its credit in a column as
    narrow as itself, a syllable a line ('bior' / 'ców' / 'ry-' / 'nek', generated seed
    9642, pl), and where the card met a page's foot, WeasyPrint split that column (a
    float): the picture at the foot, its credit atop the next page, over the next card.
    An article's last paragraph of 60 to 244 words brings the card to the page's foot and
    away from it: its credit is on its picture's page, in two lines at most, and over no
    other word."""
    issue = load_issue(thin_picture_card(tmp_path, length), project)
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    found = words(pdf)
    credit = [w for w in found if w[1] in CREDIT.split()]
    assert [w[1] for w in credit] == CREDIT.split(), credit
    title = next(w for w in found if w[1] == "Mapa")
    assert {w[0] for w in credit} == {title[0]}, (title, credit)
    assert len({round(w[3]) for w in credit}) <= 2, credit  # its lines
    over = [(w[1], other[1]) for w in credit for other in found
            if other not in credit and other[0] == w[0] and other[2] < w[4]
            and w[2] < other[4] and other[3] < w[5] and w[3] < other[5]]
    assert not over, over


def table_card_group(root: Path, paragraphs: int) -> Path:
    """An article of ``paragraphs`` paragraphs, then a group of three cards, the first with
    a table of five columns and six rows of three words a cell, one cell an
    address of 16 parts (generated seed 9660's card, in words the estimate reads as a
    paragraph of a dozen lines)."""
    rng = random.Random(paragraphs)

    def sentence(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."

    address = "https://www.krakow.pl/" + "/".join(f"{rng.choice(WORDS)}-{n}" for n in range(16))
    rows = "".join("              | " + " | ".join(
        address if (row, column) == (2, 2) else sentence(3)[:-1]
        for column in range(5)) + " |\n" for row in range(6))
    folder = root / f"table-{paragraphs}"
    folder.mkdir(parents=True)
    (folder / "issue.yaml").write_text(
        "date: 2029-03-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: article\n        title: Pierwszy artykuł\n        body: |\n"
        + "".join(f"          {sentence(60)}\n\n" for _ in range(paragraphs))
        + "      - type: link_cards\n        cards:\n"
        "          - title: Tabela programów\n            url: https://www.krakow.pl/t\n"
        "            text: |\n              | Program | Cel | Adres | Kwota | Odbiorcy |\n"
        "              |---|---|---|---|---|\n" + rows
        + "".join(f"          - title: {name} {sentence(2)[:-1].lower()}\n"
                  f"            url: https://www.krakow.pl/{name}\n"
                  f"            text: {sentence(10)}\n" for name in NAMES[:2]),
        encoding="utf-8")
    return folder


@pytest.mark.parametrize("paragraphs", [1, 5])
def test_a_card_with_a_table_is_set_across_the_page(
        project: Project, tmp_path: Path, paragraphs: int):
    """A card whose text holds a table (which `check` warns of) was set in a row of two:
    its height is estimated as if its cells were one paragraph across the card (68 mm for
    generated seed 9660's; set, its cells a word a line in columns 12 mm wide, it ran past
    a page's foot in the printer's PDF and the other card's panel went on alone overleaf,
    a page with no word on it). Now it has a row of its own, across the page, and may
    break between the table's rows; the other cards share theirs."""
    from newsletter.model import LinkCards
    from newsletter.render.paper_grids import card_rows, card_type

    issue = load_issue(table_card_group(tmp_path, paragraphs), project)
    group = next(block for _, block in issue.blocks() if isinstance(block, LinkCards))
    rows = card_rows(group, card_type(project), lambda columns: "card")
    assert [(len(row.items), row.breakable) for row in rows] == [(1, True), (2, False)]
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    last = next(w for w in words(pdf) if w[1] == "Odbiorcy")  # the last column's head
    assert last[2] > 595.28 / 2, last  # across the page, not in half of it
