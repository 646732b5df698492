"""A short inner page's leftover space shared out between its blocks, rows and paragraphs
(render/page_spread.py), on a document of three pages made for it: a cover, a short page
with an article (a table in its body), a two-column article, a group of two rows of cards
and a second section, and a last page. Before, nothing filled such a page when page
fitting had no picture to change (generated seeds 22, 35 and 1018 left pages at 0.69-0.74
of their height: tests/render/test_flow.py)."""

from __future__ import annotations

from itertools import pairwise

import weasyprint

from newsletter.render.page_fit import MM_PER_PX, depth
from newsletter.render.page_spread import (
    BLOCK_MM,
    CELL_MM,
    FILLED,
    ITEM_MM,
    LEADING_MM,
    PARAGRAPH_MM,
    ROW_MM,
    STRETCH,
    _shares,
    leading_place,
    set_spread,
    spreads,
)

HTML = """<html><head><style>
@page { size: A4; margin: 20mm }
body { margin: 0; font-size: 10pt }
td { padding: 1mm 1.5mm; border-bottom: 1px solid }
.block { margin: 0 0 9mm } .section + .section { margin-top: 10mm }
.body p { margin: 0 0 2.5mm } .long .body { columns: 2 }
.card-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; margin: 0; padding: 0;
             list-style: none }
.card-grid + .card-grid { margin-top: 4mm }
.card p { margin: 0 0 2mm }
.page { break-before: page }
</style></head><body>
<div class="cover"><p id="c1">Cover</p><p id="c2">Its second line</p></div>
<section class="section page" id="s1"><h2 class="section-title">Band</h2>
 <article class="block article" id="a1"><h3>Title</h3><p class="lead">Lead</p>
  <div class="body"><p id="p1">One</p><p id="p2">Two</p>
   <table id="tb"><tr id="r1"><td id="d1"><p id="tp1">x</p><p id="tp2">y</p></td>
    <td id="d2">w</td></tr><tr id="r2"><td id="d3">z</td><td id="d4">v</td></tr></table>
   <ul id="u1"><li id="i1">a</li><li id="i2">b<ul><li id="i3">c</li><li id="i4">d</li></ul>
    </li></ul>
   <p id="p3">Three</p><div class="footnotes" id="f"><ol>
    <li id="f1">1</li><li id="f2">2</li></ol></div>
   </div></article>
 <article class="block article long" id="a2"><h3>Long</h3>
  <div class="body"><p id="q1">One</p><p id="q2">Two</p><p id="q3">Three</p></div></article>
 <section class="block cards" id="b1">
  <ul class="card-grid" id="g1"><li class="card"><p id="kp1">a</p><p id="kp2">b</p></li>
   <li class="card">c</li></ul>
  <ul class="card-grid" id="g2"><li class="card">d</li></ul></section>
</section>
<section class="section" id="s2"><h2 class="section-title">Band two</h2>
 <article class="block article" id="a3"><div class="body"><p id="m1">One</p><p id="m2">Two</p>
 </div></article></section>
<section class="section page" id="s3"><h2 class="section-title">Last</h2>
 <article class="block article" id="a4"><div class="body"><p id="n1">One</p><p id="n2">Two</p>
 </div></article><article class="block article" id="a5"><div class="body"><p>x</p></div>
 </article></section>
</body></html>"""


def _lines(document) -> list[list[tuple[float, float]]]:
    """Each page's line boxes' positions."""
    def walk(box):
        if type(box).__name__ == "LineBox":
            yield round(box.position_x, 2), round(box.position_y, 2)
        for child in getattr(box, "children", None) or ():
            yield from walk(child)
    return [list(walk(page._page_box)) for page in document.pages]


