"""Editors' Markdown: one parser for every edition, with raw HTML switched off.

CommonMark via markdown-it-py with ``html=False``: a ``<script>`` or ``<b>`` typed into a
body is shown as text (escaped), never passed through as markup, in every edition.
Bare addresses (``https://…``, ``www.…``, e-mail addresses) become links (linkify-it-py),
so every edition can make them clickable and break them only at their slashes; numbers
keep their spaces unbreakable (:mod:`newsletter.typography`). A bare domain without a
scheme or ``www.`` stays text: Polish abbreviations ("m.in.", "m.st.") look like domains.
Indentation never makes code: a paragraph pasted from Word starts with a tab, and CommonMark
set it as one typewriter line no phone could hold (the e-mail 376 px wide at 320), so the
indented-code rule is off; code fenced with ``` is kept, and wraps in every edition.
Pipe tables (built into markdown-it) and footnotes (``[^1]``, mdit-py-plugins) are on: editors
type both, and without them they came out as literal ``|---|`` and ``[^1]``. A text's notes
are numbered from 1 and listed at its end (the end of the block), in every edition.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from newsletter.typography import (
    DIGIT_SPACE,
    PASSAGE_END,
    PASSAGE_LANGUAGE_END,
    PASSAGE_START,
    breakable_url,
    display_url,
    keep_numbers_together,
    looks_like_url,
    marked_passage,
    unmarked,
)


class _WrittenLinks(LinkifyIt):
    """linkify-it that links what an editor wrote as an address: a scheme (``https://``,
    ``mailto:``, an e-mail address) or ``www.``. Its fuzzy links also take any word.word
    for a domain, and Polish is full of those: "m.in." ("among others") became a link to
    https://m.in, "m.st." to https://m.st, in the shipped sample too."""

    _last: tuple[str, list[Any] | None] = ("", None)

    def match(self, text):  # type: ignore[no-untyped-def]
        # markdown-it asks test() and then match() of the same text: answer the second
        # from the first (linkify-it's scan was most of a long issue's parse).
        if self._last[0] == text and text:
            return self._last[1]
        found = None
        if _MAY_BE_WRITTEN_LINK.search(text):
            # Each of linkify-it's scans compiles a pattern of 4-5 KB on its first use
            # (8-13 ms a process): ask only those this text can answer. Every fuzzy link
            # kept starts with "www.", every fuzzy e-mail address has an "@".
            self.set({"fuzzy_link": "www." in text.lower(), "fuzzy_email": "@" in text})
            found = [link for link in super().match(text) or []
                     if link.schema or link.raw.lower().startswith("www.")] or None
        self._last = (text, found)
        return found

    def pretest(self, text):  # type: ignore[no-untyped-def]
        # Instead of linkify-it's own pretest (a pattern that takes 10-40 ms to compile in
        # every process): a looser one here only means test() answers "no link".
        return _MAY_BE_WRITTEN_LINK.search(text) is not None

    def test(self, text):  # type: ignore[no-untyped-def]
        return _MAY_BE_WRITTEN_LINK.search(text) is not None and self.match(text) is not None


_MAY_BE_WRITTEN_LINK = re.compile(r":|//|@|www\.", re.IGNORECASE)
"""What every link an editor wrote contains (a scheme's colon, ``//``, an e-mail address's
``@``, ``www.``): a text without any is no link, and linkify-it's scan is skipped."""


def _with_tables_and_notes(parser: MarkdownIt, allowed: list[str] | None = None) -> MarkdownIt:
    """Pipe tables and ``[^1]`` footnotes (not inline ``^[…]`` notes: one way to write one),
    and passages in another language: ``[Слава Україні]{lang=uk}`` (a phrase, or a link
    followed by ``{lang=uk}``) and a ``{lang=uk}`` line above a paragraph, list or quotation.
    ``allowed``: the attributes kept (``lang``: editors set no classes, styles or events)."""
    return (parser.enable("table").use(footnote_plugin, inline=False)
            .use(attrs_plugin, spans=True, allowed=allowed)
            .use(attrs_block_plugin, allowed=allowed))


