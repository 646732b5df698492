"""A block carried to the last page, to keep the contact company, is taken back when the
page before has come to be short with room for all the last page holds
(render/page_fit.py ``_carried_back``; print.Pictures keeps it from being carried again).

Generated seed 9735 (pl; office, huge, pictures, tables, footnotes, long): page fitting
carried the last article over to the contact's page while page 22 was full without it;
then the fitting of earlier pages (three pictures shrunk) pulled text up, page 22 ended at
0.65 and page 23 held the article and the contact at 0.29. Taken back, the issue ends on
page 22 (0.85), a page shorter.

Inputs: documents of a cover, a section of an article of 5 to 60 one-line paragraphs and
a two-paragraph article, and the contact; the second article set ``carried`` (on a page
of its own) or not."""

from __future__ import annotations

import pytest
import weasyprint

from newsletter.render.page_fit import Carry, resizes
from newsletter.render.print import Pictures

HTML = """<html><head><style>
@page {{ size: A4; margin: 20mm }}
body {{ margin: 0; font-size: 10pt }}
.block {{ margin: 0 0 9mm }} .page, .carried {{ break-before: page }}
</style></head><body>
<div class="cover"><p>Cover</p></div>
<section class="section page" aria-labelledby="s1"><h2 class="section-title" id="s1">Band</h2>
 <article class="block article" aria-labelledby="a1"><h3 id="a1">Title</h3>
  <div class="body">{body}</div></article>
 <article class="block article{carried}" aria-labelledby="a2"><h3 id="a2">Carried</h3>
  <div class="body"><p>One line.</p><p>Two.</p></div></article>
</section>
<div class="colophon" id="colophon"><p>Contact</p><p>Address</p></div>
</body></html>"""


def _pages(paragraphs: int, carried: bool) -> list:
    body = "".join(f"<p>Paragraph {n} of the article, a line of words.</p>"
                   for n in range(paragraphs))
    html = HTML.format(body=body, carried=" carried" if carried else "")
    return weasyprint.HTML(string=html).render().pages


@pytest.mark.parametrize("paragraphs", [5, 20, 40])
def test_a_carried_block_is_taken_back_to_a_short_page_with_room_for_it(paragraphs):
    pages = _pages(paragraphs, carried=True)
    assert next(resizes(pages), None) == Carry("a2", back=True)
    # not carried, the same document's last page holds nothing to take back
    assert all(not getattr(change, "back", False)
               for change in resizes(_pages(paragraphs, carried=False)))


def test_a_carried_block_stays_when_the_page_before_is_full():
    assert not any(getattr(change, "back", False) for change in resizes(_pages(60, True)))


def test_a_block_taken_back_is_not_carried_again():
    """Taken back, the block could leave the contact alone again; carried again, taken
    back again: the layouts would see-saw to the end of their budget."""
    pictures = Pictures("download", None)
    assert pictures.resize(Carry("a2"))
    assert not pictures.resize(Carry("a2"))  # the same again changes nothing
    assert pictures.resize(Carry("a2", back=True)) and "a2" not in pictures.carried
    assert not pictures.resize(Carry("a2", back=True))
    assert not pictures.resize(Carry("a2")) and "a2" not in pictures.carried
