"""Where lines may break, for every edition: numbers stay whole, URLs break only at slashes.

Editors write ``1 234 567``, ``12 500 zł`` or ``+48 12 616 12 34`` with ordinary (or thin)
spaces, and long addresses as they are. A reader must never see a number or a phone number
split over two lines, nor an address with a hyphen that is not in it (a URL typed from
paper with an invented hyphen leads nowhere). These rules are applied to text before any
template sees it, so the e-mail, the web page, both PDFs and the text part agree.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsletter.kept_strings import KeptStrings

DIGIT_SPACE = re.compile(r"(?<=\d)[ \u2009](?=\d)")
"""A space (or thin space) between two digits: where a number must not break."""
_NO_BREAK = {" ": "\u00a0", "\u2009": "\u202f"}  # space → no-break, thin → narrow no-break


def keep_numbers_together(text: str) -> str:
    """Spaces between digits become no-break spaces (thin ones narrow no-break spaces), so
    ``1 234 567`` and ``+48 12 616 12 34`` are never split at a line end."""
    return DIGIT_SPACE.sub(lambda m: _NO_BREAK[m.group()], text)


_URL_BREAK = re.compile(r"([/?&=#]+)(?=[^/?&=#])")
_BEFORE_AT = re.compile(r"(?<=[^\x00])(?=@)")
_LOOKS_LIKE_URL = re.compile(r"^(https?://|www\.|mailto:)|^[\w.-]+\.[a-z]{2,}/"
                             r"|^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.IGNORECASE)


def looks_like_url(text: str) -> bool:
    """Whether a piece of text is an address (printed as it is, broken only at its parts):
    a URL, or an e-mail address (``[obsluga-inwestorow@um.krakow.pl](mailto:…)`` was
    hyphenated in the PDFs as a word, ``obsluga-inwe-``, with its address printed again)."""
    return bool(_LOOKS_LIKE_URL.match(text.strip()))


def display_url(url: str) -> str:
    """An address as printed for a reader: no scheme, no trailing slash, mailto: as the bare
    address, and its letters as letters. A browser's address bar copies
    ``wiki/Krak%C3%B3w`` (and Markdown encodes ``Kraków`` so), which a reader of the paper
    would have to type as written; an escape that is no letter (``%20``, ``%2F``, ``%26``)
    is kept, as the address needs it."""
    shown = re.sub(r"^(https?://|mailto:)", "", url).rstrip("/")
    return _ENCODED_LETTERS.sub(_letters, shown)


_ENCODED_LETTERS = re.compile(r"(?:%[C-Fc-f][0-9A-Fa-f](?:%[89ABab][0-9A-Fa-f]){1,3})+")
"""Percent-encoded UTF-8 sequences of characters beyond ASCII (a lead byte, then 1-3
continuation bytes)."""


def _letters(match: re.Match[str]) -> str:
    import urllib.parse

    written = match.group()
    try:
        decoded = urllib.parse.unquote(written, errors="strict")
    except UnicodeDecodeError:
        return written
    # Only what prints as itself: an encoded no-break space or an invisible mark stays encoded.
    return decoded if all(c.isprintable() and not c.isspace() for c in decoded) else written


def breakable_url(text: str) -> str:
    """An address as HTML with ``<wbr>`` after each ``/ ? & = #`` and before an ``@``:
    where a long address may break without a hyphen (the templates set ``hyphens: manual``
    on addresses). An e-mail address has no ``/``: 'invest@jestemaktywny.krakow.pl' in a
    card's list ran past the card's edge on paper (generated seed 9283)."""
    from markupsafe import escape

    pieces = _BEFORE_AT.sub("\x00", _URL_BREAK.sub("\\1\x00", text)).split("\x00")
    return "<wbr>".join(str(escape(piece)) for piece in pieces)


_ADDRESS = re.compile(
    r"(?<![\w@/.-])(?:(?:https?://|mailto:|www\.)[^\s<>\"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)",
    re.IGNORECASE)
"""An address typed in running text: a URL (scheme or ``www.``) or an e-mail address."""
_ADDRESS_END = ".,;:!?)]}\u201d\u2019"  # a sentence's punctuation after an address


def keep_addresses_whole(text: str) -> str:
    """Plain text (a title, a heading, a caption) as HTML, with each address it holds in a
    ``<span class="address">``, which the print CSS never hyphenates, broken only after
    ``/ ? & = #`` (:func:`breakable_url`): an address typed in a plain field breaks where
    the ones in Markdown texts do, never at a hyphen added by hyphenation that a reader of
    the paper would then type."""
    from markupsafe import escape

    html, done = [], 0
    for match in _ADDRESS.finditer(text):
        address = match.group().rstrip(_ADDRESS_END)
        html += [str(escape(text[done:match.start()])),
                 f'<span class="address">{breakable_url(address)}</span>']
        done = match.start() + len(address)
    return "".join(html) + str(escape(text[done:]))


# Per-language rules: where a space must not break a line. --------------------------------

NO_BREAK_SPACE = "\u00a0"

_ADDRESS_START = r"(?:https?:|www\.|mailto:|[\w.+-]+@|(?:[\w-]+\.)+[a-z]{2,}/)"
"""What an address (a URL, an e-mail address, one printed without its scheme) starts with:
a number before it counts nothing ('dzielnica 419 https://…'), so it does not bind."""
SIGN_AFTER = "%‰‱°℃℉"
"""Signs written after a number with a space ("50 %", "20 °C"): they never start a line."""
SIGN_BEFORE = "§¶€£$¥₴№"
"""Signs written before a number with a space ("§ 5", "€ 100"): they never end a line."""
CURRENCY_CODES = ("PLN", "EUR", "USD", "GBP", "CHF", "UAH", "CZK")
"""Currencies' codes, which stay with an amount written after them as a sign does ("PLN
25,000": "up to PLN / 25,000" broke a table's cell, hand-made issue 2027-03)."""

_CAPITALS = "".join(c for c in map(chr, range(0x41, 0x530)) if c.isupper() and c.isalpha())
_SMALL = "".join(c for c in map(chr, range(0x61, 0x530)) if c.islower() and c.isalpha())
INITIALS = rf"(?<![\w.])(?:[{_CAPITALS}]\.){{1,3}}"
"""An initial or initials of a name ("J.", "J.K.", "Т."): they stay with the surname after
them, in every language (a reader must not find "J." at a line's end, its name below)."""


