"""Markdown an editor typed that would come out as punctuation: found before a build.

CommonMark never fails: what it cannot read as a construct it prints as typed. A link whose
address has a space, ``[text][ref]`` without its definition, a footnote mark without its
note, ``<b>`` with raw HTML off, ``**`` never closed, ``~~struck~~``: each reaches every
reader as literal ``](``, ``[^1]``, ``<b>``, ``**`` or ``~~``. A table row with more cells
than its header, or a note never marked, loses text without a sign. Each is found here, on
the parser's own tokens (what really came out as text, so what an editor escaped with
``\\`` is left alone), with its line inside the text and the fix.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

from newsletter.markdown import OTHER_LANGUAGE, parse_for_checks


@dataclass(frozen=True)
class Literal:
    """A construct that would be printed as typed (or lose text), at a 0-based line."""

    line: int
    message: str


# HTML elements an editor may type from habit (or paste from a web page); html=False
# shows them as typed. "<tu wpisz nazwę>" is no element and reads as the editor meant.
_ELEMENTS = (
    "a|abbr|b|big|blockquote|br|button|caption|center|cite|code|del|div|em|embed|figcaption|"
    "figure|font|form|h[1-6]|hr|i|iframe|img|input|ins|kbd|li|link|mark|meta|object|ol|p|pre|"
    "q|s|script|section|small|span|strike|strong|style|sub|sup|table|tbody|td|th|thead|tr|u|"
    "ul|video|audio|source|svg|article|header|footer|nav|main|aside|label|select|textarea"
)
_HTML_TAG = re.compile(rf"</?({_ELEMENTS})(\s[^<>]*)?/?>|<!--", re.IGNORECASE)
_LINK_START = re.compile(r"\[([^\[\]]*)\]\(")
_REFERENCE = re.compile(r"\[([^\[\]]+)\]\[([^\[\]]*)\]")
_NOTE_MARK = re.compile(r"\[\^([^\]\s]*)\]?")
_STRONG = re.compile(r"\*\*|__")
_STRUCK = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
"""``~~words~~``: GitHub's strikethrough, which CommonMark (and every edition) prints as typed."""
_CELL = r"\s*:?-+:?\s*"
_DELIMITER_ROW = re.compile(rf"^\s*\|?{_CELL}(\|{_CELL})+\|?\s*$|^\s*\|{_CELL}\|?\s*$")
_NOTE_DEFINITION = r"^ {0,3}\[\^%s\]:"
_HASH_HEADING = re.compile(r"^#{1,6}(?=[^\s#])")
_BRACKETED_ADDRESS = re.compile(r"<((?:https?://|mailto:|www\.)[^<>]*)>", re.IGNORECASE)


def literal_constructs(text: str) -> list[Literal]:
    """Every construct of ``text`` that would come out literally or lose text, in order."""
    tokens, env = parse_for_checks(text)
    found: list[Literal] = []
    for block in tokens:
        if block.type == "inline" and block.children is not None:
            found += _in_inline(block)
        if block.type == "table_open" and block.map:
            found += _table_rows(text, block.map)
    found += _notes_never_marked(text, env)
    found += _attribute_marks(tokens)
    return sorted(found, key=lambda literal: literal.line)


_OWN_ATTRIBUTES = {"href", "title", "src", "alt", "start"}
"""Attributes markdown-it gives tokens itself; any other came from an editor's ``{…}``."""


def _attribute_marks(tokens: list[Token]) -> list[Literal]:
    """``{…}`` marks (:mod:`newsletter.markdown`): only ``{lang=xx}`` with a language
    code is read; a class, an id or another attribute would be dropped without a word."""
    found: list[Literal] = []
    for block in tokens:
        line = block.map[0] if block.map else 0
        for token in [block, *(block.children or [])]:
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            if token.type == "text":  # a mark the parser did not read stays in the text
                for mark in _UNREAD_LANG.finditer(token.content):
                    found.append(Literal(line, _unread_mark(mark)))
            for name, value in (token.attrs or {}).items():
                if name in _OWN_ATTRIBUTES or (name == "style" and token.type in ("th_open",
                                                                                  "td_open")):
                    continue
                if name != "lang":
                    found.append(Literal(line, f"'{{{_shown(name, value)}}}': only a language "
                                         "can be marked, as {lang=uk} (after [a phrase] or "
                                         "on the line above a paragraph)"))
                elif not OTHER_LANGUAGE.match(str(value)):
                    found.append(Literal(line, _not_a_code(f"{{lang={value}}}", str(value))))
                elif (unknown := _unknown_language(str(value))) is not None:
                    found.append(Literal(line, unknown))
    return found


