"""What a reader copies from the e-mail or the web page is what the editor typed (issue 17
item 5 on screens): ranges and codes ("31-156", "2019–2020", "COVID-19") stay on one line
on a phone by a no-wrap span, not by a word joiner (U+2060) that the browser copies too.
Chromium's selection of "Kod 31-156 Kraków, 2019–2020, e-mailem" was 41 characters, three
of them U+2060: a postal code pasted into a form carried an invisible character."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import one_article_issue

from newsletter.load import Project, load_issue
from newsletter.render.email import render_email
from newsletter.render.unbroken_ranges import nowrap_for_joiners
from newsletter.render.web import render_web

TYPED = "Kod 31-156 Kraków, 2019–2020, e-mailem"
BODY = (f"{TYPED} i w Nowej Hucie w latach 2019–2020 (COVID-19) przy ul. Długiej 8.00–15.30 "
        "oraz pon.–pt. dla firm z dzielnicy Kraków-Nowa Huta. ") * 6

# The text a reader gets by selecting the paragraph that holds ``TYPED`` (as Ctrl+C copies
# it), and each range whose dash and the next character were set on different lines.
COPY = """(typed) => {
  const element = [...document.querySelectorAll('p, h1, h2, h3, div')]
    .filter((e) => e.textContent.includes(typed.slice(0, 6)))
    .sort((a, b) => a.textContent.length - b.textContent.length)[0];
  const selection = window.getSelection();
  selection.selectAllChildren(element);
  return selection.toString();
}"""


@pytest.fixture(scope="module")
def pages(project: Project, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("copy")
    loaded = load_issue(one_article_issue(root / "2021-04", BODY, "Kody 31-156 i COVID-19",
                                          lead=f"{TYPED}."), project)
    email, web = root / "email.html", root / "web.html"
    email.write_text(render_email(loaded, project).html, encoding="utf-8")
    web.write_text(render_web(loaded, project, root / "out"), encoding="utf-8")
    return {"email": email, "web": web}


@pytest.mark.parametrize("edition", ["email", "web"])
def test_no_word_joiner_reaches_a_screen(pages, edition):
    html = pages[edition].read_text("utf-8")
    assert "\u2060" not in html
    assert 'white-space:nowrap">31-156</span>' in html  # and the range is kept whole


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("edition", ["email", "web"])
def test_copied_text_is_what_the_editor_typed(pages, browser, edition, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(pages[edition].as_uri())
        copied = page.evaluate(COPY, TYPED)
    finally:
        page.close()
    assert "\u2060" not in copied
    assert TYPED in copied.replace("\u00a0", " ")


def test_joiners_leave_tags_and_raw_text_and_long_words():
    html = ('<title>2019–\u20602020</title><p title="31-\u2060156">Kod 31-\u2060156, '
            '<em>2019–\u2060</em>2020 i przedsiębiorczo-\u2060innowacyjno-\u2060badawczych</p>')
    assert nowrap_for_joiners(html) == (
        '<title>2019–2020</title><p title="31-156">Kod '
        '<span style="white-space:nowrap">31-156,</span> <em>2019–\u2060</em>2020 i '
        "przedsiębiorczo-innowacyjno-badawczych</p>")