@dataclass(frozen=True)
class Rules:
    """A language's typography, read from its ``typography:`` entry in
    ``templates/_shared/strings.yaml`` (data beside its words, so a new language is data),
    or for a language an edition quotes but does not publish in, from
    ``templates/_shared/typography.yaml`` (:data:`PASSAGES_FILE`).

    ``bind_after``: words (one-letter words, abbreviations, titles) that never end a line:
    the space after them becomes a no-break space. ``bind_numbers``: a number stays with the
    word after it ("3 narzędzia", "12 500 zł"). ``bind_units``: words that stay with the
    number before them where numbers do not bind every word (English "10 km", "9 a.m.", but
    "3 tools" may break). ``street_words``: a street's name after one of these keeps its
    house number ("ul. Józefińska" / "14" left the number alone at a line's start: hand-made
    issues). ``break_at_hyphens: false``: on paper a line never breaks at a hyphen typed
    inside a word ("Kraków-Nowa Huta", "e-mailem"): Polish repeats such a hyphen at the next
    line's start, which no PDF renderer draws, and a lone "Kraków-" at a line's end reads as
    a word hyphenated there. In every language a dash (–, —, or a hyphen standing alone as
    one) never starts a line, and a number stays with a sign that belongs to it, written
    with a space: "50 %", "20 °C", "§ 5", "€ 100", "№ 3" (:data:`SIGN_AFTER`,
    :data:`SIGN_BEFORE`: signs, not words, so they are the same in every language).
    """

    bind_after: frozenset[str] = frozenset()
    bind_numbers: bool = False
    bind_units: frozenset[str] = frozenset()
    break_at_hyphens: bool = True
    street_words: frozenset[str] = frozenset()
    capitals_mark_names: bool = True
    """A word of a capital and small letters inside a sentence is a name, never hyphenated
    on paper (:func:`proper_names_whole`). Not in German, where every noun is capitalised:
    keeping them whole would take away most of a German text's hyphenation."""
    bound_limit: int | None = None
    """Set for screens (:data:`SCREEN_BOUND_LIMIT`, :data:`SCREEN_TITLE_BOUND_LIMIT`): pieces
    that bindings chain longer than
    this are released after an abbreviation (:func:`_released`); none on paper and in the
    text part, whose lines are known to hold them."""
    space_before: tuple[tuple[str, str], ...] = ()
    """Punctuation a typed space before which never breaks, with the space it becomes
    (French "Bonjour !": a narrow no-break space, so "!" never starts a line)."""
    space_after: tuple[tuple[str, str], ...] = ()
    """The same after an opening mark (French "« Bonjour »")."""
    dash: str = "\u2014"
    """The dash set, spaced, between an issue's name and its month in the PDFs' and the
    web page's titles: an em dash, or the en dash of Polish ("Business Kraków – czerwiec
    2029"; the em dash of English read as a mistake to a Polish proof-reader, hand-made
    issue 2029-06)."""
    hyphen_limits: tuple[int, int, int] | None = None
    """On paper: the shortest word hyphenated, and the fewest letters a hyphen leaves
    before and after it (CSS ``hyphenate-limit-chars``); None: WeasyPrint's 5 2 2.
    English leaves at least three on the next line ("For-" / "um." reads badly)."""
    passages: tuple[tuple[str, Rules], ...] = field(default=(), repr=False)
    """The rules of the languages a text may quote (``lang="uk"`` on a passage), by code:
    a passage is bound by its own language's rules (:meth:`for_passage`)."""

    def __hash__(self) -> int:
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:
        # once per object: each bound text's cache looks its rules up, and with the quoted
        # languages' rules inside them hashing them anew was a fifth of an e-mail's render
        return hash((self.bind_after, self.bind_numbers, self.bind_units,
                     self.break_at_hyphens, self.bound_limit, self.space_before,
                     self.space_after, self.hyphen_limits, self.passages,
                     self.street_words, self.capitals_mark_names, self.dash))

    def for_passage(self, language: str) -> Rules:
        """The rules a passage in ``language`` ("uk", "en-GB") is bound by inside a text
        bound by these: its own language's (by code, else by its first part), set for the
        same medium (screens' :attr:`bound_limit`); a language with no known rules binds
        nothing of another's, only what every language binds (dashes, signs, initials)."""
        return _passage_rules(self, language.strip().lower())

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """Where plain text binds: spaces only (a line break in plain text is structure:
        a list item, a heading's line)."""
        return self._compile("[ ]+")

    @functools.cached_property
    def html_pattern(self) -> re.Pattern[str]:
        """Where HTML text binds: spaces and the line breaks Markdown keeps in a paragraph."""
        return self._compile("[ \n]+")

    def _compile(self, spaces: str) -> re.Pattern[str]:
        words = sorted(self.bind_after, key=len, reverse=True)
        alternatives = [rf"(?<![\w.@/&#-]){re.escape(word)}" + ("" if word.endswith(".")
                                                              else r"(?![\w.@/-])")
                        for word in words]
        # not a number inside an address ('…?rok=2021 biznes'): it counts nothing
        number = r"(?<![\w.,/:@#=?&~%-])\d+(?:[.,]\d+)?"
        if self.bind_numbers:
            alternatives.append(rf"{number}(?={spaces}(?!{_ADDRESS_START})[^\W\d_])")
            # an ordinal ("3. lokal", "1. miejsce"); a full stop before a capital ends a
            # sentence ("w 2026. Kraków"), where a line may break
            alternatives.append(rf"(?<![\w.,/:@#-])\d+\.(?={spaces}[{_SMALL}])")
            # an ordinal in Roman numerals with the word after it: "gospodarczej II" /
            # "Rzeczypospolitej" in an e-mail at 375 px (hand-made issue 2029-03), "w XX" /
            # "wieku" (after a name, "Zygmunta III Wazy", the three stay together)
            alternatives.append(rf"(?<=[{_SMALL}] ){_REGNAL}(?={spaces}[^\W\d_])")
        if self.bind_units:
            units = "|".join(re.escape(unit) for unit in
                             sorted(self.bind_units, key=len, reverse=True))
            alternatives.append(rf"{number}(?={spaces}(?:{units})(?![\w/@-]))")
        alternatives.append(rf"{number}(?={spaces}[{SIGN_AFTER}])")
        # a number's groups ("12 500", "+48 12 616 12 34"): one number, in every language
        # and every field (Markdown's text had it, a title's "do 12 500 zł" broke on a phone)
        alternatives.append(rf"{number}(?={spaces}\d)")
        alternatives.append(rf"[{SIGN_BEFORE}](?={spaces}\d)")
        # a postal code with its town ("31-156" / "Kraków" in the text part's footer, a Polish
        # address in either language: hand-made issues 2027-09 and 2028-02)
        alternatives.append(rf"(?<![\w.,/:@#-])\d{{2}}-\d{{3}}(?={spaces}[{_CAPITALS}])")
        # a regnal number with its name ("al. Jana Pawła" / "II 232.", hand-made 2027-09)
        alternatives.append(rf"(?<![\w.@/&#-])[{_CAPITALS}][^\W\d_]*(?={spaces}{_REGNAL}"
                            rf"(?![\w]|\.\w))")
        alternatives.append(rf"(?<![\w.@/-])(?:{'|'.join(CURRENCY_CODES)})(?={spaces}\d)")
        alternatives.append(rf"{INITIALS}(?={spaces}[{_CAPITALS}])")
        if self.space_after:
            alternatives.append("[" + re.escape("".join(dict(self.space_after))) + "]")
        bound = "|".join(alternatives) or r"(?!)"
        before = ("|" + spaces + "(?=([" + re.escape("".join(dict(self.space_before))) + "]))"
                  if self.space_before else "")
        # group 1: a word that binds forward, then its spaces; or the spaces before a dash;
        # group 2: punctuation the spaces before it never break before (French "!")
        return re.compile(rf"(?:({bound}){spaces}(?=\S)|{spaces}(?=[–—] |-[ \n]){before})")

    def bound(self, text: str, pattern: re.Pattern[str]) -> str:
        """``text`` with its bindings (``pattern``: :attr:`pattern` or :attr:`html_pattern`),
        the releasable ones marked for :func:`_released`."""
        bound = pattern.sub(self.binding, text)
        if not self.street_words:
            return bound
        return self._streets.sub(lambda street: street.group(1) + _WEAK, bound)

    @functools.cached_property
    def _streets(self) -> re.Pattern[str]:
        """The space between a street's name (up to four words after a street word, each
        starting with a letter: "al. Jana Pawła II") and its house number ("14", "14a",
        "12/3", "3-4"; not an amount, a time or a date: "3,5", "12:30", "15.03")."""
        words = "|".join(re.escape(word) for word in
                         sorted(self.street_words, key=len, reverse=True))
        gap = f"[ \u00a0{_WEAK}{_WEAK_COUNT}]+"
        word = rf"[^\W\d_][^\s<>{_WEAK}{_WEAK_COUNT}]*"
        house = rf"\d+[{_SMALL}]?(?:[/–-]\d+[{_SMALL}]?)?(?![\w@/-]|[.,:]\d)"
        return re.compile(rf"((?<![\w.@/&#-])(?:{words}){gap}(?:{word}{gap}){{0,3}}?{word})"
                          rf" +(?={house})")

    @functools.cached_property
    def _spaces_before(self) -> dict[str, str]:
        return dict(self.space_before)

    @functools.cached_property
    def _spaces_after(self) -> dict[str, str]:
        return dict(self.space_after)

    def binding(self, match: re.Match[str]) -> str:
        """The binding's space: firm after a one-letter word, inside a number, after a sign
        and before a dash, initials (what must never part); releasable
        (:data:`SCREEN_BOUND_LIMIT`) after an abbreviation or a title, the lesser fault at a
        line's end, and, when that is not enough, between a number and the word it counts;
        the language's own before (after) punctuation (:attr:`space_before`)."""
        word = match.group(1)
        if word is None:
            mark = match.group(2) if match.re.groups > 1 else None
            return self._spaces_before[mark] if mark else NO_BREAK_SPACE
        if word in self._spaces_after:
            return word + self._spaces_after[word]
        if word[0].isdigit() and match.string[match.end():match.end() + 1].isalpha():
            return word + _WEAK_COUNT  # a number with the word it counts
        if len(word) == 1 or word[0].isdigit() or word in SIGN_BEFORE or \
                _INITIALS.fullmatch(word):
            return word + NO_BREAK_SPACE
        return word + _WEAK