_UNREAD_LANG = re.compile(r"\{\s*lang\s*=\s*([^}\s]+)\s*\}")
"""A ``{lang=…}`` left in a text: its value has characters the attributes' parser does
not take ("{lang=ukraiński}" was printed as typed, and check said nothing)."""


def _unread_mark(mark: re.Match[str]) -> str:
    """What to write for a ``{lang=…}`` the parser left in the text (:data:`_UNREAD_LANG`):
    a code with spaces around it (``{lang = de}``) written without them; a language's name
    as its code; else how codes are written."""
    value = mark.group(1)
    if OTHER_LANGUAGE.match(value):
        return f"'{mark.group()}' is not read (spaces inside the braces): write {{lang={value}}}"
    return _not_a_code(mark.group(), value)


def _not_a_code(shown: str, value: str) -> str:
    """The mark ``shown`` (as typed) names no language code: the code of the language
    ``value`` names, or how codes are written."""
    named = _named_language(value)
    return f"'{shown}' is not a language code: " + (
        f"did you mean {{lang={named}}}?" if named
        else "write it as lang attributes do, e.g. {lang=uk}")


def _named_language(value: str) -> str | None:
    """The code of the language ``value`` names in English, Polish or its own words
    ("German", "niemiecki", "Deutsch") or writes in capitals ("UK", "DE"), as CLDR has
    them; None when it names none (hand-made issue F marked a passage {lang=German})."""
    name = " ".join(value.replace("_", " ").split()).casefold()
    if value.isalpha() and value.isupper() and value.lower() in _cldr_languages():
        return value.lower()
    return _language_names().get(name)


@functools.cache
def _language_names() -> dict[str, str]:
    """Language names (CLDR, lower case) → their codes: each language's own name
    ("Deutsch", "українська"), then the English and the Polish ones, which win; two-part
    codes ("de_AT") are left out. About a second, read only when a mark is wrong."""
    from babel import Locale, UnknownLocaleError
    from babel.localedata import locale_identifiers

    names: dict[str, str] = {}
    for code in locale_identifiers():
        if "_" not in code:
            try:
                own = Locale.parse(code).get_language_name(code)
            except (UnknownLocaleError, ValueError):
                continue
            if own:
                names[own.casefold()] = code
    for locale in ("pl", "en"):
        for code, name in Locale.parse(locale).languages.items():
            if "_" not in code:
                names[name.casefold()] = code
    return names


def _unknown_language(code: str) -> str | None:
    """What is wrong with a well-formed ``{lang=…}`` whose language CLDR (Babel's data)
    does not know, or None: a country's code in its place is the usual slip ("ua" for
    Ukrainian's "uk", "cz", "se", "jp"), so the country's languages are suggested. A
    passage marked so would be read aloud and broken into lines by no language's rules
    (hand-made issue 2028-02 marked Ukrainian 'ua' and check said nothing)."""
    primary = code.split("-")[0]
    if primary in _cldr_languages():
        return None
    from babel.languages import get_official_languages

    spoken = list(dict.fromkeys(lang.split("_")[0] for lang in
                                get_official_languages(primary.upper())))
    hint = (f": '{primary}' is a country's code; did you mean "
            + " or ".join(f"'{lang}'" for lang in spoken) + "?") if spoken else \
        " (ISO 639: uk Ukrainian, cs Czech, de German, …)"
    return f"'{{lang={code}}}' names no language{hint}"


@functools.cache
def _cldr_languages() -> frozenset[str]:
    """The languages CLDR has data for (their codes' first part): about 330."""
    from babel.localedata import locale_identifiers

    return frozenset(name.split("_")[0] for name in locale_identifiers())


def _shown(name: str, value: object) -> str:
    return {"class": f".{value}", "id": f"#{value}"}.get(name, f"{name}={value}")