OTHER_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
"""The value of ``{lang=…}``: a language code as the ``lang`` attribute takes it."""


@cache
def _parser() -> MarkdownIt:
    # "commonmark" with html off, plus tables and footnotes; no strikethrough.
    parser = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": True})
    parser.enable("linkify").disable("code")
    _with_tables_and_notes(parser, ["lang"])
    parser.linkify = _WrittenLinks()
    parser.core.ruler.push("https_for_bare_addresses", _https_for_bare_addresses)
    parser.add_render_rule("text", _render_text)
    parser.add_render_rule("link_open", _render_link_open)
    parser.add_render_rule("link_close", _render_link_close)
    parser.add_render_rule("table_open", _render_table_open)
    parser.add_render_rule("paragraph_open", _render_paragraph_open)
    parser.add_render_rule("ordered_list_open", _render_ordered_list_open)
    parser.add_render_rule("list_item_open", _render_list_item_open)
    parser.add_render_rule("heading_open", _render_heading)
    parser.add_render_rule("heading_close", _render_heading)
    parser.add_render_rule("footnote_ref", _render_note_mark)
    parser.add_render_rule("footnote_block_open", lambda *_: '<div class="footnotes"><ol>\n')
    parser.add_render_rule("footnote_block_close", lambda *_: "</ol></div>\n")
    parser.add_render_rule("footnote_open", lambda *_: "<li>")
    parser.add_render_rule("footnote_anchor", lambda *_: "")
    return parser


def _render_table_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    # A class of its own: the e-mail's layout is made of tables too, and must keep its look.
    tokens[idx].attrSet("class", "md-table")
    return self.renderToken(tokens, idx, options, env)


def _render_paragraph_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    # A paragraph that ends with a colon right before a table introduces it ("Wysokość bonu
    # zależy od powierzchni lokalu:"): on paper it stays with the table (print's .lead-in),
    # never alone at a page's foot. Only such a line: gluing every table to whatever came
    # before moved whole articles (kicker, title, lead, text) to the next page and left
    # the page before them 30 % empty. The tokens are shared: the class is written here.
    # So does a short paragraph between a subheading and a table, which the subheading and
    # the paragraph introduce together ("## Accounts for payments" and two lines ended a
    # page, the table overleaf: hand-made issue 2027-03); not when the subheading opens
    # the text, whose article would then move whole.
    html = self.renderToken(tokens, idx, options, env)
    after = idx + 3  # paragraph_open, inline, paragraph_close
    if (env.get("paged") and not tokens[idx].hidden and after < len(tokens)
            and tokens[after].type == "table_open"
            and (tokens[idx + 1].content.rstrip().endswith(":")
                 or (idx >= 4 and tokens[idx - 1].type == "heading_close"
                     and len(tokens[idx + 1].content.split()) <= LEAD_IN_WORDS))):
        html = html.replace("<p", '<p class="lead-in"', 1)
    return html


LEAD_IN_WORDS = 60
"""A paragraph between a subheading and a table of at most this many words (three lines or
so) introduces the table: on paper it keeps with it."""


EDITOR_HEADINGS = {"h1": "h4", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}
"""An editor's ``#``, ``##`` … as the page's outline needs them: under the block's title (an
``h3``; a section's title is an ``h2``). Written as they were typed, ``## How to apply`` stood
level with the sections in the PDF's bookmarks and for screen readers, ``#`` outranked the
article's own title (in type too), and ``#####`` was set smaller than the text. ``#`` and
``##`` (the docs' subheading) are one level: editors use either for the first."""


