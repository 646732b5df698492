"""A picture page fitting made smaller is never made larger again in the same fitting.

Generated seed 9580 (tables, footnotes, pictures, long; pl, 37 pages): a short page's
next section opened with an article's picture, shrunk 5 mm a layout from 95 to 75 mm
until the section's start fitted under that page's last lines (0.99); another page's
rule then grew the picture to 95 mm again, the section went back overleaf, and the
cycle ran four times until the layouts ran out with the page at 0.41. Now it stays at
75 mm: every inner page at 0.82 or more, in 11 layouts instead of 24 (a build of that
issue takes minutes: measured by hand, see the note of stop 41; here the rule itself).
"""

from __future__ import annotations

from newsletter.load import Project
from newsletter.render import print as render_print
from newsletter.render.page_fit import Resize


def test_a_shrunk_picture_is_not_grown_again_and_others_still_are(project: Project, sample):
    pictures = render_print._pictures(project, "download")
    render_print.render_html(sample, project, "download", pictures)
    places = [place for place in pictures.placed
              if pictures._shown_height(place) > 40]
    assert len(places) >= 2, places
    shrunk, other = places[:2]
    height = pictures._shown_height(shrunk)
    assert pictures.resize(Resize(shrunk, round(height - 5, 1)))
    assert not pictures.resize(Resize(shrunk, round(height + 5, 1)))  # grown again: refused
    assert pictures.resize(Resize(shrunk, round(height - 10, 1)))  # smaller still: allowed
    assert pictures.resize(Resize(other, round(pictures._shown_height(other) + 5, 1)))