def _in_inline(block: Token) -> list[Literal]:
    """What came out as text inside one paragraph, heading or table cell, a line at a time.

    A bare address inside literal text is literal too (``[a](https://x.pl/a b)`` becomes
    text, a link to https://x.pl/a, and text again): it joins the run around it.
    """
    found: list[Literal] = []
    line = block.map[0] if block.map else 0
    run, run_line, line_start, bare = "", line, True, False

    def flush() -> None:
        nonlocal run
        if run:
            found.extend(Literal(run_line, m) for m in _text_messages(run, line_start))
        run = ""

    for child in block.children or []:
        if child.type == "link_open" and child.markup == "linkify":
            bare = True
        elif child.type == "link_close" and bare:
            bare = False
        elif child.type == "text":
            if not run:
                run_line = line
            run += child.content
        else:
            flush()
            line_start = False
            if child.type in ("softbreak", "hardbreak"):
                line += 1
                line_start = True
    flush()
    return found


def _text_messages(text: str, line_start: bool) -> list[str]:
    """Messages for one run of literal text (no escapes inside it)."""
    messages = []
    for match in _LINK_START.finditer(text):
        rest = text[match.end():]
        close = rest.find(")")
        address = rest[:close] if close != -1 else rest
        if close != -1 and " " in address.strip():
            messages.append(f"link '[{match.group(1)}]({address})': the address has a space, "
                            "so it is printed as typed; write the space as %20 or put the "
                            f"address in angle brackets: [{match.group(1)}](<{address}>)")
        else:
            messages.append(f"link '[{match.group(1)}](' is never closed: end the address "
                            "with ')', e.g. [text](https://example.pl)")
    for match in _REFERENCE.finditer(text):
        ref = match.group(2) or match.group(1)
        messages.append(f"reference link '{match.group()}' has no definition: add a line "
                        f"'[{ref}]: https://…' below the paragraph, or write "
                        f"[{match.group(1)}](https://…)")
    for match in _NOTE_MARK.finditer(text):
        label = match.group(1)
        messages.append(f"footnote mark '[^{label}]' has no note: add a line "
                        f"'[^{label}]: the note' below the paragraph (a label has no spaces)")
    for match in _BRACKETED_ADDRESS.finditer(text):
        address = match.group(1)
        fix = ("write the space as %20" if " " in address else
               f"start it with https:// (<https://{address}>)")
        messages.append(f"address '<{address}>' is printed as typed, angle brackets and all: "
                        f"{fix}")
    if match := _HTML_TAG.search(text):  # one per run: <b>…</b> is one mistake
        messages.append(f"HTML '{match.group()[:40]}' is printed as typed (HTML is not "
                        "applied): use Markdown instead (**bold**, *italics*, a blank line "
                        "for a new paragraph), or write \\< to show the sign")
    if strong := _STRONG.search(text):
        mark = strong.group()
        escaped = "".join("\\" + c for c in mark)
        messages.append(f"'{mark}' is never closed, so it is printed as typed: close the "
                        f"bold words with {mark} as well (no space inside), or write "
                        f"{escaped} to show the signs")
    if struck := _STRUCK.search(text):
        messages.append(f"'{struck.group()[:40]}' is printed as typed, tildes and all: no "
                        "edition strikes words through (nor would a screen reader or the "
                        "text part show it); delete the words, or say it in words ('was "
                        "50 zł, now 30 zł'); write \\~~ to show the signs")
    if _DELIMITER_ROW.match(text):
        messages.append(f"table line '{text.strip()[:40]}' does not match its header: give "
                        "the header row, the |---| row and every row the same number of "
                        "cells, and leave a blank line before the table")
    if line_start and (hashes := _HASH_HEADING.match(text)):
        messages.append(f"'{text[:20]}' is printed as typed: a heading needs a space after "
                        f"its '#' ('{hashes.group()} Title')")
    return messages


def _table_rows(text: str, span: list[int]) -> list[Literal]:
    """Rows with more cells than the header: the parser drops the extra cells silently."""
    lines = text.splitlines()[span[0]:span[1]]
    header = _cells(lines[0]) if lines else 0
    found = []
    for offset, row in enumerate(lines[2:], start=2):
        cells = _cells(row)
        if cells > header:
            found.append(Literal(span[0] + offset, f"table row has {cells} cells but the "
                                 f"header has {header}: the last {cells - header} would be "
                                 "dropped; add a column to the header or join the cells "
                                 "(a | inside a cell is written \\|)"))
    return found


