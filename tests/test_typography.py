"""A language's typography in the HTML and text editions (issue 17 item 4): no-break spaces
where its rules bind, in text only, and a text part whose lines never end with them."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from typeset_text import ABBREVIATIONS, ONE_LETTER, SIGNS, generated_issue, paragraphs

from newsletter.load import Project, load_issue
from newsletter.markdown import to_text
from newsletter.model import Issue
from newsletter.render.email import render_email
from newsletter.render.web import render_web
from newsletter.typography import (
    SCREEN_BOUND_LIMIT,
    SCREEN_TITLE_BOUND_LIMIT,
    Rules,
    bind,
    bind_html,
    language_rules,
)

STRINGS = Path(__file__).resolve().parent.parent / "templates" / "_shared" / "strings.yaml"
NBSP = "\u00a0"


def rules(language: str) -> Rules:
    return language_rules(STRINGS, language)


def unbound(text: str, language: str, limit: int | None = None) -> list[str]:
    """Binding words followed by a breakable space, and dashes after one; with ``limit``
    (screens), not an abbreviation whose piece would then pass it (released there)."""
    words = "|".join(re.escape(w) for w in ONE_LETTER[language] + ABBREVIATIONS[language])
    found = [m.group() for m in re.finditer(
        rf"([^ ]*?)(?<![\w.@/&#-])({words})(?![\w@/-]) +([^ ]+)", text)
        if limit is None or len(m.group(2)) == 1
        or len(m.group(1) + m.group(2)) + 1 + len(m.group(3)) <= limit]
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
            # a number binds to the word it counts; one inside an address counts nothing
            # ('…&y=2 i'), nor one before an address
            assert not re.search(r"(?<![\w.,/:@#=?&~%-])\d+ (?!https?:|www\.)[^\W\d_]",
                                 bound)


def test_polish_words_and_numbers_bind_english_ones_do_not_bind_numbers():
    assert bind("Spotkanie w Krakowie, ul. Długa 5 – 3 narzędzia", rules("pl")) == \
        f"Spotkanie w{NBSP}Krakowie, ul.{NBSP}Długa{NBSP}5{NBSP}– 3{NBSP}narzędzia"
    assert bind("I met a friend – 3 times", rules("en")) == \
        f"I{NBSP}met a{NBSP}friend{NBSP}– 3 times"
    assert bind("w Krakowie – tak", rules("xx")) == f"w Krakowie{NBSP}– tak"  # dashes only


@pytest.mark.parametrize("language", ["pl", "en", "xx"])
def test_a_number_stays_with_its_sign_in_every_language(language):
    """"50 %", "20 °C", "§ 5", "€ 100": signs, not words, so every language (one without
    rules too) keeps them with their number; seeded numbers of every shape."""
    rng = random.Random(language)
    for _ in range(200):
        number = rng.choice([str(rng.randint(0, 9999)), f"{rng.randint(1, 99)},{rng.randint(0, 9)}",
                             f"{rng.randint(1, 99)}.{rng.randint(0, 99)}"])
        after, before = rng.choice(SIGNS["after"]), rng.choice(SIGNS["before"])
        text = f"Wzrost o {number} {after} i {before} {number} netto."
        bound = bind(text, rules(language))
        assert f"{number}{NBSP}{after}" in bound and f"{before}{NBSP}{number}" in bound, bound


@pytest.mark.parametrize("language", ["pl", "en", "xx"])
def test_a_numbers_groups_stay_together_in_every_language(language):
    """"12 500 zł", "1 000 000", "+48 12 616 12 34": a space between digits is inside one
    number. Markdown's text kept them whole, a title's or a lead's (plain fields) did
    not: another editor's "Bon na otwarcie – do 12 500 zł" ended a phone's line at "12"."""
    rng = random.Random(language)
    for _ in range(200):
        groups = [str(rng.randint(1, 999))] + [f"{rng.randint(0, 999):03d}"
                                               for _ in range(rng.randint(1, 3))]
        text = f"Bon na otwarcie – do {' '.join(groups)} zł na lokal"
        assert NBSP.join(groups) in bind(text, rules(language)), bind(text, rules(language))
    assert "+48" + NBSP + NBSP.join(["12", "616", "12", "34"]) in \
        bind("Tel. +48 12 616 12 34 lub e-mail", rules(language))


@pytest.mark.parametrize("language", ["pl", "en", "xx"])
def test_initials_stay_with_the_name_after_them(language):
    for name in ["J. Kowalski", "J.K. Nowak", "Ż. Źdźbło", "T. Шевченко", "A.B.C. Lis"]:
        initials, surname = name.rsplit(" ", 1)
        assert bind(f"Mówi {name} dziś", rules(language)) == \
            f"Mówi {initials}{NBSP}{surname} dziś"
    assert bind("tab. 5 i b. dobrze", rules("xx")) == "tab. 5 i b. dobrze"  # not initials


def test_english_binds_units_to_their_number_but_not_counted_words():
    assert bind("10 km at 9 a.m. with 3 tools and 5 m² for 2 kg", rules("en")) == \
        f"10{NBSP}km at 9{NBSP}a.m. with 3 tools and 5{NBSP}m² for 2{NBSP}kg"
    assert bind("a 5 kmh note", rules("en")) == f"a{NBSP}5 kmh note"  # a unit is whole
    # a Kraków street in English, a distance, an amount, a date (hand-made issue 2026-02:
    # "at ul. / Podole 60", "600 / metres", "until 15 / March")
    assert bind("at ul. Podole 60, 600 metres away, 12 500 PLN until 15 March", rules("en")) \
        == (f"at ul.{NBSP}Podole{NBSP}60, 600{NBSP}metres away, 12{NBSP}500{NBSP}PLN until "
            f"15{NBSP}March")
    # a currency's code before its amount (hand-made issue 2027-03: "up to PLN / 25,000")
    assert bind("up to PLN 25,000 or EUR 5,000", rules("en")) == \
        f"up to PLN{NBSP}25,000 or EUR{NBSP}5,000"


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_streets_name_keeps_its_house_number(language):
    """A house number never starts a line ("ul. Józefińska" / "14", a hand-made issue's
    card), whatever the street's name is; a number that goes on as an amount, a time or
    a date is not a house number, and a number after any other name may part from it."""
    bound = {
        "Biuro, ul. Józefińska 14, 31-000 Kraków": f"Józefińska{NBSP}14,",
        "przy al. Jana Pawła II 12/3 w Krakowie": f"Pawła{NBSP}II{NBSP}12/3",
        "os. Centrum E 14a.": f"E{NBSP}14a.",
        "pl. Wszystkich Świętych 3-4 to urząd": f"Świętych{NBSP}3-4",
        "na ul. św. Filipa 17.": f"Filipa{NBSP}17.",
    }
    for text, expected in bound.items():
        assert expected in bind(text, rules(language)), bind(text, rules(language))
    apart = {"ul. Długa 3,5 mln": "Długa 3,5", "ul. Długa 12:30 dziś": "Długa 12:30",
             "ul. Długa 15.03.2026 dziś": "Długa 15.03.2026", "Forum 2027 dziś": "Forum 2027",
             "ul. Jana Pawła Drugiego Wielkiego Papieża 12 i": "Papieża 12"}  # five: no name
    for text, pair in apart.items():
        assert pair in bind(text, rules(language)), bind(text, rules(language))
    assert bind("ul. Długa 12 dziś", rules("xx")) == "ul. Długa 12 dziś"  # a language without them
    # on a phone a street that long may still part from its number (releasable)
    screen = bind("ul. Konstantynopolitańczykowianeczki 12 i dalej", Rules(
        rules("pl").bind_after, True, street_words=rules("pl").street_words,
        bound_limit=SCREEN_BOUND_LIMIT))
    assert f"Konstantynopolitańczykowianeczki{NBSP}12" not in screen, screen


@pytest.mark.parametrize("language", ["pl", "en", "xx"])
def test_a_postal_code_keeps_its_town_and_a_name_its_regnal_number(language):
    """"31-156" / "Kraków" ended a line of the text part's footer, and "al. Jana Pawła" /
    "II 232." one of a PDF (hand-made issues 2027-09 and 2028-02), in either language: an
    address of Kraków is Polish whatever the edition's language."""
    assert bind("ul. Basztowa 22, 31-156 Kraków", rules(language)).endswith(
        f"31-156{NBSP}Kraków")
    for name in ["Jana Pawła II", "Henryk VIII", "Zygmunta III", "Jan XXIII"]:
        first, number = name.rsplit(" ", 1)
        assert f"{first.split()[-1]}{NBSP}{number}" in bind(f"o {name} i", rules(language))
    for free in ["II wojna", "pkt I oraz", "strona V i", "ma 10-100 osób", "Sans 3"]:
        assert bind(free, rules("xx")) == free  # no name before, not a regnal number, a range


