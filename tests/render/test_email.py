"""The e-mail edition as clients get it: valid MJML, a real browser, the text part."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SAMPLE, published
from lxml import html as lxml_html
from PIL import Image

from newsletter import placeholders
from newsletter.load import Project, load_issue
from newsletter.model import Figures, Issue, LinkCards
from newsletter.render.email import render_email, render_mjml, write_email
from newsletter.render.email_checks import EmailCheckError, check_email_html

MJML_CLI = ROOT / "node_modules" / ".bin" / "mjml"
EVERY_BLOCK = DATA / "every-block"
ARTIFACTS = ROOT / "test-artifacts"
NASTY = "<script>alert(\"x\")</script> & \"quotes\" 'single' — Zażółć gęślą jaźń"


@pytest.fixture(scope="module")
def every_block(project: Project) -> Issue:
    return load_issue(EVERY_BLOCK, project)


def validate_with_reference_mjml(mjml: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The npm `mjml` package in strict mode: catches the typos MRML silently accepts."""
    source = tmp_path / "email.mjml"
    source.write_text(mjml, encoding="utf-8")
    return subprocess.run(
        [str(MJML_CLI), "--config.validationLevel=strict", str(source), "-s"],
        capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("issue_dir", [SAMPLE, EVERY_BLOCK], ids=["sample", "every-block"])
def test_templates_are_valid_mjml_for_the_reference_compiler(issue_dir, project, tmp_path):
    edition = render_email(load_issue(issue_dir, project), project)
    result = validate_with_reference_mjml(edition.mjml, tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_misspelled_tag_in_a_template_fails_validation(project, sample, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(project.site.templates_path, templates)
    figures = templates / "email" / "blocks" / "figures.mjml.j2"
    figures.write_text(
        figures.read_text(encoding="utf-8").replace("<mj-section ", "<mj-sectoin ", 1)
        .replace("</mj-section>", "</mj-sectoin>", 1),
        encoding="utf-8",
    )
    broken = dataclasses.replace(
        project, site=project.site.model_copy(update={"templates": str(templates)})
    )
    result = validate_with_reference_mjml(render_mjml(sample, broken), tmp_path)
    assert result.returncode != 0
    assert "mj-sectoin" in result.stderr
    # mjml-python passes the unknown tag through; the build's own check stops it too.
    with pytest.raises(EmailCheckError, match="mj-sectoin"):
        render_email(sample, broken)


def test_what_every_client_gets(sample: Issue, project: Project):
    edition = render_email(sample, project)
    document = lxml_html.document_fromstring(edition.html)
    assert edition.html.lower().startswith("<!doctype html>")
    assert document.get("lang") == "en"
    assert document.findtext(".//title").replace("\xa0", " ") == sample.subject_line
    assert sample.preheader and sample.preheader.split()[0] in edition.html
    metas = {m.get("name"): m.get("content") for m in document.iter("meta")}
    assert metas["color-scheme"] == "light dark"
    assert metas["supported-color-schemes"] == "light dark"
    assert "prefers-color-scheme: dark" in edition.html
    # responsive columns: side by side from the width the e-mail is laid out for
    assert f"@media only screen and (min-width:{project.theme.spacing.content_width}px)" \
        in edition.html
    links = {a.get("href"): " ".join(a.text_content().split()) for a in document.iter("a")}
    web = f"{project.site.base_url}{sample.id}/web/"
    assert links[web] == "View this issue in your browser"
    assert links[placeholders.UNSUBSCRIBE_URL] == "Unsubscribe"
    assert links[placeholders.PREFERENCES_URL] == "Your preferences"
    images = list(document.iter("img"))
    assert len(images) == len(list(sample.images()))
    for img in images:
        assert img.get("src").startswith(f"{project.site.base_url}{sample.id}/images/")
        assert img.get("alt") and int(img.get("width")) > 0 and int(img.get("height")) > 0
    assert "<svg" not in edition.html and "@font-face" not in edition.html
    stack = project.theme.fonts.heading_css
    assert f"font-family: {stack}" in edition.html  # in <style>: quotes must stay quotes
    assert "&#39;" not in "".join(document.xpath("//style/text()"))
    for color in (project.theme.section_color(s.kind) for s in sample.sections):
        assert color in edition.html.lower()


def test_text_part_has_every_heading_card_url_and_figure(sample: Issue, project: Project):
    text = render_email(sample, project).text
    assert all(len(line) <= 78 for line in text.splitlines() if "://" not in line)
    for section in sample.sections:
        style = project.theme.section(section.kind).words(sample.language)
        assert f"{style.label} {style.name.upper()}" in text
    for _, block in sample.blocks():
        if getattr(block, "title", None):  # (its words bound as in the other editions)
            assert block.title.upper() in text.replace("\u00a0", " ").upper()
        if isinstance(block, LinkCards):
            for card in block.cards:
                assert f"{card.button or 'Read more'}: {card.url}" in text
        if isinstance(block, Figures):
            for item in block.items:
                assert re.search(rf"^\s+{item.value}  {item.label}$", text, re.MULTILINE)
    assert "Professor Jacek Majchrowski\nMayor of the City of Krakow" in text
    assert "pi.umk@um.krakow.pl" in text
    assert f"Unsubscribe: {placeholders.UNSUBSCRIBE_URL}" in text
    assert f"Your preferences: {placeholders.PREFERENCES_URL}" in text
    assert "Kraków" in text


def test_text_is_escaped_exactly_once(every_block: Issue, project: Project):
    edition = render_email(every_block, project)
    document = lxml_html.document_fromstring(edition.html)
    # What a reader sees in the HTML is exactly what the editor typed.
    assert NASTY in document.text_content().replace("\xa0", " ")  # bound words read as typed
    assert "<script>" not in edition.html.lower()
    assert "&amp;amp;" not in edition.html and "&amp;lt;" not in edition.html
    assert document.findtext(".//title") == "Test <b>subject</b> & więcej"
    hrefs = [a.get("href") for a in document.iter("a")]
    assert "https://portaledukacyjny.krakow.pl/?a=1&b=2" in hrefs
    # The text part is plain text: nothing escaped at all (no-break spaces read as spaces).
    text = edition.text.replace("\xa0", " ")
    assert f"Article {NASTY}" in text
    assert "Drugi akapit z <script>alert(1)</script> i & znakiem." in text
    assert document.get("lang") == "pl"
    assert "Wypisanie z listy" in edition.text  # template words follow the issue's language


def test_build_checks_fail_with_a_clear_message():
    page = '<html><body><a href="{target}">x</a><img src="{src}" alt="{alt}">{extra}</body></html>'
    ok = page.format(target="https://a.pl", src="https://a.pl/i.png", alt="A", extra="")
    assert check_email_html(ok, "email.html") == []
    cases = {
        "link '/relative' ('x') is not an absolute address": {"target": "/relative"},
        "image https://a.pl/i.png has no alt text": {"alt": " "},
        "image 'images/i.png' is not an absolute http(s) address": {"src": "images/i.png"},
        "template syntax left in the output": {"extra": "<mj-text>"},
        "Gmail clips messages over 102 KB": {"extra": "x" * 105_000},
    }
    for message, change in cases.items():
        values = {"target": "https://a.pl", "src": "https://a.pl/i.png", "alt": "A", "extra": ""}
        with pytest.raises(EmailCheckError, match=re.escape(message)):
            check_email_html(page.format(**{**values, **change}), "email.html")
    jinja = page.format(target="https://a.pl", src="https://a.pl/i.png", alt="A", extra="{{ x }}")
    with pytest.raises(EmailCheckError, match="template syntax"):
        check_email_html(jinja, "email.html")
    near = page.format(target="https://a.pl", src="https://a.pl/i.png", alt="A", extra="x" * 95_000)
    assert "close to Gmail's 102 KB" in check_email_html(near, "email.html")[0]


def test_build_command_writes_both_parts_without_importing_weasyprint(tmp_path):
    code = (
        "import sys; from newsletter.cli import main\n"
        "try:\n"
        f"    main(['build', {str(SAMPLE)!r}, '--only', 'email', '--out', {str(tmp_path)!r}])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "assert 'weasyprint' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "2020-12"
    assert (out / "email.html").stat().st_size > 10_000
    assert (out / "email.txt").read_text(encoding="utf-8").startswith("BUSINESS KRAKÓW")
    # the pictures it shows, made for their 552 px slot at 2× (the originals are 1200 px)
    assert sorted(p.name for p in (out / "images").iterdir()) == sorted(
        f"{p.stem}-1104w.png" for p in (SAMPLE / "images").glob("*.png")
    )


_LEFT_OFF = ("weasyprint", "email_validator", "cssutils", "requests", "importlib.metadata",
             "babel", "pyphen")
"""What an e-mail build of the sample does without, once its caches are warm: the PDF
engine, the address library (its addresses are plain), the CSS parser (its parses are
kept), the HTTP client premailer imports, the package-metadata scan of pydantic, Babel
(its month names are kept) and pyphen (the e-mail does not hyphenate)."""

_BUILD = """
import sys
from newsletter.cli import main
try:
    main(['build', sys.argv[1], '--only', 'email', '--out', sys.argv[2]])
except SystemExit as exit:
    assert not exit.code, exit.code
print(' '.join(sorted(m for m in sys.argv[3:] if m in sys.modules)))
"""


def test_a_warm_email_build_imports_only_what_it_uses(tmp_path: Path) -> None:
    """Counted by the modules its process holds, not by time: a change that puts one of
    them back on the e-mail build's path fails here. The first build may need them (the
    caches are empty), the second does not, and writes the same files."""
    env = {"PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "HOME": str(tmp_path)}
    shown = []
    for out in ("first", "second"):
        shown.append(subprocess.run(
            [sys.executable, "-c", _BUILD, str(SAMPLE), str(tmp_path / out), *_LEFT_OFF],
            check=True, text=True, capture_output=True, cwd=ROOT, env=env).stdout.split("\n"))
    assert shown[1][-2] == ""  # the last line: none of them
    for name in ("email.html", "email.txt", "pl/email.html", "pl/email.txt"):
        first = (tmp_path / "first" / SAMPLE.name / name).read_bytes()
        assert first == (tmp_path / "second" / SAMPLE.name / name).read_bytes()


@pytest.fixture(scope="module")
def served_email(tmp_path_factory) -> Iterator[tuple[str, Issue]]:
    """The sample's e-mail built with base_url pointing at a loopback server of build/."""
    root = tmp_path_factory.mktemp("published")
    with published(root) as project:
        issue = load_issue(SAMPLE, project)
        (root / issue.id).mkdir()
        write_email(issue, project, root / issue.id)
        yield f"{project.site.base_url}{issue.id}/email.html", issue


@pytest.mark.parametrize("width", [375, 520, 640])
def test_email_in_headless_chromium(served_email, project, browser, width):
    url, issue = served_email
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(url, wait_until="load")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        images = page.evaluate(
            "[...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0,"
            " i.getBoundingClientRect().right,"
            " (i.width / i.height) / (i.naturalWidth / i.naturalHeight)])"
        )
        assert images and all(loaded for _, loaded, _, _ in images), images
        assert all(right <= width for _, _, right, _ in images)
        # not squashed on phones: the shown aspect ratio is the picture's own
        assert all(abs(ratio - 1) < 0.02 for _, _, _, ratio in images), images
        visible = page.inner_text("body").replace("\xa0", " ")  # no-break spaces
        for section in issue.sections:
            style = project.theme.section(section.kind).words(issue.language)
            assert f"{style.label} {style.name.upper()}" in visible
            heading = page.locator(f"[id=\"{section.id}\"]")
            assert heading.is_visible()
        for _, block in issue.blocks():
            if getattr(block, "title", None):
                assert page.locator(f"[id=\"{block.id}\"]").is_visible()
        columns = page.evaluate(
            "[...document.querySelectorAll('.bk-card')].map(e => e.getBoundingClientRect().top)"
        )
        if width < project.theme.spacing.content_width:
            # phones and narrow panes: one card under the other (at 520 px three cards
            # side by side broke words and phone numbers: hand-made issue 2029-06)
            assert len(set(round(t) for t in columns[:3])) == 3
        else:  # wider: the three map cards side by side
            assert len(set(round(t) for t in columns[:3])) == 1
        page.screenshot(path=str(ARTIFACTS / f"email-{width}.png"), full_page=True)
    finally:
        page.close()


CONTRAST = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => { for (let n = el; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (c !== 'rgba(0, 0, 0, 0)') return c; } return 'rgb(255, 255, 255)'; };
  return [...document.querySelectorAll('.bk-text p, .bk-text li, .bk-text div, .bk-muted div')]
    .filter((el) => el.innerText.trim())
    .map((el) => { const a = lum(rgb(getComputedStyle(el).color)), b = lum(rgb(background(el)));
      return [(Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), el.innerText.slice(0, 40)]; });
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_stays_readable_in_light_and_dark_mode(served_email, project, browser, scheme):
    url, _ = served_email
    page = browser.new_page(viewport={"width": 640, "height": 900}, color_scheme=scheme)
    try:
        page.goto(url, wait_until="load")
        ratios = page.evaluate(CONTRAST)
        assert len(ratios) > 50
        low = [(round(r, 2), text) for r, text in ratios if r < 4.5]  # WCAG AA, body text
        assert low == []
        body = page.evaluate("getComputedStyle(document.body).backgroundColor")
        dark = project.theme.color("dark_background").lstrip("#")
        expected = "rgb({}, {}, {})".format(*(int(dark[i : i + 2], 16) for i in (0, 2, 4)))
        assert (body == expected) == (scheme == "dark")  # the whole window turns dark
    finally:
        page.close()


def test_a_camera_photo_goes_out_as_a_small_derivative(project: Project, photo_issue_dir, tmp_path):
    """A 4000×3000 photo of 4.6 MB: the e-mail links files made for each slot, about twice
    the displayed width, never the original."""
    issue = load_issue(photo_issue_dir, project)
    out = tmp_path / issue.id
    write_email(issue, project, out)
    document = lxml_html.parse(str(out / "email.html")).getroot()
    base = f"{project.site.base_url}{issue.id}/"
    linked = []
    for img in document.iter("img"):
        path = out / img.get("src").removeprefix(base)
        linked.append(path.name)
        shown_width, shown_height = int(img.get("width")), int(img.get("height"))
        assert path.stat().st_size <= 300 * 1024, path
        with Image.open(path) as picture:
            assert shown_width < picture.width <= 2 * shown_width, path
            assert shown_height == round(picture.height * shown_width / picture.width), path
    assert "photo-1104w.jpg" in linked  # 552 px article slot at 2×, a JPEG: a photo
    assert not (out / "images" / "photo.jpg").exists()
    assert sorted(p.name for p in (out / "images").iterdir()) == sorted(linked)


def test_attribute_values_reach_the_reader_as_written(sample: Issue, project: Project):
    """MRML writes attribute values with Rust's escape_debug: the Polish sample's alt texts,
    with their bound one-letter words, came out as ``z\\u{a0}drzwiami``, which a screen
    reader reads aloud (and a mail program shows when pictures are blocked)."""
    import random
    import unicodedata

    from markupsafe import escape

    from newsletter.render.email import compile_mjml

    for variant in sample.editions():
        html = render_email(variant, project).html
        assert "\\u{" not in html, variant.language
        alts = lxml_html.document_fromstring(html).xpath("//img/@alt")
        written = [" ".join(i.alt.split()) for _, b in variant.blocks()
                   for i in [getattr(b, "image", None)] if i is not None]  # fmt: skip
        assert written and all(
            " ".join(a.replace("\u00a0", " ").split()) in written for a in alts if a.strip()
        )
    pool = "aąęłż \u00a0\u2009\u202f\u00ad\u200b\u0328\\\"'&<>\t–—„”😀ЖΩ\u2060"
    draw = random.Random(16)
    for _ in range(200):
        text = "".join(draw.choice(pool) for _ in range(draw.randint(1, 30)))
        if draw.random() < 0.3:
            text = unicodedata.normalize("NFD", text)
        source = ('<mjml><mj-body><mj-section><mj-column><mj-image src="https://x.pl/a.png" '
                  f'alt="{escape(text)}" /></mj-column></mj-section></mj-body></mjml>')
        shown = lxml_html.document_fromstring(compile_mjml(source)).xpath("//img/@alt")[0]
        assert shown == text.replace("\t", " ") or shown == text, (text, shown)


def test_a_groups_title_keeps_its_case_in_the_email_and_its_text_part(project, tmp_path):
    """Card and figure groups' titles were set in capitals in the e-mail and its text
    part, which made "w 2027 r." read "W 2027 R." (an abbreviation Polish never
    capitalises; hand-made issue 2028-02) while the web page and the PDFs kept the
    editor's case. The text part underlines them, as an article's title."""
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: figures\n        title: Pieniądze na rozwój w 2027 r.\n"
        "        items:\n          - {value: 1 mln zł, label: dotacje}\n"
        "          - {value: '348', label: firmy}\n"
        "      - type: link_cards\n        title: Adresy, które warto znać (np. ul. Wielicka)\n"
        "        cards:\n          - {title: Urząd, url: 'https://krakow.pl/'}\n",
        encoding="utf-8")
    issue = load_issue(folder, project)
    edition = render_email(issue, project)
    html, text = edition.html, edition.text
    for title in ("Pieniądze na rozwój w\u00a02027\u00a0r.",
                  "Adresy, które warto znać (np.\u00a0ul.\u00a0Wielicka)"):
        line = next(line for line in text.splitlines() if line.startswith(title[:10]))
        assert line == title, line
        following = text.splitlines()[text.splitlines().index(line) + 1]
        assert set(following) == {"-"}, following
    document = lxml_html.fromstring(html)
    for heading in document.xpath("//h3"):
        assert "uppercase" not in (heading.get("style") or ""), heading.text_content()


def test_the_text_part_shows_an_email_address_without_its_scheme(project, tmp_path):
    """A card's button and an article's link to an e-mail address read "Napisz e-mail:
    mailto:katarzyna.wisniewska-zajac@um.krakow.pl" in the text part (hand-made issue
    2028-02); a web address keeps its scheme, which mail programs need to link it."""
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: pl\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: article\n        title: Kontakt\n        body: Tekst.\n"
        "        links:\n          - {label: Napisz, url: 'mailto:anna.lis@um.krakow.pl'}\n"
        "          - {label: Strona, url: 'https://krakow.pl/'}\n"
        "      - type: link_cards\n        cards:\n"
        "          - {title: Jan Nowak, button: Napisz e-mail,\n"
        "             url: 'mailto:jan.nowak@um.krakow.pl'}\n",
        encoding="utf-8")
    text = render_email(load_issue(folder, project), project).text
    assert "mailto:" not in text
    assert "Napisz: anna.lis@um.krakow.pl" in text
    assert "Napisz e-mail: jan.nowak@um.krakow.pl" in text
    assert "Strona: https://krakow.pl/" in text
