"""Ranges, codes and addresses' pieces kept on one line on screens by markup, so they copy
as typed.

Typography keeps "2019–2020", "31-156" and "COVID-19" whole by a word joiner (U+2060) after
the dash (:func:`newsletter.typography.keep_ranges_whole`), added wherever a value is printed
(Jinja's finalize), including into attributes where no tag can go. A browser copies the
joiner: Chromium's selection of "Kod 31-156 Kraków, 2019–2020, e-mailem" was 41 characters,
three of them U+2060, so a postal code pasted into a form carried an invisible character.
On paper the PDFs leave the joiner out of copied text; on screens the final HTML of the
e-mail and the web page turns each word holding one into ``<span style="white-space:
nowrap">`` with the joiner gone (an inline style: mail programs drop a ``<style>``
sheet's rules, and Gmail keeps ``white-space`` on an element), and takes joiners out of
attributes and of text where no tag can go (``<title>``, ``<style>``, ``<script>``).
"""

from __future__ import annotations

import re

from newsletter.typography import SCREEN_BOUND_LIMIT, WORD_JOINER

NOWRAP = '<span style="white-space:nowrap">'
_JOINED_TAG = re.compile(
    f"<!--(?:(?!-->).)*{WORD_JOINER}.*?-->|<[^>{WORD_JOINER}]*{WORD_JOINER}[^>]*>", re.DOTALL)
"""A comment or a tag with a joiner in it (an attribute's value: no tag can go there)."""
_RAW = re.compile(r"(<(title|style|script|textarea)\b[^>]*>)(.*?)(</\2\s*>)",
                  re.DOTALL | re.IGNORECASE)
_WORD_REST = re.compile(r"[^\s<>]*")
_HYPHENATED_PIECE = re.compile(r"(?:(?<=<wbr>)|(?<=</wbr>))[^\s<>]*\w-\w[^\s<>]*(?=<)"
                               r"|(?<=>)[^\s<>]*\w-\w[^\s<>]*(?=<wbr>)")
"""A piece of an address (after one of its ``<wbr>``s, which the e-mail's inlining writes
``<wbr></wbr>``, or before the first) holding a
hyphen: a browser breaks after it ("…/grant-" / "seed" at 375 px, hand-made issue
2027-09: read as a hyphenated word, which the address is not)."""
ADDRESS_PIECE_LIMIT = 24
"""Pieces up to this long are kept on one line on screens (a card a third of a 480 px
e-mail holds about as many); a longer one may still break after its hyphen."""
_BEFORE_WORD = re.compile(r"[\s<>]")


def nowrap_for_joiners(html: str) -> str:
    """A screen's whole HTML page with each word that holds a word joiner set in a no-wrap
    span instead (joiner removed), and no joiner left in a tag or raw text. A word longer
    than :data:`SCREEN_BOUND_LIMIT` characters (a long compound word) only loses its
    joiner: a phone's line cannot hold it, and its typed hyphen is a better break than the
    browser's cut at any letter. A joiner at a text run's edge (half a range emphasised)
    stays, as a span cannot reach across the tag.

    Found from the joiners outward (a page has a few), not by walking the page's
    thousands of tags: the e-mail and the web page are rendered again for every teaser
    tried and every preview."""
    if "-" in html and "<wbr>" in html:
        html = _HYPHENATED_PIECE.sub(lambda piece: f"{NOWRAP}{piece.group()}</span>"
                                     if len(piece.group()) <= ADDRESS_PIECE_LIMIT
                                     else piece.group(), html)
    if WORD_JOINER not in html:
        return html
    html = _JOINED_TAG.sub(lambda tag: tag.group().replace(WORD_JOINER, ""), html)
    html = _RAW.sub(lambda raw: raw.group().replace(WORD_JOINER, "")
                    if WORD_JOINER in raw.group(3) else raw.group(), html)
    pieces, done, at = [], 0, html.find(WORD_JOINER)
    while at >= 0:
        start = at
        while start > 0 and not _BEFORE_WORD.match(html, start - 1):
            start -= 1
        end = _WORD_REST.match(html, at).end()
        pieces += [html[done:start], _nowrap(html[start:end])]
        done, at = end, html.find(WORD_JOINER, end)
    return "".join(pieces) + html[done:]


def _nowrap(word: str) -> str:
    inner = word.strip(WORD_JOINER)
    if WORD_JOINER not in inner:  # only at the run's edge: a span could not reach over
        return word
    whole = inner.replace(WORD_JOINER, "")
    if len(whole) > SCREEN_BOUND_LIMIT:
        return word.replace(inner, whole)
    return word.replace(inner, f"{NOWRAP}{whole}</span>")
