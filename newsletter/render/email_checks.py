"""Checks on the finished e-mail HTML that fail the build before anything is sent.

Each guards against something a reader would see: Gmail clipping a long message, an image
without alt text (image blocking, screen readers), a relative link that leads nowhere from
an inbox, or template syntax that leaked into the output.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from newsletter import placeholders
from newsletter.exceptions import NewsletterError

GMAIL_CLIP_BYTES = 102 * 1024
WARN_BYTES = 90 * 1024
_LEFTOVER = re.compile(r"</?mj-[a-z-]+|\{\{|\{%|\{#")  # "}}" is common in minified CSS
_ABSOLUTE = ("http://", "https://", "mailto:")


class EmailCheckError(NewsletterError):
    """The rendered e-mail would reach readers broken."""


def check_email_html(html: str, name: str, clip_is_error: bool = True) -> list[str]:
    """Raise EmailCheckError listing every problem; return warnings (size near the limit,
    or over it when not ``clip_is_error``: a build writes it and warns)."""
    problems: list[str] = []
    warnings: list[str] = []
    size = len(html.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        (problems if clip_is_error else warnings).append(
            f"{name} is {size / 1024:.1f} KB; Gmail clips messages over 102 KB: shorten the "
            "issue or move long texts to the web edition"
        )
    elif size > WARN_BYTES:
        warnings.append(f"{name} is {size / 1024:.1f} KB, close to Gmail's 102 KB clipping limit")
    for match in _LEFTOVER.finditer(html):
        start = max(0, match.start() - 30)
        snippet = html[start : match.end() + 30]
        problems.append(f"{name}: template syntax left in the output: …{snippet}…")
        break
    document = lxml_html.document_fromstring(html)
    for img in document.iter("img"):
        src = img.get("src", "")
        if not (img.get("alt") or "").strip():
            problems.append(f"{name}: image {src} has no alt text")
        if not src.startswith(("http://", "https://")):
            problems.append(f"{name}: image '{src}' is not an absolute http(s) address")
    for anchor in document.iter("a"):
        href = (anchor.get("href") or "").strip()
        if href in placeholders.ALL:
            continue
        if not href.startswith(_ABSOLUTE):
            label = " ".join(anchor.text_content().split())
            problems.append(f"{name}: link '{href}' ('{label}') is not an absolute address")
    if problems:
        raise EmailCheckError("\n".join(problems))
    return warnings