@functools.lru_cache(maxsize=256)
def _passage_rules(rules: Rules, code: str) -> Rules:
    """:meth:`Rules.for_passage`, made once per language and medium (each new object
    would compile its patterns again)."""
    table = dict(rules.passages)
    found = table.get(code) or table.get(code.split("-")[0]) or Rules()
    return dataclasses.replace(found, bound_limit=rules.bound_limit, passages=rules.passages)


SCREEN_BOUND_LIMIT = 30
"""On screens, the most characters that bindings may chain into one unbreakable piece of
running text (Markdown). Office prose chains them ("ok. 3 tys. os. w 12 gm. woj.
małopolskiego.", 44 characters): on a 320 px phone a piece wider than the line was cut by
the browser at any letter ("małopolskie" / "go."). Thirty characters of body text fit a
320 px screen, and a citation such as "z art. 15 ust. 2 pkt 3 uchwały" (30) stays whole.
An abbreviation at a line's end is the lesser fault; paper's lines are known to hold
every binding, so the PDFs keep them all."""

SCREEN_TITLE_BOUND_LIMIT = 20
"""The same for plain fields (titles, headings, kickers, leads, a signature's name), set
larger: twenty characters of a 22 px bold heading fit a 320 px screen, where "ds.
Przedsiębiorczości –" (24) was cut after its no-break space and the next line began
with the dash."""

_WEAK = "\ue001"  # a binding after an abbreviation or title, released in a too long piece
_WEAK_COUNT = "\ue002"
"""A number's binding to the word after it ("34 w", "12 500 zł"), released only where
releasing every :data:`_WEAK` binding left a piece too long: a phone number, a number
and a one-letter word chained "+48 12 616 12 34 w naukowo-badawczy" (35 characters), and
a 320 px phone's footnote broke it after its "w" (generated seed 8803)."""


_INITIALS = re.compile(INITIALS)
_REGNAL = r"(?=[IVX]{2})X{0,3}(?:IX|IV|V?I{0,3})"
"""Roman numerals a name keeps ("Jana Pawła II", "Henry VIII"); not I, V or X, words of
their own ("I" in English)."""


_PIECES = re.compile(r"([ \t\n\r\f\v\u200b\x00]+)")


def _released(text: str, limit: int | None) -> str:
    """Releasable bindings as no-break spaces, except where a piece would pass ``limit``
    (:attr:`Rules.bound_limit`): there, from the left, a binding is released (a space) each time
    the next word would make the piece too long, so the piece breaks after as few
    abbreviations as its length needs."""
    if _WEAK not in text and _WEAK_COUNT not in text:
        return text
    if limit is None:
        return text.replace(_WEAK, NO_BREAK_SPACE).replace(_WEAK_COUNT, NO_BREAK_SPACE)
    pieces = _PIECES.split(text)
    pieces[::2] = [_shortened(piece, limit) for piece in pieces[::2]]
    return "".join(pieces)


