"""Editors' Markdown: one parser for every edition, with raw HTML switched off.

CommonMark via markdown-it-py with ``html=False``: a ``<script>`` or ``<b>`` typed into a
body is shown as text (escaped), never passed through as markup, in every edition.
Bare addresses (``https://…``, ``www.…``, e-mail addresses) become links (linkify-it-py),
so every edition can make them clickable and break them only at their slashes; numbers
keep their spaces unbreakable (:mod:`newsletter.typography`). A bare domain without a
scheme or ``www.`` stays text: Polish abbreviations ("m.in.", "m.st.") look like domains.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from newsletter.typography import (
    DIGIT_SPACE,
    breakable_url,
    keep_numbers_together,
    looks_like_url,
)


class _WrittenLinks(LinkifyIt):
    """linkify-it that links what an editor wrote as an address: a scheme (``https://``,
    ``mailto:``, an e-mail address) or ``www.``. Its fuzzy links also take any word.word
    for a domain, and Polish is full of those: "m.in." ("among others") became a link to
    https://m.in, "m.st." to https://m.st, in the shipped sample too."""

    def match(self, text):  # type: ignore[no-untyped-def]
        found = [link for link in super().match(text) or []
                 if link.schema or link.raw.lower().startswith("www.")]  # fmt: skip
        return found or None

    def test(self, text):  # type: ignore[no-untyped-def]
        return bool(super().test(text)) and self.match(text) is not None


@cache
def _parser() -> MarkdownIt:
    # "commonmark" with html off; tables and strikethrough are not used by the newsletter.
    parser = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": True})
    parser.enable("linkify")
    parser.linkify = _WrittenLinks()
    parser.core.ruler.push("https_for_bare_addresses", _https_for_bare_addresses)
    parser.add_render_rule("text", _render_text)
    parser.add_render_rule("link_open", _render_link_open)
    parser.add_render_rule("link_close", _render_link_close)
    return parser


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
    if _is_address_link(tokens, idx):
        tokens[idx].attrJoin("class", "url")
    return self.renderToken(tokens, idx, options, env)


def _render_link_close(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    html = self.renderToken(tokens, idx, options, env)
    opening = next(i for i in range(idx - 1, -1, -1) if tokens[i].type == "link_open")
    if env.get("print_urls") and not _is_address_link(tokens, opening):
        shown = re.sub(r"^(https?://|mailto:)", "", str(tokens[opening].attrGet("href") or ""))
        html += f' <span class="url">({breakable_url(shown.rstrip("/"))})</span>'
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
    parser.linkify = _WrittenLinks()
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def to_html(text: str, print_urls: bool = False) -> str:
    """HTML for a Markdown text (raw HTML in the source comes out escaped).

    ``print_urls`` writes each link's address after its words, for paper, where a link
    cannot be followed (a bare address already shows itself).
    """
    return _parser().render(text, {"print_urls": print_urls})


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
    for block in _checker().parse(text):
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


def to_plain_text(text: str) -> str:
    """The words of a Markdown text without markup (for counts and the text e-mail part)."""
    parts: list[str] = []
    for block in _parser().parse(text):
        if block.type == "inline" and block.children:
            parts.append("".join(_inline_text(child) for child in block.children))
    return "\n\n".join(parts)


def _inline_text(token: Token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
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
    spaces, which the wrapping keeps).
    """
    out: list[tuple[str, bool]] = []  # (text, is a list item)
    lists: list[list[int]] = []  # one entry per open list: [next number] or [] if bulleted
    quote = ""  # "> " per open blockquote
    prefix_first = prefix_rest = ""
    for token in _parser().parse(text):
        if token.type == "blockquote_open":
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
            marker = "-" if not lists[-1] else f"{lists[-1][0]}."
            if lists[-1]:
                lists[-1][0] += 1
            prefix_first = f"{depth}{marker} "
            prefix_rest = " " * len(prefix_first)
        elif token.type == "inline" and token.children is not None:
            words = _inline_with_urls(token.children)
            if prepare is not None:
                words = prepare(words)
            first = prefix_first or ("  " * len(lists) if lists else "")
            rest = prefix_rest or first
            filled = wrap(words, width, quote + first, quote + rest)
            out.append((filled, bool(prefix_first)))
            prefix_first = prefix_rest = ""
        elif token.type in ("fence", "code_block"):
            code = token.content.rstrip("\n")
            out.append(("\n".join(quote + line for line in code.splitlines()), False))
    return _join_blocks(out)


_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # not str.split(): that splits no-break spaces too


def wrap(text: str, width: int = 78, first: str = "", rest: str | None = None) -> str:
    """One paragraph as lines of at most ``width`` characters (a word longer than that, such
    as an address, stands alone), never breaking inside a number or a phone number."""
    import textwrap

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


def _inline_with_urls(children: list[Token]) -> str:
    parts: list[str] = []
    href: str | None = None
    label_start = 0
    for child in children:
        if child.type == "link_open":
            # A bare address already shows itself: nothing to add after it.
            href = None if child.markup in ("linkify", "autolink") else \
                str(child.attrGet("href") or "")
            label_start = len(parts)
        elif child.type == "link_close" and href is not None:
            label = "".join(parts[label_start:]).strip()
            shown = href.removeprefix("mailto:")
            if label not in (href, shown):
                parts.append(f" <{shown}>")
            href = None
        elif child.type != "link_close":
            parts.append(_inline_text(child))
    return " ".join(_SPACES.split("".join(parts).strip()))
