"""A range written without spaces ("2019–2020", "8.00–15.30", "pon.–pt.") or a code with a
hyphen before digits ("31-156", "COVID-19") or, in Polish, a word typed with a hyphen
("e-mailem", which Polish would break only by repeating the hyphen on the next line) is
never broken at its dash on a phone:
Chromium broke lines after such a dash ("10–" / "100 %"), which reads as two numbers.
Measured in Chromium at 320 and 375 px, character by character, in the e-mail and the
web page, on seeded text (a Markdown body and a plain-text lead)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from newsletter.load import Project, load_issue
from newsletter.render.email import render_email
from newsletter.render.web import render_web

# Each range in the page whose dash and the character after it are on different lines.
BROKEN = r"""() => {
  const found = [];
  const nodes = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = nodes.nextNode(); n; n = nodes.nextNode()) {
    for (const m of n.textContent.matchAll(/[\p{L}\p{N}.][–—-]\u2060?[\p{L}\p{N}]/gu)) {
      const at = (i) => { const r = document.createRange(); r.setStart(n, i);
                          r.setEnd(n, i + 1); return r.getClientRects()[0]; };
      const dash = at(m.index + 1), next = at(m.index + m[0].length - 1);
      if (dash && next && next.top > dash.top + 2) found.push(m[0]);
    }
  }
  return found;
}"""

WORDS = ["przedsiębiorcy", "miasto", "programów", "konferencja", "uczestników", "wsparcia",
         "latach", "Krakowa"]  # no word that binds: a chain of them is another test's
RANGES = ["2019–2020", "8.00–15.30", "10–100", "pon.–pt.", "4–5", "9.00–17.00", "1–31", "10–12",
          "31-156", "COVID-19",  # a postal code, an acronym with its number
          "e-mailem", "Kraków-Nowa", "biało-czerwony"]  # Polish repeats a hyphen at a break


def text(seed: int) -> str:
    """Words with a range after a third of them (never two numbers side by side: those
    are one number, "1 234", kept whole on purpose)."""
    rng = random.Random(seed)
    return " ".join(f"{rng.choice(WORDS)} {rng.choice(RANGES)}" if rng.random() < 0.3
                    else rng.choice(WORDS) for _ in range(160))


@pytest.fixture(scope="module")
def pages(project: Project, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("ranges")
    folder = root / "2021-01"
    folder.mkdir()
    issue = {"date": "2021-01-01", "language": "pl", "sections": [{
        "kind": "innovation", "heading": "Nabór 2019–2020 dla firm z Nowej-Huty",
        "blocks": [{"type": "article", "title": "Nabór", "lead": text(1)[:300],
                    "body": text(2), "id": "rynek-2027"}]}]}
    (folder / "issue.yaml").write_text(yaml.safe_dump(issue, allow_unicode=True), "utf-8")
    loaded = load_issue(folder, project)
    email, web, text_part = root / "email.html", root / "web.html", root / "email.txt"
    rendered = render_email(loaded, project)
    email.write_text(rendered.html, encoding="utf-8")
    text_part.write_text(rendered.text, encoding="utf-8")
    web.write_text(render_web(loaded, project, root / "out"), encoding="utf-8")
    return {"email": email, "web": web, "text": text_part}


def test_the_text_part_has_the_ranges_as_typed(pages):
    """The text part breaks lines at spaces only: its ranges need no joiner, and an
    invisible character there would be copied and searched for."""
    text = pages["text"].read_text("utf-8")
    assert "\u2060" not in text and "8.00–15.30" in text


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("edition", ["email", "web"])
def test_no_range_breaks_at_its_dash(pages, browser, edition, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(pages[edition].as_uri())
        broken = page.evaluate(BROKEN)
    finally:
        page.close()
    assert not broken, f"{edition} at {width} px: ranges broken at their dash: {broken[:5]}"


@pytest.mark.parametrize("edition", ["email", "web"])
def test_no_attribute_gets_a_joiner_or_a_bound_space(pages, edition):
    """Ids, classes, addresses and dates are printed into attributes by the same finalize
    as prose: a joiner in ``id="rynek-⁠2027"`` broke every link to the block (and the
    e-mail's teasers, which link the web page's ids)."""
    from lxml import html as lxml_html

    document = lxml_html.fromstring(pages[edition].read_text("utf-8"))
    spoilt = [(element.tag, name, value) for element in document.iter()
              for name, value in element.attrib.items()
              if name in ("id", "href", "class", "datetime", "src", "name", "for")
              and ("\u2060" in value or "\u00a0" in value)]
    assert not spoilt, spoilt[:5]
    ids = {element.get("id") for element in document.iter() if element.get("id")}
    assert "rynek-2027" in ids or edition == "email"