def _shortened(piece: str, limit: int) -> str:
    """``piece`` released after abbreviations where it would pass ``limit``; where a piece
    is still too long, released between a number and the word it counts instead, and then
    its abbreviations bound again wherever the shorter pieces fit the limit with them ('tel.
    12 616 12 34' stays whole when the phone lets go of the word after it)."""
    parts = _shortened_at(piece, _WEAK, limit).split(" ")  # every space a released _WEAK
    if all(len(part) <= limit for part in parts):
        return " ".join(parts).replace(_WEAK_COUNT, NO_BREAK_SPACE)
    counted = _WEAK.join(_shortened_at(part, _WEAK_COUNT, limit) if len(part) > limit
                         else part.replace(_WEAK_COUNT, NO_BREAK_SPACE) for part in parts)
    return " ".join(_shortened_at(part, _WEAK, limit) for part in counted.split(" "))


def _shortened_at(piece: str, mark: str, limit: int) -> str:
    units = piece.split(mark)
    joined, length = units[0], len(units[0])
    for unit in units[1:]:
        if length + 1 + len(unit) > limit:
            joined, length = f"{joined} {unit}", len(unit)
        else:
            joined, length = f"{joined}{NO_BREAK_SPACE}{unit}", length + 1 + len(unit)
    return joined


PASSAGE_START, PASSAGE_LANGUAGE_END, PASSAGE_END = "\ue010", "\ue011", "\ue012"
"""Marks of a passage in another language in plain text (:func:`marked_passage`), read
by :func:`bind` and gone from what it returns: private-use characters no editor types."""
_PASSAGE_MARK = re.compile("(\ue010[^\ue011]*\ue011|\ue012)")


def marked_passage(text: str, language: str) -> str:
    """Plain ``text`` marked as a passage in ``language`` for :func:`bind` (the text part's
    ``{lang=uk}`` passages); :func:`unmarked` takes the marks away unbound."""
    return f"{PASSAGE_START}{language}{PASSAGE_LANGUAGE_END}{text}{PASSAGE_END}"


def unmarked(text: str) -> str:
    """``text`` without passage marks (:func:`marked_passage`)."""
    return _PASSAGE_MARK.sub("", text) if PASSAGE_END in text else text


def bind(text: str, rules: Rules) -> str:
    """Plain text with no-break spaces where ``rules`` bind words together; a marked
    passage (:func:`marked_passage`) by its own language's rules (:meth:`Rules.for_passage`)."""
    if PASSAGE_END not in text:
        return _released(rules.bound(text, rules.pattern), rules.bound_limit)
    parts = _PASSAGE_MARK.split(text)
    stack, tail = [rules], ""
    for index, part in enumerate(parts):
        if index % 2:  # a mark: a passage starts, or the innermost one ends
            if part != PASSAGE_END:
                stack.append(rules.for_passage(part[1:-1]))
            elif len(stack) > 1:
                stack.pop()
            parts[index] = ""
        elif part:
            last = not any(parts[index + 1:][1::2])  # no text after: no word to bind to
            parts[index] = _bound_run(part, tail, stack[-1], stack[-1].pattern, last)
            word = re.search(r"\S+$", part)
            tail = word.group() if word else ""
    return "".join(parts)


def _bound_run(part: str, tail: str, rules: Rules, pattern: re.Pattern[str],
               last: bool = False, following: str = "\x00") -> str:
    """One run of text in one language bound by ``rules`` with its neighbours in view: a
    space at its end binds to what the next run starts with (unless ``last``): its first
    word in ``following`` (a number binds only to a word, ``3 <em>narzędzia</em>``, a
    unit only to its number), or, not known, any; one at its start to ``tail``, the word
    the run before ended with
    (``w <em>Krakowie</em>``)."""
    leading = part[0] in " \n"
    word = _FIRST_WORD.match(following)
    after = "" if last else word.group() if word else following[:1] or "\x00"
    probe = (tail + part if leading else part) + after
    bound = _released(rules.bound(probe, pattern), rules.bound_limit)
    bound = bound[:len(bound) - len(after)]
    return bound[len(tail):] if leading else bound


_FIRST_WORD = re.compile(r"[^\s<>]+")
"""The word the next run starts with: a unit binds only to its number when the whole unit
follows ("10 <span>km</span>": its first letter alone is no unit, and a contents entry's
"10" / "km" broke there, generated seed 9014 en)."""


WORD_JOINER = "\u2060"
_RANGE_DASH = re.compile(rf"(?<=[\d.])[–—](?=\w)|(?<=[\d{_CAPITALS}])-(?=\d)")
_TOKEN = re.compile(r"[^\s<>]+")


def keep_ranges_whole(text: str, rules: Rules | None = None) -> str:
    """Text for HTML with a word joiner (U+2060) after the dash of a range written without
    spaces ("2019–2020", "8.00–15.30", "pon.–pt.", "9 a.m.–3 p.m.") and after the hyphen
    of a code of digits ("31-156 Kraków", "COVID-19"): browsers broke the line after such a
    dash on phones ("10–" / "100 %", "9.00–" / "17.00"), which reads as two numbers. Where
    ``rules`` never break at a hyphen typed in a word (:attr:`Rules.break_at_hyphens`),
    after that hyphen too ("e-mailem", "Kraków-Nowa"). The joiner draws nothing; the PDFs
    leave it out of copied text, and the screens' final HTML turns the word that holds it
    into a no-wrap span, joiner gone (:mod:`newsletter.render.unbroken_ranges`), as a
    browser copies it. Never inside an address (a token with / or @ or a
    domain: a link's address must stay as typed), and not for the text part, where it would be an
    invisible character (its lines break at spaces only)."""
    if "–" not in text and "—" not in text and "-" not in text:
        return text
    pattern = _RANGE_DASH if rules is None or rules.break_at_hyphens else _RANGE_OR_WORD_DASH
    return _TOKEN.sub(lambda match: _joined(match.group(), pattern), text)


_RANGE_OR_WORD_DASH = re.compile(rf"{_RANGE_DASH.pattern}|(?<=\w)-(?=\w)")


_DOMAIN = re.compile(r"[^\W\d_]\.[^\W\d_]{2,}")


