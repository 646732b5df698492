"""A text run that ends with a space before an inline element, and fills its line to
within that space's width, is set as one line (render/weasyprint_fixes.py). WeasyPrint 70
measured the line with its hanging space, took it for one that cannot be split earlier
and hyphenated its first word: a generated issue's contents printed 'Ty-' alone on a
line, then 'dzień przedsiębiorców … źródło', then 'pkt 3 …… 15' (corpus seed 8301 pl).
And a leader with room for a dot draws one (its grid of dots left it empty)."""

from __future__ import annotations

import random

import pytest
import weasyprint
from weasyprint.formatting_structure import boxes

from newsletter.render import weasyprint_fixes

WORDS = ["Tydzień", "przedsiębiorców", "Kraków", "branża", "źródło", "konferencja",
         "współpraca", "dotacja", "mieszkańcy", "innowacje", "platforma", "budżet",
         "efektywność", "uczestnicy", "partner"]
STYLE = ("@page { size: 400mm 200mm; margin: 10mm } body { margin: 0; font-size: 10pt; "
         "font-family: serif } p { margin: 0 0 4mm; hyphens: auto; line-height: 1.3 }")


def _lines(document: weasyprint.Document) -> list[str]:
    found: list[str] = []

    def walk(box: boxes.Box) -> None:
        if isinstance(box, boxes.LineBox):
            found.append("".join(_texts(box)).strip())
            return
        for child in getattr(box, "children", []):
            walk(child)

    walk(document.pages[0]._page_box)
    return found


def _texts(box: boxes.Box) -> list[str]:
    if isinstance(box, boxes.TextBox):
        return [box.text]
    return [text for child in getattr(box, "children", []) for text in _texts(child)]


def _width_pt(text: str) -> float:
    """The run's width as WeasyPrint sets it alone, without a trailing space."""
    document = weasyprint.HTML(string=f'<html lang="pl"><style>{STYLE}</style>'
                               f'<p><span style="white-space: nowrap">{text}</span></p>'
                               ).render()
    widths: list[float] = []

    def walk(box: boxes.Box) -> None:
        if isinstance(box, boxes.InlineBox) and box.style["white_space"] == "nowrap":
            widths.append(box.width)
        for child in getattr(box, "children", []):
            walk(child)

    walk(document.pages[0]._page_box)
    return widths[0] * 0.75  # CSS px to pt


@pytest.mark.parametrize("seed", range(6))
def test_a_run_that_fills_its_line_but_its_space_stays_one_line(seed: int):
    weasyprint_fixes.install()
    rng = random.Random(seed)
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))
    width = _width_pt(text) + rng.uniform(0.2, 1.2)  # less than a space (about 2.5 pt)
    element = rng.choice(['<span class="x">pkt&#160;3</span>', "<em>przyszłość</em>",
                          '<a href="#x">mapa</a>'])
    html = (f'<html lang="pl"><style>{STYLE}</style><p style="width: {width:.2f}pt">'
            f'{text} {element}</p><p id="x">x</p></html>')
    lines = _lines(weasyprint.HTML(string=html).render())
    assert lines[0] == text, lines


LEADER = (".toc-end { white-space: nowrap } "
          '.toc-end::after { content: " " leader(".") " " "12" }')


def _leaders(box: boxes.Box) -> list[int]:
    """The number of dots each leader box of the page draws."""
    if getattr(box, "is_leader", False):
        return [len(box.children)]
    return [n for child in getattr(box, "children", []) for n in _leaders(child)]


def test_a_leader_with_room_for_a_dot_draws_one():
    """A contents entry whose last line left its leader one to two dots of room: the dots
    are set on a grid from the line's right end, no grid place fell inside the box and
    the entry read 'projekt edukacja 2' (generated seed 9000 pl). Entries a quarter of a
    point wider each, through the widths where the leader is that short."""
    weasyprint_fixes.install()
    width = _width_pt("Projekt edukacja  12")
    entries = "".join(f'<p style="width: {width + step / 4:.2f}pt">Projekt '
                      f'<span class="toc-end">edukacja</span></p>' for step in range(48))
    document = weasyprint.HTML(string=f'<html lang="pl"><style>{STYLE} {LEADER} '
                               "@page { size: 400mm 1000mm }</style>"
                               f"{entries}</html>").render()
    dots = _leaders(document.pages[0]._page_box)
    assert len(dots) == 48 and all(count >= 1 for count in dots), dots
