"""A language's typography in the HTML and text editions (issue 17 item 4): no-break spaces
where its rules bind, in text only, and a text part whose lines never end with them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from typeset_text import ABBREVIATIONS, ONE_LETTER, generated_issue, paragraphs

from newsletter.load import Project, load_issue
from newsletter.markdown import to_text
from newsletter.model import Issue
from newsletter.render.email import render_email
from newsletter.render.web import render_web
from newsletter.typography import Rules, bind, bind_html, language_rules

STRINGS = Path(__file__).resolve().parent.parent / "templates" / "_shared" / "strings.yaml"
NBSP = "\u00a0"


def rules(language: str) -> Rules:
    return language_rules(STRINGS, language)


def unbound(text: str, language: str) -> list[str]:
    """Binding words followed by a breakable space, and dashes after one."""
    words = "|".join(re.escape(w) for w in ONE_LETTER[language] + ABBREVIATIONS[language])
    found = re.findall(rf"(?<![\w.@/&#-])(?:{words})(?![\w@/-]) +\S+", text)
    found += re.findall(r"\S+ [–—] ", text)
    return found


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("seed", range(5))
def test_rules_bind_what_the_language_binds(language, seed):
    for paragraph in paragraphs(seed, language):
        bound = bind(paragraph, rules(language))
        assert not unbound(bound, language), unbound(bound, language)[:5]
        assert bound.replace(NBSP, " ") == paragraph  # only spaces change
        if language == "pl":
            assert not re.search(r"(?<![\w.,/:@#-])\d+ [^\W\d_]", bound)


def test_polish_words_and_numbers_bind_english_ones_do_not_bind_numbers():
    assert bind("Spotkanie w Krakowie, ul. Długa 5 – 3 narzędzia", rules("pl")) == \
        f"Spotkanie w{NBSP}Krakowie, ul.{NBSP}Długa 5{NBSP}– 3{NBSP}narzędzia"
    assert bind("I met a friend – 3 times", rules("en")) == \
        f"I{NBSP}met a{NBSP}friend{NBSP}– 3 times"
    assert bind("w Krakowie – tak", rules("xx")) == f"w Krakowie{NBSP}– tak"  # dashes only


def test_html_is_bound_in_text_only():
    source = ('<p title="w x" class="a b">Jest w <em>Krakowie</em> i <code>a = w b</code> '
              '<a href="https://x.pl/a b">z mapą</a></p>')
    bound = bind_html(source, rules("pl"))
    assert bound == ('<p title="w x" class="a b">Jest w\u00a0<em>Krakowie</em> i\u00a0<code>'
                     'a = w b</code> <a href="https://x.pl/a b">z\u00a0mapą</a></p>')


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("width", [24, 40, 61, 78])
def test_text_part_lines_never_end_with_a_bound_word(language, width):
    binding = set(ONE_LETTER[language] + ABBREVIATIONS[language])
    source = "\n\n".join(paragraphs(width, language))
    text = to_text(source, width, prepare=lambda words: bind(words, rules(language)))
    ends = [line for line in text.splitlines() if line.split() and line.split()[-1] in binding]
    assert not ends, ends[:5]
    assert all(not line.startswith(("– ", "— ")) for line in text.splitlines())


def visible(page: str) -> str:
    document = lxml_html.fromstring(page)
    for element in document.xpath("//style | //script | //head"):
        element.drop_tree()
    return document.text_content()


@pytest.fixture(scope="module")
def polish(project: Project, sample: Issue, tmp_path_factory) -> dict[str, Issue]:
    folder = generated_issue(tmp_path_factory.mktemp("gen") / "2021-02", "pl", 17)
    return {"sample": sample.translations["pl"], "generated": load_issue(folder, project)}


@pytest.mark.parametrize("which", ["sample", "generated"])
def test_email_and_web_bind_polish_words_with_no_break_spaces(polish, project, tmp_path,
                                                              which):
    issue = polish[which]
    email = render_email(issue, project)
    web = render_web(issue, project, tmp_path)
    for name, text in {"email.html": visible(email.html), "web": visible(web),
                       "email.txt": email.text}.items():
        flat = " ".join(text.split(" "))  # keep no-break spaces, as a reader's width would
        assert NBSP in flat, name
        if name != "email.txt":  # the text part is checked where it matters: its line ends
            assert not unbound(flat, "pl"), (name, unbound(flat, "pl")[:5])
    ends = [line for line in email.text.splitlines()
            if line.split() and line.split()[-1] in ONE_LETTER["pl"] + ABBREVIATIONS["pl"]]
    assert not ends, ends[:5]
    if which == "sample":  # attributes and styles are not prose: untouched
        assert "calc(100vw - 32px)" in web