def _joined(token: str, pattern: re.Pattern[str]) -> str:
    if "/" in token or "@" in token or _DOMAIN.search(token):  # an address, as typed
        return token
    return pattern.sub(lambda m: m.group() + WORD_JOINER, token)


_BREAKS = re.compile(r"[ \t\n\r\f\v\u200b]+")
"""Where a line may break between words: not ``str.split()``, which also splits at the
no-break spaces this module puts into ``250 000 zł`` (a table once measured the three
pieces, set the column a third too narrow and printed the number over two lines)."""


def line_words(text: str, rules: Rules | None = None) -> list[str]:
    """The words of ``text`` as every edition's lines break it: numbers kept together and,
    with ``rules``, the language's words bound, then split at breakable spaces only. What
    a column, a grid or a card is measured on, so that it holds what cannot break."""
    text = keep_numbers_together(text)
    if rules is not None:
        text = bind(text, rules)
    return [word for word in _BREAKS.split(text) if word]


_TAG = re.compile(r"(<[^>]*>)")
_VERBATIM = {"code", "pre", "style", "script", "kbd", "samp"}
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")


def _tag_name(tag: str) -> str:
    """The lower-case name of an HTML tag ("" for a comment or a doctype)."""
    name = _TAG_NAME.match(tag)
    return name.group(1).lower() if name else ""


def _verbatim_step(tag: str) -> int:
    """+1 for a tag that opens text to leave as typed (code), -1 for one that closes it."""
    if _tag_name(tag) not in _VERBATIM:
        return 0
    return -1 if tag.startswith("</") else 1


def bind_html(html: str, rules: Rules) -> str:
    """HTML with no-break spaces where ``rules`` bind words, in text only: tags, their
    attributes and code are left as they are. Bindings reach across inline tags
    (``w <em>Krakowie</em>``). Ranges are kept whole (:func:`keep_ranges_whole`). Text in
    an element with a ``lang`` (an editor's ``{lang=uk}`` passage) is bound by that
    language's rules (:meth:`Rules.for_passage`), never by the edition's."""
    parts = _TAG.split(html)
    verbatim = 0
    passages = _Passages(rules)
    tail = ""  # the last word of the text before, while only inline tags follow it
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            verbatim += _verbatim_step(part)
            passages.step(part)
            if _tag_name(part) not in _INLINE:
                tail = ""
            continue
        if part and not verbatim:
            here = passages.rules
            following = _next_text(parts, index)
            if _STARTS_ADDRESS.match(following):  # a link's address: as after a slash,
                following = "/"  # a number does not bind to it, a one-letter word does
            bound = _bound_run(part, tail, here, here.html_pattern, following=following)
            # an address's pieces between <wbr>s stay as typed, like the address
            after_wbr = index > 1 and parts[index - 1].lower().startswith("<wbr")
            parts[index] = bound if after_wbr else keep_ranges_whole(bound, here)
            # an address's last piece is no word of the text: 'rok=2021' does not bind
            # to the word after the address as a number binds to what it counts
            word = None if after_wbr else re.search(r"\S+$", part)
            tail = word.group() if word else ""
        elif part:
            tail = ""
    return "".join(parts)


_STARTS_ADDRESS = re.compile(_ADDRESS_START, re.IGNORECASE)


def _next_text(parts: list[str], index: int) -> str:
    """The text that follows ``parts[index]`` on its line, past inline tags (a link's, an
    emphasis's): what a space at the run's end binds to; none past any other tag
    ("\x00", as :func:`_bound_run` binds to what it does not know). Pieces parted only by
    ``<wbr>`` are one text: an address printed with its breaks (``a.b<wbr>@x.pl``) is
    still seen as one."""
    text = ""
    for part in itertools.islice(parts, index + 1, None):
        if not part:
            continue
        if part.startswith("<"):
            name = _tag_name(part)
            if name == "wbr":
                continue
            if text:
                return text
            if name not in _INLINE:
                return "\x00"
            continue
        text += part
    return text or "\x00"


_LANG = re.compile(r"""\slang\s*=\s*["']?([A-Za-z0-9-]+)""")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class _Passages:
    """Which language's rules bind the text at a point of an HTML fragment, tag by tag:
    the element with the nearest ``lang`` attribute decides (the fragment's own rules
    outside any). Markdown's HTML is well formed, so counting the element's own name
    finds its end."""

    def __init__(self, rules: Rules) -> None:
        self.outer = rules
        self.open: list[list] = []  # [tag name, depth of that name inside, rules]

    @property
    def rules(self) -> Rules:
        return self.open[-1][2] if self.open else self.outer

    def step(self, tag: str) -> None:
        name = _tag_name(tag)
        if not name or name in _VOID or tag.endswith("/>"):
            return
        if tag.startswith("</"):
            if self.open and self.open[-1][0] == name:
                self.open[-1][1] -= 1
                if not self.open[-1][1]:
                    self.open.pop()
            return
        language = _LANG.search(tag)
        if language:
            self.open.append([name, 1, self.outer.for_passage(language.group(1))])
        elif self.open and self.open[-1][0] == name:
            self.open[-1][1] += 1


_INLINE = {"a", "abbr", "b", "cite", "em", "i", "mark", "q", "s", "small", "span", "strong",
           "sub", "sup", "u"}
"""Tags inside a line of text: a word before one and a space after it are still
neighbours (a block tag, a ``<br>`` or code ends what binds)."""


PASSAGES_FILE = "typography.yaml"
"""Beside strings.yaml: the typography of languages an edition quotes but that are not
editions of the site (``templates/_shared/typography.yaml``)."""
_SPACES_NAMED = {"no-break": NO_BREAK_SPACE, "narrow": "\u202f"}


@functools.cache
def _rules_table(path: Path, _mtimes: tuple[int, ...]) -> dict[str, Rules]:
    """Every language's rules: the editions' (``typography:`` in strings.yaml), then the
    quoted languages' (:data:`PASSAGES_FILE`) where no edition has one; each knowing the
    others' for its passages (:attr:`Rules.passages`)."""
    editions = {language: (words or {}).get("typography")
                for language, words in _yaml(path).items()}
    quoted = _yaml(path.with_name(PASSAGES_FILE)) if len(_mtimes) > 1 else {}
    entries = {**quoted, **{code: entry for code, entry in editions.items() if entry}}
    plain = {str(code).lower(): _rules_of(entry or {}) for code, entry in entries.items()}
    passages = tuple(sorted(plain.items()))
    table = {str(code).lower(): Rules(passages=passages) for code in editions}  # no rules
    table.update({code: dataclasses.replace(rules, passages=passages)
                  for code, rules in plain.items()})
    return table


