"""The printer's PDF as a print shop's preflight checks it, measured from the PDF itself
(pikepdf's content streams and keys, poppler's rendering): colours by plate, bleed,
annotations, pictures' inks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import DATA, ROOT, SAMPLE, edited_copy
from pdf_boxes import image_boxes
from pdf_paint import inks, paint_of
from pikepdf import PdfImage
from PIL import Image, ImageDraw, ImageMath

from newsletter.load import load_issue, load_project
from newsletter.render.print import write_print

SMALL_PT = 9  # captions, credits, running heads: registration shows at this size


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    project = load_project(ROOT / "newsletter.toml")
    issue = load_issue(SAMPLE, project)
    return write_print(issue, project, tmp_path_factory.mktemp("preflight")).files[0]


def test_black_text_is_solid_black_ink_and_small_text_one_ink(printed):
    """Body text on the black plate alone at 100 %: a tint is screened into dots (ragged
    letter edges at 10 pt) and a rich black misregisters. Small print (captions, credits,
    running heads) on one plate: three inks at 7.5 pt show colour fringes on press."""
    with pikepdf.open(printed) as pdf:
        glyphs = paint_of(pdf).glyphs
    by_colour: dict = {}
    for (colour, _), count in glyphs.items():
        by_colour[colour] = by_colour.get(colour, 0) + count
    body = max(by_colour, key=by_colour.get)
    assert body == ("DeviceCMYK", (0.0, 0.0, 0.0, 1.0)), body
    small = {colour for (colour, size), count in glyphs.items() if size < SMALL_PT}
    assert small and all(inks(colour) <= 1 for colour in small), small


MM = 72 / 25.4
BLEED_MM = 3  # newsletter.toml [print] bleed_mm: what the print shop is promised
DPI = 72


def _boxes(page: pikepdf.Page) -> dict[str, list[float]]:
    return {name: [float(v) for v in page.obj[f"/{name}"]]
            for name in ("MediaBox", "BleedBox", "TrimBox")}


@pytest.fixture(scope="module")
def sheets(printed, tmp_path_factory) -> list[Image.Image]:
    """Every page as poppler draws the whole sheet (MediaBox), at 1 px a point."""
    folder = tmp_path_factory.mktemp("sheets")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(printed), str(folder / "p")],
                   check=True)
    return [Image.open(png).convert("RGB") for png in sorted(folder.glob("p-*.png"))]


def _inked(pixel: tuple[int, ...]) -> bool:
    return min(pixel) < 235


def test_bleed_is_the_promised_three_mm_and_crop_marks_stay_outside_it(printed, sheets):
    """TrimBox A4, BleedBox 3 mm around it, and the crop marks on the sheet outside the
    BleedBox: between the trim and the bleed's edge nothing but artwork that bleeds (a
    mark drawn there is printed across a bleeding band, and shows if the cut is off)."""
    with pikepdf.open(printed) as pdf:
        boxes = [_boxes(page) for page in pdf.pages]
    for number, (box, sheet) in enumerate(zip(boxes, sheets, strict=True), start=1):
        trim, bleed, media = box["TrimBox"], box["BleedBox"], box["MediaBox"]
        assert trim == pytest.approx([0, 0, 595.28, 841.89], abs=0.05)
        b = BLEED_MM * MM
        assert bleed == pytest.approx([-b, -b, trim[2] + b, trim[3] + b], abs=0.05)
        assert media[0] <= bleed[0] - 2 * MM and media[3] >= bleed[3] + 2 * MM
        if number == 1:
            continue  # the cover's masthead bleeds: the next test
        ring = [sheet.getpixel((x, y))
                for x in range(sheet.width) for y in range(sheet.height)
                if _between(x, y, media, trim, bleed)]
        assert ring and not any(_inked(p) for p in ring), f"page {number}: marks in the bleed"
        outside = [sheet.getpixel((x, y)) for x in range(sheet.width)
                   for y in (0, 3, 6, 9, 12, 15)]
        assert any(_inked(p) for p in outside), f"page {number}: no crop marks"


def _between(x: int, y: int, media: list[float], trim: list[float],
             bleed: list[float]) -> bool:
    """Whether pixel (x, y) of the sheet lies strictly between the TrimBox and the
    BleedBox (one pixel kept off each edge, where anti-aliasing blurs)."""
    px, py = x + media[0] + 0.5, media[3] - y - 0.5
    in_bleed = bleed[0] + 1 < px < bleed[2] - 1 and bleed[1] + 1 < py < bleed[3] - 1
    in_trim = trim[0] - 1 < px < trim[2] + 1 and trim[1] - 1 < py < trim[3] + 1
    return in_bleed and not in_trim


def test_what_touches_the_trim_runs_into_the_bleed(printed, sheets):
    """Along every edge of every page, wherever the page is inked 1 mm inside the trim it
    is inked 1.5 mm outside it too: no white hairline when the cut is a hair off (the
    cover's masthead band stopped at the trim at the top)."""
    with pikepdf.open(printed) as pdf:
        boxes = [_boxes(page) for page in pdf.pages]
    short = []
    for number, (box, sheet) in enumerate(zip(boxes, sheets, strict=True), start=1):
        media, trim = box["MediaBox"], box["TrimBox"]
        x0, x1 = round(trim[0] - media[0]), round(trim[2] - media[0])
        y0, y1 = round(media[3] - trim[3]), round(media[3] - trim[1])
        inside, outside = round(1 * MM), round(1.5 * MM)
        edges = {
            "top": [((x, y0 + inside), (x, y0 - outside)) for x in range(x0 + 3, x1 - 3)],
            "bottom": [((x, y1 - inside), (x, y1 + outside)) for x in range(x0 + 3, x1 - 3)],
            "left": [((x0 + inside, y), (x0 - outside, y)) for y in range(y0 + 3, y1 - 3)],
            "right": [((x1 - inside, y), (x1 + outside, y)) for y in range(y0 + 3, y1 - 3)],
        }
        for edge, pairs in edges.items():
            white = sum(_inked(sheet.getpixel(a)) and not _inked(sheet.getpixel(b))
                        for a, b in pairs)
            if white:
                short.append(f"page {number} {edge}: {white} pt")
    assert short == []
    cover = sheets[0]
    band = [cover.getpixel((x, round(media[3] - trim[3] - 1.5 * MM)))
            for x in range(x0, x1)]
    assert all(_inked(p) for p in band)  # the masthead's band is there to be cut


def _resources(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The resource dictionaries of every page and of the Form XObjects they paint."""
    found, todo = [], [page.obj for page in pdf.pages]
    while todo:
        resources = todo.pop().get("/Resources")
        if resources is None:
            continue
        found.append(resources)
        todo += [x for x in resources.get("/XObject", {}).values()
                 if x.get("/Subtype") == "/Form"]
    return found


def test_pdfx4_keys_and_nothing_a_preflight_rejects(printed):
    """PDF/X-4 as a preflight reads it (veraPDF does not check PDF/X): version, XMP
    identification, Trapped, a CMYK output intent with its profile, TrimBox without
    ArtBox; no annotation on any page (PDF/X allows none inside the BleedBox, and paper
    has no links); no colour space but CMYK, gray and the output intent's CMYK profile
    in any resources (WeasyPrint listed two Lab spaces on every page)."""
    with pikepdf.open(printed) as pdf:
        assert pdf.pdf_version >= "1.6" and not pdf.is_encrypted and "/ID" in pdf.trailer
        assert pdf.check_pdf_syntax() == []
        with pdf.open_metadata() as meta:
            assert meta.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
            assert meta.get("pdf:Trapped") in ("True", "False")
        assert str(pdf.docinfo.Trapped) in ("/True", "/False")
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and int(intent.DestOutputProfile.N) == 4
        assert intent.DestOutputProfile.read_bytes()[16:20] == b"CMYK"
        annotations = [(number, str(a.get("/Subtype")))
                       for number, page in enumerate(pdf.pages, start=1)
                       for a in page.obj.get("/Annots", [])]
        assert annotations == []
        assert all("/TrimBox" in page.obj and "/ArtBox" not in page.obj for page in pdf.pages)
        spaces = set()
        for resources in _resources(pdf):
            for space in resources.get("/ColorSpace", {}).values():
                kind = str(space[0]) if isinstance(space, pikepdf.Array) else str(space)
                if kind == "/ICCBased":
                    kind += f" N={int(space[1].N)}"
                spaces.add(kind)
        assert spaces <= {"/DeviceCMYK", "/DeviceGray", "/ICCBased N=4"}, spaces


def designers_cmyk(path: Path, profile: Path | None) -> None:
    """A designer's CMYK picture (2400 × 1600, for 200 mm at 300 ppi): a colour field, a
    bar of pure black (0/0/0/100: type set in the layout program) and a square of
    registration black (100/100/100/100, 400 % of ink)."""
    field = Image.merge("CMYK", [Image.linear_gradient("L").resize((2400, 1600)).point(
        lambda v, top=top: top * v // 255) for top in (180, 70, 150, 20)])
    draw = ImageDraw.Draw(field)
    draw.rectangle((100, 100, 1000, 260), fill=(0, 0, 0, 255))
    draw.rectangle((1900, 1100, 2300, 1500), fill=(255, 255, 255, 255))
    options = {"icc_profile": profile.read_bytes()} if profile else {}
    field.save(path, quality=95, **options)


@pytest.mark.parametrize("embedded", ["no profile", "the output intent's profile"])
def test_a_cmyk_picture_keeps_its_inks_under_the_profiles_limit(embedded, tmp_path):
    """A CMYK file is the designer's separation: its black bar stays on the black plate
    (it went through sRGB and came out 68/66/64/66, four plates to register), its colours
    stay (without a profile they shifted: magenta 27 % → 5 %), and no pixel carries more
    ink than the output intent's profile prints (its darkest black, 296 % for the
    Ghostscript/SWOP profile): the registration-black square is held to it. Read from the
    image in the printer's PDF."""
    from newsletter.colour import hex_to_cmyk

    project = load_project(ROOT / "newsletter.toml")
    profile = project.site.path(project.site.print.icc_profile)
    issue_dir = edited_copy(SAMPLE, tmp_path / "2020-12", {"krakow-for-business.md": [
        ("images/map-pins.png", "images/poster.jpg")]})
    designers_cmyk(issue_dir / "images" / "poster.jpg",
                   profile if embedded.startswith("the") else None)
    pdf_path = write_print(load_issue(issue_dir, project), project, tmp_path / "out").files[0]
    with pikepdf.open(pdf_path) as pdf:
        pictures = [PdfImage(xobject).as_pil_image() for page in pdf.pages
                    for xobject, _ in image_boxes(page)]
    poster = next(p for p in pictures if abs(p.width / p.height - 1.5) < 0.01)
    assert poster.mode == "CMYK"
    scale = poster.width / 2400

    def at(x: int, y: int) -> tuple[int, ...]:
        return poster.getpixel((round(x * scale), round(y * scale)))

    assert max(at(550, 180)[:3]) <= 3 and at(550, 180)[3] >= 250  # black plate only
    source_mid = (180 * 128 // 255, 70 * 128 // 255, 150 * 128 // 255, 20 * 128 // 255)
    assert at(1200, 800) == pytest.approx(source_mid, abs=8)  # the designer's colour
    limit = sum(hex_to_cmyk("#000000", profile)) * 255 / 100  # the profile's darkest
    # averaged over 2 × 2 pixels (0.17 mm): a preflight measures areas, not JPEG's ringing
    inks = [ink.convert("I") for ink in poster.reduce(2).split()]
    heaviest = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"],
                                     c=inks[0], m=inks[1], y=inks[2], k=inks[3]).getextrema()[1]
    assert at(2100, 1300)[3] >= 250 and heaviest <= limit + 5  # 400 % held to the limit


TABLE = """

| District | Companies | Support (PLN) |
|---|---|---|
| Stare Miasto | 1,237 | 12,000 |
| Podgórze | 1,274 | 24,000 |
| Nowa Huta | 1,311 | 36,000 |

Figures from the city's register.[^1]

[^1]: As of November 2020.
"""


def test_thin_rules_print_on_one_plate_dark_enough_to_hold(project, tmp_path):
    """A line under 1 pt (a table's row rules, a footnotes' rule) on one plate at 10 % or
    more: the card tint the rules were drawn in (4/2/0/3 %) is three plates of dots too
    small to hold on press, a 0.7 pt line that breaks up into coloured specks."""
    issue_dir = edited_copy(SAMPLE, tmp_path / "2020-12", {"open-city.md": [
        ("\n\nIn December, in Krakow,", TABLE + "\nIn December, in Krakow,")]})
    pdf_path = write_print(load_issue(issue_dir, project), project, tmp_path / "out").files[0]
    with pikepdf.open(pdf_path) as pdf:
        strokes = paint_of(pdf).strokes
    thin = {(width, colour) for width, colour in strokes if width < 1}
    assert len(thin) >= 2  # the rules and the crop marks
    for width, (space, values) in thin:
        assert inks((space, values)) == 1, (width, space, values)
        shade = 1 - values[0] if space == "DeviceGray" else max(values)
        assert shade >= 0.10, (width, space, values)


@pytest.mark.parametrize("grain", [0, 7])
def test_a_scans_paper_prints_as_paper(project, tmp_path, grain):
    """A signature scanned on off-white paper (250/250/248) is paper in the printer's
    file, not a box of 1–2 % dots on three plates around the signature (a faint cream
    rectangle on a digital press, and on the proof's separations); the ink stays. So is
    a grainy scan's (hand-made issue 2028-08: its grain left a faint grey box)."""
    import random

    issue_dir = edited_copy(DATA / "every-block", tmp_path / "issue", {"issue.yaml": [
        ("file: images/signature.png", "file: images/scan.jpg")]})
    scan = Image.new("RGB", (900, 300), (250, 250, 248))
    if grain:
        rng = random.Random(1)
        scan.putdata([tuple(max(0, min(255, v + rng.randint(-grain, grain)))
                            for v in (244, 244, 242)) for _ in range(900 * 300)])
    ImageDraw.Draw(scan).line((60, 200, 300, 80, 560, 220, 840, 90), fill=(20, 40, 150),
                              width=9)
    scan.save(issue_dir / "images" / "scan.jpg", quality=90)
    pdf_path = write_print(load_issue(issue_dir, project), project, tmp_path / "out").files[0]
    with pikepdf.open(pdf_path) as pdf:
        pictures = [PdfImage(xobject).as_pil_image() for page in pdf.pages
                    for xobject, _ in image_boxes(page)]
    printed = next(p for p in pictures if abs(p.width / p.height - 3) < 0.02)
    corner = printed.crop((0, 0, printed.width // 8, printed.height // 4))
    assert max(high for _, high in corner.getextrema()) <= 2, corner.getextrema()
    ink = printed.getpixel((round(300 * printed.width / 900), round(80 * printed.height / 300)))
    assert ink[0] > 150  # the blue ink is there
