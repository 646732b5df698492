"""A passage in another language (``{lang=uk}``) is bound by its own language's rules, never
by the edition's (issue 17 item 4): Ukrainian binds "в", "з", "і"; French keeps ! ? ; : and
« » off a line's edge; English inside Polish does not bind Polish's numbers; a language with
no known rules binds nothing of another's. In the HTML editions, the text part and the
PDFs' hyphens alike."""

from __future__ import annotations

from pathlib import Path

import yaml

from newsletter.markdown import to_text
from newsletter.typography import (
    NO_BREAK_HYPHEN,
    PASSAGES_FILE,
    Rules,
    bind,
    bind_html,
    hyphenated_words_whole,
    language_rules,
    marked_passage,
    unmarked,
)

SHARED = Path(__file__).resolve().parent.parent / "templates" / "_shared"
STRINGS = SHARED / "strings.yaml"
NBSP, NARROW = "\u00a0", "\u202f"


def rules(language: str) -> Rules:
    return language_rules(STRINGS, language)


def test_a_ukrainian_passage_binds_ukrainian_one_letter_words():
    html = ('<p>Jest w Krakowie i <span lang="uk">в Києві з друзями і у Львові й о 5 годині '
            'а потім</span> też.</p>')
    bound = bind_html(html, rules("pl"))
    for pair in ("в Києві", "з друзями", "і у", "у Львові", "й о", "о 5", "5 годині", "а потім"):
        assert pair.replace(" ", NBSP) in bound, pair
    assert f"w{NBSP}Krakowie i{NBSP}<span" in bound  # the Polish text by Polish rules


def test_an_english_passage_in_polish_is_bound_by_english_rules():
    html = ('<p>W Krakowie: <span lang="en">3 tools in a box and 10 km to go</span> '
            '– 3 narzędzia.</p>')
    bound = bind_html(html, rules("pl"))
    assert "3 tools" in bound, "English does not bind a number to the word it counts"
    assert f"a{NBSP}box" in bound and f"10{NBSP}km" in bound
    assert f"3{NBSP}narzędzia" in bound  # the Polish text after it: Polish rules again


def test_a_polish_passage_in_english_is_bound_by_polish_rules():
    bound = bind_html('<p lang="pl">Spotkanie w Krakowie i 3 narzędzia</p><p>3 tools</p>',
                      rules("en"))
    assert f"w{NBSP}Krakowie i{NBSP}3{NBSP}narzędzia" in bound
    assert "<p>3 tools</p>" in bound


def test_french_punctuation_keeps_its_typed_space_unbroken():
    bound = bind_html('<p lang="fr">Bonjour ! Il dit : « oui » ; ça va ? M. Dupont</p>',
                      rules("pl"))
    assert (f"Bonjour{NARROW}! Il dit{NBSP}: «{NBSP}oui{NBSP}»{NARROW}; ça va{NARROW}? "
            f"M.{NBSP}Dupont") in bound
    assert bind_html("Bonjour!", rules("fr").for_passage("fr")) == "Bonjour!"  # none added


def test_a_language_with_no_known_rules_binds_none_of_the_editions():
    bound = bind_html('<p>w domu <span lang="tr">o bir ev a i z u</span> – koniec</p>',
                      rules("pl"))
    assert "o bir ev a i z u" in bound
    assert f"w{NBSP}domu" in bound  # the edition's text by its own rules still
    assert f"</span>{NBSP}–" in bound  # a dash never starts a line, in every language
    assert rules("pl").for_passage("tr").bind_after == frozenset()


def test_a_regional_code_takes_its_languages_rules_and_passages_nest():
    assert rules("pl").for_passage("en-GB").bind_after == rules("en").bind_after
    html = ('<blockquote lang="uk"><p>в Києві <span lang="en">3 tools in a car</span> '
            'і все</p></blockquote>')
    bound = bind_html(html, rules("pl"))
    assert f"в{NBSP}Києві" in bound and "3 tools in" in bound and f"a{NBSP}car" in bound
    assert f"і{NBSP}все" in bound


def test_a_passage_keeps_the_screens_limit_of_its_edition():
    on_screens = Rules(rules("pl").bind_after, True, bound_limit=30,
                       passages=rules("pl").passages)
    assert on_screens.for_passage("uk").bound_limit == 30


def test_the_edition_block_wins_and_every_quoted_language_loads():
    quoted = yaml.safe_load((SHARED / PASSAGES_FILE).read_text("utf-8"))
    for code in quoted:
        assert rules("pl").for_passage(code).bind_after, code
    for edition in ("pl", "en"):  # editions' own blocks, not repeated in the data file
        assert rules("pl").for_passage(edition).bind_after == rules(edition).bind_after
    assert rules("pl").for_passage("cs").break_at_hyphens is False


def test_plain_text_passages_are_bound_by_their_language_and_unmarked():
    text = f"Jest w domu i {marked_passage('в Києві з друзями, 3 tools', 'uk')} i tak"
    assert bind(text, rules("pl")) == \
        f"Jest w{NBSP}domu i{NBSP}в{NBSP}Києві з{NBSP}друзями, 3{NBSP}tools i{NBSP}tak"
    english = f"a {marked_passage('3 tools', 'en')}"
    assert bind(english, rules("pl")) == f"a{NBSP}3 tools"
    assert unmarked(text) == "Jest w domu i в Києві з друзями, 3 tools i tak"


def test_the_text_part_binds_each_passage_by_its_language():
    markdown = ("Jest w Krakowie i [в Києві з друзями]{lang=uk} oraz "
                "[3 tools in a box]{lang=en} i 3 narzędzia.\n\n"
                "{lang=fr}\nBonjour ! Il dit : « oui ».\n\n"
                "{lang=uk}\n> а потім у Львові\n\n"
                "| kto | co |\n|---|---|\n| [o bir ev]{lang=tr} | w domu |\n")
    pl = rules("pl")
    text = to_text(markdown, 78, lambda words: bind(words, pl))
    assert f"i{NBSP}в{NBSP}Києві з{NBSP}друзями" in text
    assert "3 tools in" in text and f"a{NBSP}box" in text and f"3{NBSP}narzędzia" in text
    assert f"Bonjour{NARROW}! Il dit{NBSP}: «{NBSP}oui{NBSP}»." in text
    assert f"> а{NBSP}потім у{NBSP}Львові" in text
    assert "o bir ev" in text and f"w{NBSP}domu" in text
    plain = to_text(markdown, 78)
    assert "\ue010" not in plain and "\ue012" not in plain and "в Києві з друзями" in plain


def test_a_passages_typed_hyphens_follow_its_language_on_paper():
    html = '<p>e-mailem <span lang="en">e-mail</span> <span lang="cs">je-li</span></p>'
    paper = hyphenated_words_whole(html, rules("pl"))
    assert f"e{NO_BREAK_HYPHEN}mailem" in paper and ">e-mail<" in paper
    assert f"je{NO_BREAK_HYPHEN}li" in paper
    assert f"je{NO_BREAK_HYPHEN}li" in hyphenated_words_whole(html, rules("en"))
