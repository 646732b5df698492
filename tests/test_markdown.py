"""Editors' Markdown: raw HTML never passes through; links are found with their lines."""

from __future__ import annotations

import random
import re

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



def test_a_text_renders_the_same_every_time_for_screen_and_paper():
    """A text's parse is remembered and rendered again for each edition: the second render
    of an address must not carry its class twice, nor the screen's keep paper's addresses."""
    text = ("Visit WWW.Krakow.pl or [the city](https://www.krakow.pl) at 12 000 zł; "
            "write to biuro@um.krakow.pl.\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    screen = to_html(text)
    paper = to_html(text, print_urls=True)
    assert to_html(text) == screen and to_html(text, print_urls=True) == paper
    assert screen.count('class="url"') == 2 and "(krakow.pl)" not in screen
    assert '<span class="url">(www.krakow.pl)</span>' in paper.replace("<wbr>", "")

# --- Tables and footnotes; constructs that would come out literally ------------------------

# Constructs an editor types that read as meant: none may be reported, none may leave
# Markdown punctuation in what a reader sees.
_READS_AS_MEANT = [
    "[strona miasta](https://www.krakow.pl/biznes)",
    "[adres ze spacją](<https://x.pl/a b>)",
    "[zakodowana spacja](https://x.pl/a%20b)",
    "<https://dlabiznesu.krakow.pl/>",
    "www.rynek.krakow.pl",
    "**pogrubienie**",
    "*kursywa*",
    "`kod`",
    "m.in.",
    "[sic]",
    "a < b > c",
    "<tu wpisz nazwę>",
    "[odnośnik][r]",
    "2 * 3",
]
# Written on purpose with a backslash: shown as typed (the judge ignores what they show).
_ESCAPED = {"\\[^5]": "[^5]", "\\*\\*": "**", "\\<b>": "<b>", "\\[a]\\(b c)": "[a](b c)"}
# Mistakes: each must be reported at its own line.
_MISTAKES = [
    "[adres](https://x.pl/a b)",
    "[niedomknięty](https://x.pl/a",
    "[tekst][brak-definicji]",
    "przypis bez treści[^q]",
    "<b>pogrubienie HTML</b>",
    "**niedomknięte",
    "<br>",
    "<https://x.pl/plan 2021.pdf>",
    "<www.krakow.pl>",
]
_WORDS = ["Kraków", "firmy", "wsparcie", "program", "2021", "rynek", "miasta", "dla", "zł"]
# What must never reach a reader unless an editor escaped it.
_LITERAL = re.compile(r"\]\(|\[\^|\|\s*-{3}|-{3}\s*\||\*\*|\]\[|</?(b|br|i|p|div)\b[^>]*>")


def _generated_text(rng, mistakes: bool) -> tuple[str, list[int]]:
    """A seeded mix of paragraphs, a table and footnotes; the lines of the mistakes."""
    lines: list[str] = []
    wrong: list[int] = []
    notes = 0
    for _ in range(rng.randint(1, 4)):
        for _ in range(rng.randint(1, 3)):  # a paragraph of a few lines
            words = [rng.choice(_WORDS) for _ in range(rng.randint(2, 6))]
            for _ in range(rng.randint(0, 2)):
                words.insert(rng.randint(0, len(words)), rng.choice(_READS_AS_MEANT))
            if rng.random() < 0.3:
                words.append(rng.choice(list(_ESCAPED)))
            if rng.random() < 0.4:
                notes += 1
                words.append(f"przypis[^{notes}]")
            if mistakes and rng.random() < 0.3:
                words.insert(rng.randint(0, len(words)), rng.choice(_MISTAKES))
                wrong.append(len(lines))
            lines.append(" ".join(words))
        lines.append("")
        if rng.random() < 0.4:
            columns = rng.randint(1, 5)
            lines.append("| " + " | ".join(f"Kolumna {c}" for c in range(columns)) + " |")
            lines.append("|" + "|".join(rng.choice(["---", ":--", "--:", ":-:"])
                                        for _ in range(columns)) + "|")
            for _ in range(rng.randint(0, 4)):
                cells = columns - rng.randint(0, columns - 1)  # fewer cells is fine
                if mistakes and rng.random() < 0.2:
                    cells = columns + 1
                    wrong.append(len(lines))
                lines.append("| " + " | ".join(rng.choice(_WORDS + _READS_AS_MEANT[:6])
                                               for _ in range(cells)) + " |")
            lines.append("")
    for number in range(1, notes + 1):
        lines.append(f"[^{number}]: Treść przypisu {number} z [linkiem](https://a.pl/{number}).")
    if mistakes and rng.random() < 0.3:
        wrong.append(len(lines))
        lines.append("[^nieużyty]: Przypis, którego nikt nie oznaczył.")
    lines.append("")
    lines.append("[r]: https://www.krakow.pl/")
    return "\n".join(lines) + "\n", wrong


def _visible(html: str) -> str:
    from lxml import html as lxml_html

    return lxml_html.fragment_fromstring(html, create_parent="div").text_content()


def _unescaped(shown: str) -> str:
    shown = " ".join(shown.split())  # the text part may wrap inside what was escaped
    for typed in _ESCAPED.values():
        shown = shown.replace(typed, " ")
    return shown


def test_generated_markdown_never_comes_out_literally_unreported():
    """300 seeded mixes of every construct: valid ones are not reported and leave no
    Markdown punctuation in the HTML or the text part; each mistake is reported at its own
    line (a link with a space, a footnote mark without its note, <b>… came out as typed)."""
    from newsletter.markdown import to_text
    from newsletter.markdown_checks import literal_constructs

    rng = random.Random(16)
    for case in range(300):
        text, wrong = _generated_text(rng, mistakes=case % 2 == 1)
        reported = literal_constructs(text)
        assert sorted({r.line for r in reported}) == sorted(set(wrong)), (text, reported)
        if wrong:
            continue
        for shown in (_visible(to_html(text)), _visible(to_html(text, print_urls=True)),
                      to_text(text)):
            leaked = [m.group() for m in _LITERAL.finditer(_unescaped(shown))]
            assert not leaked, (text, shown, leaked)


def test_every_literal_message_names_the_construct_and_the_fix():
    from newsletter.markdown_checks import literal_constructs

    cases = {
        "[a](https://x.pl/a b)": "write the space as %20 or put the address in angle brackets",
        "[a](https://x.pl": "end the address with ')'",
        "[t][ref]": "'[ref]: https://…'",
        "tekst[^1]": "add a line '[^1]: the note'",
        "tekst\n\n[^1]: nota": "put [^1] where the note belongs",
        "<b>x</b>": "use Markdown instead",
        "**x": "close the bold words with **",
        "##Tytuł": "a heading needs a space after its '#'",
        "<https://x.pl/a b>": "write the space as %20",
        "<www.krakow.pl>": "start it with https:// (<https://www.krakow.pl>)",
        "| a | b |\n|---|---|\n| 1 | 2 | 3 |": "table row has 3 cells but the header has 2",
        "a | b\n|---|---|---|": "give the header row, the |---| row and every row the same",
    }
    for text, fix in cases.items():
        messages = [r.message for r in literal_constructs(text)]
        assert len(messages) == 1 and fix in messages[0], (text, messages)


def test_tables_and_footnotes_in_html_and_text():
    from newsletter.markdown import to_text

    text = ("Tekst[^a] i drugi[^b], znów pierwszy[^a].\n\n"
            "| Firma | Miasto | Liczba |\n|---|:--|--:|\n| Comarch | Kraków | 6 500 |\n\n"
            "[^a]: Pierwsza nota.\n[^b]: Druga [nota](https://a.pl).\n")
    html = to_html(text)
    assert '<table class="md-table">' in html and "<th>Firma</th>" in html
    assert '<td style="text-align:right">6' in html
    assert html.count('<sup class="note-mark">1</sup>') == 2
    assert '<sup class="note-mark">2</sup>' in html
    notes = html[html.index('<div class="footnotes">'):]
    assert notes.index("Pierwsza nota") < notes.index("Druga")
    assert html.index("<table") < html.index('<div class="footnotes">')  # notes at the end
    assert to_text(text) == (
        "Tekst[1] i drugi[2], znów pierwszy[1].\n\n"
        "Firma    Miasto  Liczba\n-------  ------  ------\nComarch  Kraków   6 500\n\n"  # --: right
        "[1] Pierwsza nota.\n[2] Druga nota <https://a.pl>."
    )
    wide = to_text("| Nazwa | Opis |\n|---|---|\n| Comarch | " + "bardzo długi opis " * 8 + "|\n")
    assert max(len(line) for line in wide.splitlines()) <= 78
    assert wide.startswith("Nazwa: Comarch\nOpis: bardzo długi opis")
