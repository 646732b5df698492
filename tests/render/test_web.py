"""The web edition and the archive as browsers, validators and feed readers see them."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SAMPLE, one_article_issue
from lxml import html as lxml_html
from PIL import Image

from newsletter.load import Project, load_issue, load_project
from newsletter.output import EDITIONS
from newsletter.publish import build, build_site, choose_editions, newest_change

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A project with two issues (December 2020 in English, a January 2021 in Polish),
    built as the whole static site."""
    root = tmp_path_factory.mktemp("project")
    for name in ("newsletter.toml", "assets", "templates"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    shutil.copytree(SAMPLE, root / "issues" / "2020-12")
    shutil.copytree(DATA / "every-block", root / "issues" / "2021-01")
    project = load_project(root / "newsletter.toml")
    build_site(project)
    return root / "build"


def test_web_page_passes_the_nu_html_checker(site: Path):
    pages = [site / "2020-12" / "web" / "index.html",
             site / "2020-12" / "pl" / "web" / "index.html",
             site / "2021-01" / "web" / "index.html", site / "pl" / "index.html",
             site / "index.html"]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", *map(str, pages)],
        capture_output=True, text=True, timeout=120,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [m for m in messages if m["type"] == "error"]
    assert errors == [], errors


def test_web_page_structure_and_share_card(site: Path, project: Project):
    page = site / "2020-12" / "web" / "index.html"
    document = lxml_html.parse(str(page)).getroot()
    assert document.get("lang") == "en"
    assert not document.xpath("//script")  # readable without JavaScript
    skip = document.xpath("//body/*[1]")[0]
    assert skip.tag == "a" and skip.get("href") == "#main"
    assert document.get_element_by_id("main").tag == "main"
    assert [e.tag for e in document.xpath("//header | //nav | //main | //footer")] == [
        "header", "nav", "nav", "main", "footer"]  # the language switch, then the sections
    assert [n.get("aria-label") for n in document.iter("nav")] == ["Languages", "Sections"]
    levels = [int(h.tag[1]) for h in document.xpath("//h1 | //h2 | //h3")]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert all(img.get("alt") and img.get("width") for img in document.iter("img"))
    for img in document.iter("img"):
        assert (page.parent / img.get("src")).resolve().is_file()
    meta = {m.get("property") or m.get("name"): m.get("content") for m in document.iter("meta")}
    base = project.site.base_url
    assert meta["og:url"] == f"{base}2020-12/web/"
    assert meta["og:title"] == "Business Kraków — December 2020"
    assert meta["og:image"].startswith(f"{base}2020-12/images/")
    assert meta["twitter:card"] == "summary_large_image"
    assert "@media print" in "".join(document.xpath("//style/text()"))


def test_web_page_links_both_pdfs_with_their_sizes(site: Path):
    page = site / "2020-12" / "web" / "index.html"
    document = lxml_html.parse(str(page)).getroot()
    links = {a.get("href"): a.getparent().text_content() for a in document.xpath("//a[@download]")}
    for name in ("business-krakow-2020-12.pdf", "business-krakow-2020-12-print.pdf"):
        size_kb = round((site / "2020-12" / name).stat().st_size / 1024)
        assert f"{size_kb}\u00a0KB" in links[f"../{name}"]  # a number with its unit


def test_a_download_size_in_megabytes_has_the_languages_decimal_mark():
    """The Polish web page read "PDF do druku (PDF/X-4) (PDF, 6.7 MB)" (hand-made issue
    2028-02): Polish writes "6,7 MB"."""
    from newsletter.render.templating import file_size

    size = 7_000_000
    assert [file_size(size, code) for code in ("en", "pl", "uk", "de", "xx")] == \
        ["6.7 MB", "6,7 MB", "6,7 MB", "6,7 MB", "6.7 MB"]
    assert file_size(200_000, "pl") == "195 KB"


def test_archive_lists_issues_newest_first_and_feed_parses(site: Path, project: Project):
    index = lxml_html.parse(str(site / "index.html")).getroot()
    listed = [a.get("href") for a in index.xpath("//ol[@class='issue-list']/li/h2/a")]
    assert listed == ["2021-01/web/", "2020-12/web/"]
    for href in listed:
        assert (site / href / "index.html").is_file()
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Business Kraków – styczeń 2021", "Business Kraków — December 2020"]  # pl: en dash
    base = project.site.base_url
    alternates = [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in entries]
    assert alternates == [f"{base}2021-01/web/", f"{base}2020-12/web/"]
    enclosure = entries[1].find(f"{ATOM}link[@rel='enclosure']")
    assert enclosure.get("href") == f"{base}2020-12/business-krakow-2020-12.pdf"
    assert int(enclosure.get("length")) == (site / "2020-12" / "business-krakow-2020-12.pdf"
                                            ).stat().st_size
    assert feed.findtext(f"{ATOM}updated") == "2021-01-15T00:00:00Z"


@pytest.mark.parametrize("width", [320, 1024])
def test_no_serious_accessibility_violations_and_no_overflow(site: Path, browser, width: int):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        for path in ("2020-12/web/index.html", "2021-01/web/index.html", "index.html"):
            page.goto((site / path).as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "axe.run().then(r => r.violations.map(v => [v.id, v.impact, v.nodes.length]))"
            )
            serious = [v for v in violations if v[1] in ("serious", "critical")]
            assert serious == [], (path, serious)
        page.goto((site / "2020-12/web/index.html").as_uri())
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"  # the skip link comes first
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        top = page.evaluate("document.activeElement.getBoundingClientRect().top")
        assert top >= 0  # the skip link becomes visible when focused
        assert outline == "solid"  # and shows where the focus is
        page.screenshot(path=str(ARTIFACTS / f"web-{width}.png"), full_page=True)
    finally:
        page.close()


def test_web_alone_links_pdfs_without_sizes_and_says_so(project: Project, tmp_path):
    issue = load_issue(SAMPLE, project)
    built = build(issue, project, choose_editions(["web"]), tmp_path, languages=["en"])
    assert built.files == [EDITIONS["web"].paths(tmp_path / issue.id, issue, project)[0]]
    assert len(built.warnings) == 2 and "not built yet" in built.warnings[0]


def test_editions_build_in_order_whatever_the_only_list_says(project: Project, tmp_path):
    issue = load_issue(SAMPLE, project)
    built = build(issue, project, choose_editions(["web", "print", "pdf"]), tmp_path)
    assert [p.name for p in built.files][-1] == "index.html"  # the page comes last
    assert not any("not built yet" in warning for warning in built.warnings)
    page = (tmp_path / issue.id / "web" / "index.html").read_text(encoding="utf-8")
    assert page.count("\u00a0KB)") == 2  # both PDFs existed when the page was written


def test_site_rebuilds_only_what_changed(site: Path):
    import os
    import time

    project = load_project(site.parent / "newsletter.toml")
    again = build_site(project)
    # the archive and feed, at the root and for the Polish translations
    assert [p.relative_to(site).as_posix() for p in again.files] == [
        "index.html", "feed.xml", "pl/index.html", "pl/feed.xml"]
    assert len(again.up_to_date) == 3 * 5  # the sample in two languages, one in one; 5 files each
    article = site.parent / "issues" / "2020-12" / "open-city.md"
    later = time.time() + 5
    os.utime(article, (later, later))  # an editor saved a file
    edited = build_site(project)
    assert sum("/2020-12/" in str(p) for p in edited.files) == 2 * 5  # that issue, all editions
    assert not any("/2021-01/" in str(p) for p in edited.files)
    assert len(edited.up_to_date) == 5  # the other issue, untouched
    forced = build_site(project, force=True)
    assert forced.up_to_date == [] and len(forced.files) == 3 * 5 + 4


def test_byte_code_written_later_is_no_change_of_the_program(tmp_path: Path):
    """Python writes a module's byte code when it is first imported after a change, by any
    run (a test in parallel): the site's rebuild took that for a new program and rebuilt
    every issue, and the test above failed at random."""
    import os

    package = tmp_path / "newsletter"
    (package / "__pycache__").mkdir(parents=True)
    (package / "render.py").write_text("x = 1\n")
    cached = package / "__pycache__" / "render.cpython-311.pyc"
    cached.write_bytes(b"\0")
    os.utime(package / "render.py", (1000, 1000))
    os.utime(cached, (5000, 5000))
    assert newest_change(package) == 1000
    os.utime(package / "render.py", (6000, 6000))  # the program changed: that counts
    assert newest_change(package) == 6000


def test_web_page_offers_each_picture_in_several_widths(project: Project, photo_issue_dir,
                                                        tmp_path):
    issue = load_issue(photo_issue_dir, project)
    build(issue, project, choose_editions(["web"]), tmp_path)
    page = tmp_path / issue.id / "web" / "index.html"
    document = lxml_html.parse(str(page)).getroot()
    photo = next(i for i in document.iter("img") if "photo" in i.get("src"))
    assert photo.get("sizes")
    offered = [entry.split() for entry in photo.get("srcset").split(", ")]
    assert [w for _, w in offered] == ["400w", "800w", "1200w", "1600w"]
    for href, width in offered:
        with Image.open(page.parent / href) as picture:
            assert f"{picture.width}w" == width and picture.format == "JPEG"
            ratio = picture.height / picture.width
        assert int(photo.get("height")) == round(int(photo.get("width")) * ratio)
    assert (page.parent / photo.get("src")).is_file()
    meta = {m.get("property"): m.get("content") for m in document.iter("meta")}
    assert meta["og:image"].endswith(("-1200w.jpg", "-1200w.png"))  # a derivative too
    assert meta["og:image:width"] == "1200"
    assert not (tmp_path / issue.id / "images" / "photo.jpg").exists()


def test_each_language_has_its_page_and_they_link_each_other(site: Path, project: Project):
    base = project.site.base_url
    pages = {"en": site / "2020-12" / "web" / "index.html",
             "pl": site / "2020-12" / "pl" / "web" / "index.html"}
    urls = {"en": f"{base}2020-12/web/", "pl": f"{base}2020-12/pl/web/"}
    for language, page in pages.items():
        document = lxml_html.parse(str(page)).getroot()
        assert document.get("lang") == language
        links = {link.get("hreflang"): link.get("href")
                 for link in document.xpath("//link[@rel='alternate'][@hreflang]")}
        assert links == {**urls, "x-default": urls["en"]}
        switch = document.xpath("//nav[contains(@class, 'language-switch')]")[0]
        assert switch.xpath(".//*[@aria-current='page']")[0].text_content() == {
            "en": "English", "pl": "Polski"}[language]
        other = next(lang for lang in urls if lang != language)
        assert switch.xpath(f".//a[@hreflang='{other}']/@href") == [urls[other]]
        for img in document.iter("img"):  # every picture is there beside each page
            assert (page.parent / img.get("src")).resolve().is_file()
    polish = lxml_html.parse(str(pages["pl"])).getroot()
    assert "Czas na" in polish.text_content() and "Call for" not in polish.text_content()
    archive = site / "pl" / "index.html"
    feed = site / "pl" / "feed.xml"
    assert archive.is_file() and feed.is_file()
    index = lxml_html.parse(str(archive)).getroot()
    assert index.get("lang") == "pl"
    assert "../2020-12/pl/web/" in [a.get("href") for a in index.iter("a")]
    assert (archive.parent / "../2020-12/pl/web/index.html").resolve().is_file()
    assert f"<id>{base}2020-12/pl/web/</id>" in feed.read_text(encoding="utf-8")


@pytest.mark.parametrize(("width", "density"), [(1024, 1), (375, 2)])
def test_a_capped_portrait_is_fetched_at_the_width_it_is_shown(
        project: Project, tmp_path_factory, browser, width: int, density: int):
    """A tall portrait's height is capped to about one screen, so it is shown narrower than
    the column: the browser must pick its file by that width (``sizes``), not fetch the
    file made for the full column."""
    from photos import make_photo

    folder = tmp_path_factory.mktemp("portrait") / "2020-12"
    shutil.copytree(SAMPLE, folder)
    make_photo(folder / "images" / "tall.jpg", size=(1000, 4000))
    article = folder / "krakow-for-business.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "images/map-pins.png", "images/tall.jpg"), encoding="utf-8")
    issue = load_issue(folder, project)
    out = tmp_path_factory.mktemp("portrait-out")
    build(issue, project, choose_editions(["web"]), out)
    page = browser.new_page(viewport={"width": width, "height": 800},
                            device_scale_factor=density)
    try:
        page.goto((out / issue.id / "web" / "index.html").as_uri())
        shown = page.evaluate("""() => {
            const img = [...document.images].find(i => i.currentSrc.includes('tall'));
            img.scrollIntoView();
            const entries = img.srcset.split(', ').map(s => s.split(' '));
            const chosen = entries.find(([href]) => new URL(href, document.baseURI).href
                                                    === img.currentSrc);
            return {css: img.getBoundingClientRect().width, file: parseInt(chosen[1]),
                    offered: entries.map(([, w]) => parseInt(w))};
        }""")
    finally:
        page.close()
    needed = shown["css"] * density
    assert shown["css"] < 400  # capped: far narrower than the column
    fitting = min(w for w in shown["offered"] if w >= needed)
    assert shown["file"] == fitting, shown


@pytest.mark.parametrize("title, expected", [
    ("Business Kraków — styczeń 2021", "Business Kraków — styczeń 2021"),
    ("Business Kraków 1/2021", "Business Kraków 1/2021"),
    ("Wydanie specjalne", "Wydanie specjalne – styczeń 2021"),  # Polish: a spaced en dash
    ("Raport 12021", "Raport 12021 – styczeń 2021"),
])
def test_a_title_that_names_its_year_is_not_given_the_month_again(tmp_path, project, title,
                                                                   expected):
    """Editors name an issue as the guide's example does ("Business Kraków — December
    2020"): the PDFs' and the web page's titles read "… — wrzesień 2027 — Wrzesień 2027"
    (hand-made issues 2027-09 and 2028-02). A title holding its issue's year is the name;
    any other is followed by the month, in the language's own case mid-title."""
    import pikepdf

    folder = one_article_issue(tmp_path / "src" / "2021-01", "Tekst.")
    yaml = folder / "issue.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "date: 2021-01-01\n", f"date: 2021-01-01\ntitle: {title}\n"), encoding="utf-8")
    issue = load_issue(folder, project)
    build(issue, project, choose_editions(["web", "pdf"]), tmp_path / "out")
    page = lxml_html.parse(str(tmp_path / "out" / issue.id / "web" / "index.html")).getroot()
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.iter("meta")}
    assert page.findtext(".//title") == expected
    assert meta["og:title"] == meta["twitter:title"] == expected
    pdf = next((tmp_path / "out" / issue.id).glob("*.pdf"))
    with pikepdf.open(pdf) as document:
        assert str(document.docinfo["/Title"]) == expected
