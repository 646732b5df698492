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

And one fault of its leaders: a line is broken as if its leader were one repetition of
its string wide, but the dots are then set on a grid from the line's right end, and a
leader box one to two dots wide may hold no whole grid place: no dot at all. A contents
entry then read 'projekt edukacja 2', its page number taken for the title's (generated
seed 9000 pl). The mend: a leader box left without a dot that has room for one gets one,
at its right end, by the space before the number.
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
    inline.handle_leader = _one_dot_at_least(inline.handle_leader)
    _installed = True


def _one_dot_at_least(handle_leader: Any) -> Any:
    from weasyprint.layout.leader import leader_index

    def handle(context: Any, line: Any, containing_block: Any) -> None:
        _, leader = leader_index(line)
        dot = leader.children[0] if leader is not None and leader.children else None
        handle_leader(context, line, containing_block)
        if dot is None or leader.children or dot.width <= 0 or leader.width < dot.width:
            return
        dot = dot.copy()
        dot.position_x = leader.position_x + leader.width - dot.width
        leader.children = (dot,)
    return handle


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
