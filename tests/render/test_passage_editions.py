"""Passages in another language in every edition (issue 17 item 4): a Ukrainian, English,
Polish, French or Turkish passage inside the Polish and the English edition is bound by its
own language's rules in the e-mail, the web page and the text part, and on paper no line
of it ends with a word its language binds; a passage pyphen cannot hyphenate (Turkish)
opens no gaps over three spaces; a German passage's capitalised nouns are hyphenated as
German sets them (capitals there mark no names).

Seeded text, so the rules are proven on the class of text: about fifty Ukrainian
one-letter words in a long article's two columns (under 600 words) give the line breaker
many chances."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest
from conftest import one_article_issue
from lxml import html as lxml_html
from paper import drawn_lines, wide_gaps

from newsletter.load import Project, load_issue
from newsletter.render.email import render_email
from newsletter.render.print import write_download
from newsletter.render.web import render_web

_UK = """підприємці місто розвитку інноваційних програм підтримки сучасних технологій
конференція учасників самоврядування освіти співпраці бізнесу району мешканців міжнародного
зустрічі"""
_TR = """girişimcilerimizin uluslararasılaştırılması belediyesinin kalkınmasına teknolojilerinin
sorumluluklarımızdan Cumhurbaşkanlığı değerlendirilmesi yatırımcılarımızla
üniversitelerimizin"""
_DE = """Unternehmensförderung Stadtverwaltung Wirtschaftsentwicklung Beratungsangebote
Gründerzentren Innovationsprogramme Forschungseinrichtungen Zusammenarbeit Mittelstand
Digitalisierung Arbeitsplätze Fördermittel"""
_DE_SMALL = """die der und für mit von im zur bietet unterstützt stärkt fördert neue"""
_PL = """przedsiębiorcy miasto rozwój innowacyjnych programów wsparcia nowoczesnych technologii
konferencja uczestników samorządu"""
_EN = """entrepreneurs city development innovative programmes support modern technology
conference participants"""
UK_WORDS, TR_WORDS, PL_WORDS, EN_WORDS = (_UK.split(), _TR.split(), _PL.split(), _EN.split())
DE_WORDS, DE_SMALL = _DE.split(), _DE_SMALL.split()
UK_ONE_LETTER = ["в", "у", "з", "і", "й", "о", "а"]
PL_ONE_LETTER = ["w", "z", "i", "o", "a", "u"]
FRENCH = ("Bonjour ! Le maire dit : « nous soutenons les entreprises » ; qui participe ? "
          "Voici la réponse de M. Dupont : « la ville » ! ")


def words(rng: random.Random, vocabulary: list[str], small: list[str], count: int) -> str:
    """``count`` words of ``vocabulary`` with a word of ``small`` before about every third."""
    return " ".join(f"{rng.choice(small)} {rng.choice(vocabulary)}" if small and
                    rng.random() < 0.35 else rng.choice(vocabulary) for _ in range(count))


def body(language: str, seed: int) -> str:
    rng = random.Random(seed)
    own, own_small = (PL_WORDS, PL_ONE_LETTER) if language == "pl" else (EN_WORDS, [])
    other, other_small = (EN_WORDS, []) if language == "pl" else (PL_WORDS, PL_ONE_LETTER)
    other_code = "en" if language == "pl" else "pl"
    return "\n\n".join([
        words(rng, own, own_small, 60),
        "{lang=uk}\n" + words(rng, UK_WORDS, UK_ONE_LETTER, 130) + ".",
        f"{words(rng, own, own_small, 20)} [{words(rng, UK_WORDS, UK_ONE_LETTER, 12)}]{{lang=uk}} "
        f"{words(rng, own, own_small, 20)}.",
        "{lang=" + other_code + "}\n" + words(rng, other, other_small, 80) + ".",
        "{lang=fr}\n" + FRENCH * 3,
        "{lang=tr}\n" + words(rng, TR_WORDS, [], 90) + ".",
        "{lang=de}\n" + " ".join(f"{rng.choice(DE_SMALL)} {rng.choice(DE_WORDS)}"
                                 for _ in range(60)) + ".",
    ])


@pytest.fixture(scope="module", params=["pl", "en"])
def editions(request, project: Project, tmp_path_factory) -> dict[str, Path | str]:
    language = request.param
    root = tmp_path_factory.mktemp(f"passages-{language}")
    loaded = load_issue(one_article_issue(root / "2021-03", body(language, 7), "Passages",
                                          language), project)
    email = render_email(loaded, project)
    return {"language": language, "email": email.html, "text": email.text,
            "web": render_web(loaded, project, root / "out"),
            "pdf": write_download(loaded, project, root / "pdf").files[0]}


def passages(html: str, code: str) -> list[str]:
    document = lxml_html.fromstring(html)
    return [element.text_content() for element in document.iter()
            if isinstance(element.tag, str) and element.get("lang") == code]


def unbound(text: str, small: list[str]) -> list[str]:
    """One-letter words of ``small`` followed by a breakable space."""
    pattern = "|".join(small + [w.upper() for w in small])
    return re.findall(rf"(?<![\w.-])(?:{pattern}) \w+", text)


@pytest.mark.parametrize("edition", ["email", "web"])
def test_html_passages_are_bound_by_their_own_language(editions, edition):
    html = editions[edition]
    ukrainian = passages(html, "uk")
    assert len(ukrainian) == 2 and not unbound(" ".join(ukrainian), UK_ONE_LETTER)
    french = " ".join(passages(html, "fr"))
    assert "Bonjour\u202f!" in french and "«\u00a0nous" in french
    assert not re.findall(r" [!?;:»]|« ", french)
    other = " ".join(passages(html, "en" if editions["language"] == "pl" else "pl"))
    if editions["language"] == "pl":  # English binds no number to its word: Polish would
        assert not re.search(r"\b(?:i|o|u|w|z)\u00a0", other)
    else:
        assert not unbound(other, PL_ONE_LETTER)
    turkish = " ".join(passages(html, "tr"))
    assert "\u00a0" not in turkish  # no known rules: none of the edition's


def test_the_text_part_binds_passages_by_their_own_language(editions):
    text = editions["text"]
    assert not unbound(text, UK_ONE_LETTER)
    assert "Bonjour\u202f!" in text and not re.findall(r" [!?;:»]|« ", text)
    if editions["language"] == "en":
        assert not unbound(text, PL_ONE_LETTER)
    for line in text.splitlines():  # and its wrapping keeps them: no line ends with one
        assert line.rstrip().split(" ")[-1] not in [*UK_ONE_LETTER, "«"], line


def test_no_printed_line_ends_with_a_word_its_passage_binds(editions):
    lines = drawn_lines(editions["pdf"])
    small = set(UK_ONE_LETTER) | {w.upper() for w in UK_ONE_LETTER} | {"«"}
    if editions["language"] == "en":
        small |= set(PL_ONE_LETTER)
    ends = [" ".join(w.text for w in line) for line in lines
            if len(line) > 1 and line[-1].text in small]
    starts = [" ".join(w.text for w in following) for line, following
              in itertools.pairwise(lines) if following[0].text in ("»", "!", "?", ";", ":")]
    assert len(lines) > 60
    assert not ends, ends[:5]
    assert not starts, starts[:5]


def test_a_passage_pyphen_cannot_hyphenate_opens_no_wide_gaps(editions):
    """Turkish: pyphen has no dictionary, so no word of it can break and justified lines
    would stretch their gaps; render/word_gaps.py sets such a paragraph ragged (a guard:
    this passes on the code before passages had their own rules too)."""
    lines = drawn_lines(editions["pdf"])
    turkish = [line for line in lines if any(w.text.strip(".") in TR_WORDS for w in line)]
    assert len(turkish) > 10
    wide = wide_gaps(turkish)
    assert not wide, wide[:5]


def test_a_german_passage_hyphenates_its_capitalised_nouns(editions):
    """Names are never hyphenated on paper, and a capitalised word inside a sentence is
    taken for one (typography.proper_names_whole); German capitalises every noun, so its
    rules say capitals mark no names (typography.yaml): its long nouns break at line ends
    as German does, and its justified lines need no wide gaps."""
    lines = drawn_lines(editions["pdf"])
    german = [line for line in lines
              if sum(w.text.strip(".-\u2010") in DE_SMALL for w in line) >= 2]
    assert len(german) > 10
    broken = [line[-1].text for line in german if line[-1].text[-1:] in "-\u2010\u00ad"]
    assert len(broken) >= 3, [" ".join(w.text for w in line) for line in german]
    assert not wide_gaps(german), wide_gaps(german)[:5]
