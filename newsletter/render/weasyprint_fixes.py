"""One fault of WeasyPrint's line breaking, mended where it happens.

WeasyPrint (70) lays out a text run with Pango and asks whether its first line fits:
Pango lets a line's trailing space hang past the edge (it fits), but WeasyPrint then
measures the line *with* that space. A run that ends with a space before an inline
element (a link, an emphasis, a contents entry's last word with its leader) and fills
its line to within that space's width is taken for a line that "cannot be split
earlier": WeasyPrint hyphenates its *first* word and sends the rest to the next line.
A generated issue's contents printed 'Ty-' alone on a line, then 'dzień przedsiębiorców
31-156 Kraków branża źródło' (corpus seed 8301 pl), and the same happens in any paragraph
where such a run meets an element at the line's end.

The mend: when a run ending in spaces is broken, and the run without its trailing spaces
fits the width whole, the run is one line (its trailing space is removed at the line's
end anyway, as WeasyPrint does for every line). Nothing else changes. Installed once,
before a PDF is laid out (:func:`install`); the layout cache's key covers this file.
"""

from __future__ import annotations

from typing import Any

_installed = False


def install() -> None:
    """Patch WeasyPrint's text splitting where its inline layout calls it (idempotent)."""
    global _installed
    if _installed:
        return
    from weasyprint.layout import inline

    inline.split_first_line = _mended(inline.split_first_line)
    _installed = True


def _mended(split_first_line: Any) -> Any:
    def split(text: str, style: Any, context: Any, max_width: float | None,
              justification_spacing: float, is_line_start: bool = True,
              minimum: bool = False) -> Any:
        result = split_first_line(text, style, context, max_width, justification_spacing,
                                  is_line_start, minimum)
        resume_index = result[2]
        if resume_index is None or max_width is None or not text.endswith(" ") \
                or style["white_space"] not in ("normal", "pre-line"):
            return result
        trimmed = text.rstrip(" ")
        if not trimmed:
            return result
        whole = split_first_line(trimmed, style, context, max_width, justification_spacing,
                                 is_line_start, minimum)
        if whole[2] is not None or whole[3] > max_width:
            return result  # the run does not fit even without its trailing space
        return split_first_line(text, style, context, float("inf"), justification_spacing,
                                is_line_start, minimum)
    return split
