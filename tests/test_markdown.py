"""Editors' Markdown: raw HTML never passes through; links are found with their lines."""

from __future__ import annotations

from newsletter.markdown import count_words, references, to_html, to_plain_text


def test_raw_html_is_escaped_not_passed_through():
    html = to_html('Hello <script>alert("x")</script> & <b onclick="x">bold</b>')
    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html


def test_markdown_formatting_and_polish_characters_survive():
    html = to_html("**Kraków** – zażółć gęślą jaźń, see [map](https://www.rynek.krakow.pl/)")
    assert "<strong>Kraków</strong>" in html
    assert "zażółć gęślą jaźń" in html
    assert '<a href="https://www.rynek.krakow.pl/">map</a>' in html


def test_references_report_even_refused_links_with_their_line():
    text = "first [ok](https://a.pl)\nsecond [bad](javascript:alert(1))\n\n![x](p.png)\n"
    assert [(r.kind, r.target, r.line) for r in references(text)] == [
        ("link", "https://a.pl", 0),
        ("link", "javascript:alert(1)", 1),
        ("image", "p.png", 3),
    ]


def test_plain_text_and_word_count():
    text = "The **City** of [Krakow](https://krakow.pl)\nand Microsoft.\n\n- one\n- two\n"
    assert to_plain_text(text) == "The City of Krakow and Microsoft.\n\none\n\ntwo"
    assert count_words(text) == 8


def test_text_rendering_keeps_lists_links_and_wraps_at_78():
    from newsletter.markdown import to_text

    text = (
        "2020 was a year with [a link](https://www.dlabiznesu.krakow.pl/) and "
        "[https://b.pl](https://b.pl) in a sentence long enough to need wrapping at the limit.\n\n"
        "- first\n- second\n\n1. one\n2. two\n\nWrite to [us](mailto:pi.umk@um.krakow.pl)."
    )
    rendered = to_text(text)
    assert max(len(line) for line in rendered.splitlines()) <= 78
    assert rendered == (
        "2020 was a year with a link <https://www.dlabiznesu.krakow.pl/> and\n"
        "https://b.pl in a sentence long enough to need wrapping at the limit.\n\n"
        "- first\n- second\n\n1. one\n2. two\n\n"
        "Write to us <pi.umk@um.krakow.pl>."
    )


# Abbreviations with dots that look like domains to a fuzzy link finder (Polish first:
# "m.in." = among others, "m.st." = capital city, "p.o." = acting, "b.r." = this year).
_ABBREVIATIONS = ["m.in.", "m.st.", "np.", "tzw.", "ul.", "al.", "im.", "p.o.", "b.r.", "j.w.",
                  "tj.", "itd.", "itp.", "pl.", "św.", "e.g.", "i.e.", "a.m.", "p.m.", "U.S.",
                  "krakow.pl", "dlabiznesu.krakow.pl", "m.in.,", "(m.in.)"]


def test_only_addresses_written_with_a_scheme_or_www_become_links():
    """A bare word.word is text: only ``https://``, ``mailto:``, an e-mail address or
    ``www.`` make a link (m.in. linked to https://m.in in the shipped sample)."""
    import random

    rng = random.Random(20)
    words = ["Kraków", "firmy", "wsparcie", "program", "2021", "rynek", "miasta", "dla"]
    for _ in range(300):
        sentence = [rng.choice(words) for _ in range(rng.randint(2, 8))]
        for abbreviation in rng.sample(_ABBREVIATIONS, rng.randint(1, 4)):
            sentence.insert(rng.randint(0, len(sentence)), abbreviation)
        text = " ".join(sentence)
        html = to_html(text)
        assert "<a " not in html, (text, html)
    written = ("See www.dlabiznesu.krakow.pl, https://krakow.pl/a?b=1, biuro@um.krakow.pl "
               "and mailto:kontakt@um.krakow.pl, m.in.")
    html = to_html(written)
    assert html.count("<a ") == 4, html
    assert 'href="https://www.dlabiznesu.krakow.pl"' in html
    assert 'href="mailto:biuro@um.krakow.pl"' in html and "m.in." in html
