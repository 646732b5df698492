"""The PDF editions as a reader and a printer get them, inspected with poppler and pikepdf."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import DATA, ROOT, SAMPLE, edited_copy
from pdf_boxes import image_boxes as _image_boxes
from PIL import Image

from newsletter.exceptions import NewsletterError
from newsletter.load import Project, load_issue, load_project
from newsletter.model import Figures, Issue, Letter, LinkCards
from newsletter.render.print import PdfBuildError, font_faces, write_download, write_print

A4_PT = (595.28, 841.89)
BLEED_PT = 3 / 25.4 * 72
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    out = tmp_path_factory.mktemp("pdf")
    download = write_download(issue, project, out)
    printed = write_print(issue, project, out)
    return {
        "download": download.files[0],
        "print": printed.files[0],
        "warnings": printed.warnings,  # type: ignore[dict-item]
    }


def tool(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def info(path: Path, *flags: str) -> dict[str, str]:
    lines = tool("pdfinfo", *flags, str(path)).splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def text_of(path: Path) -> str:
    """pdftotext in reading order, with hyphenation at line ends undone."""
    text = tool("pdftotext", str(path), "-")
    text = re.sub(r"[-‐\xad]\n(?=\w)", "", text)  # \xad: a hyphen added by hyphenation
    return " ".join(text.split())


def fonts_of(path: Path) -> dict[str, str]:
    """pdffonts: each font's name without its subset tag, and whether it is embedded."""
    rows = tool("pdffonts", str(path)).splitlines()[2:]
    return {row.split()[0].split("+")[-1]: row.split()[-5] for row in rows}


@pytest.mark.parametrize("edition", ["download", "print"])
def test_every_font_is_embedded_and_ours(pdfs, edition):
    fonts = fonts_of(pdfs[edition])
    assert fonts
    for name, embedded in fonts.items():
        assert embedded == "yes", name
        assert "Source-Sans-3" in name, name  # no fallback font slipped in, no emoji font


@pytest.fixture(scope="module")
def emoji_pdfs(project: Project, tmp_path_factory) -> dict[str, Path]:
    """Both PDFs of an issue with emoji in a title and a body (sequences included)."""
    folder = tmp_path_factory.mktemp("emoji")
    issue_dir = edited_copy(DATA / "every-block", folder / "issue", {"issue.yaml": [
        ("title: Życzenia świąteczne", "title: Życzenia świąteczne 🎄"),
        ("Pierwszy akapit listu.", "Pierwszy akapit listu 🚀 👩‍💻 👍🏽 ❤️ 🇵🇱 1️⃣."),
    ]})
    issue = load_issue(issue_dir, project)
    return {
        "download": write_download(issue, project, folder).files[0],
        "print": write_print(issue, project, folder).files[0],
    }


@pytest.mark.parametrize("edition", ["download", "print"])
def test_emoji_are_drawn_from_the_embedded_emoji_font(emoji_pdfs, edition):
    fonts = fonts_of(emoji_pdfs[edition])
    assert set(fonts.values()) == {"yes"}, fonts
    assert all("Source-Sans-3" in n or "Noto-Emoji" in n for n in fonts), fonts  # no DejaVu
    mapped = b""  # what the emoji font's glyphs stand for (its ToUnicode), as UTF-16 hex
    with pikepdf.open(emoji_pdfs[edition]) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                if "Noto-Emoji" in str(font.BaseFont):
                    mapped += font.ToUnicode.read_bytes().upper()
    for emoji in "🎄🚀👍":
        assert emoji.encode("utf-16-be").hex().upper().encode() in mapped, emoji
    text = text_of(emoji_pdfs[edition])
    assert "Życzenia świąteczne 🎄" in text
    # a ZWJ sequence, a skin tone and a flag: one glyph each, standing for the whole sequence
    assert "🚀 👩\u200d💻 👍🏽" in text and "🇵🇱" in text


