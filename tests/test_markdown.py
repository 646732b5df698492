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