def _yaml(path: Path) -> dict:
    import yaml

    # libyaml's parser when PyYAML was built with it: the same table, read in a fifth of
    # the time (the strings file is read by every check and build).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}


def _rules_of(entry: dict) -> Rules:
    def spaces(name: str) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((str(mark), _SPACES_NAMED.get(str(kind), NO_BREAK_SPACE))
                            for mark, kind in (entry.get(name) or {}).items()))

    limits = entry.get("hyphen_limits")
    return Rules(_with_capitals(entry.get("bind_after")),
                 bool(entry.get("bind_numbers", False)),
                 frozenset(str(w) for w in entry.get("bind_units") or []),
                 bool(entry.get("break_at_hyphens", True)),
                 _with_capitals(entry.get("street_words")),
                 bool(entry.get("capitals_mark_names", True)),
                 space_before=spaces("space_before"), space_after=spaces("space_after"),
                 dash=str(entry.get("dash") or "\u2014"),
                 hyphen_limits=tuple(int(n) for n in limits) if limits else None)


def _with_capitals(words: list | None) -> frozenset[str]:
    """``words`` and, for each abbreviation written in small letters, the same with a
    capital, as it is written at a sentence's start or in emphasis ("Ok. 40 osób", "Tel.
    12 616 12 34", "Ul. Floriańska 3"): the rule is the word's, whatever its case (a "S. 4",
    page 4, ended a line in generated seed 9728, pl). One-letter words are listed in both
    cases where a language binds them (English binds "I", not "A")."""
    listed = {str(word) for word in words or []}
    return frozenset(listed | {word[0].upper() + word[1:] for word in listed
                               if len(word) > 1 and word[0].islower()})


def language_rules(strings_file: Path, language: str) -> Rules:
    """The rules of ``language`` from the strings file, knowing those of every language
    its texts may quote (:data:`PASSAGES_FILE`); a language without any binds only
    dashes."""
    passages = strings_file.with_name(PASSAGES_FILE)
    mtimes = (strings_file.stat().st_mtime_ns,
              *([passages.stat().st_mtime_ns] if passages.exists() else []))
    table = _rules_table(strings_file, mtimes)
    return table.get(language.lower()) or Rules(passages=_any_passages(table))


def _any_passages(table: dict[str, Rules]) -> tuple[tuple[str, Rules], ...]:
    return next((rules.passages for rules in table.values() if rules.passages), ())


_WORD = re.compile(r"(?<![\w@/.-])\w{2,}(?:-\u2060?\w+)*(?![\w@/])")
"""A word, with the parts it is typed with hyphens (a word joiner after a hyphen, where a
language binds it, is part of the word: 'COVID-⁠19')."""


def keep_acronyms_whole(html: str) -> str:
    """HTML with each word in capitals (``COVID``, ``UNESCO``, ``MŚP``) in a
    ``<span class="acronym">``, which the print CSS never hyphenates: a hyphenated acronym
    reads as two words. Text only: tags, their attributes and code are left alone."""
    parts = _TAG.split(html)
    verbatim = 0
    for index, part in enumerate(parts):
        if index % 2:
            verbatim += _verbatim_step(part)
            continue
        if part and not verbatim and not (index and parts[index - 1] == _ACRONYM_OPEN):
            parts[index] = _WORD.sub(_acronym, part)  # once: a kept acronym stays as it is
    return "".join(parts)


_ACRONYM_OPEN = '<span class="acronym">'


def _acronym(match: re.Match[str]) -> str:
    """An acronym in its span; one that starts a word typed with hyphens ('COVID-19',
    'MŚP-ów') with the whole word: the '-19' after the span alone, a line broke after its
    no-break hyphen, 'COVID-' / '19', in a contents entry (generated seed 8509 pl: the
    list item's `overflow-wrap: anywhere` cut the run '‑19 …' at its first character;
    seed 9218 pl: the same in a table cell's link, whose text was bound, 'COVID-⁠19', before
    its acronyms were marked)."""
    word = match.group()
    parts = word.split("-")
    if _is_acronym(parts[0]):
        return f"{_ACRONYM_OPEN}{word}</span>"
    return "-".join(f"{_ACRONYM_OPEN}{part}</span>" if _is_acronym(part) else part
                    for part in parts)


def _is_acronym(word: str) -> bool:
    return word.isupper() and sum(c.isalpha() for c in word) >= 2


NO_BREAK_HYPHEN = "\u2011"
_ADDRESS_OPEN = re.compile(
    r'<(?:(?:a|span)\b[^>]*\bclass="(?:[^"]*\s)?(?:url|address)(?:\s[^"]*)?"|code\b)[^>]*>')
"""The opening tag of an address (``a.url``, ``.url``, ``.address``) or of code."""


def hyphens_start_lines(html: str) -> str:
    """Paper's HTML with each typed hyphen of an address (``a.url``, ``.url``, ``.address``)
    or of code (``formularz-wniosku.docx``, typed as printed) a line may break *before*,
    never after: a no-break hyphen (U+2011) with a ``<wbr>`` in front of it.

    A line that ends ``www.mapa-`` reads as a word hyphenated at the line's end, and a
    reader of the paper types ``www.mapamsp.krakow.pl``; a line that starts ``-msp…`` can
    only be part of the address (the Chicago Manual's rule for URLs). The PDFs' fonts copy
    U+2011 as the hyphen-minus the editor typed (:mod:`newsletter.pdf_fonts`), so a copied
    address is intact. Paper only: a browser would copy U+2011 itself, and a screen's
    reader follows the link rather than typing it."""
    return _in_addresses(html, lambda text: text.replace("-", "<wbr>" + NO_BREAK_HYPHEN))


LONG_PIECE = 26
"""Characters of an address's piece (between the places it breaks at) from which it may
also break after its dots: about the narrowest card's line on paper."""


def long_pieces_broken(html: str) -> str:
    """Paper's HTML with a ``<wbr>`` after each full stop (followed by a letter or digit)
    of an address's piece of :data:`LONG_PIECE` characters or more, where LaTeX's url
    package breaks too, and as a table's crowded cells already do (render/table_columns.py):
    an address breaks only after ``/ ? & = #`` and before ``@`` and hyphens, and a
    contact's 'pelnomocnik.ds.wspolpracy.z.uczelniami' ran past its card and off the page,
    its end lost (hand-made issue 2027-01). One that fits a line is kept whole on it all
    the same (render/address_breaks.py)."""

    def broken(text: str) -> str:
        return _LONG_PIECE.sub(lambda m: _DOT.sub(".<wbr>", m.group()), text)

    return _in_addresses(html, broken)


