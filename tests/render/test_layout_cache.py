"""Page fitting's decisions remembered (render/layout_cache.py): building the same issue
again lays each PDF out once and gives the same pages; any change to what the document is
made of is laid out afresh, as if nothing had been remembered."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE, edited_copy
from corpus.generate import generate
from page_depth import measured_pages
from PIL import Image

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download, write_print


def pages(pdf: Path) -> str:
    """Every word's box on every page (poppler), without the file's dates."""
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return re.sub(r'<meta name="(CreationDate|ModDate)"[^>]*>', "", text)


def build(issue_folder: Path, project: Project, out: Path, writer=write_download) -> Path:
    issue = load_issue(issue_folder, project)
    return writer(issue, project, out).files[0]


def test_a_spread_page_is_replayed(project, tmp_path, layouts):
    """A short page's grown gaps (render/page_spread.py) are remembered with the other
    decisions, by their elements' places: generated seed 22's Polish page 2, at 0.72 before
    it was spread, comes out the same from one layout."""
    written = generate(22, tmp_path / "issues")
    issue = next(i for i in load_issue(written.folder, project).editions()
                 if i.language == "pl")
    first = write_download(issue, project, tmp_path / "first").files[0]
    layouts[0] = 0
    second = write_download(issue, project, tmp_path / "second").files[0]
    assert layouts[0] == 1
    assert pages(second) == pages(first)
    assert measured_pages(second)[1].depth >= 0.75


def test_the_same_issue_in_another_folder_gets_the_same_pages(project, tmp_path, layouts):
    """The decisions are replayed for the same document wherever its folder is (a copy's
    HTML is the same), so they must name its pictures within the folder: by absolute
    path, a copy replayed no picture height and its pages came out unfitted."""
    first = build(SAMPLE, project, tmp_path / "first")
    copy = shutil.copytree(SAMPLE, tmp_path / "copy" / SAMPLE.name)
    layouts[0] = 0
    second = build(copy, project, tmp_path / "second")
    assert layouts[0] == 1  # replayed
    assert pages(second) == pages(first)


def test_a_changed_issue_is_laid_out_afresh(project, tmp_path, layouts, monkeypatch):
    build(SAMPLE, project, tmp_path / "before")
    changed = edited_copy(SAMPLE, tmp_path / "issue", {})
    picture = next(p for p in (changed / "images").iterdir() if p.suffix == ".png")
    with Image.open(picture) as image:  # the same file, now twice as tall
        image.convert("RGB").resize((image.width, image.height * 2)).save(picture)
    remembered = build(changed, project, tmp_path / "remembered")
    monkeypatch.setenv("NEWSLETTER_LAYOUT_CACHE", "0")
    afresh = build(changed, project, tmp_path / "afresh")
    assert pages(remembered) == pages(afresh)


def small_issue(project: Project, root: Path) -> Path:
    """Generated seed 3 (Polish): an issue page fitting lays out four times in 2 s, a
    quarter of the sample's time, for the tests that build twice from nothing."""
    written = generate(3, root / "issues")
    assert load_issue(written.folder, project).language == "pl"
    return written.folder


def test_a_broken_cache_entry_is_laid_out_afresh(project, tmp_path, layouts, monkeypatch):
    issue = small_issue(project, tmp_path)
    first = build(issue, project, tmp_path / "first")
    entries = list((tmp_path / "cache" / "business-krakow-newsletter" / "layouts").glob("*"))
    assert entries
    for entry in entries:
        entry.write_text('{"heights": {"x": "tall"}, "rag', encoding="utf-8")
    layouts[0] = 0
    again = build(issue, project, tmp_path / "again")
    assert layouts[0] >= 2  # the decisions were made again, not read from the broken file
    assert pages(again) == pages(first)


def test_a_cache_that_cannot_be_written_costs_only_time(project, tmp_path, layouts):
    blocked = tmp_path / "cache" / "business-krakow-newsletter" / "layouts"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    issue = small_issue(project, tmp_path)
    first = build(issue, project, tmp_path / "first")
    layouts[0] = 0
    again = build(issue, project, tmp_path / "again")
    assert layouts[0] >= 2
    assert pages(again) == pages(first)


