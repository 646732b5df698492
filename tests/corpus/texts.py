"""Words and Markdown as editors type them, in English and Polish, from a seeded random.

Every construct docs/authoring.md allows: paragraphs, ``##``/``###`` headings, nested and
numbered lists, quotations, emphasis, links of every form (``[label](https://…)``,
``<https://…>``, a bare ``https://…``, ``www.…``, an e-mail address, ``mailto:``), Polish
abbreviations with dots (``m.in.``, ``np.``, ``tzw.``, ``m.st.``), spaced numbers, very long
words and 180-character addresses; pipe tables and footnotes with their features.

With ``office`` (the corpus feature), what a city office's editor also writes, drawn from
a second random roll so that issues without it stay as they were: titles and
abbreviations before names and numbers ("dr Nowak", "prof. Zając", "nr 5", "ul.
Wielicka 28"), acronyms in capitals ("PARP", "NCBR"), hyphenated postal codes and words
("31-156 Kraków", "e-mail", "Kraków-Nowa Huta"), e-mail addresses in the text, words
with the "fi", "fl", "ff" ligatures, and passages in Ukrainian or French (``{lang=uk}``).
"""

from __future__ import annotations

import random


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = {
    "en": _words("city business support entrepreneurs programme innovation cooperation grant "
                 "application company office market research platform startup investment "
                 "budget conference participants network council district project partner "
                 "science open space education survey map residents industry services future "
                 "year week month the of and for with in to a new local public digital green "
                 "transport"),
    "pl": _words("miasto biznes wsparcie przedsiębiorców program innowacje współpraca dotacja "
                 "wniosek firma urząd rynek badania platforma inwestycja budżet konferencja "
                 "uczestnicy sieć rada dzielnica projekt partner nauka przestrzeń edukacja "
                 "ankieta mapa mieszkańcy branża usługi przyszłość rok tydzień miesiąc źródło "
                 "żółć gęśla jaźń w i dla z na do nowy lokalny publiczny cyfrowy zielony "
                 "transport"),
}
ABBREVIATIONS = {"en": ("e.g.", "i.e.", "etc.", "approx.", "St."),
                 "pl": ("m.in.", "np.", "tzw.", "m.st.", "ok.", "tj.", "ul.", "godz.")}
LONG_WORDS = ("Konstantynopolitańczykowianeczka", "przeciwkonstytucyjnościowy",
              "dziewięćsetdziewięćdziesięciodziewięcioletni",
              "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz",
              "pneumonoultramicroscopicsilicovolcanoconiosis")
NUMBERS = ("1 234 567", "12 500 zł", "+48 12 616 12 34", "99,5%", "€2,5 mln", "2021–2027",
           "419", "5", "3,2 mld zł", "1 000 000+")
OFFICE = {
    "pl": ("dr Nowak", "dr. Kowalskiego", "prof. Zając", "prof. dr hab. Wiśniewska", "nr 5",
           "nr 12", "ul. Wielicka 28", "al. Jana Pawła II 41", "tel. 12 616 12 34",
           "np. PARP", "im. Kościuszki", "mgr inż. Kwiatkowski", "pkt 3", "art. 15 ust. 2",
           "PARP", "NCBR", "MŚP", "ZUS", "31-156 Kraków", "30-552", "e-mail", "e-mailem",
           "Kraków-Nowa Huta", "naukowo-badawczy", "COVID-19", "biało-czerwony",
           "ofiarność", "efektywność", "afisz", "konfliktu", "refleksja", "fizyka",
           "definicja", "profil", "s. 4", "3 wnioski", "20 tys. zł", "ok. 40 osób"),
    "en": ("Dr Nowak", "Prof. Zając", "No. 5", "Mr Smith", "Art. 15", "PARP", "NCBR", "SME",
           "31-156 Kraków", "e-mail", "well-known", "COVID-19", "office", "efficient",
           "financial", "flagship", "affluent", "official", "profile", "fifty", "10 km",
           "9 a.m.", "50 %", "§ 5"),
}
"""What an office's editor writes beyond :data:`WORDS` (with the ``office`` feature)."""
PASSAGES = {"uk": ("Місто допомагає з реєстрацією фірми і в пошуку офісу в Кракові",
                   "Консультації для підприємців у м. Київ і вул. Хрещатик 5"),
            "fr": ("La ville aide les entreprises à trouver un bureau : bienvenue à Cracovie !",
                   "Le programme « Kraków » offre 5 km de pistes et 20 % de réduction")}
DOMAINS = ("krakow.pl", "dlabiznesu.krakow.pl", "example.org", "jestemaktywny.krakow.pl",
           "life-science.example.com")


def word(rng: random.Random, lang: str, office: bool = False) -> str:
    """One word, now and then an abbreviation, a number or a very long word (or, with
    ``office``, one of :data:`OFFICE`, an e-mail address)."""
    roll = rng.random()
    if office and rng.random() < 0.12:
        return email_address(rng) if rng.random() < 0.08 else rng.choice(OFFICE[lang])
    if roll < 0.03:
        return rng.choice(LONG_WORDS)
    if roll < 0.07:
        return rng.choice(ABBREVIATIONS[lang])
    if roll < 0.10:
        return rng.choice(NUMBERS)
    return rng.choice(WORDS[lang])


