"""Where lines may break, for every edition: numbers stay whole, URLs break only at slashes.

Editors write ``1 234 567``, ``12 500 zł`` or ``+48 12 616 12 34`` with ordinary (or thin)
spaces, and long addresses as they are. A reader must never see a number or a phone number
split over two lines, nor an address with a hyphen that is not in it (a URL typed from
paper with an invented hyphen leads nowhere). These rules are applied to text before any
template sees it, so the e-mail, the web page, both PDFs and the text part agree.
"""

from __future__ import annotations

import re

DIGIT_SPACE = re.compile(r"(?<=\d)[ \u2009](?=\d)")
"""A space (or thin space) between two digits: where a number must not break."""
_NO_BREAK = {" ": "\u00a0", "\u2009": "\u202f"}  # space → no-break, thin → narrow no-break


def keep_numbers_together(text: str) -> str:
    """Spaces between digits become no-break spaces (thin ones narrow no-break spaces), so
    ``1 234 567`` and ``+48 12 616 12 34`` are never split at a line end."""
    return DIGIT_SPACE.sub(lambda m: _NO_BREAK[m.group()], text)


_URL_BREAK = re.compile(r"([/?&=#]+)(?=[^/?&=#])")
_LOOKS_LIKE_URL = re.compile(r"^(https?://|www\.|mailto:)|^[\w.-]+\.[a-z]{2,}/", re.IGNORECASE)


def looks_like_url(text: str) -> bool:
    """Whether a piece of text is an address (printed as it is, broken only at its parts)."""
    return bool(_LOOKS_LIKE_URL.match(text.strip()))


def breakable_url(text: str) -> str:
    """An address as HTML with ``<wbr>`` after each ``/ ? & = #``: where a long address may
    break without a hyphen (the templates set ``hyphens: manual`` on addresses)."""
    from markupsafe import escape

    pieces = _URL_BREAK.sub("\\1\x00", text).split("\x00")
    return "<wbr>".join(str(escape(piece)) for piece in pieces)