def test_download_edition_is_tagged_a4_with_metadata(pdfs, sample: Issue):
    meta = info(pdfs["download"])
    assert meta["Tagged"] == "yes"
    assert meta["Page size"].startswith("595.276 x 841.89 pts (A4)")
    assert meta["Title"] == "Business Kraków — December 2020"
    assert meta["Author"] == sample.footer.department
    assert meta["Subject"] == sample.preheader.replace("\n", " ")
    with pikepdf.open(pdfs["download"]) as pdf:
        assert str(pdf.Root.Lang) == "en"


def test_print_edition_has_bleed_trim_and_a_cmyk_output_intent(pdfs):
    boxes = info(pdfs["print"], "-box")
    media = [float(v) for v in boxes["MediaBox"].split()]
    trim = [float(v) for v in boxes["TrimBox"].split()]
    bleed = [float(v) for v in boxes["BleedBox"].split()]
    assert trim == pytest.approx([0, 0, *A4_PT], abs=0.05)
    assert bleed == pytest.approx(
        [-BLEED_PT, -BLEED_PT, A4_PT[0] + BLEED_PT, A4_PT[1] + BLEED_PT], abs=0.05
    )
    # the sheet around the bleed holds the crop marks (test_preflight.py)
    assert media[0] < bleed[0] and media[3] > bleed[3]
    with pikepdf.open(pdfs["print"]) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        assert intents[0].S == "/GTS_PDFX"
        profile = intents[0].DestOutputProfile
        assert int(profile.N) == 4 and len(profile.read_bytes()) > 10_000
        assert len(pdf.pages) % 4 == 0  # padded for a saddle-stitched booklet


def test_bookmarks_follow_sections_and_articles(pdfs, sample: Issue, project: Project):
    expected = []
    for section in sample.sections:
        titles = [b.title for b in section.blocks if getattr(b, "title", None)]
        expected.append((project.theme.section(section.kind).words("en").heading, titles))
    with pikepdf.open(pdfs["download"]) as pdf, pdf.open_outline() as outline:
        found = [(str(i.title), [str(c.title) for c in i.children]) for i in outline.root]
    assert found == expected


def test_download_links_work(pdfs, sample: Issue):
    uris = set()
    with pikepdf.open(pdfs["download"]) as pdf:
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") == "/Link" and "/A" in annot and "/URI" in annot.A:
                    uris.add(str(annot.A.URI))
    assert {
        "https://www.dlabiznesu.krakow.pl/",
        "https://www.jestemaktywny.krakow.pl/",
        "https://www.jedzenie.krakow.pl/",
        "https://www.rynek.krakow.pl/",
        "https://portaledukacyjny.krakow.pl/",
        f"mailto:{sample.footer.email[0]}",
    } <= uris


@pytest.mark.parametrize("edition", ["download", "print"])
def test_text_in_reading_order(pdfs, sample: Issue, project: Project, edition):
    text = text_of(pdfs[edition])
    expected: list[str] = []
    for section in sample.sections:
        style = project.theme.section(section.kind).words(sample.language)
        expected.append(f"{style.label} {style.name.upper()}")
        for block in section.blocks:
            if getattr(block, "title", None):
                expected.append(block.title)
            if isinstance(block, Letter):
                expected += [block.signature.name, block.signature.role]
            if isinstance(block, LinkCards):
                for card in block.cards:
                    expected += [card.title, card.url.removeprefix("https://").rstrip("/")]
            if isinstance(block, Figures):
                expected += [f"{item.value} {item.label}" for item in block.items]
    expected += [sample.footer.editors, *sample.footer.email]
    # the contents on the cover repeat the titles: read from the first section on
    position = text.index(expected[0])
    for phrase in expected:
        found = text.find(phrase, position)
        assert found >= 0, f"{phrase!r} missing or out of order in the {edition} PDF"
        position = found
    assert "Józefa Meier 16D Street" in text and "Kraków" in text


def test_polish_issue_keeps_diacritics_and_language(project: Project, tmp_path):
    issue = load_issue(DATA / "every-block", project)
    pdf = write_download(issue, project, tmp_path).files[0]
    text = text_of(pdf)
    assert "Zażółć gęślą jaźń" in text
    assert "Życzenia świąteczne" in text and "Wydział Przedsiębiorczości i Innowacji" in text
    assert "<script>" in text  # editors' text shown as typed, not interpreted
    with pikepdf.open(pdf) as document:
        assert str(document.Root.Lang) == "pl"


