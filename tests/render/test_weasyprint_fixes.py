"""A text run that ends with a space before an inline element, and fills its line to
within that space's width, is set as one line (render/weasyprint_fixes.py). WeasyPrint 70
measured the line with its hanging space, took it for one that cannot be split earlier
and hyphenated its first word: a generated issue's contents printed 'Ty-' alone on a
line, then 'dzień przedsiębiorców … źródło', then 'pkt 3 …… 15' (corpus seed 8301 pl).
And a leader with room for a dot draws one (its grid of dots left it empty)."""

from __future__ import annotations

import random
import re

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


CHAINS = ['<span class="a">al.&#160;Jana</span> <span class="b">Pawła&#160;</span>'
          '<span class="a">II</span>&#160;41&#160;partner',
          '<span class="a">ZUS</span>&#160;12&#160;dni',
          '<span class="a">NCBR</span>&#160;i&#160;PARP',
          '<a href="#x">mapa</a>&#160;w&#160;sieci']


@pytest.mark.parametrize("seed", range(4))
def test_a_run_after_an_element_in_emphasis_breaks_at_a_space_before_it(seed: int):
    """Inside a line's first inline element WeasyPrint 70 took every run for the line's
    start, and with ``overflow-wrap: anywhere`` cut a run that did not fit at any
    character though the line had a space before it: "… II 41 pa" / "rtner", "… II 41" /
    "partner" (generated seed 9756 pl). Paragraphs of emphasis holding spans with words
    bound after them, at widths from 130 to 400 pt: each line breaks at a space."""
    weasyprint_fixes.install()
    rng = random.Random(seed)
    paragraphs, texts = [], []
    for step in range(40):
        words = [rng.choice(WORDS) for _ in range(rng.randint(12, 30))]
        for _ in range(3):
            words.insert(rng.randint(1, len(words) - 1), rng.choice(CHAINS))
        start = rng.randint(0, 4)
        html = " ".join(words[:start]) + " <em>" + " ".join(words[start:]) + "</em>"
        paragraphs.append(f'<p style="width: {130 + step * 7}pt; hyphens: manual; '
                          f'overflow-wrap: anywhere">{html}</p>')
        text = re.sub(r"<[^>]+>", "", html).replace("&#160;", "\xa0")
        texts.append([word for word in text.split(" ") if word])
    document = weasyprint.HTML(string=f'<html lang="pl"><style>{STYLE}</style>'
                               f'{"".join(paragraphs)}<p id="x">x</p></html>').render()
    lines = _paragraph_lines(document)
    cut = [(index, got) for index, (got, want) in enumerate(zip(lines, texts, strict=False))
           if got != want]
    assert len(lines) == len(texts) + 1 and not cut, cut[:3]


def _paragraph_lines(document: weasyprint.Document) -> list[list[str]]:
    """Each paragraph's words as its lines hold them (a word cut at a line's end is two)."""
    found: dict[object, list[str]] = {}  # by element: a paragraph may run over two pages

    def walk(box: boxes.Box) -> None:
        if box.element_tag == "p" and isinstance(box, boxes.BlockBox):
            found.setdefault(box.element, []).extend(
                word for child in box.children if isinstance(child, boxes.LineBox)
                for word in "".join(_texts(child)).split(" ") if word)
            return
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return list(found.values())