def test_polish_keeps_an_ordinal_in_roman_numerals_with_the_word_after_it():
    """"gospodarczej II" / "Rzeczypospolitej" ended a line of the e-mail at 375 px
    (hand-made issue 2029-03): an ordinal keeps its noun, as a number does in Polish."""
    assert bind("rozwoju gospodarczej II Rzeczypospolitej", rules("pl")).endswith(
        f"II{NBSP}Rzeczypospolitej")
    assert bind("pod koniec XX wieku", rules("pl")).endswith(f"XX{NBSP}wieku")
    assert bind("pod koniec XX wieku", rules("en")) == "pod koniec XX wieku"  # English: no


def test_polish_keeps_a_phones_kind_with_its_number():
    """"kom." / "600 123 456" ended a line of the printer's PDF (hand-made issue 2029-03)."""
    for kind in ["tel.", "kom.", "faks", "tel./faks"]:
        assert bind(f"{kind} 600 123 456", rules("pl")) == f"{kind}{NBSP}600{NBSP}123{NBSP}456"


def test_english_keeps_polish_academic_titles_with_the_name():
    """"will be given by dr" / "hab. Marta Żmuda-Trzebiatowska" in the English text part
    (hand-made issue 2027-09): the Polish titles bind as the English ones do."""
    assert bind("by prof. dr hab. inż. Marta Lis and mgr Jan Nowak", rules("en")) == \
        f"by prof.{NBSP}dr{NBSP}hab.{NBSP}inż.{NBSP}Marta Lis and mgr{NBSP}Jan Nowak"


