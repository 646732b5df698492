"""Where the screens' editions may break a line, measured from the built files themselves
(issue 17 item 4): the e-mail's and the web page's HTML text, the text part's wrapped
lines, and the lines Chromium draws.

One module for the corpus judges (tests/corpus/judges.py) and the tests:

- :func:`unbound_spaces`: breakable spaces in an HTML edition's text where the language's
  rules bind (a one-letter word, a number, an abbreviation before the next word; a dash);
- :func:`text_part_faults`: the text part's lines that end with a word that binds to the
  next line's first, and addresses the text part breaks over two lines;
- :data:`WORD_BOXES` and :func:`one_letter_ends`: lines Chromium draws that end with a
  one-letter word bound to the next.

Every function returns faults as lines of text; an empty list is a pass.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lxml import html as lxml_html
from paper import squeezed

from newsletter.typography import INITIALS, SCREEN_TITLE_BOUND_LIMIT, Rules, looks_like_url

INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "font"})
"""Elements a line of text runs through; any other element (and ``<br>``) ends a text."""
SKIPPED = frozenset({"script", "style", "head", "title", "noscript", "template"})
PASSAGE = "\ue000"  # where a passage in another language stood inside a text


def texts_by_language(path: Path, language: str) -> list[tuple[str, str]]:
    """The texts a reader reads in an HTML file, each with its language: a block's text
    with its inline elements (``w <em>Krakowie</em>`` is one text), a passage marked
    ``lang="uk"`` a text of its own (and :data:`PASSAGE` in the text around it)."""
    document = lxml_html.parse(str(path)).getroot()
    found: list[tuple[str, str]] = []

    def visit(element: Any, lang: str, text: list[str]) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        own = (element.get("lang") or lang).lower() if tag else lang
        if tag in SKIPPED or not tag:
            pass
        elif own != lang:  # a passage: its own rules, its own text
            passage: list[str] = []
            _children(element, own, passage, visit)
            found.append((own, "".join(passage)))
            text.append(PASSAGE)
        elif tag in INLINE:
            _children(element, own, text, visit)
        else:
            found.append((lang, "".join(text)))
            text.clear()
            inner: list[str] = []
            _children(element, own, inner, visit)
            found.append((own, "".join(inner)))
        text.append(element.tail or "")

    body = document.find("body")
    root: list[str] = []
    visit(body if body is not None else document, language, root)
    found.append((language, "".join(root)))
    return [(lang, text) for lang, text in found if text.strip()]


def _children(element: Any, lang: str, text: list[str], visit: Any) -> None:
    text.append(element.text or "")
    for child in element:
        visit(child, lang, text)


def unbound_spaces(path: Path, language: str, rules: Rules) -> list[str]:
    """Breakable spaces in ``path``'s text where ``rules`` (or a passage's own language's)
    bind: each place the rules' pattern still finds, which a bound text no longer has
    (shown as ``⟨ ⟩``). A number before an address is no counted word's (the templates
    leave a link's words alone), nor an address's last number before a word ('…?rok=2021
    biznes': the address counts nothing). An abbreviation's (or a number's before the word
    it counts) binding that the screens release in
    a chain too long for a phone's line (:data:`newsletter.typography.SCREEN_BOUND_LIMIT`)
    is no fault: the two pieces it parts hold more than
    :data:`SCREEN_TITLE_BOUND_LIMIT` characters together."""
    found = []
    for lang, text in texts_by_language(path, language):
        own = rules if lang.split("-")[0] == language else rules.for_passage(lang)
        text = text.replace("\n", " ")
        for match in own.pattern.finditer(text):
            word, after = match.group(1), _piece_after(text, match.end())
            if word and (looks_like_url(after) or looks_like_url(
                    _piece_before(text, match.end(1))) or (_releasable(word, after) and len(
                    _piece_before(text, match.end(1))) + 1 + len(after)
                    > SCREEN_TITLE_BOUND_LIMIT)):
                continue
            found.append(f"{lang}: …{text[max(0, match.start() - 25):match.start()]}"
                         f"{match.group().rstrip()}⟨ ⟩{text[match.end():match.end() + 15]}…")
    return found


def _releasable(word: str, after: str) -> bool:
    """An abbreviation or a title (not a one-letter word, a number, a sign, initials), or a
    number before the word it counts (released last, where the abbreviations were not
    enough: newsletter.typography's _WEAK_COUNT)."""
    if word[0].isdigit():
        return after[:1].isalpha()
    return len(word) > 1 and not re.fullmatch(INITIALS, word)


def _piece_before(text: str, end: int) -> str:
    """The unbreakable piece (no-break spaces hold it together) that ends at ``end``."""
    return re.search(r"[^ \t]*$", text[:end]).group()


def _piece_after(text: str, start: int) -> str:
    return re.match(r"[^ \t]*", text[start:]).group()


TEXT_WIDTH = 78  # the text part's lines (RFC 5322's advice), as newsletter wraps them
MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\[\d+\])\s")
"""The start of a list item or a note in the text part: a new text, not a line's sequel."""


def text_part_faults(text: str, rules: Rules, addresses: Iterable[str],
                     ends: Sequence[str] = (), width: int = TEXT_WIDTH) -> list[str]:
    """The text part's wrapped lines: a line that ends with a word the rules bind to the
    next line's first, where the wrapping broke it (the next line's first word would not
    fit ``width``: a shorter line ends where the editor or the template ended it, a
    paragraph, a card's "Read more: …"; and a text of ``ends``, squeezed, that ends with
    the line's last two words ends there: a card's title "… dotacja i"; so does a line
    "label: value" whose value is one of ``ends`` whole: a stacked table's row "… im.
    Kościuszki: 5", generated seed 9510), and
    ``addresses`` (as typed) that the text holds broken over lines, no line whole."""
    found = []
    lines = text.split("\n")
    whole = set(ends)
    for line, following in itertools.pairwise(lines):
        if not line.strip() or not following.strip() or MARKER.match(following) \
                or set(following.strip()) <= set("=-") \
                or len(line.rstrip()) + 1 + len(following.split()[0]) <= width:
            continue
        last, first = line.split()[-1], following.split()[0]
        tail = squeezed("".join(line.split()[-2:]))
        if any(text.endswith(tail) for text in ends) \
                or (": " in line and squeezed(line.rsplit(": ", 1)[1]) in whole):
            continue
        joined = f"{last} {first}"
        if any(match.start() < len(last) < match.end() for match in
               rules.pattern.finditer(joined)):
            found.append(f"a line ends with {last!r}: {' '.join(line.split()[-4:])} / "
                         f"{' '.join(following.split()[:3])}")
    joined = re.sub(r"\n\s*", "", text)  # an address the e-mail carries (not a teaser's)
    found += [f"{address!r} broken over lines" for address in dict.fromkeys(addresses)
              if address in joined and not any(address in line for line in lines)]
    return found


# --- lines in Chromium ---------------------------------------------------------------------

WORD_BOXES = r"""(language) => {
  const blocks = new Map();
  const inline = new Set(['A','ABBR','B','BDI','BDO','CITE','CODE','DATA','DFN','EM','I','KBD',
    'MARK','Q','S','SAMP','SMALL','SPAN','STRONG','SUB','SUP','TIME','U','VAR','WBR','FONT']);
  const words = [];
  let breaks = 0, texts = 0;  // a <br> ends a text as a block does (a footer's lines)
  const walker = document.createTreeWalker(document.body,
    NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === 1) { if (node.tagName === 'BR') breaks++; continue; }
    let block = node.parentElement;
    while (block && inline.has(block.tagName)) block = block.parentElement;
    if (!block || ['SCRIPT','STYLE'].includes(block.tagName)) continue;
    const lang = (node.parentElement.closest('[lang]') || document.documentElement).lang;
    if (lang.split('-')[0].toLowerCase() !== language) continue;
    const style = getComputedStyle(node.parentElement);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const key = blocks.get(block) || {};
    if (!blocks.has(block)) blocks.set(block, key);
    if (!(breaks in key)) key[breaks] = texts++;
    const text = node.textContent;
    // a piece of an address (its parts apart at <wbr>s: '…/new/', 'a') is no word
    const link = node.parentElement.closest('a');
    const address = link !== null && !/\s/.test(link.textContent.trim())
      && /[\/@]/.test(link.textContent);
    for (const match of text.matchAll(/\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      if (!rects.length) continue;
      const r = rects[0];
      words.push([key[breaks], match[0], r.left, r.top, r.bottom, rects.length, address]);
    }
  }
  return words;
}"""
"""Every word of the page's text in ``language`` with its text (the nearest element not
inline, and the ``<br>`` it follows), its first box (left, top, bottom), how many boxes
it has and whether it is a piece of a link's address, in document order."""


def one_letter_ends(words: list[list[Any]], letters: Iterable[str]) -> list[str]:
    """Lines that end with a word of ``letters`` while the next word, of the same block,
    starts the next line (its top under the word's middle). An address's last piece
    ('…/new/a', seed 8305) is no word."""
    letters = set(letters)
    found = []
    for before, after in itertools.pairwise(words):
        block, text, _, top, bottom, _, address = before
        if block == after[0] and text in letters and after[3] > (top + bottom) / 2 \
                and not address:
            found.append(f"'{text}' / '{after[1]}'")
    return found

