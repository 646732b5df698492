"""Values a template prints into a style or an attribute, marked by whoever makes them.

Every value a template prints passes through typography (``typeset``, Jinja's
``finalize``), which binds words with no-break spaces. In CSS (``repeat(auto-fit,
minmax(…))``, ``font-size: 34px``) or an attribute list (``srcset="a.png 400w, …"``)
a no-break space is not white space, and the declaration or the list breaks. Guessing
code from its look (a length, a brace) also skipped an editor's title that said "10 mm
{draft}" or "10mm", leaving it unbound; so the code says what it is instead.
"""

from __future__ import annotations

from markupsafe import Markup, escape


class Code(Markup):
    """Text printed into a style or an attribute: never typeset, never escaped."""

    __slots__ = ()



def as_typed(value: object) -> Code:
    """``value`` (plain text) escaped and marked :class:`Code`: printed as the editor typed
    it, with no bindings. For the document's metadata (``<title>``, ``<meta content>``),
    which a PDF reader and a search engine show as text: a no-break space there is a
    stray character ("…Online Week\u00a02020." in the PDF's Subject)."""
    return Code(escape(str(value)))
