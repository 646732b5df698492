"""A judge of what reaches a reader: no Python repr and no template syntax in a page, an
e-mail or a PDF's text. Reusable by any test (import it: test folders have no packages).

Jinja2 writes ``'`` as ``&#39;``, so markup is unescaped before it is read; ``None`` is
looked for as a word (an English sentence may start with "None of…", but never in our
own words, and a ``None`` in an attribute is a value that went missing).
"""

from __future__ import annotations

import html
import re

LEAKS = re.compile(
    r"\{'|\['|\bNone\b|\{\{|\{%|\bUndefined\b|<built-in|object at 0x|"
    r"Traceback \(most recent call last\)"
)
"""A dict or list repr, a missing value, Jinja2 syntax or its undefined, a function or an
object repr, a traceback."""


def leaks(text: str, markup: bool = True) -> list[str]:
    """Each leak in ``text`` with 30 characters around it (empty: the text is clean);
    ``markup``: unescape HTML entities first."""
    plain = html.unescape(text) if markup else text
    return [plain[max(0, m.start() - 30): m.end() + 30] for m in LEAKS.finditer(plain)]


def assert_clean(text: str, where: str, markup: bool = True) -> None:
    """Fail naming ``where`` and every leak found in ``text``."""
    found = leaks(text, markup)
    assert not found, f"{where}: {found}"