@pytest.mark.parametrize("text", [
    "z art. 15 ust. 2 pkt 3 uchwały", "poz. 374", "zob. s. 4", "ds. Równości",
    "tj. z sektora", "tzn. sprzedaży", "płk. T. Zającowi", "mec. Robert", "mgr. Piotrowi",
    "z dr. hab. inż. Nowakiem", "red. M. Lis", "1,2 mln zł", "20 tys. zł", "m.in. firmy",
    "Dz.U. z 2020 r. poz. 374", "prof. zw. dr hab. n. med. K. Lis", "inż. arch. W. Maj",
    "1. miejsce", "3. lokal", "nr. tel. 12 616 12 40", "Nr. 5"])
def test_polish_office_abbreviations_bind(text):
    """A public office's texts cite documents and name ranks: none of these may end a line
    (each was seen at a line's end of a PDF, a text part or a phone's screen)."""
    bound = bind(text, rules("pl"))
    assert " " not in bound, bound
    assert bind("w roku 2026. Kraków", rules("pl")) == f"w{NBSP}roku 2026. Kraków"  # a full stop


def _listed(language: str) -> list[str]:
    """The words ``language``'s own entry lists to bind (strings.yaml for an edition's
    language, typography.yaml for one an edition quotes)."""
    import yaml

    for name in ("strings.yaml", "typography.yaml"):
        table = yaml.safe_load((STRINGS.parent / name).read_text(encoding="utf-8"))
        entry = table.get(language) or {}
        entry = entry.get("typography", entry) if name == "strings.yaml" else entry
        if entry.get("bind_after"):
            return [str(word) for word in entry["bind_after"]]
    raise AssertionError(language)


@pytest.mark.parametrize("language", ["pl", "en", "uk", "ru", "cs", "sk", "de", "fr", "es"])
def test_an_abbreviation_binds_with_a_capital_as_in_small_letters(language):
    """At a sentence's start or in emphasis an abbreviation is written with a capital
    ("Ok. 40 osób", "Tel. 12 616 12 34", "**S. 4**"): it binds as its small form does,
    though only that is listed (generated seed 9728, pl: "transport S." / "4 innowacje"
    in the readers' PDF)."""
    own = rules(language) if language in ("pl", "en") else rules("pl").for_passage(language)
    words = [word for word in _listed(language) if len(word) > 1 and word[0].islower()]
    assert words
    for word in words:
        capital = word[0].upper() + word[1:]
        bound = bind(f"{capital} 12 Kowalski", own)
        assert not bound.startswith(f"{capital} "), (capital, bound)


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


def test_figure_labels_in_the_text_part_never_end_a_line_with_a_bound_word(tmp_path,
                                                                           project: Project):
    """A corpus issue's text part set a figure's label "… przedsiębiorców w" / "budżet
    dzielnica": the labels were wrapped unbound, unlike every other wrapped text."""
    items = "".join(f"          - value: '+48 12 616 12 34'\n            label: "
                    f"{'przedsiębiorców ' * 3}{'rok ' * n}w budżecie i z urzędu nr 5\n"
                    for n in range(14))
    folder = tmp_path / "2021-07"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-07-01\nlanguage: pl\nsections:\n  - kind: past\n    blocks:\n"
        f"      - type: figures\n        items:\n{items}", encoding="utf-8")
    text = render_email(load_issue(folder, project), project).text
    lines = [line for line in text.splitlines() if "przedsiębiorców" in line]
    assert len(lines) == 14
    ends = [line for line in text.splitlines() if line.split()[-1:] in (["w"], ["i"], ["z"],
                                                                        ["nr"])]
    assert not ends, ends


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
            assert not unbound(flat, "pl", SCREEN_BOUND_LIMIT), \
                (name, unbound(flat, "pl", SCREEN_BOUND_LIMIT)[:5])
    ends = [line for line in email.text.splitlines()
            if line.split() and line.split()[-1] in ONE_LETTER["pl"] + ABBREVIATIONS["pl"]]
    assert not ends, ends[:5]
    if which == "sample":  # attributes and styles are not prose: untouched
        assert "calc(100vw - 32px)" in web