def test_only_the_short_inner_pages_gaps_between_blocks_rows_and_paragraphs_grow():
    source = weasyprint.HTML(string=HTML)
    before = source.render()
    margins = spreads(source, before, {})
    elements = list(source.etree_element.iter())
    grown = {elements[place].get("id"): mm for place, mm in margins.items()}
    # Between paragraphs (and above the table and the lists), between the items of a list
    # (a nested one's too), the table's rows (their cells' padding), above the two-column
    # article and between its paragraphs in a column (not above the one a column opens
    # with), above the block of cards, between its rows and above the next section; not
    # under the band, the title or the lead, nothing inside a table's cell, between
    # footnotes, a card, on the cover or on the last page.
    assert set(grown) == {"p2", "tb", "r1", "r2", "u1", "i2", "i4", "p3", "f", "a2", "q2",
                          "b1", "g2", "s2", "m2"}, grown
    # shared three to one between blocks and paragraphs, half a paragraph's to an item or a
    # table's row (their gaps as set: 9 and 10 mm, 2.5, none between items, 2 mm of padding)
    share = grown["p2"] - 2.5
    assert share > 0.5
    assert abs(grown["b1"] - 9 - 3 * share) < 0.02 and abs(grown["s2"] - 10 - 3 * share) < 0.02
    assert abs(grown["i2"] - share / 2) < 0.02 and abs(grown["r1"] - 2 - share / 2) < 0.02
    assert spreads(source, before, margins) == {}  # a page is spread once

    set_spread(source, margins)
    after = source.render()
    assert len(after.pages) == len(before.pages) == 3
    old, new = _lines(before), _lines(after)
    assert new[0] == old[0] and new[2] == old[2]  # the cover and the last page as they were
    assert depth(before.pages[1]._page_box) < depth(after.pages[1]._page_box) <= FILLED + 0.01
    # the two-column article's columns still start level (its grown gap is inside one)
    columns = _column_tops(after.pages[1]._page_box, "a2")
    assert len(columns) == 2 and len(set(columns.values())) == 1, columns
    # a grown row's text stays midway between its rules: its cells gain above and below alike
    cells = {cell.element.get("id"): cell for cell in _cells(after.pages[1]._page_box)}
    for name, row in (("d1", "r1"), ("d2", "r1"), ("d3", "r2"), ("d4", "r2")):
        style = cells[name].style  # as set (the laid-out padding holds vertical alignment's)
        assert round(style["padding_top"].value, 3) == round(style["padding_bottom"].value, 3) \
            == round(grown[row] / 2 / MM_PER_PX, 3)


def test_a_two_column_bodys_grown_gaps_leave_its_columns_level():
    """A gap grown in a two-column body is the margin below the paragraph above it:
    WeasyPrint keeps a margin-top at a column's top, and the rebalanced columns may start
    the second with the paragraph whose gap grew (as margin-tops, 10 mm each: the second
    column started 10 mm below the first)."""
    source = weasyprint.HTML(string=HTML)
    elements = list(source.etree_element.iter())
    place = {element.get("id"): index for index, element in enumerate(elements)}
    set_spread(source, {place["q2"]: 10.0, place["q3"]: 10.0})
    columns = _column_tops(source.render().pages[1]._page_box, "a2")
    assert len(columns) == 2 and len(set(columns.values())) == 1, columns


def test_each_kind_of_gap_grows_to_its_cap_at_most():
    kinds = ["block", "row", "paragraph", "item", "cell"]
    assert _shares(kinds, 200) == [BLOCK_MM, ROW_MM, PARAGRAPH_MM, ITEM_MM, CELL_MM]
    shares = _shares(kinds, 7)  # 1 mm a unit of weight, half of it to an item and to a row
    assert [round(share, 2) for share in shares] == [3, 2, 1, 0.5, 0.5]
    # a gap in balanced columns adds half its growth to the page: the same room takes
    # twice the growth from two such paragraph gaps as from two of a single column
    single = _shares(["paragraph", "paragraph"], 2)
    columns = _shares(["paragraph", "paragraph"], 2, [0.5, 0.5])
    assert [round(share, 2) for share in single] == [1, 1]
    assert [round(share, 2) for share in columns] == [2, 2]


def _column_tops(page_box, article: str) -> dict[float, float]:
    """The top of the first line of each column (by its left edge) of the body of the
    article whose id is ``article``."""
    tops: dict[float, float] = {}

    def walk(box, inside: bool, body: bool):
        element = getattr(box, "element", None)
        inside = inside or (element is not None and element.get("id") == article)
        body = body or (inside and element is not None and element.get("class") == "body")
        if body and type(box).__name__ == "LineBox":
            x = round(box.position_x, 1)
            tops[x] = min(tops.get(x, box.position_y), box.position_y)
        for child in getattr(box, "children", None) or ():
            walk(child, inside, body)
    walk(page_box, False, False)
    return {x: round(y, 2) for x, y in tops.items()}


def _cells(box):
    if type(box).__name__ == "TableCellBox":
        yield box
    for child in getattr(box, "children", None) or ():
        yield from _cells(child)


LETTERS = """<html><head><style>
@page { size: A4; margin: 20mm }
body { margin: 0; font-size: 10pt }
.block { margin: 0 0 9mm } .body p { margin: 0 0 2.5mm } .page { break-before: page }
.closing, .signature { margin-top: 4mm }
</style></head><body>
<div class="cover"><p>Cover</p></div>
<section class="section page"><h2 class="section-title">Band</h2>
 <article class="block letter" id="l1"><p class="greeting">Dear all,</p>
  <div class="body"><p id="b1">One</p></div><div class="closing" id="c1"><p>Regards</p></div>
  <div class="signature" id="s1"><p>Name</p></div></article>
 <article class="block letter" id="l2"><p class="greeting">Dear all,</p>
  <div class="body"><p id="b2">One</p></div><div class="closing" id="c2"><p>Regards</p></div>
  <div class="signature" id="s2"><p>Name</p></div></article></section>
<section class="section page"><h2 class="section-title">Last</h2></section>
</body></html>"""