_LONG_PIECE = re.compile(rf"[^\s/?&=#@]{{{LONG_PIECE},}}")
_DOT = re.compile(r"\.(?=\w)")


def _in_addresses(html: str, change: Callable[[str], str]) -> str:
    """``html`` with ``change`` made to the text of every address and code element, the
    text of elements inside them too: an acronym's span inside an address
    (``dzielnica=XIII-Podgorze``) once ended it early, and its later hyphens were left to
    break after ("…utm_campaign=business-" / "krakow-2027-01", hand-made issue 2027-01)."""
    parts = _TAG.split(html)
    depth = 0  # elements open inside the address being read (0: outside any)
    for index, part in enumerate(parts):
        if not index % 2:
            if depth and part:
                parts[index] = change(part)
        elif depth == 0:
            depth = 1 if _ADDRESS_OPEN.match(part) else 0
        elif part.startswith("</"):
            depth -= 1
        elif _tag_name(part) and _tag_name(part) not in _VOID and not part.endswith("/>"):
            depth += 1
    return "".join(parts)


_TYPED_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


def hyphenated_words_whole(html: str, rules: Rules) -> str:
    """Paper's HTML with each hyphen typed inside a word a no-break hyphen (U+2011, copied
    from the PDFs as the typed U+002D), where ``rules`` never break at such a hyphen
    (:attr:`Rules.break_at_hyphens`). Text only: tags, attributes and code stay as typed;
    addresses already break before their hyphens (:func:`hyphens_start_lines`)."""
    if rules.break_at_hyphens and all(r.break_at_hyphens for _, r in rules.passages):
        return html
    parts = _TAG.split(html)
    verbatim, before = 0, ""  # the text's last character, while only inline tags follow
    titled = False  # inside <title>: text, no tags
    passages = _Passages(rules)  # a passage's hyphens by its own language's rule
    for index, part in enumerate(parts):
        if index % 2:
            verbatim += _verbatim_step(part)
            passages.step(part)
            if _tag_name(part) == "title":
                titled = not part.startswith("</")
            if _tag_name(part) not in _INLINE:
                before = ""
        elif part and not verbatim:
            # the "-19" of "<span class="acronym">COVID</span>-19" follows the acronym's text
            if "-" in part and not passages.rules.break_at_hyphens:
                whole = _TYPED_HYPHEN.sub(NO_BREAK_HYPHEN, before + part)[len(before):]
                parts[index] = whole if titled else _spans(_COMPOUND, _unhyphenated, whole,
                                                           before)
            before = part[-1]
    return "".join(parts)


_PREFIX_HYPHEN = re.compile(r"(?<![\w\u2011.@/-])([^\W\d_])-(?=[^\W\d_])")


def prefixes_whole(html: str) -> str:
    """Paper's HTML, in every language, with the hyphen after a one-letter prefix ("e-mail",
    "e-Urząd", "x-ray") a no-break hyphen (copied as the typed U+002D:
    :mod:`newsletter.pdf_fonts`): "e-" alone at a line's end reads as a stray letter, and
    the English PDF set "through the e-" / "Urząd platform" (hand-made issue 2029-06).
    Text only, as :func:`hyphenated_words_whole`; an address's hyphens are
    :func:`hyphens_start_lines`'."""
    return _outside_code(html, lambda text: _PREFIX_HYPHEN.sub(rf"\1{NO_BREAK_HYPHEN}", text)
                         if "-" in text else text)


def _outside_code(html: str, change: Callable[[str], str]) -> str:
    """``html`` with ``change`` made to each run of its text outside tags and code."""
    parts = _TAG.split(html)
    verbatim = 0
    for index, part in enumerate(parts):
        if index % 2:
            verbatim += _verbatim_step(part)
        elif part and not verbatim:
            parts[index] = change(part)
    return "".join(parts)


_FREE_AFTER = r"(?=(?:[.,;:!?)\]\u201d\u2019\"']|&quot;|&#39;|&#x27;)*(?:[ \n]|$))"
"""A word's end a line may break after (a space, or punctuation then a space, or the
text's end): a span only around a word no no-break space chains to another. WeasyPrint
broke "€2,5 mln <span>biało‑czerwony</span>", a chain ending in a span too wide for the
rest of its line, as "Żółć" / "ry-" / "nek" / "mapa", a word a line (generated seed
9524). A straight quote typed after a word is escaped in the HTML (``&quot;``): "Kleparz and
Kazimierz.&quot;)" left the name out and the English PDF set "Kaz-" / "imierz" (hand-made
issue 2029-06)."""
_COMPOUND = re.compile(rf"(?<=[ \n])\w+(?:{NO_BREAK_HYPHEN}\w+)+{_FREE_AFTER}")
COMPOUND_LIMIT = 24
"""A compound word typed with a hyphen up to this long is not hyphenated either: "kobie-" /
"ty-założycielki" and "Nowej Hu-" / "cie-Mistrzejowicach" read as words broken at their
hyphen (hand-made issues 2027-09, 2028-05). A longer one may be, or a narrow column could
not hold it."""


_FOREIGN_WORD = re.compile(r"(?<=[ \n])(?=\w*[^\W\d_a-zA-Z])[^\W\d_]{2,24}" + _FREE_AFTER)


def foreign_words_whole(html: str) -> str:
    """Paper's HTML in a language of the Latin alphabet's 26 letters (English), with each
    word holding another letter in a span that is never hyphenated: English patterns
    broke the Polish names "Prądnik Bi-" / "ały" and "Stanisła-" / "wa" (hand-made issues
    2028-05 and 2027-09), where Polish would break otherwise, and a name is best kept
    whole. Text only, as :func:`hyphenated_words_whole`."""
    parts = _TAG.split(html)
    verbatim, titled, before = 0, False, ""
    for index, part in enumerate(parts):
        if index % 2:
            verbatim += _verbatim_step(part)
            if _tag_name(part) == "title":
                titled = not part.startswith("</")
            if _tag_name(part) not in _INLINE:
                before = ""
        elif part:
            if not verbatim and not titled and not part.isascii():
                parts[index] = _spans(_FOREIGN_WORD, lambda word: _WHOLE.format(word.group()),
                                      part, before)
            before = part[-1]
    return "".join(parts)