@pytest.mark.parametrize("address", ["obsluga-inwestorow@um.krakow.pl", "pi.umk@um.krakow.pl",
                                     "a+b@x-y.example.pl"])
def test_an_email_address_as_a_links_words_is_an_address(address):
    """``[obsluga-inwestorow@um.krakow.pl](mailto:…)``, as editors link e-mail, is set as
    an address (never hyphenated on paper, not printed again after itself), like a bare
    one: the PDFs had ``obsluga-inwe-`` / ``storow@…`` and the address twice."""
    from newsletter.markdown import to_html

    html = to_html(f"Prosimy pisać na [{address}](mailto:{address}).", True, True)
    assert f'class="url">{address}</a>' in html.replace("<wbr>", ""), html
    assert f"({address})" not in html


def test_an_address_on_paper_breaks_before_its_hyphens_never_after():
    from newsletter.typography import NO_BREAK_HYPHEN, hyphens_start_lines

    html = ('<p>Na <a href="https://www.mapa-msp.pl/a-b" class="url">www.mapa-msp.pl/<wbr>a-b'
            '</a> i <span class="address">pi-umk@um.krakow.pl</span>, e-mail <em>x-y</em>'
            '<a href="https://x.pl/">mapa-msp</a> <code>formularz-wniosku.docx</code></p>')
    wbr = "<wbr>" + NO_BREAK_HYPHEN
    assert hyphens_start_lines(html) == (
        f'<p>Na <a href="https://www.mapa-msp.pl/a-b" class="url">www.mapa{wbr}msp.pl/<wbr>a'
        f'{wbr}b</a> i <span class="address">pi{wbr}umk@um.krakow.pl</span>, e-mail '
        f'<em>x-y</em><a href="https://x.pl/">mapa-msp</a> <code>formularz{wbr}wniosku.docx'
        '</code></p>')


def test_an_address_breaks_before_its_hyphens_after_an_element_inside_it():
    """An acronym's span inside a printed address ended it early: the hyphens after it
    broke after ("utm_campaign=business-" / "krakow-2027-01", hand-made issue 2027-01)."""
    from newsletter.typography import NO_BREAK_HYPHEN, hyphens_start_lines

    html = ('<li><a href="https://x.pl/">Calls</a> <span class="url">x.pl/<wbr>?d=<wbr>'
            '<span class="acronym">XIII-Podgorze</span>&amp;<wbr>c=<wbr>business-krakow'
            '</span> and-so</li>')
    wbr = "<wbr>" + NO_BREAK_HYPHEN
    assert hyphens_start_lines(html) == (
        '<li><a href="https://x.pl/">Calls</a> <span class="url">x.pl/<wbr>?d=<wbr>'
        f'<span class="acronym">XIII{wbr}Podgorze</span>&amp;<wbr>c=<wbr>business{wbr}krakow'
        '</span> and-so</li>')


@pytest.mark.parametrize(("source", "expected"), [
    ("<p><em>w</em> <em>Krakowie</em></p>", "<p><em>w</em>\u00a0<em>Krakowie</em></p>"),
    ("<p><strong>W</strong> Krakowie</p>", "<p><strong>W</strong>\u00a0Krakowie</p>"),
    ('<p>pod <a href="https://x.pl/">nr</a> 5</p>',
     '<p>pod <a href="https://x.pl/">nr</a>\u00a05</p>'),
    ("<p>a <em>z</em>\n<strong>zagranicy</strong></p>",
     "<p>a\u00a0<em>z</em>\u00a0<strong>zagranicy</strong></p>"),
    ("<li>w</li> <li>x</li>", "<li>w</li> <li>x</li>"),  # a block ends what binds
    ("<p>x <code>w</code> y</p>", "<p>x <code>w</code> y</p>"),  # code is as typed
])
def test_a_word_that_binds_binds_past_the_inline_element_it_ends(source, expected):
    """A one-letter word or an abbreviation alone in emphasis, bold or a link, with the
    space after the element: a phone ended a line with "w" (*w* *Krakowie*)."""
    assert bind_html(source, rules("pl")) == expected