def test_a_page_of_letters_grows_the_room_above_their_closings_and_signatures():
    """A page of two short letters had one gap to grow, between them (12 mm at most), and
    stayed short (generated seed 8903: 0.68, spread to 0.74); the room above a letter's
    closing and its signature grows too, as a paragraph's gap (never below the greeting)."""
    source = weasyprint.HTML(string=LETTERS)
    margins = spreads(source, source.render(), {})
    elements = list(source.etree_element.iter())
    grown = {elements[place].get("id"): mm for place, mm in margins.items() if place >= 0}
    assert set(grown) == {"l2", "c1", "s1", "c2", "s2"}, grown
    # their caps, stretched half as far again on a page they leave short (STRETCH)
    assert all(grown[part] <= 4 + PARAGRAPH_MM * STRETCH + 0.01
               for part in ("c1", "s1", "c2", "s2"))


WORDS = ["city", "business", "support", "programme", "innovation", "entrepreneurs", "Krakow",
         "market", "office", "grant", "partners", "digital", "services"]


def _text(words: int, seed: int) -> str:
    return " ".join(WORDS[(seed * 7 + n * 5) % len(WORDS)] for n in range(words)) + "."


FEATHERED = """<html><head><style>
@page {{ size: A4; margin: 20mm }}
body {{ margin: 0; font-size: 10pt; line-height: 1.4 }}
.block {{ margin: 0 0 9mm }} .body p {{ margin: 0 0 2.5mm }} .page {{ break-before: page }}
.long .body {{ columns: 2; column-gap: 8mm }}
</style></head><body>
<div class="cover"><p>Cover</p></div>
<section class="section page"><article class="block article" id="a1"><h3>Title</h3>
 <div class="body">{first}</div></article>
 <article class="block article long" id="a2"><h3>Long</h3>
 <div class="body">{second}</div></article></section>
<section class="section page"><h2 class="section-title">Last</h2></section>
</body></html>"""


def _pitches(page_box) -> dict[str, set[float]]:
    """The distances between a paragraph's successive lines on the page, by its id."""
    found: dict[str, list[float]] = {}

    def walk(box, paragraph):
        element = getattr(box, "element", None)
        if element is not None and element.tag == "p" and element.get("id"):
            paragraph = element.get("id")
        if type(box).__name__ == "LineBox" and paragraph:
            found.setdefault(paragraph, []).append(box.position_y)
        for child in getattr(box, "children", None) or ():
            walk(child, paragraph)
    walk(page_box, None)
    return {name: {round((b - a) * MM_PER_PX, 2) for a, b in pairwise(tops)}
            for name, tops in found.items()}


def test_a_page_its_stretched_gaps_leave_short_sets_its_lines_a_little_apart():
    """A page ending a two-column article of few long paragraphs, before a block that
    cannot come up, gains half of each gap's growth (the columns balance it) and stayed
    short at every gap's stretched cap (generated seed 9844, en: 0.74). Its paragraphs'
    lines are set apart by the same small amount each, no more than LEADING_MM a line;
    a paragraph that began on the page before keeps its lines (they are set there too)."""
    first = "".join(f'<p id="f{n}">{_text(150 if n < 3 else 60, n)}</p>' for n in range(4))
    second = "".join(f'<p id="s{n}">{_text(80, n)}</p>' for n in range(3))
    source = weasyprint.HTML(string=FEATHERED.format(first=first, second=second))
    before = source.render()
    assert len(before.pages) == 4, len(before.pages)  # the first body runs on to page 3
    old = _pitches(before.pages[2]._page_box)
    carried = set(_pitches(before.pages[1]._page_box)) & set(old)
    assert len(carried) == 1  # a paragraph of the first body on both pages
    margins = spreads(source, before, {})
    elements = list(source.etree_element.iter())
    leading = {elements[leading_place(place)].get("id"): mm
               for place, mm in margins.items() if place < 0}
    # the paragraphs that begin and end on page 3, not the one carried over, none of page 2
    # (full) nor of the cover or the last page
    assert set(leading) == set(old) - carried, leading
    line_mm = max(max(pitches) for pitches in old.values())
    assert len(set(leading.values())) == 1
    assert line_mm < next(iter(leading.values())) <= line_mm + LEADING_MM + 0.01
    set_spread(source, margins)
    after = source.render()
    assert len(after.pages) == 4
    new = _pitches(after.pages[2]._page_box)
    for name in leading:
        assert max(new[name]) - max(old[name]) > 0.05, (name, old[name], new[name])
        assert max(new[name]) <= line_mm + LEADING_MM + 0.01
    for name in carried:
        assert new[name] == old[name]
    assert _lines(after)[1] == _lines(before)[1]  # page 2 as it was
    assert depth(after.pages[2]._page_box) > depth(before.pages[2]._page_box) + 0.01
    columns = _column_tops(after.pages[2]._page_box, "a2")
    assert len(columns) == 2 and len(set(columns.values())) == 1, columns
