"""Editors' Markdown: one parser for every edition, with raw HTML switched off.

CommonMark via markdown-it-py with ``html=False``: a ``<script>`` or ``<b>`` typed into a
body is shown as text (escaped), never passed through as markup, in every edition.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@cache
def _parser() -> MarkdownIt:
    # "commonmark" with html off; tables and strikethrough are not used by the newsletter.
    return MarkdownIt("commonmark", {"html": False, "typographer": False})


@cache
def _checker() -> MarkdownIt:
    # Sees every link, even those the renderer would refuse (javascript:, data:, file:),
    # so the loader can name them instead of letting them silently turn into text.
    parser = MarkdownIt("commonmark", {"html": False})
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def to_html(text: str) -> str:
    """HTML for a Markdown text (raw HTML in the source comes out escaped)."""
    return _parser().render(text)


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


def to_text(text: str, width: int = 78) -> str:
    """Markdown as plain text for the e-mail's text part: wrapped, lists kept, links shown.

    A link becomes ``label <url>`` (just the URL when the label already is the address), so
    a reader of the text part can still follow it.
    """
    import textwrap

    out: list[tuple[str, bool]] = []  # (text, is a list item)
    lists: list[list[int]] = []  # one entry per open list: [next number] or [] if bulleted
    prefix_first = prefix_rest = ""
    for token in _parser().parse(text):
        if token.type == "bullet_list_open":
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
            first = prefix_first or ("  " * len(lists) if lists else "")
            rest = prefix_rest or first
            filled = textwrap.fill(
                words, width, initial_indent=first, subsequent_indent=rest,
                break_long_words=False, break_on_hyphens=False,
            )
            out.append((filled, bool(prefix_first)))
            prefix_first = prefix_rest = ""
        elif token.type in ("fence", "code_block"):
            out.append((token.content.rstrip("\n"), False))
    return _join_blocks(out)


def _join_blocks(blocks: list[tuple[str, bool]]) -> str:
    # A blank line between paragraphs; items of one list stay together. The parser loop
    # appends _LIST_END when a list closes, so two lists in a row are still separated.
    result: list[str] = []
    previous_item = False
    for block, item in blocks:
        if block == _LIST_END:
            previous_item = False
            continue
        if result and not (item and previous_item):
            result.append("")
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
            href = str(child.attrGet("href") or "")
            label_start = len(parts)
        elif child.type == "link_close" and href is not None:
            label = "".join(parts[label_start:]).strip()
            shown = href.removeprefix("mailto:")
            if label not in (href, shown):
                parts.append(f" <{shown}>")
            href = None
        else:
            parts.append(_inline_text(child))
    return " ".join("".join(parts).split())