def phrase(rng: random.Random, lang: str, count: int, office: bool = False) -> str:
    """``count`` words as plain text (titles, leads, labels: no Markdown)."""
    text = " ".join(word(rng, lang, office) for _ in range(max(1, count)))
    return text[0].upper() + text[1:]


def url(rng: random.Random, long: bool = False) -> str:
    """A full address; a long one has 180 characters of path and query."""
    host = ("www." if rng.random() < 0.5 else "") + rng.choice(DOMAINS)
    path = "/".join(rng.choice(WORDS["en"]) for _ in range(rng.randint(0, 3)))
    address = f"https://{host}/{path}"
    if long:
        while len(address) < 180:
            address += f"{rng.choice(WORDS['en'])}-{rng.randint(1, 9999)}/"
        address += f"?etap={rng.randint(1, 9)}&rok=2021"
    return address


def email_address(rng: random.Random) -> str:
    return f"{rng.choice(('pi.umk', 'invest', 'kontakt', 'biuro'))}@{rng.choice(DOMAINS)}"


def inline(rng: random.Random, lang: str, office: bool = False) -> str:
    """One inline construct: emphasis or a link of some form."""
    label = phrase(rng, lang, rng.randint(1, 4), office)
    forms = (
        lambda: f"*{label}*",
        lambda: f"**{label}**",
        lambda: f"[{label}]({url(rng, rng.random() < 0.2)})",
        lambda: f"<{url(rng)}>",
        lambda: url(rng, rng.random() < 0.3),
        lambda: f"www.{rng.choice(DOMAINS)}",
        lambda: email_address(rng),
        lambda: f"[{label}](mailto:{email_address(rng)})",
    )
    return rng.choice(forms)()


def sentence(rng: random.Random, lang: str, count: int, footnotes: list[str] | None,
             office: bool = False) -> str:
    """``count`` words with inline constructs mixed in, ending with a full stop."""
    parts = [rng.choice(WORDS[lang])]  # a paragraph opening with "419." would be a list
    for _ in range(max(1, count) - 1):
        parts.append(inline(rng, lang, office) if rng.random() < 0.04
                     else word(rng, lang, office))
    if footnotes is not None and rng.random() < 0.15:
        footnotes.append(phrase(rng, lang, rng.randint(3, 12), office) + ".")
        if not parts[-1].isalpha():  # after an address the mark would join it
            parts.append(rng.choice(WORDS[lang]))
        parts[-1] += f"[^{len(footnotes)}]"
    text = " ".join(parts)
    return text[0].upper() + text[1:] + "."


def markdown(rng: random.Random, lang: str, words: int, features: frozenset[str]) -> str:
    """About ``words`` words of Markdown: paragraphs and, in longer texts, the other
    constructs. Each paragraph stays on one line (as the docs advise)."""
    footnotes: list[str] | None = [] if "footnotes" in features else None
    office = "office" in features
    blocks: list[str] = []
    left = max(1, words)
    while left > 0:
        size = min(left, rng.randint(1, 90))
        left -= size
        kind = rng.random() if words > 20 else 0.0
        if office and size >= 4 and rng.random() < 0.06:  # a passage in another language
            code = rng.choice(sorted(PASSAGES))
            blocks.append(f"{{lang={code}}}\n{rng.choice(PASSAGES[code])}.")
        elif kind < 0.6 or size < 4:
            blocks.append(sentence(rng, lang, size, footnotes, office))
        elif kind < 0.68:
            blocks.append(f"{rng.choice(('##', '###'))} "
                          f"{phrase(rng, lang, min(size, 12), office)}")
        elif kind < 0.78:
            items = []
            for _ in range(rng.randint(1, 5)):
                items.append(f"- {sentence(rng, lang, rng.randint(1, 12), footnotes, office)}")
                if rng.random() < 0.3:
                    items += [f"  - {phrase(rng, lang, rng.randint(1, 8), office)}"
                              for _ in range(rng.randint(1, 3))]
            blocks.append("\n".join(items))
        elif kind < 0.85:
            blocks.append("\n".join(
                f"{n}. {sentence(rng, lang, rng.randint(1, 10), footnotes, office)}"
                for n in range(1, rng.randint(2, 6))))
        elif kind < 0.92:
            blocks.append("> " + sentence(rng, lang, size, footnotes, office))
        elif "tables" in features:
            blocks.append(table(rng, lang, office))
        else:
            blocks.append(sentence(rng, lang, size, footnotes, office))
    if footnotes:
        blocks += [f"[^{n}]: {text}" for n, text in enumerate(footnotes, 1)]
    return "\n\n".join(blocks) + "\n"


def table(rng: random.Random, lang: str, office: bool = False) -> str:
    """A pipe table: a header row, 1–8 rows of 2–5 cells (words, numbers, a link)."""
    columns = rng.randint(2, 5)
    header = [phrase(rng, lang, rng.randint(1, 3), office) for _ in range(columns)]
    rows = [[rng.choice((phrase(rng, lang, rng.randint(1, 4), office), rng.choice(NUMBERS),
                         inline(rng, lang, office))) for _ in range(columns)]
            for _ in range(rng.randint(1, 8))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * columns) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
