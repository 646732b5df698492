"""An address typed in a plain field (a section heading, a block's title, a lead, a
caption, a card's title, a figure's label) breaks on a phone where the ones in Markdown
texts do: after / ? & = # or at a typed hyphen, never at any letter ("krakow.p" / "l/").
Measured in Chromium at 320 px, character by character, in the e-mail and the web page."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.load import Project, load_issue
from newsletter.render.email import render_email
from newsletter.render.web import render_web

ADDRESS = "https://www.sse.krakow.pl/inwestorzy/ulgi-podatkowe/strefa-ekonomiczna?rok=2021"

# For each element holding the address: the character before every line break inside it.
BREAKS = """(address) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
  for (let el = walker.nextNode(); el; el = walker.nextNode()) {
    if (!el.textContent.includes(address)) continue;
    if ([...el.children].some(c => c.textContent.includes(address))) continue;
    const text = el.textContent, start = text.indexOf(address);
    const chars = [];
    const nodes = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = nodes.nextNode(); n; n = nodes.nextNode())
      for (let i = 0; i < n.length; i++) chars.push([n, i]);
    let top = null;
    for (let k = start; k < start + address.length; k++) {
      const [node, i] = chars[k];
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      if (top !== null && rect.top > top + 2) found.push(text[k - 1] + '|' + text[k]);
      top = rect.top;
    }
  }
  return found;
}"""


def write_issue(folder: Path) -> Path:
    from PIL import Image

    (folder / "images").mkdir(parents=True)
    Image.new("RGB", (400, 300), (90, 120, 150)).save(folder / "images" / "p.png")
    (folder / "issue.yaml").write_text(
        f"date: 2021-01-01\nsections:\n  - kind: innovation\n    heading: Zone {ADDRESS}\n"
        f"    blocks:\n      - type: article\n        title: See {ADDRESS}\n"
        f"        lead: Apply at {ADDRESS}\n        body: Text.\n"
        f"        image:\n          file: images/p.png\n          alt: A picture\n"
        f"          credit: Photo {ADDRESS}\n"
        f"      - type: link_cards\n        title: Cards {ADDRESS}\n        cards:\n"
        f"          - title: Card {ADDRESS}\n            url: https://example.com/\n"
        f"      - type: figures\n        items:\n"
        f"          - value: \"5\"\n            label: Numbers {ADDRESS}\n",
        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def pages(project: Project, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("addresses")
    issue = load_issue(write_issue(root / "2021-01"), project)
    email, web = root / "email.html", root / "web.html"
    email.write_text(render_email(issue, project).html, encoding="utf-8")
    web.write_text(render_web(issue, project, root / "out"), encoding="utf-8")
    return {"email": email, "web": web}


@pytest.mark.parametrize("edition", ["email", "web"])
def test_an_address_in_a_plain_field_breaks_only_at_its_parts(pages, browser, edition):
    page = browser.new_page(viewport={"width": 320, "height": 800})
    try:
        page.goto(pages[edition].as_uri())
        breaks = page.evaluate(BREAKS, ADDRESS)
    finally:
        page.close()
    assert breaks, "the address never broke a line at 320 px: the test shows nothing"
    wrong = [b for b in breaks if b[0] not in "/?&=#-"]
    assert not wrong, f"{edition}: the address breaks at {wrong} (of {breaks})"


SHORT = "pi.umk@um.krakow.pl"
PIECES = "https://www.startup.krakow.pl/grant-seed"


def short_addresses_issue(folder: Path) -> Path:
    """The department's address in the footer, and an address whose last piece holds a
    hyphen in a paragraph and in a table set row under row on a phone."""
    folder.mkdir(parents=True)
    table = ("| Program | Kwota | Termin | Adres |\\n|---|---|---|---|\\n"
             f"| Grant na start | 50 000 zł | 30.09.2027 | {PIECES} |")
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: innovation\n    blocks:\n"
        "      - type: article\n        title: Programy\n"
        f"        body: \"Wnioski przyjmuje portal miasta pod adresem {PIECES} do końca "
        f"września.\\n\\n{table}\"\n"
        "footer:\n  department: Wydział Przedsiębiorczości i Innowacji Urzędu Miasta Krakowa "
        "Referat Obsługi Inwestorów i Przedsiębiorców oraz Centrum Wsparcia Biznesu\n"
        f"  address: ul. Wielicka 28a, 30-552 Kraków\n  email: {SHORT}\n"
        "  phone: +48 12 616 12 34\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("width", [320, 375, 640, 1024])
def test_a_short_address_and_an_addresss_hyphenated_piece_stay_whole(project, tmp_path,
                                                                    browser, width):
    """"pi.umk" / "@um.krakow.pl" ended a line of the web page's footer at 1024 px though
    the address fitted the next whole, and ".../grant-" / "seed" a table's line at 375 px,
    read as a hyphenated word (hand-made issues 2028-02 and 2027-09). A short address
    goes down whole; an address's piece between its breaks keeps its hyphen."""
    issue = load_issue(short_addresses_issue(tmp_path / "2021-01"), project)
    email, web = tmp_path / "email.html", tmp_path / "web.html"
    email.write_text(render_email(issue, project).html, encoding="utf-8")
    web.write_text(render_web(issue, project, tmp_path / "out"), encoding="utf-8")
    for path in (email, web):
        page = browser.new_page(viewport={"width": width, "height": 800})
        try:
            page.goto(path.as_uri())
            for address in (SHORT, PIECES):
                breaks = page.evaluate(BREAKS, address)
                wrong = [b for b in breaks if address == SHORT or b[0] == "-"]
                assert not wrong, f"{path.name} at {width} px: {address} breaks at {wrong}"
        finally:
            page.close()
