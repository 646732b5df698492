"""``/Lang`` on each tagged element of the readers' PDF that is in another language.

An editor marks a phrase or passage in another language (``[Слава Україні]{lang=uk}``,
:mod:`newsletter.markdown`) and the HTML editions carry ``lang="uk"`` on it, so a screen
reader switches voice. WeasyPrint 70 writes ``/Lang`` only on the document's catalog
(from ``<html lang>``; measured with pikepdf: no structure element had one), and a PDF
screen reader would read the Cyrillic with the Polish voice. PDF/UA (ISO 14289-1, 7.2)
asks for ``/Lang`` on the structure element of each change of language.

WeasyPrint builds its structure tree in ``weasyprint.pdf.tags._build_box_tree``, one call
per box, which yields the element it made for that box. :func:`install` wraps it once per
process to copy the box's ``lang`` attribute onto that element; the tags module is looked
up by name, so a WeasyPrint without it leaves the PDF as it was (the tests say so).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any


@functools.cache
def install() -> bool:
    """Wrap WeasyPrint's structure-tree builder (once); False when it has none to wrap."""
    try:
        import pydyf
        from weasyprint.pdf import tags
    except ImportError:
        return False
    original: Callable[..., Iterator[Any]] | None = getattr(tags, "_build_box_tree", None)
    if original is None:
        return False

    def with_lang(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        element = getattr(getattr(box, "_box", box), "element", None)
        lang = None
        if element is not None and getattr(element, "tag", None) not in ("html", "body"):
            lang = element.get("lang")
        for made in original(box, parent, *args):
            if lang and hasattr(made, "keys") and "Lang" not in made:
                made["Lang"] = pydyf.String(lang)
            yield made

    tags._build_box_tree = with_lang
    return True