@pytest.mark.parametrize(("source", "expected"), [
    ("<p>oraz 3 <em>narzędzia</em></p>", "<p>oraz 3\u00a0<em>narzędzia</em></p>"),
    ('<p>zł 419 <a href="https://x.pl/">wniosków</a></p>',
     '<p>zł 419\u00a0<a href="https://x.pl/">wniosków</a></p>'),
    ("<p><em>12 </em><strong>firm</strong></p>", "<p><em>12\u00a0</em><strong>firm</strong></p>"),
    ("<p>rok 2021 <em>(dane)</em></p>", "<p>rok 2021 <em>(dane)</em></p>"),  # no word follows
    ("<p>kwota 12 <em>500 zł</em></p>", "<p>kwota 12\u00a0<em>500\u00a0zł</em></p>"),  # groups
    ("<p>w 2021</p><p>Kraków</p>", "<p>w\u00a02021</p><p>Kraków</p>"),  # a block ends it
])
def test_a_number_binds_to_the_word_an_inline_element_starts(source, expected):
    """Polish binds a number to the word it counts; a corpus issue's e-mail and web page
    left "419 [wniosków](…)" and "3 *narzędzia*" breakable (the word after the space was
    not known past the tag, and a number binds only to a word)."""
    assert bind_html(source, rules("pl")) == expected


def test_polish_words_keep_their_typed_hyphens_on_paper_english_ones_break():
    from newsletter.typography import NO_BREAK_HYPHEN, hyphenated_words_whole

    source = ('<p><span class="acronym">COVID</span>-19 w Kraków-Nowa Huta, 10-12, a - b, '
              '<code>kod-x</code> <a href="https://a-b.pl/">e-mail</a></p>')
    nb = NO_BREAK_HYPHEN
    assert hyphenated_words_whole(source, rules("pl")) == (
        f'<p><span class="acronym">COVID</span>{nb}19 w <span class="compound">Kraków{nb}Nowa'
        f'</span> Huta, 10{nb}12, a - b, <code>kod-x</code> <a href="https://a-b.pl/">'
        f'<span class="compound">e{nb}mail</span></a></p>')  # a compound: never hyphenated
    assert hyphenated_words_whole(source, rules("en")) == source


@pytest.mark.parametrize(("text", "limit"), [
    ("Razem ok. 3 tys. os. w 12 gm. woj. małopolskiego.", SCREEN_BOUND_LIMIT),
    ("prof. zw. dr hab. n. med. inż. arch. K. Lis", SCREEN_BOUND_LIMIT),
    ("Wydział ds. Przedsiębiorczości – w skrócie", SCREEN_TITLE_BOUND_LIMIT),
    ("dr hab. inż. J.K. Nowak, prof. UEK", SCREEN_TITLE_BOUND_LIMIT),
])
def test_on_screens_no_chain_of_releasable_bindings_passes_the_limit(text, limit):
    """A phone cut a chain longer than its line at any letter ("małopolskie" / "go.") or
    after a no-break space ("Przedsiębiorczości" / "– w skrócie"): on screens a chain is
    released after an abbreviation where it would pass the limit; firm bindings (one
    letter, a number, a sign, initials, a dash) stay; paper keeps every binding."""
    import dataclasses

    screen = dataclasses.replace(rules("pl"), bound_limit=limit)
    bound = bind(text, screen)
    assert bound.replace(NBSP, " ") == text
    for piece in bound.split(" "):
        releasable = [w for w in piece.split(NBSP)[:-1] if len(w) > 1 and not w[0].isdigit()
                      and not re.fullmatch(r"(?:\w\.)+", w)]
        assert len(piece) <= limit or not releasable, (piece, bound)
    assert bind(text, rules("pl")).count(" ") < bound.count(" ")  # paper binds them all


@pytest.mark.parametrize(("text", "expected"), [
    ("Konferencja +48 12 616 12 34 w naukowo-badawczy miasto.",
     "Konferencja +48\xa012\xa0616\xa012\xa034 w\xa0naukowo-badawczy miasto."),
    ("tel. +48 12 616 12 34 i 12 500 zł w Krakowie",
     "tel. +48\xa012\xa0616\xa012\xa034\xa0i\xa012\xa0500\xa0zł w\xa0Krakowie"),
    ("razem 1 250 000 000 000 przedsiębiorstw",
     "razem 1\xa0250\xa0000\xa0000\xa0000 przedsiębiorstw"),
    ("razem 1 000 000 000 przedsiębiorstw", "razem 1\xa0000\xa0000\xa0000\xa0przedsiębiorstw"),
    ("do 12 500 zł dla 3 firm", "do 12\xa0500\xa0zł dla 3\xa0firm"),
    # the phone lets go of the word after it, and 'tel.' binds to it again (seed 9000)
    ("dla tel. 12 616 12 34 przedsiębiorczości",
     "dla tel.\xa012\xa0616\xa012\xa034 przedsiębiorczości"),
])
def test_on_screens_a_number_lets_go_of_the_word_it_counts_last(text, expected):
    """A phone number, the number's binding to the next word and a one-letter word chained
    "+48 12 616 12 34 w naukowo-badawczy" (35 characters, firm bindings only): a 320 px
    phone's footnote broke it after "w" (generated seed 8803). Where releasing the
    abbreviations is not enough, a number lets go of the word it counts; a number's groups
    and a one-letter word never part, and a chain within the limit keeps every binding."""
    import dataclasses

    assert bind(text, dataclasses.replace(rules("pl"), bound_limit=SCREEN_BOUND_LIMIT)) \
        == expected
    paper = bind(text, rules("pl"))  # paper's lines hold every binding
    assert all(p == NBSP for p, e in zip(paper, expected, strict=True) if e == NBSP)


