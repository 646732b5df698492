"""Ranges and codes kept on one line on screens by markup, so they copy as typed.

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
