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

And one of its line starts: inside the first inline element of a line (an emphasis, a
link), WeasyPrint takes every text run as the line's start (it counts the line's children
only at the line's own level), so ``overflow-wrap: anywhere`` cuts a run that does not fit
at any character, though the line has a space to break at before it. After an acronym's
span, "*Współpraca al. Jana Pawła II 41 partner*" printed "… II 41" / "partner" in a table
cell and "… II 41 pa" / "rtner" in a paragraph (generated seed 9756 pl). CSS cuts a word
only where the line has no other place to break. The mend: a run that starts after a
run with a space on the same line is not the line's start.
"""

from __future__ import annotations

import threading
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
    inline.split_inline_box = _lines_followed(inline.split_inline_box)
    inline.split_text_box = _true_line_start(inline.split_text_box)
    _installed = True


_BREAKS = (" ", "\u200b")
"""Where a line may break inside a run: a space, a <wbr> (set as a zero-width space)."""
_laying = threading.local()
"""Per thread (a preview may build while another build runs), for each line being laid
out (lines inside inline blocks nest): its start, and the leftmost start of a run placed
on it with a place to break inside (:func:`_lines`)."""


def _lines() -> list[list[float]]:
    lines = getattr(_laying, "lines", None)
    if lines is None:
        lines = _laying.lines = []
    return lines


def _lines_followed(split_inline_box: Any) -> Any:
    from weasyprint.formatting_structure import boxes

    def split(context: Any, box: Any, position_x: float, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(box, boxes.LineBox):
            return split_inline_box(context, box, position_x, *args, **kwargs)
        lines = _lines()
        lines.append([position_x, float("inf")])
        try:
            return split_inline_box(context, box, position_x, *args, **kwargs)
        finally:
            lines.pop()
    return split


def _true_line_start(split_text_box: Any) -> Any:
    def split(context: Any, box: Any, available_width: float | None, skip: int,
              is_line_start: bool = True) -> Any:
        lines = _lines()
        line = lines[-1] if lines and available_width is not None else None
        if line and is_line_start and line[1] < box.position_x - 0.01:
            is_line_start = False  # a run with a place to break starts before this one
        result = split_text_box(context, box, available_width, skip, is_line_start)
        if line and result[0] is not None and any(b in result[0].text for b in _BREAKS):
            line[1] = min(line[1], box.position_x)
        return result
    return split


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