def test_pages_are_drawn_in_the_theme_colours(pdfs, sample: Issue, project: Project, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    for edition in ("download", "print"):
        prefix = tmp_path / edition
        tool("pdftoppm", "-r", "40", "-f", "1", "-l", "2", "-png", str(pdfs[edition]), str(prefix))
        for png in sorted(tmp_path.glob(f"{edition}-*.png")):
            shutil.copy(png, ARTIFACTS / f"pdf-{png.name}")
    cover = Image.open(next(tmp_path.glob("download-*1.png"))).convert("RGB")
    assert len(set(_pixels(cover))) > 50  # not blank
    first_section = Image.open(next(tmp_path.glob("download-*2.png"))).convert("RGB")
    wanted = _rgb(project.theme.section_color(sample.sections[0].kind))
    close = [p for p in _pixels(first_section) if _near(p, wanted)]
    assert len(close) > 100  # the section's rule and label in its own colour
    accent = _rgb(project.theme.color("accent"))
    top = cover.crop((0, 0, cover.width, cover.height // 6))
    masthead = sum(_near(p, accent) for p in _pixels(top))
    assert masthead > top.width * top.height // 2  # the masthead band


def test_low_resolution_images_are_named_for_the_printer(pdfs, project: Project, tmp_path):
    sample = pdfs["warnings"]  # the sample's 1200 px drawings, at least 75 mm tall
    assert any(re.match(r"school-cloud-laptop\.png prints at (1\d\d|2[0-4]\d) ppi on page \d",
                        w) for w in sample), sample
    issue = load_issue(DATA / "every-block", project)
    warnings = write_print(issue, project, tmp_path).warnings
    # each picture at its placed size: circle.png, 800 px at least 75 mm tall (150 mm
    # wide) in its article and on the cover (the lead story); signature.png, 480 px in a
    # 60 mm box; card.png, 360 px in a third of the width
    names = {w.split(" prints at ")[0] for w in warnings}
    assert names == {"card.png", "circle.png", "signature.png"}, warnings
    for warning in warnings:
        ppi = int(re.search(r"prints at (\d+) ppi", warning).group(1))
        assert ppi < project.site.print.min_ppi, warning


def test_missing_font_profile_and_image_are_clear_errors(project: Project, sample, tmp_path):
    theme_dir = tmp_path / "assets"
    shutil.copytree(ROOT / "assets", theme_dir)
    (theme_dir / "fonts" / "source-sans-3" / "SourceSans3-Bold.ttf").unlink()
    from newsletter.theme import load_theme

    broken_fonts = dataclasses.replace(project, theme=load_theme(theme_dir / "theme.yaml"))
    with pytest.raises(PdfBuildError, match=r"font file for 'bold' not found: .*SourceSans3-Bold"):
        write_download(sample, broken_fonts, tmp_path)

    settings = project.site.print.model_copy(update={"icc_profile": "/nowhere/printer.icc"})
    no_profile = dataclasses.replace(
        project, site=project.site.model_copy(update={"print": settings})
    )
    with pytest.raises(PdfBuildError, match=r"colour profile not found: /nowhere/printer.icc"):
        write_print(sample, no_profile, tmp_path)

    issue_dir = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue_dir)
    issue = load_issue(issue_dir, project)
    (issue_dir / "images" / "map-pins.png").write_bytes(b"not a png any more")
    with pytest.raises(NewsletterError, match=r"/issue/images/map-pins\.png: not a readable image"):
        write_download(issue, project, tmp_path)


def test_missing_emoji_font_names_its_theme_line(project: Project, tmp_path):
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    (tmp_path / "assets" / "fonts" / "noto-emoji" / "NotoEmoji-Regular.ttf").unlink()
    from newsletter.theme import load_theme

    broken = dataclasses.replace(project, theme=load_theme(tmp_path / "assets" / "theme.yaml"))
    with pytest.raises(PdfBuildError, match=r"theme\.yaml:\d+: font file not found: .*NotoEmoji"):
        font_faces(broken)


def test_padding_can_be_turned_off(pdfs, project: Project, sample: Issue, tmp_path):
    settings = project.site.print.model_copy(update={"pad_to_multiple_of": 1})
    unpadded = dataclasses.replace(
        project, site=project.site.model_copy(update={"print": settings})
    )
    pdf = write_print(sample, unpadded, tmp_path).files[0]
    with pikepdf.open(pdf) as document, pikepdf.open(pdfs["download"]) as download:
        assert len(document.pages) == len(download.pages)  # same content, no blank pages
        assert len(document.pages) % 4  # the sample has 7 pages of content


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = hex_color.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _pixels(image: Image.Image) -> list[tuple[int, ...]]:
    data = image.convert("RGB").tobytes()
    return [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]


def _near(pixel: tuple[int, ...], wanted: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - b) < tolerance for a, b in zip(pixel, wanted, strict=True))


@pytest.fixture(scope="module")
def photo_print(project: Project, photo_issue_dir: Path, tmp_path_factory) -> Path:
    """The printer's PDF of an issue with a 4000×3000 camera photo, drawings and marks."""
    issue = load_issue(photo_issue_dir, project)
    return write_print(issue, project, tmp_path_factory.mktemp("photo-print")).files[0]


RGB_OPERATORS = {"rg", "RG", "sc", "SC", "scn", "SCN", "cs", "CS"}


def colour_use(pdf: pikepdf.Pdf) -> tuple[list[str], list[str]]:
    """Every image XObject's colour space and every colour operator that could paint in
    RGB, from pages, Form XObjects (WeasyPrint's crop marks, SVG) and tiling patterns."""
    images: list[str] = []
    operators: list[str] = []
    seen: set[tuple[int, int]] = set()

    def visit(content: pikepdf.Object) -> None:
        space: dict[bool, str] = {True: "/DeviceGray", False: "/DeviceGray"}
        for operands, op in pikepdf.parse_content_stream(content):
            name = str(op)
            if name in ("cs", "CS"):
                space[name == "CS"] = str(operands[0])
            if name in ("rg", "RG"):
                operators.append(f"{' '.join(map(str, operands))} {name}")
            elif name in RGB_OPERATORS and space[name.isupper()] == "/DeviceRGB":
                operators.append(f"{name} in /DeviceRGB")
        resources = content.get("/Resources", {})
        for child in [*resources.get("/XObject", {}).values(),
                      *resources.get("/Pattern", {}).values()]:
            if child.objgen in seen:
                continue
            seen.add(child.objgen)
            if child.get("/Subtype") == "/Image":
                images.append(str(child.get("/ColorSpace")))
            elif child.get("/Subtype") == "/Form" or child.get("/PatternType") == 1:
                visit(child)
            elif "/Shading" in child:
                images.append(str(child.Shading.ColorSpace))

    for page in pdf.pages:
        visit(page.obj)
    return images, operators


def test_print_edition_paints_in_cmyk_or_gray_only(photo_print):
    with pikepdf.open(photo_print) as pdf:
        images, operators = colour_use(pdf)
    assert len(images) == 3  # the photo (in its article and on the cover) and two drawings
    assert set(images) <= {"/DeviceCMYK", "/DeviceGray"}, images
    assert operators == []  # theme colours without cmyk: converted; crop marks: gray


def test_cmyk_photo_is_not_printed_inverted(photo_print, photo_issue_dir, tmp_path):
    """Pillow writes CMYK JPEGs the Adobe way (inverted, APP14 marker); WeasyPrint must
    add a /Decode array for them. Compare the page as poppler draws it with the photo."""
    with pikepdf.open(photo_print) as pdf:
        number, box = next(  # the photo is 4:3, the drawings 2:1
            (n, box) for n, page in enumerate(pdf.pages, 1) for image, box in _image_boxes(page)
            if abs(int(image.Width) / int(image.Height) - 4 / 3) < 0.01
        )
        media = [float(v) for v in pdf.pages[number - 1].MediaBox]
    dpi = 50
    prefix = tmp_path / "page"
    tool("pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-png",
         str(photo_print), str(prefix))
    page = Image.open(next(tmp_path.glob("page-*.png"))).convert("RGB")
    scale = dpi / 72
    left, bottom, right, top = box
    x0, y0 = (left - media[0]) * scale, (media[3] - top) * scale
    x1, y1 = (right - media[0]) * scale, (media[3] - bottom) * scale
    crop = page.crop((round(x0) + 1, round(y0) + 1, round(x1) - 1, round(y1) - 1))
    original = Image.open(photo_issue_dir / "images" / "photo.jpg").convert("RGB")
    drawn = _cells(crop)
    wanted = _cells(original)
    difference = sum(abs(a - b) for a, b in zip(drawn, wanted, strict=True)) / len(wanted)
    inverted = sum(abs(255 - a - b) for a, b in zip(drawn, wanted, strict=True)) / len(wanted)
    assert difference < 25, (difference, inverted)  # CMYK round trip: a few levels
    assert inverted > 3 * difference


def _cells(image: Image.Image, size: tuple[int, int] = (8, 6)) -> list[int]:
    """The picture as 8×6 averaged cells, channel by channel."""
    return list(image.resize(size, Image.Resampling.BOX).tobytes())


def test_broken_font_and_colour_profile_are_errors_naming_the_file(
    project: Project, sample, tmp_path
):
    """WeasyPrint used to drop both silently: text in another font, a PDF/X without its
    output intent."""
    from PIL import ImageCms

    from newsletter.theme import load_theme

    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    fonts = tmp_path / "assets" / "fonts"
    bold = fonts / "source-sans-3" / "SourceSans3-Bold.ttf"
    bold.write_bytes(bold.read_bytes()[:200_000])  # an interrupted copy
    broken = dataclasses.replace(project, theme=load_theme(tmp_path / "assets" / "theme.yaml"))
    with pytest.raises(PdfBuildError) as cut:
        font_faces(broken)
    assert str(cut.value) == (
        f"{broken.site.theme_path}: font file for 'bold' is broken: {bold}: it is cut short: "
        "its 'glyf' table ends at byte 370,668, the file has 200,000"
    )
    bold.write_bytes((ROOT / "assets/fonts/source-sans-3/SourceSans3-Bold.ttf").read_bytes())
    emoji = fonts / "noto-emoji" / "NotoEmoji-Regular.ttf"
    emoji.write_bytes(b"<html>404 Not Found</html>")  # a download that went wrong
    with pytest.raises(PdfBuildError, match=r"theme\.yaml:\d+: font file is broken: "
                       r".*NotoEmoji-Regular\.ttf: it is not a font file that can be read"):
        font_faces(broken)

    def printing_with(profile: Path) -> pytest.ExceptionInfo:
        settings = project.site.print.model_copy(update={"icc_profile": str(profile)})
        site = project.site.model_copy(update={"print": settings})
        with pytest.raises(PdfBuildError) as caught:
            write_print(sample, dataclasses.replace(project, site=site), tmp_path)
        return caught

    cmyk = Path(project.site.print.icc_profile).read_bytes()
    cases = {
        b"not a profile" * 20: "it is not an ICC profile (no 'acsp' signature in its header)",
        cmyk[:5000]: f"it is cut short: its header says {len(cmyk):,} bytes, the file has 5,000",
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes():
            "it is a RGB profile; the printer's PDF needs a CMYK one",
        cmyk[:128] + b"\xff" * (len(cmyk) - 128): "LittleCMS cannot use it",
    }  # fmt: skip
    for number, (content, reason) in enumerate(cases.items()):
        profile = tmp_path / f"printer{number}.icc"
        profile.write_bytes(content)
        message = str(printing_with(profile).value)
        assert message.startswith(
            f"newsletter.toml:{line_of_icc()}: colour profile {profile} cannot be the printer's "
            f"output intent: {reason}"
        ), message


def line_of_icc() -> int:
    text = (ROOT / "newsletter.toml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(text, 1) if line.startswith("icc_profile"))