CHAIN_WORDS = ["w", "i", "z", "ul.", "tel.", "nr", "ok.", "+48 12 616 12 34", "12 500", "3",
               "zł", "naukowo-badawczy", "przedsiębiorczości", "Kraków", "2021", "firm"]


@pytest.mark.parametrize("seed", range(6))
def test_on_screens_a_piece_past_the_limit_holds_only_firm_bindings(seed):
    """Seeded runs of the words that bind: every piece longer than the screens' limit that
    a browser would have to cut at a letter has nothing left to release (no abbreviation,
    no number before the word it counts): its bindings are all firm (a one-letter word, a
    number's groups)."""
    import dataclasses

    rng = random.Random(seed)
    screen = dataclasses.replace(rules("pl"), bound_limit=SCREEN_BOUND_LIMIT)
    for _ in range(200):
        text = " ".join(rng.choice(CHAIN_WORDS) for _ in range(rng.randint(3, 12)))
        bound = bind(text, screen)
        assert bound.replace(NBSP, " ") == text
        for piece in bound.split(" "):
            if len(piece) <= SCREEN_BOUND_LIMIT:
                continue
            words = piece.split(NBSP)
            releasable = [(a, b) for a, b in itertools.pairwise(words)
                          if (len(a) > 1 and not a[0].isdigit() and a[0] != "+")
                          or (a[-1].isdigit() and b[0].isalpha())]
            assert not releasable, (piece, text)


@pytest.mark.parametrize(("text", "expected"), [
    ("w godz. 8.00–15.30 (pon.–pt.)", "w godz. 8.00–\u206015.30 (pon.–\u2060pt.)"),
    ("31-156 Kraków, COVID-19, 2019–2020", "31-\u2060156 Kraków, COVID-\u206019, 2019–\u20602020"),
    ("a – b, e-mail, Kraków–Warszawa", "a – b, e-mail, Kraków–Warszawa"),  # words break
    ("https://x.pl/nr-1-2027.pdf i x@a-1-2.pl", "https://x.pl/nr-1-2027.pdf i x@a-1-2.pl"),
])
def test_ranges_and_codes_are_joined_addresses_stay_as_typed(text, expected):
    """A link's address is printed in its href too: a joiner there would break the link."""
    from newsletter.typography import keep_ranges_whole

    assert keep_ranges_whole(text) == expected


PIECES = ["w", "i", "a", "z", "ul.", "art.", "dr", "prof.", "J.K.", "50", "%", "§", "10–12",
          "2019–2020", "31-156", "COVID-19", "e-mailem", "Kraków-Nowa", "–", "—", "-",
          "przedsiębiorcy", "miasto", "pdf)", "(x", "Nowak,", "r.", "1."]
TAGS = ["<em>", "</em>", "<strong>", "</strong>", '<a href="https://a-b.pl/x-1-2">', "</a>",
        '<span class="url">(www.krakow.pl/<wbr>dotacje/<wbr>regulamin-2027.pdf)</span>',
        "<code>x-y 10–12</code>", "<br>\n", "</p><p>"]


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("limit", [None, SCREEN_BOUND_LIMIT, SCREEN_TITLE_BOUND_LIMIT])
def test_bound_html_is_the_html_with_only_spaces_bound_and_joiners_added(language, limit):
    """Seeded HTML of every piece the rules act on, between inline and block tags: the
    result differs from the source only by no-break spaces for spaces and word joiners
    after dashes (a binding carried over a tag once printed 'regulamin-2027.pdf))', the
    joiner shifting the text it was cut from); tags, code and addresses stay as typed."""
    import dataclasses

    from newsletter.typography import WORD_JOINER

    chosen = dataclasses.replace(rules(language), bound_limit=limit)
    rng = random.Random(f"{language}-{limit}")
    for _ in range(300):
        html = "<p>" + "".join(rng.choice(TAGS) if rng.random() < 0.15 else
                               rng.choice(PIECES) + rng.choice([" ", " ", "\n", ""])
                               for _ in range(rng.randint(5, 40))) + "</p>"
        bound = bind_html(html, chosen)
        assert _same_but_spaces(html, bound), (html, bound)
        assert bound.count(WORD_JOINER) <= sum(map(html.count, "-–—"))
        for tag in re.findall(r"<[^>]*>", html):
            assert tag in bound
        assert "regulamin-2027.pdf)</span>" in bound or "regulamin" not in html
        assert "<code>x-y 10–12</code>" in bound or "<code>" not in html


