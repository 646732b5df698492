"""A section's label is never cut inside a word on a phone (e-mail and web page).

The label and its name are bound ("Call for\\u00a0COOPERATION"), so at the theme's 28 px
the e-mail at 320 px broke it as "COOPERATIO / N". Chromium lays out the sample's
e-mail and web page, in both languages, at phone widths.
"""

from __future__ import annotations

import pytest
from editions import cut_words_script

from newsletter.load import Project
from newsletter.model import Issue
from newsletter.render.email import render_email
from newsletter.render.web import render_web

CUT = cut_words_script("h2")


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("language", ["en", "pl"])
def test_no_section_label_is_cut_inside_a_word(sample: Issue, project: Project, browser,
                                               tmp_path, width, language):
    issue = next(i for i in sample.editions() if i.language == language)
    pages = {"email": render_email(issue, project, with_text=False).html,
             "web": render_web(issue, project, tmp_path)}
    for name, html in pages.items():
        page = browser.new_page(viewport={"width": width, "height": 800})
        try:
            page.set_content(html, wait_until="domcontentloaded")
            cut = page.evaluate(CUT)
        finally:
            page.close()
        assert not cut, (name, cut)