_WHOLE = '<span class="compound">{}</span>'

_NAME_CHAIN = re.compile(
    rf"(?<=[ \n])[^\W\d_]*[\w.]*(?:\u00a0[^\s]+)*{_FREE_AFTER}")
"""A word, or a chain of words bound by no-break spaces ("ul.\u00a0Szczepańskiej",
"w\u00a0Krakowie"), from a space a line may break at to a word's free end."""
_SENTENCE_END = tuple(".!?…:;\u201e([")
"""What a sentence (or a quotation, or an aside) opens after: its first word is no name."""


def proper_names_whole(html: str, rules: Rules) -> str:
    """Paper's HTML with each name in running text set in a span that is never hyphenated:
    a word of a capital and small letters (up to :data:`COMPOUND_LIMIT` letters) that does
    not open a sentence, with the words no-break spaces chain to it ("ul. Szczepańskiej",
    "w Krakowie", whole: a span ending a chain broke lines a word a line, see
    :data:`_FREE_AFTER`). "ul. Bo-" / "brzyńskiego", "To-" / "masz Kępa", "Kra-" / "ków"
    and, in English, "Ptaszy-" / "ckiego" (hand-made issues 2028-08, 2028-10, 2029-03):
    a reader's eye stumbles on a name cut in two, and Polish typesetting avoids it. A
    sentence's first word (or one after a colon or an opening quote) may be hyphenated:
    from text alone it is no name. Only where ``rules`` (or a passage's language's) say
    capitals mark names (:attr:`Rules.capitals_mark_names`: not German). Text only, as
    :func:`hyphenated_words_whole`."""
    parts = _TAG.split(html)
    verbatim, titled, spanned = 0, False, 0
    passages = _Passages(rules)
    before, seen = "", ""  # the text's last character, and its last but spaces
    for index, part in enumerate(parts):
        if index % 2:
            verbatim += _verbatim_step(part)
            passages.step(part)
            if _tag_name(part) == "title":
                titled = not part.startswith("</")
            if _tag_name(part) == "span" and spanned:  # inside a span set whole: as it is
                spanned += -1 if part.startswith("</") else 1
            elif _tag_name(part) == "span" and 'class="compound"' in part:
                spanned = 1
            if _tag_name(part) not in _INLINE:
                before = seen = ""
        elif part:
            if (not verbatim and not titled and not spanned
                    and passages.rules.capitals_mark_names):
                parts[index] = _names_spanned(part, before, seen)
            before, seen = part[-1], part.rstrip()[-1:] or seen
    return "".join(parts)


def _names_spanned(part: str, before: str, seen: str) -> str:
    """``part`` with its names' chains in spans (:func:`proper_names_whole`); ``before``:
    the last character before it (inline tags between), "" after a block's start;
    ``seen``: the last but spaces."""
    free = before in ("", " ", "\n")
    text = (" " if free else "\x00") + part

    def spanned(chain: re.Match[str]) -> str:
        found = chain.group()
        words = found.split("\u00a0")
        named = any(len(word) <= COMPOUND_LIMIT and word[:1].isupper() and word[1:2].islower()
                    for word in words)
        previous = text[:chain.start()].rstrip()
        last = previous.strip("\x00")[-1:]
        opens = last in _SENTENCE_END if last else seen in ("", *_SENTENCE_END)
        if not named or (opens and words[0][:1].isupper()) or len(found) > 2 * COMPOUND_LIMIT:
            return found
        return _WHOLE.format(found)

    return _NAME_CHAIN.sub(spanned, text)[1:]


def _spans(pattern: re.Pattern[str], span: Callable[[re.Match[str]], str], part: str,
           before: str) -> str:
    """``part`` with ``pattern``'s words set in spans by ``span``: a word at the part's
    start too, when what comes before it (``before``: the text before the inline tags
    in between; empty after a block's start) is no word bound to it."""
    free = before in ("", " ", "\n")
    return pattern.sub(span, (" " if free else "\x00") + part)[1:]


def _unhyphenated(compound: re.Match[str]) -> str:
    word = compound.group()
    if len(word) > COMPOUND_LIMIT or not re.search(r"[^\W\d_]{2}", word):
        return word  # too long for a narrow column; or numbers ("10-12"), never hyphenated
    return _WHOLE.format(word)


_LONG_WORD = re.compile(r"(?<![\w@/.\-\u00ad])[^\W\d_]{10,}(?![\w@/\u00ad])")
"""A word of ten letters or more, no part of an address."""


@functools.cache
def _hyphenator(dictionary: str, left: int, right: int) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=dictionary, left=left, right=right)


_HYPHENATED = KeptStrings("hyphenated", "pyphen")
"""Words pyphen hyphenated, kept between builds: importing it is 120 ms, more than a warm
e-mail build's own work (newsletter/kept_strings.py)."""


def _hyphenated(word: str, dictionary: str, left: int, right: int) -> str:
    return _HYPHENATED.get(f"{dictionary}|{left}|{right}|{word}", lambda: _hyphenator(
        dictionary, left, right).inserted(word, hyphen="\u00ad"))


def soft_hyphens(html: str, dictionary: str | None, fits: Callable[[str], bool],
                 rules: Rules | None = None) -> str:
    """HTML with a soft hyphen (U+00AD) at each place ``dictionary`` (pyphen's name, e.g.
    "pl_PL") hyphenates each long word (:data:`_LONG_WORD`) that may not fit its line
    whole (``fits`` says it does not), for the e-mail's narrow card and figure cells: no
    mail client hyphenates, and ``overflow-wrap: anywhere`` broke a word wider than a
    150 px card without a hyphen ("wewnątrzwspólnoto" / "wym.", hand-made issue 2029-03).
    A soft hyphen is invisible unless the line breaks there. A word beginning with a
    capital is a name, kept whole as on paper, unless it is 16 letters or more ("Wewną-
    trzwspólnotowym" opening a sentence). The fewest letters before and after a hyphen
    are ``rules``' :attr:`Rules.hyphen_limits` (WeasyPrint's 2 and 2 otherwise). Text
    only: tags, attributes and code stay as typed."""
    if not dictionary:
        return html
    _, left, right = (rules.hyphen_limits if rules and rules.hyphen_limits else (5, 2, 2))

    def hyphenated(found: re.Match[str]) -> str:
        word = found.group()
        if fits(word) or (word[0].isupper() and len(word) < 16):
            return word
        return _hyphenated(word, dictionary, left, right)

    return _outside_code(html, lambda text: _LONG_WORD.sub(hyphenated, text))