def _cells(row: str) -> int:
    cells = escapedSplit(row.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    return len(cells)


def _notes_never_marked(text: str, env: dict) -> list[Literal]:  # type: ignore[type-arg]
    """Footnotes written but never marked in the text: the parser drops them silently."""
    refs = (env.get("footnotes") or {}).get("refs") or {}
    found = []
    for key, used in refs.items():
        if used != -1:
            continue
        label = key.removeprefix(":")
        pattern = re.compile(_NOTE_DEFINITION % re.escape(label), re.MULTILINE)
        match = pattern.search(text)
        line = text.count("\n", 0, match.start()) if match else 0
        found.append(Literal(line, f"footnote '[^{label}]' is never marked in the text, so it "
                             f"would not be shown: put [^{label}] where the note belongs, or "
                             "delete the note"))
    return found


def tables_in_a_card(text: str) -> list[Literal]:
    """Each table of a card's text: a card is a third of the page, so its columns came out
    a letter wide in the e-mail (the card pushed past its place in the row) and its
    numbers split in the PDFs ("50 000 z" / "ł")."""
    return [Literal(token.map[0] if token.map else 0,
                    "a table does not fit a card (a third of the page wide): its columns "
                    "come out a letter or two wide; put it in the group's intro or in an "
                    "article, or write its rows as a list")
            for token in parse_for_checks(text)[0] if token.type == "table_open"]


# --- Markdown typed into a plain-text field ---------------------------------------------------

_PLAIN_MARKUP = (
    ("bold", re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")),
    ("italics", re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])")),
    ("a link", re.compile(r"\[([^\[\]]+)\]\((?:https?://|mailto:|www\.)[^()\s]*\)")),
    ("code", re.compile(r"`([^`]+)`")),
    ("a heading's #", re.compile(r"^#{1,6}\s+(.*)")),
    ("a passage's language", re.compile(r"\[([^\[\]]+)\]\{\s*(?:lang\s*=|[.#])[^{}]*\}")),
)
"""What an editor types in a title, a lead or a label out of Markdown habit; the last group
that matched is what it would say without the signs."""


_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,7}|#[0-9]{1,6}|#[xX][0-9a-fA-F]{1,6});")
"""``&nbsp;``, ``&amp;``, ``&#8211;``: copied from a web page's source or a CMS."""


def markup_in_plain_text(text: str, field: str) -> str | None:
    """The message for Markdown or HTML typed into the plain-text field ``field`` (a title,
    a lead, a label, the subject), which every edition prints as typed: stars, brackets and
    all (none when the text has none). The fix is the text without the signs."""
    start = f"'{field}' is plain text, where "
    if tag := _HTML_TAG.search(text):
        return (f"{start}HTML is not applied: readers would see '{tag.group()[:40]}' as "
                "typed; delete it (this field is one paragraph, without formatting)")
    if entity := _ENTITY.search(text):
        import html

        return (f"{start}HTML is not applied: readers would see '{entity.group()}' as typed; "
                f"type the character itself: '{html.unescape(text).strip()[:80]}'")
    if struck := _STRUCK.search(text):
        return (f"{start}Markdown is not applied: readers would see '{struck.group()[:40]}' "
                "as typed; say it in words ('was 50 zł, now 30 zł')")
    found = sorted((match.start(), what, match) for what, pattern in _PLAIN_MARKUP
                   for match in pattern.finditer(text))
    if not found:
        return None
    plain = text
    for _, pattern in _PLAIN_MARKUP:
        plain = pattern.sub(lambda m: m.group(m.lastindex or 0), plain)
    _, _, first = found[0]
    where = (" (a link belongs in a Markdown text or the block's links)"
             if any(what == "a link" for _, what, _ in found) else
             " (a passage in another language can be marked in a Markdown text: a body, an "
             "intro, a card's text)"
             if any(what == "a passage's language" for _, what, _ in found) else "")
    return (f"{start}Markdown is not applied: readers would see '{first.group()[:40]}' as "
            f"typed; write it without the signs: '{plain.strip()[:80]}'{where}")
