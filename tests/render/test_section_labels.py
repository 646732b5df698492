"""A section's label is never cut inside a word on a phone (e-mail and web page).

The label and its name are bound ("Call for\\u00a0COOPERATION"), so at the theme's 28 px
the e-mail at 320 px broke it as "COOPERATIO / N". Chromium lays out the sample's
e-mail and web page, in both languages, at phone widths.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from editions import cut_words_script

from newsletter.load import Project
from newsletter.model import Issue
from newsletter.render.email import render_email
from newsletter.render.web import render_web

CUT = cut_words_script("h2")


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("language", ["en", "pl"])
def test_no_section_label_is_cut_inside_a_word(sample: Issue, project: Project, browser,
                                               tmp_path, width, language):
    issue = next(i for i in sample.editions() if i.language == language)
    pages = {"email": render_email(issue, project, with_text=False).html,
             "web": render_web(issue, project, tmp_path)}
    for name, html in pages.items():
        page = browser.new_page(viewport={"width": width, "height": 800})
        try:
            page.set_content(html, wait_until="domcontentloaded")
            cut = page.evaluate(CUT)
        finally:
            page.close()
        assert not cut, (name, cut)


CHAINS = ["i w naukowo-badawczy", "a w społeczno-gospodarczych", "o 12 500 przedsiębiorców",
          "z 3 przeciwdziałaniami", "i z biało-czerwonymi"]
WORDS = ["konferencja", "dla", "firm", "budżet", "tydzień", "Kraków", "wsparcie", "rynek"]


def _titled_issue(folder: Path, seed: int) -> Path:
    """A Polish issue whose article, card group and figure group titles each end with a
    chain of words the language binds (seeded)."""
    import random

    rng = random.Random(seed)

    def title() -> str:
        return " ".join([rng.choice(["Tydzień", "Źródło", "Wsparcie"]),
                         *rng.sample(WORDS, rng.randint(0, 3)), rng.choice(CHAINS)])

    folder.mkdir(parents=True)
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        f"      - type: article\n        title: {title()}\n        body: Tekst artykułu.\n"
        f"      - type: link_cards\n        title: {title()}\n        cards:\n"
        "          - title: Mapa\n            url: https://www.krakow.pl/\n"
        f"      - type: figures\n        title: {title()}\n        items:\n"
        "          - value: '5'\n            label: Programów\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("seed", range(6))
def test_no_title_ends_a_phones_line_with_a_one_letter_word(project: Project, browser,
                                                           tmp_path, width, seed):
    """A block's title holding a chain the language binds ("i w naukowo-badawczy", 20
    characters) at the theme's 22 px was wider than a 320 px phone's line, and the phone
    broke it after its "w" (generated seed 9004's e-mail): on phones the titles are set
    small enough for their longest chain (e-mail: email.title_phone_sizes)."""
    from screen_text import WORD_BOXES, one_letter_ends

    from newsletter.load import load_issue

    issue = load_issue(_titled_issue(tmp_path / "2021-01", seed), project)
    pages = {"email": render_email(issue, project, with_text=False).html,
             "web": render_web(issue, project, tmp_path / "web")}
    for name, html in pages.items():
        page = browser.new_page(viewport={"width": width, "height": 800})
        try:
            page.set_content(html, wait_until="domcontentloaded")
            ends = one_letter_ends(page.evaluate(WORD_BOXES, "pl"), "wziouaWZIOUA")
        finally:
            page.close()
        assert not ends, (name, ends)


def test_only_a_title_too_wide_for_a_phone_is_set_smaller(project: Project, browser, tmp_path):
    """On a phone, a title whose bound chain ('i w naukowo-badawczy') does not fit a line
    is set smaller; the other titles keep the theme's size, their rank over the text (one
    size for every article's title set them all as small as the longest chain needed)."""
    from newsletter.load import load_issue

    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: article\n        title: Wsparcie dla firm i w naukowo-badawczy\n"
        "        body: Tekst artykułu.\n"
        "      - type: article\n        title: Konferencja dla firm\n"
        "        body: Tekst artykułu.\n"
        "      - type: link_cards\n        title: Mapa dla firm\n        cards:\n"
        "          - title: Mapa\n            url: https://www.krakow.pl/\n", encoding="utf-8")
    issue = load_issue(folder, project)
    sizes = project.theme.fonts.sizes
    pages = {"email": render_email(issue, project, with_text=False).html,
             "web": render_web(issue, project, tmp_path / "web")}
    measured = {}
    for name, html in pages.items():
        for width in (320, 800):
            page = browser.new_page(viewport={"width": width, "height": 800})
            try:
                page.set_content(html, wait_until="domcontentloaded")
                measured[name, width] = page.evaluate(
                    "() => [...document.querySelectorAll('h3')].map(h => "
                    "[h.textContent.trim(), parseFloat(getComputedStyle(h).fontSize)])")
            finally:
                page.close()
    for name in pages:
        wide, phone = dict(measured[name, 800]), dict(measured[name, 320])
        chained = next(t for t in phone if "naukowo" in t)
        plain = next(t for t in phone if t.startswith("Konferencja"))
        cards = next(t for t in phone if t.lower().startswith("mapa dla"))
        assert phone[chained] < wide[chained], (name, measured)
        assert phone[plain] == wide[plain] == sizes.title, (name, measured)
        assert phone[cards] == wide[cards], (name, measured)


@pytest.mark.parametrize("width", [375, 1024])
def test_a_subheading_is_smaller_than_its_articles_title(project: Project, browser,
                                                         tmp_path, width):
    """A guide's subheadings ("1. Wpis do CEIDG", Markdown's #) stood larger than its
    article's title in the e-mail and on the web page (hand-made issue 2027-05)."""
    from conftest import one_article_issue

    from newsletter.load import load_issue

    # (# and ## are both h4: the block's title is the h3)
    body = "## 1. Wpis do CEIDG\n\nTekst.\n\n### Drugi poziom\n\nTekst.\n\n#### Trzeci\n\nTekst."
    issue = load_issue(one_article_issue(tmp_path / "2021-01", body, title="Poradnik"),
                       project)
    pages = {"email": render_email(issue, project, with_text=False).html,
             "web": render_web(issue, project, tmp_path)}
    sizes = """() => ['h3', 'h4', 'h5', 'h6'].map((tag) => {
        const found = [...document.querySelectorAll(tag)].find(
            (e) => /Poradnik|CEIDG|Drugi|Trzeci/.test(e.textContent));
        return found ? parseFloat(getComputedStyle(found).fontSize) : null; })"""
    for name, html in pages.items():
        page = browser.new_page(viewport={"width": width, "height": 800})
        try:
            page.set_content(html, wait_until="domcontentloaded")
            title, *subheadings = page.evaluate(sizes)
        finally:
            page.close()
        assert title and all(subheadings), (name, title, subheadings)
        assert all(size < title for size in subheadings), (name, title, subheadings)
        assert subheadings == sorted(subheadings, reverse=True), (name, subheadings)
