"""Pictures of every shape stay on the page and on the screen: in both PDFs inside the
page's text area with their caption on the same page, never more than 2× their pixels,
centred when narrower than the column, and a low-resolution warning only where the
editor's file is too small; in the e-mail and on the web never taller than a screen nor
wider than their column (Chromium, a phone and a laptop)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from conftest import published
from pdf_boxes import image_boxes
from pictures_issue import Picture, pictures_issue
from PIL import Image

from newsletter.load import Project, load_issue
from newsletter.publish import build, choose_editions
from newsletter.render.print import write_download, write_print

MM = 72 / 25.4
TEXT_AREA_MM = (16, 20, 210 - 16, 297 - 22)  # left, bottom, right, top (style.css.j2 @page)
SEED = 1


@pytest.fixture(scope="module")
def issue_dir(tmp_path_factory) -> tuple[Path, list[Picture]]:
    folder = tmp_path_factory.mktemp("pictures") / "2021-02"
    return folder, pictures_issue(folder, SEED)


@pytest.fixture(scope="module")
def pdfs(issue_dir, project: Project, tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    issue = load_issue(issue_dir[0], project)
    out = tmp_path_factory.mktemp("pdfs")
    made = {}
    for name, write in (("download", write_download), ("print", write_print)):
        built = write(issue, project, out)
        made[name] = (built.files[0], built.warnings)
    return made


def placed_images(pdf_path: Path) -> Iterator[tuple[int, float, tuple[float, ...]]]:
    """(page number, pixel width, box in mm from the trimmed page's bottom left)."""
    with pikepdf.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
            for image, (left, bottom, right, top) in image_boxes(page):
                box = ((left - trim[0]) / MM, (bottom - trim[1]) / MM,
                       (right - trim[0]) / MM, (top - trim[1]) / MM)
                yield number, float(image.Width), box


def caption_places(pdf_path: Path, words: list[str]
                   ) -> dict[str, tuple[int, float, float, float]]:
    """Each word's page and its box's top, left and right, in mm from the trimmed page's
    bottom left (poppler's word boxes, measured from the media box's top left)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf_path), "-"], check=True,
                          capture_output=True, text=True).stdout
    with pikepdf.open(pdf_path) as pdf:
        boxes = []
        for page in pdf.pages:
            media = [float(v) for v in page.mediabox]
            trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
            boxes.append((media, trim))
    found: dict[str, tuple[int, float, float, float]] = {}
    import re

    for number, page_html in enumerate(html.split("<page ")[1:], 1):
        media, trim = boxes[number - 1]
        for x_min, y_min, x_max, word in re.findall(
                r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]+)</word>',
                page_html):
            if word in words:
                top = media[3] - float(y_min)
                found[word] = (number, (top - trim[1]) / MM, (float(x_min) - trim[0]) / MM,
                               (float(x_max) - trim[0]) / MM)
    return found


@pytest.mark.parametrize("edition", ["download", "print"])
def test_every_picture_is_inside_the_text_area_with_its_caption_on_its_page(
        pdfs, issue_dir, edition):
    path, _ = pdfs[edition]
    _, pictures = issue_dir
    images = list(placed_images(path))
    # articles, cards, signature, and the lead story's picture again on the cover
    assert len(images) == len(pictures) + 3 + 1 + 1
    left, bottom, right, top = TEXT_AREA_MM
    for number, _, (x0, y0, x1, y1) in images:
        page_top = 297 if number == 1 else top  # the first page has no running head
        assert x0 >= left - 0.5 and x1 <= right + 0.5, (number, x0, x1)
        assert y0 >= bottom - 0.5 and y1 <= page_top + 0.5, (number, y0, y1, "off the page")
    captions = caption_places(path, [p.caption for p in pictures])
    assert sorted(captions) == sorted(p.caption for p in pictures)
    for picture in pictures:
        page, caption_top, _, _ = captions[picture.caption]
        above = [box for number, _, box in images if number == page
                 and 0 <= box[1] - caption_top <= 6]
        assert above, (picture, "caption not right under its picture on the same page")


@pytest.mark.parametrize("edition", ["download", "print"])
def test_a_credit_starts_under_its_pictures_left_edge(pdfs, issue_dir, edition):
    """A narrow picture is centred; its credit was left at the column's edge, away from it
    (a generated issue's 1:2 portrait, seed 808). Now each credit starts where its picture
    does, whatever the picture's shape: 1:6 to 6:1, 16 to 3,000 px; under a picture
    narrower than 60 mm, where a credit 60 mm wide centred under it does (print.CAPTION_MM:
    a banner's credit ran from its left edge to the column's right)."""
    from newsletter.render.print import CAPTION_MM

    path, _ = pdfs[edition]
    _, pictures = issue_dir
    images = list(placed_images(path))
    captions = caption_places(path, [p.caption for p in pictures])
    assert len(captions) == len(pictures)
    # poppler's words and the drawn pictures measure from different boxes in the printer's
    # PDF (its bleed): an article title, which starts at the text area's left, sets the two
    # side by side
    title_left = caption_places(path, ["Artykuł"])["Artykuł"][2]
    shift = title_left - TEXT_AREA_MM[0]
    for picture in pictures:
        page, caption_top, caption_left, caption_right = captions[picture.caption]
        (x0, _, x1, _), = [box for number, _, box in images if number == page
                           and 0 <= box[1] - caption_top <= 6]
        if x1 - x0 >= CAPTION_MM:
            assert abs(caption_left - shift - x0) < 0.6, (picture, caption_left - shift, x0)
        else:  # its lines centred under it (hand-made 2028-05: a short credit began
            # 12 mm left of a portrait, at the left of the 60 mm set under it)
            middle = (caption_left + caption_right) / 2 - shift
            assert abs(middle - (x0 + x1) / 2) < 0.6, (picture, middle, (x0 + x1) / 2)


@pytest.mark.parametrize("edition", ["download", "print"])
def test_no_picture_is_blown_up_past_twice_its_pixels_and_narrow_ones_are_centred(
        pdfs, issue_dir, edition):
    path, _ = pdfs[edition]
    folder, pictures = issue_dir
    column_middle = (TEXT_AREA_MM[0] + TEXT_AREA_MM[2]) / 2
    # a card's picture may stand at its card's left, beside its text (print.card_frames)
    card_widths = {Image.open(file).size[0] for file in folder.glob("images/c*.png")}
    article_widths = {p.size[0] for p in pictures} - card_widths
    for _, pixels, (x0, _, x1, _) in placed_images(path):
        assert x1 - x0 <= 2 * pixels * 25.4 / 96 + 0.1, (pixels, x1 - x0)
    icon = next(p for p in pictures if p.size == (80, 80))
    boxes = [box for _, pixels, box in placed_images(path) if pixels == icon.size[0]]
    assert boxes and all(abs(2 * 80 * 25.4 / 96 - (x1 - x0)) < 0.2 for x0, _, x1, _ in boxes)
    for _, pixels, (x0, _, x1, _) in placed_images(path):
        if pixels in article_widths and x1 - x0 < 170:  # an article's narrow picture
            assert abs((x0 + x1) / 2 - column_middle) < 0.5, (pixels, x0, x1)


def test_low_resolution_warning_only_where_the_file_is_too_small(pdfs, issue_dir):
    """The 1:6 portrait (600 px, set 190 mm tall: 32 mm wide) and the 3,000 px panorama
    have the pixels for 300 ppi where they are placed; the 80 px icon does not."""
    _, warnings = pdfs["print"]
    named = {w.split(" prints at ")[0] for w in warnings}
    assert "a1.png" in named  # the icon
    assert not {"a0.png", "a2.png", "a3.png"} & named, warnings
    for warning in warnings:
        assert "ppi" in warning and "px wide" in warning


def test_a_logo_on_a_tinted_card_prints_with_the_card_around_it(pdfs, project: Project):
    """Transparent parts of a card's picture print as the card's tint (the theme's CMYK
    for ``panel``), not as a white box on it."""
    from pikepdf import PdfImage

    tint = tuple(round(v / 100 * 255) for v in project.theme.cmyk["panel"])
    assert tint != (0, 0, 0, 0)
    corners = []
    with pikepdf.open(pdfs["print"][0]) as pdf:
        for page in pdf.pages:
            for image, _ in image_boxes(page):
                picture = PdfImage(image).as_pil_image()
                if picture.mode == "CMYK":
                    w, h = picture.size
                    corners.append([picture.getpixel(xy) for xy in
                                    ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1))])
    tinted = [c for c in corners if all(
        max(abs(a - b) for a, b in zip(pixel, tint, strict=True)) <= 3 for pixel in c)]
    assert len(tinted) == 1, corners  # the logo, and only it


@pytest.fixture(scope="module")
def served(issue_dir, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The e-mail and the web page of the pictures' issue, served on loopback."""
    folder, _ = issue_dir
    root = tmp_path_factory.mktemp("published")
    with published(root) as project:
        issue = load_issue(folder, project)
        build(issue, project, choose_editions(["email", "web"]), root)
        base = f"{project.site.base_url}{issue.id}/"
        yield base + "email.html", base + "web/index.html"


SCREENS = [(320, 568), (375, 667), (640, 900), (1024, 768)]


@pytest.mark.parametrize("which", ["email", "web"])
@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_on_screens_no_picture_is_taller_than_the_screen_or_wider_than_its_column(
        served, browser, which, width, height):
    url = served[0] if which == "email" else served[1]
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(url, wait_until="load")
        images = page.evaluate(
            "[...document.images].map(i => { const r = i.getBoundingClientRect();"
            " const p = i.parentElement.getBoundingClientRect();"
            " return [i.currentSrc || i.src, i.complete && i.naturalWidth > 0, r.width,"
            " r.height, p.width, r.left - p.left, p.right - r.right, i.naturalWidth]; })"
        )
    finally:
        page.close()
    pictures = [i for i in images if "/images/" in i[0]]
    assert len(pictures) >= 14, images
    for src, loaded, shown_w, shown_h, column, _, _, _ in pictures:
        assert loaded, src
        assert shown_h <= height, (src, shown_h, "taller than the screen")
        assert shown_w <= column + 0.5, (src, shown_w, column)
    for src, _, shown_w, _, column, left, right, _ in pictures:
        if "/a" in src.rsplit("/", 1)[1][:2] and shown_w < column - 2:
            assert abs(left - right) <= 1.5, (src, left, right, "not centred")


def test_no_low_resolution_warning_for_a_file_with_the_pixels(project: Project, tmp_path):
    """Tall pictures set narrow (1:4 to 1:6, 12–19 mm wide at an article's 75 mm) from
    files with three times the pixels they need: the printer's copy of each is made for its
    width at 300 ppi, rounded to whole pixels, so a copy of 150 px may come out at 299 ppi.
    The warning is about the editor's file (which has 900 px), never about that copy."""
    folder = tmp_path / "2021-02"
    (folder / "images").mkdir(parents=True)
    blocks = ""
    for n in range(6):
        height = round(900 * (4 + n * 2 / 5))  # 1:4 … 1:6
        Image.new("RGB", (900, height), (150 + n * 10, 120, 90)).save(
            folder / "images" / f"t{n}.png")
        blocks += (f"      - type: article\n        title: Wieża {n}\n        body: Tekst.\n"
                   f"        image:\n          file: images/t{n}.png\n          alt: Wieża\n")
    (folder / "issue.yaml").write_text("date: 2021-02-01\nlanguage: pl\nsections:\n"
                                       f"  - kind: past\n    blocks:\n{blocks}", "utf-8")
    warnings = write_print(load_issue(folder, project), project, tmp_path / "out").warnings
    assert not [w for w in warnings if "ppi" in w], warnings
