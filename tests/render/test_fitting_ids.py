"""Page fitting names a section to set tight and a row of cards to split by the ids it reads
back from the laid-out HTML; the templates test the issue's own ids. When the two differ
(a word joiner typeset into a printed id 'turystyka-2' did so, until c5dbec2), the change
was counted as made though no template could apply it: the next layout was the same page
again, one of page fitting's layouts (print.FIT_PASSES) spent on nothing, and only then did
the fitting go on to the page's next rule, so how a page was filled depended on invisible
characters in ids. Such a change is now no change; the issue's own ids change once each.
"""

from __future__ import annotations

from newsletter.render.page_fit import Split, Tighten
from newsletter.render.print import Pictures


def test_only_a_section_or_row_the_issue_has_is_a_change():
    pictures = Pictures("download", None)
    pictures.ids = frozenset({"turystyka-2", "link-cards"})
    assert not pictures.resize(Tighten("turystyka-\u20602"))
    assert not pictures.resize(Split("link-\u2060cards", 0))
    assert pictures.tight == set() and pictures.split == set()
    assert pictures.resize(Tighten("turystyka-2"))
    assert not pictures.resize(Tighten("turystyka-2"))  # the same again
    assert pictures.resize(Split("link-cards", 1))
    assert pictures.tight == {"turystyka-2"} and pictures.split == {("link-cards", 1)}