@pytest.fixture
def html_renders(monkeypatch) -> list[int]:
    """A count of the HTML the PDFs are made from being written (print.render_html: the
    real one runs, the counter only counts)."""
    from newsletter.render import print as print_module

    count = [0]
    real = print_module.render_html

    def render_html(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(print_module, "render_html", render_html)
    return count


@pytest.mark.parametrize("writer", [write_download, write_print])
def test_a_second_build_lays_out_the_html_page_fitting_made(
        project, tmp_path, layouts, html_renders, writer):
    """A second build lays each PDF out once and gives the same pages. The HTML the
    decisions made (pictures resized, moved) is kept with them, and found from the
    issue's inputs: a warm build, of the issue loaded again as a new process would,
    writes no HTML at all (neither the key's nor the decisions'); the pages and the
    printer's resolution warnings are the same."""
    first = writer(load_issue(SAMPLE, project), project, tmp_path / "first")
    assert layouts[0] >= 2  # the sample needs page fitting: else this test proves nothing
    assert html_renders[0] >= 2  # page fitting changed the HTML: else this proves nothing
    html_renders[0] = 0
    layouts[0] = 0
    second = writer(load_issue(SAMPLE, project), project, tmp_path / "second")
    assert html_renders[0] == 0
    assert layouts[0] == 1 + (writer is write_print)  # print: + its notes pages
    assert pages(second.files[0]) == pages(first.files[0])
    assert second.warnings == first.warnings


def test_a_copys_printer_warnings_are_about_its_own_pictures(project, tmp_path, layouts):
    """The same pictures in another folder make the same HTML, so its build replays the
    first one's decisions: the printer's resolution warnings must still read the copy's
    own files. They read the first folder's, by absolute path; its photo.jpg since
    replaced by a sharp one, the copy's 700 px photo went unwarned
    (tests/test_picture_notices.py failed on a second run)."""
    from photos import make_photo

    first = edited_copy(SAMPLE, tmp_path / "first" / "2020-12", {
        "microsoft-education.md": [("images/school-cloud-laptop.png", "images/photo.jpg")]})
    make_photo(first / "images" / "photo.jpg", size=(700, 500))
    copy = shutil.copytree(first, tmp_path / "copy" / "2020-12")
    issue = load_issue(first, project).in_language("en")
    warned = write_print(issue, project, tmp_path / "out-first").warnings
    assert any(w.startswith("photo.jpg prints at") for w in warned), warned
    make_photo(first / "images" / "photo.jpg", size=(2400, 1714))  # the first folder's fixed
    layouts[0] = 0
    again = write_print(load_issue(copy, project).in_language("en"), project,
                        tmp_path / "out-copy").warnings
    assert layouts[0] == 2  # replayed: the pages and the notes pages
    assert again == warned
    # a copy whose photo is renamed: the same HTML again, its own file's name in the warning
    renamed = shutil.copytree(copy, tmp_path / "renamed" / "2020-12")
    (renamed / "images" / "photo.jpg").rename(renamed / "images" / "foto.jpg")
    article = renamed / "microsoft-education.md"
    article.write_text(article.read_text(encoding="utf-8").replace("photo.jpg", "foto.jpg"),
                       encoding="utf-8")
    layouts[0] = 0
    third = write_print(load_issue(renamed, project).in_language("en"), project,
                        tmp_path / "out-renamed").warnings
    assert layouts[0] == 2
    assert third == [w.replace("photo.jpg", "foto.jpg") for w in warned]


def test_a_file_edited_in_place_is_built_afresh(project, tmp_path, layouts, html_renders):
    """An editor's change to a file of the issue, in its folder, is in the next PDF: the
    remembered HTML is for the inputs as they were."""
    folder = shutil.copytree(SAMPLE, tmp_path / "issue")
    build(folder, project, tmp_path / "first")
    edited = next(path for path in sorted(folder.rglob("*.md"))
                  if "Kraków" in path.read_text(encoding="utf-8"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("Kraków", "Zebrafinch", 1),
                      encoding="utf-8")
    html_renders[0] = 0
    again = build(folder, project, tmp_path / "again")
    assert html_renders[0] >= 1
    text = subprocess.run(["pdftotext", str(again), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Zebrafinch" in text


def test_every_input_of_the_html_is_in_its_inputs_key(project, tmp_path):
    """What the first HTML is made from, changed any way, is a new inputs key: else a warm
    build would lay out the HTML of the inputs as they were. In memory (the loaded issue,
    a site setting, the theme) and on disk (a picture's bytes, a template, a font)."""
    from dataclasses import replace

    from newsletter.render.print import _inputs
    from newsletter.theme import load_theme

    folder = shutil.copytree(SAMPLE, tmp_path / "issue")
    assets = shutil.copytree(project.theme.folder, tmp_path / "assets")
    templates = shutil.copytree(project.site.templates_path, tmp_path / "templates")
    site = project.site.model_copy(update={"templates": str(templates)})
    base = Project(site, load_theme(assets / project.site.theme_path.name))
    issue = load_issue(folder, base)

    def key(issue=issue, project=base, variant="print") -> str:
        return _inputs(issue, project, variant)

    before = key()
    assert key() == before  # the same inputs: the same key
    keys = {"unchanged": before, "download": key(variant="download"),
            "issue": key(issue=issue.model_copy(update={"title": issue.title + " bis"})),
            "site": key(project=replace(base, site=site.model_copy(update={
                "print": site.print.model_copy(update={"bleed_mm": site.print.bleed_mm + 2})}))),
            "theme": key(project=replace(base, theme=base.theme.model_copy(update={
                "colors": {**base.theme.colors, next(iter(base.theme.colors)): "#123456"}})))}
    picture = next(p for p in (folder / "images").iterdir() if p.suffix == ".png")
    with Image.open(picture) as image:  # the same file name, other pixels
        image.convert("RGB").resize((image.width, image.height * 2)).save(picture)
    keys["picture"] = key()
    page = next(templates.rglob("*.j2"))
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    keys["template"] = key()
    font = next(p for p in assets.rglob("*") if p.suffix in (".ttf", ".otf"))
    font.write_bytes(font.read_bytes() + b"\0")
    keys["font"] = key()
    assert len(set(keys.values())) == len(keys), keys


def test_a_remembered_html_whose_file_changed_is_not_a_shortcut(tmp_path, monkeypatch):
    """The shortcut lays out HTML that loads files (pictures' derivatives, fonts, the
    colour profile): one changed since is no shortcut, the long way is taken."""
    import os

    from newsletter.render import layout_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NEWSLETTER_LAYOUT_CACHE", raising=False)
    loaded = tmp_path / "picture.png"
    loaded.write_bytes(b"pixels")
    html = f'<img src="{loaded.as_uri()}">'
    layout_cache.store("k", layout_cache.Decisions(ragged={3}))
    layout_cache.store_html("k", html, {loaded.as_uri(): loaded}, tmp_path)
    layout_cache.remember("inputs", "k", html)
    found = layout_cache.shortcut("inputs", tmp_path)
    assert found is not None and found.html == html and found.decisions.ragged == {3}
    assert found.sources == {loaded.as_uri(): loaded}
    assert layout_cache.shortcut("other inputs", tmp_path) is None
    os.utime(loaded, ns=(1, 1))
    assert layout_cache.shortcut("inputs", tmp_path) is None
    layout_cache.remember("inputs", "k", html)
    assert layout_cache.shortcut("inputs", tmp_path) is not None
    loaded.unlink()
    assert layout_cache.shortcut("inputs", tmp_path) is None


def test_a_changed_template_or_module_is_a_new_key(tmp_path):
    """The kept HTML depends on templates and code the first HTML may not show (how a
    moved picture is written): a change to any template file is a new key."""
    from newsletter.render import layout_cache

    templates = shutil.copytree(SAMPLE.parents[1] / "templates", tmp_path / "templates")
    before = layout_cache.digest("<html></html>", "download", templates)
    page = next(templates.rglob("*.j2"))
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert layout_cache.digest("<html></html>", "download", templates) != before
