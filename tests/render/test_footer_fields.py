"""The footer's contact line reads right whichever optional fields an editor left empty.

With ``department: ""`` (the same as not writing it) the e-mail, the web page and both
PDFs printed "Contact:, ul. Zabłocie 23": each field after the department brought its own
comma. Rendered only (no layout): a few hundred milliseconds an edition.
"""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from newsletter.load import Project, load_issue
from newsletter.render.email import render_email
from newsletter.render.print import render_html
from newsletter.render.web import render_web

FOOTERS = {
    "no department": "  address: ul. Zabłocie 23\n  email: pi@um.krakow.pl\n",
    "no address": "  department: Wydział\n  phone: +48 12 616 12 34\n",
    "contacts only": "  email: pi@um.krakow.pl\n  website: https://www.krakow.pl/\n",
}


def _contact_line(page: str) -> str:
    document = lxml_html.fromstring(page)
    for element in document.xpath("//style | //script | //head"):
        element.drop_tree()
    text = " ".join(document.text_content().split())
    found = re.search(r"Contact:.{0,80}", text)
    assert found, text[-300:]
    return found.group(0)


@pytest.mark.parametrize("footer", FOOTERS)
def test_no_stray_comma_in_the_contact_line(project: Project, tmp_path, footer):
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: article\n        title: A\n        body: Text.\n"
        f"footer:\n{FOOTERS[footer]}", encoding="utf-8")
    issue = load_issue(folder, project)
    pages = {"email": render_email(issue, project).html,
             "web": render_web(issue, project, tmp_path),
             "pdf": render_html(issue, project, "download")}
    for name, page in pages.items():
        line = _contact_line(page)
        assert not re.search(r":\s*,|,\s*,|,\s*$", line), (name, line)
