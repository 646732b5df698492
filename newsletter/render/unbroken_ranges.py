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
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_RAW = {"title", "style", "script", "textarea"}
_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")
_JOINED_WORD = re.compile(rf"[^\s<>]*{WORD_JOINER}[^\s<>]*")


def nowrap_for_joiners(html: str) -> str:
    """A screen's whole HTML page with each word that holds a word joiner set in a no-wrap
    span instead (joiner removed), and no joiner left in a tag or raw text. A word longer
    than :data:`SCREEN_BOUND_LIMIT` characters (a long compound word) only loses its
    joiner: a phone's line cannot hold it, and its typed hyphen is a better break than the
    browser's cut at any letter. A joiner at a text run's edge (half a range emphasised)
    stays, as a span cannot reach across the tag."""
    if WORD_JOINER not in html:
        return html
    parts = _TAG.split(html)
    raw = ""  # the raw text element we are in
    for index, part in enumerate(parts):
        if WORD_JOINER not in part and index % 2 == 0:
            continue
        if index % 2:  # a tag or a comment
            name = _NAME.match(part)
            tag = name.group(1).lower() if name else ""
            if tag in _RAW:
                raw = "" if part.startswith("</") else tag
            parts[index] = part.replace(WORD_JOINER, "")
        elif raw:
            parts[index] = part.replace(WORD_JOINER, "")
        else:
            parts[index] = _JOINED_WORD.sub(_nowrap, part)
    return "".join(parts)


def _nowrap(match: re.Match[str]) -> str:
    word = match.group()
    inner = word.strip(WORD_JOINER)
    if WORD_JOINER not in inner:  # only at the run's edge: a span could not reach over
        return word
    whole = inner.replace(WORD_JOINER, "")
    if len(whole) > SCREEN_BOUND_LIMIT:
        return word.replace(inner, whole)
    return word.replace(inner, f"{NOWRAP}{whole}</span>")
