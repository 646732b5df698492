"""Layouts that hold for any issue, checked by geometry on the stress corpus.

``tests/data/stress`` is written to break templates tuned to one issue: Polish compound
words, 120-character titles, 180-character addresses, seven figures with long and spaced
values, five cards, a long signature role, lists, a quotation, emoji and a 4000×3000 photo.
Every edition is built and measured: Chromium (Playwright) for the e-mail and the web page,
poppler's word boxes for both PDFs. Nothing here looks at pixels; screenshots are kept in
test-artifacts/ for people.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DATA, ROOT, published
from corpus.geometry import measure_page, outside_cells, overlaps
from editions import edition_texts, leaked_words, pdf_pages, words_of

from newsletter.load import Project, load_issue
from newsletter.markdown import references
from newsletter.model import Article, Figures, Issue, Letter, LinkCards
from newsletter.output import EDITIONS
from newsletter.publish import build, choose_editions

STRESS = DATA / "stress"
ARTIFACTS = ROOT / "test-artifacts"
MM = 72 / 25.4
A4_WIDTH = 595.276


@dataclass(frozen=True)
class Built:
    issue: Issue
    project: Project
    folder: Path
    base: str


@pytest.fixture(scope="module")
def stress(tmp_path_factory) -> Iterator[Built]:
    """Every edition of the stress corpus, published on a loopback server (so the e-mail's
    absolute image addresses load in the browser)."""
    root = tmp_path_factory.mktemp("published")
    with published(root) as project:
        issue = load_issue(STRESS, project)
        build(issue, project, choose_editions(None), root)
        yield Built(issue, project, root / issue.id, project.site.base_url)


# --- Chromium ------------------------------------------------------------------------------


def measure(browser, url: str, width: int, shot: str) -> dict:
    ARTIFACTS.mkdir(exist_ok=True)
    return measure_page(browser, url, width, ARTIFACTS / shot)


def assert_layout_holds(found: dict, width: int) -> None:
    assert found["scrollWidth"] <= width, f"page is {found['scrollWidth']} px wide"
    assert found["wide"] == [], f"elements wider than the {width} px viewport"
    assert len(found["lines"]) > 100
    assert outside_cells(found["lines"]) == []
    assert overlaps(found["lines"]) == []
    assert found["images"] and all(loaded for _, loaded, _ in found["images"]), found["images"]


@pytest.mark.parametrize("width", [320, 375, 640])
def test_email_layout_holds_at_phone_and_desktop_widths(stress, browser, width):
    found = measure(browser, f"{stress.base}{stress.issue.id}/email.html", width,
                    f"stress-email-{width}.png")
    assert_layout_holds(found, width)
    values = [line for line in found["lines"] if line["cell"] and "bk-card" in line["cell"]["name"]]
    figures = next(b for _, b in stress.issue.blocks() if isinstance(b, Figures))
    for item in figures.items:  # every value on one line, inside its cell
        boxes = [v for v in values if v["text"].replace("\xa0", " ") == item.value.strip()]
        assert len(boxes) == 1, (item.value, boxes)


@pytest.mark.parametrize("width", [320, 1024])
def test_web_layout_holds_on_a_phone_and_a_desktop(stress, browser, width):
    found = measure(browser, f"{stress.base}{stress.issue.id}/web/index.html", width,
                    f"stress-web-{width}.png")
    assert_layout_holds(found, width)
    figures = next(b for _, b in stress.issue.blocks() if isinstance(b, Figures))
    for item in figures.items:
        boxes = [v for v in found["lines"] if v["text"].replace("\xa0", " ") == item.value.strip()]
        assert len(boxes) == 1, (item.value, boxes)  # one line: never wrapped


def test_the_layout_checks_catch_what_they_guard_against():
    """The helpers above fail on what they are for (so a green run means something)."""
    a = {"node": 1, "text": "a", "left": 0, "right": 100, "top": 0, "bottom": 20, "cell": None}
    b = {**a, "node": 2, "text": "b", "left": 50, "top": 5, "bottom": 25}
    touching = {**a, "node": 3, "text": "c", "top": 18, "bottom": 38}
    assert overlaps([a, b]) == [("a", "b")]
    assert overlaps([a, touching]) == []
    cell = {"left": 0, "right": 80, "top": 0, "bottom": 30, "name": "div.figure"}
    assert outside_cells([{**a, "cell": cell}]) == [("a", "div.figure")]


# --- PDFs ----------------------------------------------------------------------------------


def pdf_path(stress: Built, edition: str) -> Path:
    return EDITIONS[edition].paths(stress.folder, stress.issue, stress.project)[0]


def squeezed(text: str) -> str:
    """Text without spaces or line ends; poppler reads the font's hyphen glyph as U+2010
    (whether typed or inserted by hyphenation), so both count as '-'."""
    return re.sub(r"\s+", "", text).replace("\u2010", "-")


BARE_URL = re.compile(r"(?<![\w/.(])(?:https?://|www\.)[^\s<>()]+[^\s<>().,;:!?]")


def issue_urls(issue: Issue, paper: bool) -> list[str]:
    """The addresses a PDF shows: bare ones in texts, the cards' and the footer's, and on
    paper (``paper``) also every link target written behind words."""
    urls = [issue.footer.website] if issue.footer.website else []
    for _, block in issue.blocks():
        texts = [getattr(block, name, None) or "" for name in ("body", "intro", "closing")]
        urls += [u for t in texts for u in BARE_URL.findall(t)]
        if paper:
            urls += [r.target for t in texts for r in references(t) if r.kind == "link"]
        if isinstance(block, Article) and paper:
            urls += [link.url for link in block.links]
        if isinstance(block, LinkCards):
            urls += [card.url for card in block.cards]
    return sorted({re.sub(r"^(https?://|mailto:)", "", u).rstrip("/") for u in urls})


@pytest.mark.parametrize("edition", ["pdf", "print"])
def test_every_word_of_the_pdf_is_inside_the_text_column(stress, edition):
    for page in pdf_pages(pdf_path(stress, edition)):
        bleed = (page.width - A4_WIDTH) / 2
        left, right = bleed + 16 * MM - 0.5, page.width - bleed - 16 * MM + 0.5
        for line in page.lines:
            assert line.x0 >= left and line.x1 <= right, (
                f"page {line.page}: '{line.text}' spans {line.x0:.1f}–{line.x1:.1f} pt, "
                f"the text column is {left:.1f}–{right:.1f}")
            assert bleed <= line.top and line.bottom <= page.height - bleed


@pytest.mark.parametrize("edition", ["pdf", "print"])
def test_no_address_or_number_is_broken_with_a_hyphen(stress, edition):
    pages = pdf_pages(pdf_path(stress, edition))
    text = squeezed(" ".join(line.text for page in pages for line in page.lines))
    urls = issue_urls(stress.issue, paper=edition == "print")
    assert len(urls) >= 5
    for url in urls:  # printed whole, without invented hyphens (paper: every link's target)
        assert squeezed(url) in text, f"{url} is broken or missing in the {edition} PDF"
    figures = next(b for _, b in stress.issue.blocks() if isinstance(b, Figures))
    for value in [i.value for i in figures.items] + stress.issue.footer.phone:
        lines = [line.text for page in pages for line in page.lines]
        assert any(squeezed(value) in squeezed(line) for line in lines), f"{value} split"
    for page in pages:
        for line in page.lines:
            assert not re.search(r"\d[-‐]$", line.text), f"number hyphenated: {line.text}"


def headings_of(issue: Issue, project: Project) -> list[str]:
    """Texts that must never be the last thing on a page: titles, kickers, section heads."""
    found = []
    for section in issue.sections:
        words = project.theme.section(section.kind).words(issue.language)
        found += [words.heading, section.heading or ""]
        for block in section.blocks:
            found.append(getattr(block, "title", None) or "")
            if isinstance(block, Article) and block.kicker:
                found.append(block.kicker)
    return [squeezed(h).upper() for h in found if h]


@pytest.mark.parametrize("edition", ["pdf", "print"])
def test_no_heading_or_kicker_is_left_at_the_foot_of_a_page(stress, edition):
    headings = headings_of(stress.issue, stress.project)
    for page in pdf_pages(pdf_path(stress, edition))[1:]:  # the cover is the contents
        bleed = (page.height - 841.89) / 2 if page.height > 842 else 0
        body = [line for line in page.lines
                if bleed + 22 * MM - 1 < line.top and line.bottom < page.height - bleed - 20 * MM]
        if not body:
            continue
        last = max(body, key=lambda line: line.bottom)
        words = squeezed(last.text).upper().rstrip("-")
        # a heading line is set large (h2/h3), a kicker in capitals; body text is neither
        styled = last.bottom - last.top > 16 or last.text == last.text.upper()
        assert not (styled and len(words) >= 4 and any(words in h for h in headings)), (
            f"page {last.page} ends with a heading line: '{last.text}'")


def test_print_pdf_prints_link_targets_written_inside_text(stress):
    pages = pdf_pages(pdf_path(stress, "print"))
    text = squeezed(" ".join(line.text for page in pages for line in page.lines))
    letter = next(b for _, b in stress.issue.blocks() if isinstance(b, Letter))
    targets = [r.target for r in references(letter.body) if r.kind == "link"]
    target = next(t for t in targets if "etap=2" in t)
    assert squeezed(target.removeprefix("https://")) in text


# --- the text part ---------------------------------------------------------------------------


def test_text_part_keeps_lines_numbers_and_quotes(stress):
    text = (stress.folder / "email.txt").read_text(encoding="utf-8")
    long = [line for line in text.splitlines() if len(line) > 78 and "://" not in line]
    assert long == []
    for phone in stress.issue.footer.phone:
        # on one line, never split; its groups bound (no-break spaces) as the text's rules
        # bind a number's groups, so a client that wraps the text again keeps it whole too
        assert phone.replace(" ", "\u00a0") in text
    figures = next(b for _, b in stress.issue.blocks() if isinstance(b, Figures))
    for item in figures.items:
        assert re.search(rf"^ +{re.escape(item.value)}  \S", text, re.MULTILINE), item.value
    assert "> Najważniejsze jest, by wniosek był kompletny" in text
    assert re.search(r"^> .*negatywną", text, re.MULTILINE)
    assert "Czas na WSPÓŁPRACĘ" in text and "Call for" not in text


# --- what the stress corpus's editions carry -------------------------------------------------


def test_email_links_only_small_pictures_made_for_it(stress):
    from lxml import html as lxml_html

    document = lxml_html.parse(str(stress.folder / "email.html")).getroot()
    sources = [img.get("src") for img in document.iter("img")]
    assert len(sources) == 2
    for src in sources:
        path = stress.folder / src.removeprefix(f"{stress.base}{stress.issue.id}/")
        assert path.stat().st_size <= 300 * 1024, (src, path.stat().st_size)
        assert "krakow-photo.jpg" not in src  # never the editor's original


def test_print_pdf_of_the_stress_corpus_has_no_rgb(stress):
    import pikepdf
    from test_print import colour_use

    with pikepdf.open(pdf_path(stress, "print")) as pdf:
        images, operators = colour_use(pdf)
    assert images and set(images) <= {"/DeviceCMYK", "/DeviceGray"}, images
    assert operators == []


@pytest.mark.parametrize("edition", ["pdf", "print"])
def test_pdfs_embed_only_our_fonts_for_polish_and_emoji(stress, edition):
    rows = subprocess.run(["pdffonts", str(pdf_path(stress, edition))], check=True,
                          capture_output=True, text=True).stdout.splitlines()[2:]
    families = {row.split()[0].split("+")[-1].split("-Bold")[0].split("-Italic")[0].rstrip(",")
                for row in rows}
    assert families == {"Source-Sans-3", "Noto-Emoji"}, rows
    assert all(row.split()[-5] == "yes" for row in rows)  # embedded


# --- every word in the issue's language ------------------------------------------------------


def test_a_polish_issue_has_no_english_template_words_in_any_edition(stress):
    texts = edition_texts(stress.folder, stress.issue, stress.project)
    words = words_of(stress.project, "en", "pl")
    assert "Call for" in words and "Read more" in words
    assert leaked_words(texts, words) == {name: [] for name in texts}
    for name, text in texts.items():
        assert "czas na współpracę" in " ".join(text.split()).lower(), name
