"""Seeded random Polish and English prose for typography tests: one-letter words,
abbreviations that bind, numbers, dashes, acronyms, typed hyphens, addresses. What an
editor types, varied, so the rules are proven on the class of text, not on one sample."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import yaml

_PL = """przedsiębiorcy miasto rozwój innowacyjnych programów wsparcia nowoczesnych
technologii konferencja uczestników samorządu edukacji współpracy biznesu dzielnicy
mieszkańców przedsięwzięcia międzynarodowego spotkania"""
_EN = """entrepreneurs city development innovative programmes support modern technology
conference participants government education cooperation business district residents
undertaking international meeting"""
WORDS = {"pl": _PL.split(), "en": _EN.split()}
ONE_LETTER = {"pl": ["w", "z", "i", "o", "a", "u", "W", "Z"], "en": ["a", "I"]}
ABBREVIATIONS = {"pl": ["ul.", "al.", "nr", "tel.", "np.", "im.", "dr", "prof.",
                        # a public office's documents and ranks (issue 17's new issues)
                        "art.", "ust.", "pkt", "poz.", "zob.", "ds.", "tj.", "tzn.", "płk",
                        "płk.", "mec.", "mgr.", "dr.", "red.", "hab."],
                 "en": ["Dr", "Mr", "No.", "Art.", "Col.", "Gen.", "Fr"]}
SIGNS = {"after": ["%", "°C", "‰"], "before": ["§", "€", "£", "№"]}
"""Signs written with a space beside their number, in every language ("50 %", "§ 5")."""
UNITS = {"pl": ["km", "kg", "m²", "zł"], "en": ["km", "kg", "m²", "a.m.", "p.m."]}
INITIALS = ["J.", "A.", "Ż.", "J.K.", "T."]
CODE = ["formularz-wniosku-o-dotacje-2027.docx", "nr-konta-bankowego", "x-api-key-krakow"]
ACRONYMS = ["COVID", "UNESCO", "KRAKÓW", "ICORN", "MŚP", "NATO"]
LONG_ACRONYMS = ["PRZEDSIĘBIORCZOŚĆ", "INTERNATIONAL", "WSPÓŁPRACA", "EUROPEJSKIEGO"]
HYPHENATED = ["e-mail", "biało-czerwony", "COVID-19", "science-business", "B2B-partner",
              "naukowo-badawczy", "Kraków-Nowa"]
ADDRESSES = ["https://www.dlabiznesu.krakow.pl/programy-wsparcia/2021/nowe-mapy",
             "pi-umk@um.krakow.pl", "https://krakow.pl/a-b/c-d?x=1&y=2", "invest@um.krakow.pl",
             "obsluga-inwestorow-i-przedsiebiorcow@um.krakow.pl",
             "https://www.mapa-msp-dla-przedsiebiorcow.krakow.pl/zgloszenia"]


def sentence(rng: random.Random, language: str) -> str:
    """One sentence mixing everything the rules act on."""
    words = WORDS[language]
    parts: list[str] = [rng.choice(words)]  # a sentence starts with a word, not a dash
    for _ in range(rng.randint(8, 18)):
        roll = rng.random()
        if roll < 0.22:
            parts += [rng.choice(ONE_LETTER[language]), rng.choice(words)]
        elif roll < 0.32:
            parts += [rng.choice(ABBREVIATIONS[language]), rng.choice(words).capitalize()]
        elif roll < 0.40:
            parts += [str(rng.randint(2, 999)), rng.choice(words)]
        elif roll < 0.47:
            parts += [rng.choice(["–", "—"]), rng.choice(words)]
        elif roll < 0.55:
            parts.append(rng.choice(ACRONYMS))
        elif roll < 0.62:
            parts.append(rng.choice(HYPHENATED))
        elif roll < 0.65:
            parts.append(rng.choice(ADDRESSES))
        elif roll < 0.67:  # an address written as a link's words (as editors link e-mail)
            address = rng.choice([a for a in ADDRESSES if "@" in a])
            parts.append(f"[{address}](mailto:{address})")
        elif roll < 0.71:
            number = str(rng.randint(2, 999))
            parts += rng.choice([[number, rng.choice(SIGNS["after"])],
                                 [rng.choice(SIGNS["before"]), number],
                                 [number, rng.choice(UNITS[language])]])
        elif roll < 0.74:
            parts += [rng.choice(INITIALS), rng.choice(words).capitalize()]
        elif roll < 0.77:  # code with hyphens, typed as printed (a form's file name)
            parts.append(f"`{rng.choice(CODE)}`")
        elif roll < 0.79:  # a word that binds alone in emphasis, the space after it outside
            mark, after = rng.choice(["*", "**"]), rng.choice(["", "*", "**"])
            parts += [f"{mark}{rng.choice(ONE_LETTER[language])}{mark}",
                      f"{after}{rng.choice(words)}{after}"]
        else:
            parts.append(rng.choice(words))
    text = " ".join(parts)
    return text[:1].upper() + text[1:] + "."


def paragraphs(seed: int, language: str, count: int = 6, size: int = 6) -> list[str]:
    """``count`` paragraphs of ``size`` sentences each."""
    rng = random.Random(f"{seed}-{language}")
    return [" ".join(sentence(rng, language) for _ in range(size)) for _ in range(count)]


LONG_ADDRESS = ("https://www.umk.pl/wspolpraca/przedsiebiorcy/formularz-zgloszeniowy/"
                "programy-wsparcia-dla-firm/regulamin?lang=pl&typ=firma&etap=drugi")


def nested(seed: int, language: str, count: int = 18) -> list[str]:
    """Paragraphs of inline markup inside inline markup, as an interview is typed: a
    question wholly in bold holding acronyms and *emphasis*, a link whose words are bold,
    a long address (a link of its own) running over line ends.
    (On paper each acronym is a span of its own, so an acronym in a bold question or a link
    is an inline inside an inline.)"""
    rng = random.Random(f"nested-{seed}-{language}")
    texts = []
    for index in range(count):
        words = [rng.choice(WORDS[language]) for _ in range(rng.randint(14, 40))]
        for slot in range(1, len(words)):
            if rng.random() < 0.35:
                words[slot] = rng.choice([rng.choice(ACRONYMS), f"*{words[slot]}*"])
        words[0] = words[0].capitalize()
        text = " ".join(words)
        if index % 3 == 2:  # an address over a line end, whose last part then is in the
            words.insert(rng.randrange(1, len(words)), LONG_ADDRESS + ".")  # line's first inline
            words.insert(rng.randrange(1, len(words)), LONG_ADDRESS + ",")
            cut = rng.randrange(1, len(words))
            text = (" ".join(words[:cut]) + f" [**{' '.join(words[cut:])}**]"
                    f"(https://krakow.pl/{index})")
            texts.append(text + ".")
        else:
            texts.append(f"**{text}?**")
    return texts


def generated_issue(folder: Path, language: str, seed: int) -> Path:
    """An issue of generated prose in one language: an article (with an interview's bold
    questions) and a two-column card text."""
    body = "\n\n".join(paragraphs(seed, language, count=8, size=5) + nested(seed, language))
    card = " ".join(paragraphs(seed + 1, language, count=1, size=3))
    rng = random.Random(seed)  # a narrow card full of long words in capitals
    acronyms = " ".join(rng.choice(ACRONYMS + LONG_ACRONYMS) for _ in range(40))
    issue = {
        "date": "2021-02-01", "language": language,
        "sections": [{"kind": "cooperation", "blocks": [
            {"type": "article", "body": body,
             "title": "Rozmowa z prof. Anną Kowalską, prorektor UMK ds. współpracy z NATO"},
            {"type": "link_cards", "cards": [
                {"title": "Karta", "text": card, "url": "https://krakow.pl/"},
                {"title": "Druga", "text": card, "url": "https://krakow.pl/b"},
                {"title": "Skróty", "text": acronyms, "url": "https://krakow.pl/c"}]},
        ]}],
    }
    folder.mkdir(parents=True)
    (folder / "issue.yaml").write_text(yaml.safe_dump(issue, allow_unicode=True), "utf-8")
    return folder


def plain_sentences(rng: random.Random, words: list[str]) -> Callable[[int], str]:
    """A maker of plain sentences of ``words`` (a count given, capitalised, a full stop):
    filler for layout tests, where only the text's length matters."""
    def made(count: int) -> str:
        return " ".join(rng.choice(words) for _ in range(count)).capitalize() + "."

    return made


def block_between_articles(folder: Path, rng: random.Random, words: list[str],
                           block: Callable[[Callable[[int], str]], str],
                           paragraphs: tuple[int, int], after: int, date: str) -> Path:
    """``folder`` made a Polish issue of a seeded article of ``paragraphs`` (fewest, most)
    paragraphs, the block ``block`` writes (YAML of a block's entry, given the sentence
    maker), and an article of ``after`` paragraphs: the block falls at a depth of a page
    the seed picks. Layout tests of blocks that never break inside."""
    sentence = plain_sentences(rng, words)
    folder.mkdir(parents=True)
    (folder / "before.md").write_text(
        f"---\ntitle: {sentence(5)[:-1]}\nlead: {sentence(25)}\n---\n" + "\n\n".join(
            sentence(rng.randint(20, 70)) for _ in range(rng.randint(*paragraphs))) + "\n",
        encoding="utf-8")
    (folder / "after.md").write_text(
        f"---\ntitle: {sentence(5)[:-1]}\n---\n" + "\n\n".join(
            sentence(rng.randint(30, 60)) for _ in range(after)) + "\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        f"date: {date}\nlanguages: [pl]\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - file: before.md\n" + block(sentence) + "      - file: after.md\n",
        encoding="utf-8")
    return folder