def _same_but_spaces(html: str, bound: str) -> bool:
    """``bound`` is ``html`` with runs of spaces (or a line break) made one no-break space
    and joiners added: compared with every run of spaces and no-break spaces as one."""
    from newsletter.typography import WORD_JOINER

    def squeeze(text: str) -> str:
        return re.sub(r"[ \n\u00a0]+", " ", text.replace(WORD_JOINER, ""))

    return squeeze(html) == squeeze(bound)


def test_the_word_after_an_address_is_not_bound_to_the_addresss_last_number():
    """An address's last piece ('…?etap=8&rok=2021') is no number that counts the word
    after it: bound ('2021\u00a0biznes'), that word was hyphenated past a two-column
    article's column when the address ended a line (generated seeds 7102 and 5202: 'biz-'
    10 pt out of the column in the readers' PDF). A number in emphasis still binds."""
    html = ('<p>adres <a class="url" href="x">https://<wbr>x.pl/<wbr>?rok=<wbr>2021</a> '
            'biznes, a w <em>2021</em> roku</p>')
    bound = bind_html(html, rules("pl"))
    assert "2021</a> biznes" in bound
    assert "<em>2021</em>\u00a0roku" in bound and "w\u00a0<em>" in bound


@pytest.mark.parametrize("text, kept, bound", [
    # a link's address (as typed, or printed without its scheme) after a number
    ('dzielnica 419 <a href="x">https://<wbr>x.pl/<wbr>a</a>', "419 <a", ""),
    ('dzielnica 419 <a href="x">x.pl/<wbr>a</a>', "419 <a", ""),
    ('pokój 12 <a href="mailto:a@x.pl">a@x.pl</a>', "12 <a", ""),
    # … as printed, broken before its "@" (a contact card's "tel. … 12 34" and its e-mail
    # address were one piece that ran out of the card: hand-made issue 2027-01)
    ('tel. 12 34\n<a href="mailto:a.b@x.pl" class="url">a.b<wbr>@x.pl</a>', "34\n<a", ""),
    ("dzielnica 419 https://x.pl/a", "419 https", ""),
    ("dzielnica 419 www.x.pl/a", "419 www", ""),
    # inside an address typed as text, its numbers count nothing
    ("adres x.pl/?rok=2021 rada", "2021 rada", ""),
    ("adres x.pl/?a=1&b=2 rada", "2 rada", ""),
    # what still binds: a one-letter word before an address, a number before a word
    ('w <a href="x">https://<wbr>x.pl/</a>', "", "w\u00a0<a"),
    ('mam 5 <a href="x">kotów</a>', "", "5\u00a0<a"),
    ("w https://x.pl/a", "", "w\u00a0https"),
])
def test_a_number_does_not_bind_to_an_address(text: str, kept: str, bound: str):
    """A number counts the word after it, never an address: 'dzielnica 419' bound to the
    link after it made '419\u00a0https://…?rok=2021' one piece on the screens (generated
    seeds 5214, 8301, 8303: html_bindings), and a number inside an address typed as text
    ('?rok=2021') bound to the word after it."""
    result = bind_html(f"<p>{text}</p>", rules("pl"))
    assert kept in result and bound in result, result


@pytest.mark.parametrize("extra", [
    "\n".join(f"{n}. Punkt {n}" for n in range(1, 12)),  # a list of 2-digit numbers
    "Płyta grubości 10mm i 12pt tekstu.",  # what looked like a CSS length
    "Wzór {x} w tekście.",  # a brace
])
def test_a_body_on_paper_is_typeset_whatever_else_it_holds(tmp_path, project: Project,
                                                          extra: str):
    """typeset() left a value alone when it looked like CSS (a length such as '3.60em',
    a brace): a Markdown body is HTML, so a list's style attribute, or an editor's '10mm',
    left the whole body unbound on paper, its acronyms unmarked (generated seed 5201's
    letter: 'prof.' / 'Zając', 'np.' / 'PARP', one-letter words at line ends)."""
    from conftest import one_article_issue

    from newsletter.render.print import render_html

    body = f"Spotkanie w Krakowie dla firm z ZUS.\n\n{extra}\n\nKoniec."
    folder = one_article_issue(tmp_path / "2021-01", body)
    html = render_html(load_issue(folder, project), project, "download")
    assert "w\u00a0Krakowie" in html
    assert '<span class="acronym">ZUS</span>' in html


