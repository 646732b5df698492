"""Every file of the sample site a reader opens, judged as read: the e-mail (HTML and
text), the web edition, the archive and its feed, and the PDFs' text (poppler's
pdftotext), in both languages; the web pages at a 375 px phone's width in Chromium;
and the way in: each web page's sign-up link opens the form of a running ``serve``."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import lxml.html
import pytest
from conftest import ROOT, SAMPLE

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))  # appserver
from appserver import serving
from reader_judge import assert_clean

from newsletter.load import Project, load_project
from newsletter.output import signup_url
from newsletter.publish import build_site

WEB_PAGES = {  # page → the language it is in
    "2020-12/web/index.html": "en", "2020-12/pl/web/index.html": "pl",
    "index.html": "en", "pl/index.html": "pl",
}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Project, Path]:
    """The sample issue built as the whole static site (every edition, both languages)."""
    root = tmp_path_factory.mktemp("project")
    for name in ("newsletter.toml", "assets", "templates"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    shutil.copytree(SAMPLE, root / "issues" / "2020-12")
    project = load_project(root / "newsletter.toml")
    build_site(project)
    return project, root / "build"


def reader_files(site: Path) -> list[Path]:
    """Every file of the site a reader reads (pictures aside)."""
    kinds = ("*.html", "*.txt", "*.xml", "*.pdf")
    return sorted(p for kind in kinds for p in site.rglob(kind))


def test_no_python_or_template_reaches_a_reader_of_any_edition(built):
    _, site = built
    files = reader_files(site)
    names = {p.relative_to(site).as_posix() for p in files}
    assert {"2020-12/email.html", "2020-12/pl/email.txt", "2020-12/pl/web/index.html",
            "feed.xml", "pl/feed.xml", "2020-12/pl/business-krakow-2020-12.pdf",
            "2020-12/business-krakow-2020-12-print.pdf", *WEB_PAGES} <= names  # fmt: skip
    for path in files:
        if path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                                  capture_output=True, text=True).stdout  # fmt: skip
            assert len(text) > 1000, path
            assert_clean(text, str(path.relative_to(site)), markup=False)
        else:
            text = path.read_text(encoding="utf-8")
            assert_clean(text, str(path.relative_to(site)), markup=path.suffix != ".txt")


@pytest.mark.parametrize("page", ["2020-12/email.html", "2020-12/pl/email.html",
                                  "2020-12/web/index.html", "2020-12/pl/web/index.html"])
def test_an_articles_lead_comes_before_its_picture_in_every_edition(built, page):
    """Title, lead, picture, text: the e-mail set the picture and its credit between the
    title and the lead, where the PDFs and the web page have the lead first (hand-made
    issue 2027-04). The sample's Microsoft article has both."""
    _, site = built
    document = lxml.html.parse(str(site / page)).getroot()
    title = next(h for h in document.iter("h3") if "Microsoft" in h.text_content())
    order = [element for element in document.iter() if element is title or (
        element.tag == "img" and "school" in (element.get("src") or "").lower()) or (
        element.text and element.text.strip().startswith(("The development", "Rozwój kompet")))]
    kinds = ["title" if e is title else "picture" if e.tag == "img" else "lead" for e in order]
    assert kinds[:3] == ["title", "lead", "picture"], kinds


def test_the_web_pages_fit_a_phone(built, browser):
    _, site = built
    page = browser.new_page(viewport={"width": 375, "height": 800})
    for name in WEB_PAGES:
        page.goto((site / name).as_uri())
        widest = page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth, ...Array.from("
            "document.querySelectorAll('body *'), e => e.getBoundingClientRect().right))"
        )
        assert widest <= 375, (name, widest)
    page.close()


def test_each_web_page_links_the_sign_up_form_in_its_language(built, tmp_path):
    project, site = built
    base = project.site.base_url
    links = {}
    for name, language in WEB_PAGES.items():
        page = lxml.html.parse(str(site / name)).getroot()
        assert page.get("lang") == language
        hrefs = [a.get("href") for a in page.find_class("signup")]
        assert hrefs and set(hrefs) == {f"{base}subscribe?lang={language}"}, (name, hrefs)
        links[name] = hrefs[0]
    # the link is where `serve` answers: the same path under base_url, served for real
    with serving(project, tmp_path / "list.db") as served:
        for name, link in links.items():
            answer = httpx.get(served.base + "/" + link.removeprefix(base))
            assert answer.status_code == 200, name
            form = lxml.html.fromstring(answer.text)
            assert form.get("lang") == WEB_PAGES[name] and form.forms, name


def test_without_a_consent_text_there_is_no_sign_up_link(project: Project):
    assert signup_url(project, "pl") == f"{project.site.base_url}subscribe?lang=pl"
    closed = dataclasses.replace(project, site=project.site.model_copy(update={"consent": None}))
    assert signup_url(closed, "pl") is None