def _render_heading(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    # The tokens are shared by every edition: the tag is written, never set on them.
    token = tokens[idx]
    html = self.renderToken(tokens, idx, options, env)
    shown = EDITOR_HEADINGS[token.tag]
    return html.replace(f"<{token.tag}", f"<{shown}", 1).replace(f"</{token.tag}>",
                                                                f"</{shown}>", 1)


def _render_ordered_list_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    # WeasyPrint reads ``start`` only as a presentational hint, off here: "7." printed as
    # "1." on paper. Its counter is set for the PDFs (each item adds one before it is shown).
    # The tokens are shared by every edition: the style is written, never set on them.
    # A number of more digits than one gets room for them: "10." stood 1 pt past the
    # page's margin (WeasyPrint's 40 px of padding hold "9." with little to spare).
    html = self.renderToken(tokens, idx, options, env)
    start = int(tokens[idx].attrGet("start") or 1)
    if not env.get("paged"):
        return html
    digits = min(4, len(str(max(1, start + _items(tokens, idx) - 1))))
    if digits > 1:  # markdown.css.j2's .md-digits-N: room for N digits
        html = html.replace("<ol", f'<ol class="md-digits-{digits}"', 1)
    if start != 1:
        html = html.replace("<ol", f'<ol style="counter-reset: list-item {start - 1}"', 1)
    return html


def _render_list_item_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    # On paper an item that holds a list is two lines at least (WeasyPrint glues a list to
    # the line before it), so the rule that keeps a list's first item with what follows it
    # (style.css.j2) leaves it alone: kept, a list of one such item was glued to the
    # subheading after it and moved a two-column article whole (generated seed 8307).
    # The tokens are shared by every edition: the class is written, never set on them.
    html = self.renderToken(tokens, idx, options, env)
    if env.get("paged") and _holds_list(tokens, idx):
        html = html.replace("<li", '<li class="md-nests"', 1)
    return html


def _holds_list(tokens, idx: int) -> bool:  # type: ignore[no-untyped-def]
    """Whether the list item opened at ``tokens[idx]`` holds a list of its own."""
    level = tokens[idx].level
    for token in tokens[idx + 1:]:
        if token.type == "list_item_close" and token.level == level:
            return False
        if token.type in ("bullet_list_open", "ordered_list_open") and token.level == level + 1:
            return True
    return False


def _items(tokens, idx: int) -> int:  # type: ignore[no-untyped-def]
    """How many items the list opened at ``tokens[idx]`` has (not its nested lists')."""
    level, count = tokens[idx].level, 0
    for token in tokens[idx + 1:]:
        if token.type == "ordered_list_close" and token.level == level:
            break
        count += token.type == "list_item_open" and token.level == level + 1
    return count


def _render_note_mark(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    # A plain superscript number, no in-page link: e-mail clients drop the ids it would
    # need (and the e-mail's checks refuse relative links), and the note is a few lines
    # below, at the end of the same block.
    return f'<sup class="note-mark">{note_number(tokens[idx])}</sup>'


def note_number(token: Token) -> int:
    """The number a footnote mark or note shows (1, 2, … in order of first mention)."""
    return int(token.meta["id"]) + 1


def _https_for_bare_addresses(state) -> None:  # type: ignore[no-untyped-def]
    """``www.krakow.pl`` written without a scheme links to https, not linkify's http."""
    for block in state.tokens:
        children = block.children or []
        for token, shown in itertools.pairwise(children):
            href = str(token.attrGet("href") or "")
            if token.type == "link_open" and token.markup == "linkify" and \
                    href.startswith("http://") and not shown.content.startswith("http://"):
                token.attrSet("href", "https://" + href.removeprefix("http://"))


def _is_address_link(tokens: list[Token], idx: int) -> bool:
    """Whether the link opened at ``idx`` shows its own address as its text."""
    opening = tokens[idx]
    if opening.markup in ("linkify", "autolink"):
        return True
    following = tokens[idx + 1] if idx + 1 < len(tokens) else None
    return following is not None and following.type == "text" and \
        looks_like_url(following.content)


def _render_link_open(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    # The tokens are remembered and rendered again (print_urls): join the class once.
    if _is_address_link(tokens, idx) and \
            "url" not in str(tokens[idx].attrGet("class") or "").split():
        tokens[idx].attrJoin("class", "url")
    return self.renderToken(tokens, idx, options, env)


def _render_link_close(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    html = self.renderToken(tokens, idx, options, env)
    opening = next(i for i in range(idx - 1, -1, -1) if tokens[i].type == "link_open")
    if env.get("print_urls") and not _is_address_link(tokens, opening):
        shown = display_url(str(tokens[opening].attrGet("href") or ""))
        html += f' <span class="url">({breakable_url(shown)})</span>'
    return html


def _render_text(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    content = tokens[idx].content
    if idx > 0 and tokens[idx - 1].type == "link_open" and _is_address_link(tokens, idx - 1):
        return breakable_url(content)
    return keep_numbers_together(escapeHtml(content))


@cache
def _checker() -> MarkdownIt:
    # Sees every link, even those the renderer would refuse (javascript:, data:, file:),
    # so the loader can name them instead of letting them silently turn into text.
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable("linkify")
    parser.disable("code")
    _with_tables_and_notes(parser)
    parser.linkify = _WrittenLinks()
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    # An address with a character nobody sees (a soft hyphen, a zero-width space pasted
    # from Word) is kept as written: normalised, its host became punycode (www.xn--…), a
    # valid-looking address of another host that no check could tell from the editor's.
    normalise = parser.normalizeLink
    parser.normalizeLink = lambda url: url if not url.isprintable() else normalise(url)  # type: ignore[method-assign]
    # Escaped characters (``\[``) stay tokens of their own, so what an editor escaped on
    # purpose is never taken for a construct that failed (newsletter.markdown_checks).
    parser.disable("text_join")
    return parser


@lru_cache(maxsize=2048)
def parse_for_checks(text: str) -> tuple[list[Token], dict[str, Any]]:
    """Tokens of ``text`` as the checks need them, and the parser's env (footnotes).

    Kept for the next caller: the loader reads each text's links and its literal
    constructs from one parse (read them, never change them)."""
    env: dict[str, Any] = {}
    return _checker().parse(text, env), env


def first_paragraph(text: str) -> str:
    """The Markdown of ``text``'s first paragraph (not a heading, list, quote or table),
    standing on its own: without its footnote marks (the notes stay with the whole text)
    and with the link references it uses, which are written elsewhere in the text.

    What a teaser opens with: cut at the first blank line, ``Rok[^1].`` reached the
    reader as written, and a ``[link][ref]`` as brackets."""
    tokens, env = parse_for_checks(text)
    opening = next((t for t in tokens if t.type == "paragraph_open" and t.level == 0
                    and t.map), None)
    if opening is None:
        return ""
    start, end = opening.map
    paragraph = "\n".join(text.splitlines()[start:end]).strip()
    for label in {str(note.get("label", "")) for note in env.get("footnotes", {})
                  .get("list", {}).values()} - {""}:
        paragraph = re.sub(rf"\[\^{re.escape(label)}\]", "", paragraph)
    definitions = [f"[{label}]: <{ref['href']}>"  # unused ones render as nothing
                   + (f' "{title}"' if (title := ref.get("title")) and '"' not in title
                      else "")
                   for label, ref in env.get("references", {}).items()]
    return "\n\n".join([paragraph, *definitions]) if definitions else paragraph


def has_tables_or_notes(texts: Iterable[str | None]) -> bool:
    """Whether any text has a table or a footnote (their CSS is left out of an e-mail that
    has none: every byte counts against Gmail's clipping)."""
    return any(
        text and ("|" in text or "[^" in text)
        and any(t.type in ("table_open", "footnote_block_open")
                for t in parse_for_checks(text)[0])
        for text in texts
    )


def to_html(text: str, print_urls: bool = False, paged: bool = False) -> str:
    """HTML for a Markdown text (raw HTML in the source comes out escaped).

    ``print_urls`` writes each link's address after its words, for paper, where a link
    cannot be followed (a bare address already shows itself). ``paged``: for WeasyPrint
    (both PDFs), which numbers a list from its ``start`` only when told in CSS.
    """
    parser = _parser()
    return parser.renderer.render(_tokens(text), parser.options,
                                  {"print_urls": print_urls, "paged": paged})


@lru_cache(maxsize=2048)
def _tokens(text: str) -> list[Token]:
    """The rendering parser's tokens of ``text``, parsed once for every reader of it: the
    HTML of each edition, the word counts of ``check``, the e-mail's text part. The long
    two-language issue's texts were parsed 261 times in one ``check``, 3 s of its 5 s.
    Read them, never change them (rendering only sets attributes idempotently)."""
    return _parser().parse(text, {})


def to_inline_html(text: str) -> str:
    """HTML for a one-paragraph text, without the surrounding ``<p>``."""
    return _parser().renderInline(text)


@dataclass(frozen=True)
class Reference:
    """A link or image target written in Markdown, with its line relative to the text."""

    kind: str  # "link" or "image"
    target: str
    line: int  # 0-based line within the text


def references(text: str) -> list[Reference]:
    """Every link and image target of a Markdown text, in order, with its line."""
    found: list[Reference] = []
    for block in parse_for_checks(text)[0]:
        if block.type != "inline" or not block.children:
            continue
        base = block.map[0] if block.map else 0
        line = base
        for child in block.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                found.append(Reference("link", str(child.attrGet("href") or ""), line))
            elif child.type == "image":
                found.append(Reference("image", str(child.attrGet("src") or ""), line))
    return found


@lru_cache(maxsize=2048)
def to_plain_text(text: str) -> str:
    """The words of a Markdown text without markup (for counts and the text e-mail part)."""
    parts: list[str] = []
    for block in _tokens(text):
        if block.type == "inline" and block.children:
            parts.append("".join(_inline_text(child) for child in block.children))
    return "\n\n".join(parts)


def _inline_text(token: Token) -> str:
    if token.type in ("text", "code_inline", "text_special"):
        return token.content
    if token.type == "footnote_ref":
        return f"[{note_number(token)}]"
    if token.type in ("softbreak", "hardbreak"):
        return " "
    return ""


def count_words(text: str) -> int:
    """Words as a reader counts them."""
    return len(to_plain_text(text).split())


def to_text(text: str, width: int = 78, prepare: Callable[[str], str] | None = None) -> str:
    """Markdown as plain text for the e-mail's text part: wrapped, lists kept, links shown.

    A link becomes ``label <url>`` (just the URL when the label already is the address), so
    a reader of the text part can still follow it; a quotation is marked ``> `` as mail
    readers expect; numbers and phone numbers are never split at a line end.
    ``prepare`` changes each paragraph's words before wrapping (a language's no-break
    spaces, which the wrapping keeps); a passage in another language (``{lang=uk}``)
    comes to it marked (:func:`newsletter.typography.marked_passage`), so it is bound by
    its own language's rules.
    """
    out: list[tuple[str, bool]] = []  # (text, is a list item)
    lists: list[list[int]] = []  # one entry per open list: [next number] or [] if bulleted
    quote = ""  # "> " per open blockquote
    prefix_first = prefix_rest = ""
    table: list[list[str]] | None = None  # rows of the table being read
    right: list[bool] = []  # its columns aligned right (--: under the header)
    languages: list[str | None] = []  # each open block's {lang=…}, if it has one

    def finished(words: str) -> str:
        """An inline text marked as its block's language, bound (or unmarked)."""
        language = next((code for code in reversed(languages) if code), None)
        if language:
            words = marked_passage(words, language)
        return prepare(words) if prepare is not None else unmarked(words)

    heading = False  # inside an editor's subheading
    for token in _tokens(text):
        if token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
        if token.nesting == 1:
            languages.append(str(token.attrGet("lang") or "") or None)
        elif token.nesting == -1 and languages:
            languages.pop()
        if token.type == "table_open":
            table, right = [], []
        elif token.type == "tr_open" and table is not None:
            table.append([])
        elif token.type == "th_open":
            right.append("right" in str(token.attrGet("style") or ""))
        elif token.type == "table_close" and table is not None:
            indent = quote + "  " * len(lists)
            out.append((table_text(table, width - len(indent), indent, right), False))
            table = None
        elif token.type == "inline" and table is not None:
            table[-1].append(finished(_inline_with_urls(token.children or [])))
        elif token.type == "footnote_block_open":
            out.append((_LIST_END, False))
        elif token.type == "footnote_open":
            prefix_first = f"[{note_number(token)}] "
            prefix_rest = " " * len(prefix_first)
        elif token.type == "blockquote_open":
            quote += "> "
        elif token.type == "blockquote_close":
            quote = quote[:-2]
        elif token.type == "bullet_list_open":
            lists.append([])
        elif token.type == "ordered_list_open":
            lists.append([int(token.attrGet("start") or 1)])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            out.append((_LIST_END, False))
        elif token.type == "list_item_open":
            depth = "  " * (len(lists) - 1)
            marker = "-" if not lists[-1] else \
                f"{_counter(lists[-1][0], sum(1 for open_ in lists if open_))}."
            if lists[-1]:
                lists[-1][0] += 1
            prefix_first = f"{depth}{marker} "
            prefix_rest = " " * len(prefix_first)
        elif token.type == "inline" and token.children is not None:
            words = finished(_inline_with_urls(token.children))
            if _wholly_bold(token.children):  # a question, a run-in heading: as typed
                words = f"*{words}*"
            first = prefix_first or ("  " * len(lists) if lists else "")
            rest = prefix_rest or first
            filled = wrap(words, width, quote + first, quote + rest)
            if heading:  # a subheading, underlined: "1. Register" read as a list's item
                widest = max(len(line) for line in filled.splitlines())
                filled += "\n" + quote + first + "-" * (widest - len(quote + first))
            out.append((filled, bool(prefix_first)))
            prefix_first = prefix_rest = ""
        elif token.type == "hr":  # a rule between parts of a text: a break a reader sees
            out.append((quote + "* * *", False))
        elif token.type in ("fence", "code_block"):
            code = token.content.rstrip("\n")
            out.append(("\n".join(quote + line for line in code.splitlines()), False))
    return _join_blocks(out)


_ROMAN = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _counter(number: int, level: int) -> str:
    """A numbered list's marker at ``level`` (1: the outermost numbered list): 1, 2, 3; in a
    numbered list inside it a, b, c; deeper i, ii, iii (as the HTML editions' CSS counts:
    ``ol ol { list-style-type: lower-alpha }``). Past the letters or numerals, the number."""
    if level == 2 and 1 <= number <= 26:
        return chr(ord("a") + number - 1)
    if level >= 3 and 1 <= number <= 39:
        roman = ""
        for value, letters in _ROMAN:
            while number >= value:
                roman, number = roman + letters, number - value
        return roman
    return str(number)


def table_text(rows: list[list[str]], width: int, indent: str = "",
               right: list[bool] | None = None) -> str:
    """A table for the text part: aligned columns under their headings when they fit in
    ``width`` (``right``: the columns written ``--:``, amounts), else one group of
    "heading: value" lines per row (a phone-width table)."""
    header = rows[0]
    columns = len(header)
    rows = [[cell.replace(HARD_BREAK, " ") for cell in row] + [""] * (columns - len(row))
            for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(columns)]
    if sum(widths) + 2 * (columns - 1) <= width:
        flush = [*(right or []), *[False] * columns][:columns]
        lines = ["  ".join(cell.rjust(w) if r else cell.ljust(w)
                           for cell, w, r in zip(row, widths, flush, strict=True)).rstrip()
                 for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(indent + line for line in lines)
    groups = []
    for row in rows[1:]:
        groups.append("\n".join(
            wrap(f"{name}: {cell}" if name else cell, width + len(indent), indent,
                 indent + "  ")
            for name, cell in zip(header, row, strict=True) if cell))
    return "\n\n".join(groups)


_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # not str.split(): that splits no-break spaces too
HARD_BREAK = "\x1d"
"""Where the editor broke a line (two spaces or a backslash at its end) in the text part's
inline text, until :func:`wrap` starts a new line there (a space would join an address
typed over three lines into one)."""


def wrap(text: str, width: int = 78, first: str = "", rest: str | None = None) -> str:
    """One paragraph as lines of at most ``width`` characters (a word longer than that, such
    as an address, stands alone), never breaking inside a number or a phone number."""
    import textwrap

    if HARD_BREAK in text:  # the editor's own line breaks: each line wrapped on its own
        lines = text.split(HARD_BREAK)
        later = first if rest is None else rest
        return "\n".join(wrap(line, width, first if index == 0 else later, later)
                         for index, line in enumerate(lines))
    joined = " ".join(_SPACES.split(text.strip()))
    # textwrap breaks only at ASCII whitespace: hide the spaces inside numbers from it.
    protected = DIGIT_SPACE.sub(lambda m: _HIDDEN[m.group()], joined)
    filled = textwrap.fill(
        protected, width, initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_long_words=False, break_on_hyphens=False,
    )
    return filled.translate(_SHOWN)


_HIDDEN = {" ": "\x1f", "\u2009": "\x1e"}  # textwrap breaks at neither stand-in
_SHOWN = str.maketrans({v: k for k, v in _HIDDEN.items()})


def _join_blocks(blocks: list[tuple[str, bool]]) -> str:
    # A blank line between paragraphs (">" between two of one quotation); items of one list
    # stay together. The parser loop appends _LIST_END when a list closes, so two lists in
    # a row are still separated.
    result: list[str] = []
    previous_item = False
    for block, item in blocks:
        if block == _LIST_END:
            previous_item = False
            continue
        if result and not (item and previous_item):
            quoted = block.startswith(">") and result[-1].startswith(">")
            result.append(">" if quoted else "")
        result.append(block)
        previous_item = item
    return "\n".join(result)


_LIST_END = "\x00"


def _wholly_bold(children: list[Token]) -> bool:
    """Whether an inline run is bold from end to end (an interview's question): the text
    part marks it with asterisks, as plain text marks emphasis, or it read as an answer
    (hand-made issue 2027-05: "Skąd tak duże…?" and "To dużo." alike)."""
    depth, inside, outside = 0, False, False
    for child in children:
        if child.type == "strong_open":
            depth += 1
        elif child.type == "strong_close":
            depth -= 1
        elif depth and child.type == "text" and child.content.strip():
            inside = True
        elif depth == 0 and (child.type != "text" or child.content.strip()):
            outside = True
    return inside and not outside


def _inline_with_urls(children: list[Token]) -> str:
    parts: list[str] = []
    href: str | None = None
    label_start = 0
    passages: list[bool] = []  # each open span or link: whether it is a passage
    for child in children:
        if child.type in ("span_open", "link_open"):
            language = str(child.attrGet("lang") or "")
            passages.append(bool(language))
            if language:  # the text part's marks, for the language's own typography
                parts.append(f"{PASSAGE_START}{language}{PASSAGE_LANGUAGE_END}")
        if child.type in ("span_close", "link_close") and passages and passages.pop():
            parts.append(PASSAGE_END)
        if child.type == "link_open":
            # A bare address already shows itself: nothing to add after it.
            href = None if child.markup in ("linkify", "autolink") else \
                str(child.attrGet("href") or "")
            label_start = len(parts)
        elif child.type == "link_close" and href is not None:
            label = unmarked("".join(parts[label_start:])).strip()
            shown = href.removeprefix("mailto:")
            if label not in (href, shown):
                parts.append(f" <{shown}>")
            href = None
        elif child.type == "hardbreak":
            parts.append(HARD_BREAK)
        elif child.type != "link_close":
            parts.append(_inline_text(child))
    joined = "".join(parts).translate(_BREAK_HINTS)
    return HARD_BREAK.join(" ".join(_SPACES.split(line.strip()))
                           for line in joined.strip().split(HARD_BREAK))


_BREAK_HINTS = str.maketrans(dict.fromkeys("\u00ad\u200b"))
"""Soft hyphens and zero-width spaces pasted from Word: where a browser or the PDFs may break
a line; the text part breaks its own lines, and a mail program that shows them as "-" made
"Gra-nty dla fir-m" of the words."""
