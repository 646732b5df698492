"""Markdown as an editor really types it, in every edition a reader gets.

A three-language issue written from docs/authoring.md alone found these: a paragraph pasted
from Word starts with a tab, and CommonMark set it as one line of code that no phone holds
(the whole e-mail 376 px wide at 320, its text cut at the right); a code block fenced with
``` ran past the screen the same way; ``7.`` starting a numbered list printed as "1." in
both PDFs (WeasyPrint reads ``start`` only as a presentational hint); a link to a page
whose address has a Polish or Cyrillic letter printed "Krak%C3%B3w" on paper.
"""

from __future__ import annotations

import subprocess

import pytest
from conftest import one_article_issue

from newsletter.load import Project, load_issue
from newsletter.markdown import to_html, to_text
from newsletter.publish import build, choose_editions

PASTED = ("\tWniosek składa się przez portal miejski albo osobiście w biurze obsługi, "
          "po wcześniejszym umówieniu wizyty telefonicznie lub mailowo.")
FENCED = "```\nkod_rejestracyjny_programu_wsparcia_dla_firm_2021_krakow_numer_wniosku_000123\n```"
BODY = f"""Nabór.

{PASTED}

{FENCED}

7. siódmy punkt programu
8. ósmy punkt programu

Hasło: [Kraków](https://pl.wikipedia.org/wiki/Kraków_(miasto)) i [Київ](https://uk.wikipedia.org/wiki/Київ).
"""


def test_a_paragraph_indented_with_a_tab_is_a_paragraph():
    html = to_html(f"Nabór.\n\n{PASTED}\n\n    Cztery spacje też.")
    assert "<pre>" not in html and "<code>" not in html
    assert html.count("<p>") == 3
    assert max(len(line) for line in to_text(f"Nabór.\n\n{PASTED}").splitlines()) <= 78


@pytest.fixture(scope="module")
def built(tmp_path_factory, project: Project):
    root = tmp_path_factory.mktemp("typed")
    issue = load_issue(one_article_issue(root / "2021-01", BODY, title="Nabór"), project)
    build(issue, project, choose_editions(None), root / "out")
    return root / "out" / issue.id, issue


@pytest.mark.parametrize("edition", ["email.html", "web/index.html"])
def test_code_and_pasted_paragraphs_fit_a_phone(built, browser, edition):
    folder, _ = built
    page = browser.new_page(viewport={"width": 320, "height": 800})
    try:
        page.goto((folder / edition).as_uri(), wait_until="load")
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.close()
    assert width <= 320


def _pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.parametrize("pdf", ["business-krakow-2021-01.pdf",
                                 "business-krakow-2021-01-print.pdf"])
def test_the_pdfs_number_a_list_as_written_and_print_addresses_as_written(built, pdf):
    folder, _ = built
    text = _pdf_text(folder / pdf)
    assert "7. siódmy punkt" in text and "8. ósmy punkt" in text
    assert "1. siódmy" not in text


def test_paper_prints_an_address_with_its_letters(built):
    folder, _ = built
    text = _pdf_text(folder / "business-krakow-2021-01-print.pdf")
    assert "%C3" not in text and "%D0" not in text
    assert "pl.wikipedia.org/wiki/Kraków_(miasto)" in text
    assert "uk.wikipedia.org/wiki/Київ" in text


def test_an_address_copied_from_a_browser_prints_its_letters_and_keeps_other_escapes():
    # what a card's or a link's url field shows on paper and in the e-mail
    from newsletter.typography import display_url

    assert display_url("https://pl.wikipedia.org/wiki/Krak%C3%B3w") == \
        "pl.wikipedia.org/wiki/Kraków"
    assert display_url("https://x.pl/a%20b?q=%26&r=%C5%BC") == "x.pl/a%20b?q=%26&r=ż"
    assert display_url("https://x.pl/%C2%A0a%C3") == "x.pl/%C2%A0a%C3"  # no-break space, cut