@pytest.mark.parametrize("title", [
    "Płyta 10mm w Krakowie",  # what looked like a CSS length
    "Wzór {x} w Krakowie",  # a brace
    "Kalkulator calc(x) w Krakowie",
])
def test_a_title_that_looks_like_css_is_still_typeset(tmp_path, project: Project, title: str):
    """typeset() once guessed code from its look (a length, a brace, 'calc(') and left
    such a title unbound: 'w' ended a line before 'Krakowie'. Code is marked by the code
    that makes it now (:class:`newsletter.render.code_values.Code`); the grids' styles,
    which are code, stay as made."""
    from conftest import one_article_issue

    from newsletter.render.print import render_html
    from newsletter.render.web import render_web

    folder = one_article_issue(tmp_path / "2021-01", "Spotkanie dla firm.", title=title)
    issue = load_issue(folder, project)
    for html in (render_html(issue, project, "download"), render_web(issue, project, tmp_path)):
        assert "w\u00a0Krakowie" in html
    sample = load_issue(Path(__file__).parent.parent / "issues" / "2020-12", project)
    for html in (render_html(sample, project, "download"),
                 render_web(sample, project, tmp_path)):
        styles = re.findall(r'style="([^"]*)"', html)
        assert any("repeat(" in s for s in styles)
        assert not any("\u00a0" in s for s in styles), styles


@pytest.mark.parametrize(("html", "expected"), [
    ('<p>open residents 10 <span class="toc-end">km</span></p>',
     '<p>open residents 10\xa0<span class="toc-end">km</span></p>'),
    ("<p>from 9 <em>a.m.</em> to 3 <strong>p.m.</strong></p>",
     "<p>from 9\xa0<em>a.m.</em> to 3\xa0<strong>p.m.</strong></p>"),
    ("<p>all 3 <em>tools</em></p>", "<p>all 3 <em>tools</em></p>"),  # a count, not a unit
])
def test_an_english_unit_after_a_tag_binds_to_its_number(html, expected):
    """A contents entry ends with a span around its title's last word: 'open residents 10
    <span>km</span>' broke as '10' / 'km' (generated seed 9014 en): the number saw only
    the unit's first letter across the tag, no unit. English binds a number to a unit,
    not to any word."""
    assert bind_html(html, rules("en")) == expected


def test_a_name_in_running_text_is_set_whole_with_the_words_chained_to_it():
    """Names are not hyphenated on paper (render/print.py); a span never ends a chain of
    no-break spaces (WeasyPrint then set a paragraph's first words a line each), so the
    chain is set whole; a sentence's first word is no name from text alone."""
    from newsletter.typography import proper_names_whole

    html = (f"<p>Prowadzi go Tomasz Kępa z ul.{NBSP}Szczepańskiej w{NBSP}Krakowie. "
            f"Kraków to miasto: Nowa Huta też, a <em>Mistrzejowice</em> nie.</p>")
    spanned = proper_names_whole(html, rules("pl"))
    whole = re.findall(r'<span class="compound">(.*?)</span>', spanned)
    assert whole == ["Tomasz", "Kępa", f"ul.{NBSP}Szczepańskiej", f"w{NBSP}Krakowie.",
                     "Huta", "Mistrzejowice"], spanned
    assert proper_names_whole(spanned, rules("pl")) == spanned  # inside a span: as it is


def test_a_name_before_a_straight_quote_is_set_whole():
    """A straight quote after a word is escaped in the HTML: "Kaz-" / "imierz" in the
    English PDF of hand-made issue 2029-06 ("…of Kleparz and Kazimierz.")")."""
    from newsletter.typography import proper_names_whole

    html = "<p>(&quot;Ask in the shops of Kleparz and Kazimierz.&quot;) in &#39;Podgórze&#39;</p>"
    whole = re.findall(r'<span class="compound">(.*?)</span>',
                       proper_names_whole(html, rules("en")))
    assert whole == ["Kleparz", "Kazimierz."]


def test_german_capitals_mark_no_names_so_its_nouns_may_be_hyphenated():
    """German capitalises every noun: read as names, almost no word of a German edition or
    passage could be hyphenated and its justified lines would open wide gaps. Its rules
    (typography.yaml, copied into a German edition by `language add de`) say so."""
    from newsletter.typography import proper_names_whole

    german = "Die Stadt fördert Unternehmen mit Zuschüssen und Beratung."
    assert proper_names_whole(f"<p>{german}</p>", rules("de")) == f"<p>{german}</p>"
    quoted = (f'<p>Jak mówi Anna Nowak: <span lang="de">{german}</span> '
              f"I dodaje, że Kraków pomaga.</p>")
    whole = re.findall(r'<span class="compound">(.*?)</span>',
                       proper_names_whole(quoted, rules("pl")))
    assert whole == ["Anna", "Nowak", "Kraków"]
