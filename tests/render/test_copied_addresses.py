"""An address keeps the case it was typed in where the text around it is set in capitals
(issue 17 item 5): a kicker ("KONFERENCJA BRANŻA KONTAKT@EXAMPLE.ORG", corpus seed 4110
with the ``office`` feature) copied out of both PDFs in capitals, and a path's letters are
case-sensitive (``www.krakow.pl/Biznes`` is another page than ``…/BIZNES``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from newsletter.load import Project, load_issue
from newsletter.publish import build, choose_editions

KICKER = "Konferencja: kontakt@example.org i www.krakow.pl/Biznes/Nabor"
ADDRESSES = ("kontakt@example.org", "www.krakow.pl/Biznes/Nabor")


@pytest.fixture(scope="module")
def built(project: Project, tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("kicker")
    folder = root / "2021-05"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-05-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: article\n        title: Nabór wniosków\n"
        f"        kicker: '{KICKER}'\n        body: Treść artykułu o naborze.\n",
        encoding="utf-8")
    issue = load_issue(folder, project)
    build(issue, project, choose_editions(["pdf", "print", "web"]), root / "out")
    return root / "out" / issue.id, issue.id


@pytest.mark.parametrize("suffix", ["", "-print"])
def test_an_address_in_a_kicker_copies_from_the_pdfs_as_typed(built, suffix):
    folder, name = built
    copied = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(folder / f"business-krakow-{name}{suffix}.pdf"),
         "-"], check=True, capture_output=True, text=True).stdout
    assert "KONFERENCJA" in copied  # the kicker is still set in capitals
    for address in ADDRESSES:
        assert address in copied.replace("\n", ""), copied[:400]


def test_an_address_in_a_kicker_shows_on_the_web_page_as_typed(built, browser):
    folder, _ = built
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.goto((folder / "web" / "index.html").as_uri())
        shown = page.inner_text(".kicker")  # innerText as drawn: text-transform applied
    finally:
        page.close()
    assert shown.startswith("KONFERENCJA")
    for address in ADDRESSES:
        assert address in shown.replace("\n", ""), shown