def test_a_picture_named_with_spaces_and_cyrillic_loads_in_every_width(tmp_path, project,
                                                                       browser):
    """An editor's file "Фото міста & co.jpg": the web page's srcset must offer every width
    (a space inside an unescaped address ended it, so Chromium dropped every entry and a
    phone took the 800 px fallback), and the link preview's og:image must be an address."""
    from PIL import Image as Picture

    source = one_article_issue(tmp_path / "2021-01", "Tekst.", title="Foto")
    (source / "images").mkdir()
    Picture.new("RGB", (1600, 1000), (40, 90, 160)).save(source / "images/Фото міста & co.jpg")
    yaml_file = source / "issue.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8").replace(
        "        body: |", "        image:\n          file: images/Фото міста & co.jpg\n"
        "          alt: Widok miasta\n        body: |"), encoding="utf-8")
    issue = load_issue(source, project)
    build(issue, project, choose_editions(["email", "web"]), tmp_path / "out")
    web = tmp_path / "out" / issue.id / "web" / "index.html"
    html = web.read_text(encoding="utf-8")
    preview = html.split('property="og:image" content="')[1].split('"')[0]
    assert " " not in preview and "Фото" not in preview
    page = browser.new_page(viewport={"width": 320, "height": 800})
    try:
        page.goto(web.as_uri(), wait_until="load")
        loaded = page.evaluate("[...document.images].map(i => [i.currentSrc, i.naturalWidth])")
    finally:
        page.close()
    assert len(loaded) == 1 and loaded[0][1] > 0
    assert "-400w." in loaded[0][0], loaded  # the phone's width, from srcset


HEADINGS = """Wstęp.

# Jak złożyć wniosek

Akapit pod nagłówkiem.

## Terminy

Akapit.

### Dokumenty

Akapit.

##### Drobny nagłówek

Koniec.
"""


@pytest.fixture(scope="module")
def headings(tmp_path_factory, project: Project):
    root = tmp_path_factory.mktemp("headings")
    issue = load_issue(one_article_issue(root / "2021-01", HEADINGS, title="Granty"), project)
    build(issue, project, choose_editions(None), root / "out")
    return root / "out" / issue.id


def test_an_editor_s_headings_stand_under_the_article_s_title_on_the_web(headings):
    """# outranked the article's title (an h3) and stood level with the site's name (h1)."""
    from lxml import html as lxml_html

    for page in ("web/index.html", "email.html"):
        document = lxml_html.parse(str(headings / page)).getroot()
        levels = {h.text_content().strip(): int(h.tag[1])
                  for h in document.xpath("//h1 | //h2 | //h3 | //h4 | //h5 | //h6")}
        title = levels["Granty"]
        assert levels["Jak złożyć wniosek"] == levels["Terminy"] == title + 1, (page, levels)
        assert levels["Dokumenty"] == title + 2 and levels["Drobny nagłówek"] == title + 3
        assert sum(level == 1 for level in levels.values()) <= 1


def test_an_editor_s_headings_are_bookmarks_under_their_article(headings):
    """## stood level with the sections in the PDF's bookmarks, ### with the articles."""
    import pikepdf

    with pikepdf.open(headings / "business-krakow-2021-01.pdf") as pdf, \
            pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
        assert "Terminy" not in top and "Jak złożyć wniosek" not in top, top

        def under(items, title):  # type: ignore[no-untyped-def]
            for item in items:
                if item.title == title:
                    return item
                if (found := under(item.children, title)) is not None:
                    return found
            return None

        article = under(outline.root, "Granty")
        assert article is not None
        inside = [child.title for child in article.children]
        assert inside == ["Jak złożyć wniosek", "Terminy"], inside
        assert under(article.children, "Dokumenty") is not None


def test_no_heading_is_set_smaller_than_the_text_in_the_pdf(headings):
    """##### came out at 0.67 em, below the text it heads (word heights from the PDF)."""
    import re

    boxes = subprocess.run(["pdftotext", "-bbox", str(headings / "business-krakow-2021-01.pdf"),
                            "-"], capture_output=True, text=True, check=True).stdout
    height = {word: float(y_max) - float(y_min) for y_min, y_max, word in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)</word>',
        boxes)}
    assert height["Drobny"] >= height["Koniec."], height


CODE = "kod_programu_wsparcia_dla_firm_2021_bardzo_dlugi"


def test_code_in_a_card_is_never_hyphenated_in_the_pdfs(tmp_path, project):
    """In a card, a third of the page, the PDFs hyphenated code: "kod_progra-mu_wspar-cia",
    which a reader would type with the hyphens."""
    source = one_article_issue(tmp_path / "2021-01", "Tekst.")
    yaml_file = source / "issue.yaml"
    fenced = "".join(f"              {line}\n" for line in ("```", CODE, "```"))
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + (
        "      - type: link_cards\n        cards:\n"
        + "".join(f"          - title: Karta {n}\n            url: https://www.krakow.pl/\n"
                  f"            text: |\n{fenced}" for n in (1, 2, 3))), encoding="utf-8")
    issue = load_issue(source, project)
    build(issue, project, choose_editions(["pdf"]), tmp_path / "out")
    text = subprocess.run(  # in reading order: each card's lines together
        ["pdftotext", str(tmp_path / "out" / issue.id / "business-krakow-2021-01.pdf"), "-"],
        capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines() if "_" in line or "kod" in line]
    assert "".join(lines).count(CODE) == 3, lines
