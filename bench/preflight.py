"""A print shop's preflight of printer's PDFs: prints what it finds, asserts nothing.

    .venv/bin/python bench/preflight.py build/2020-12/business-krakow-2020-12-print.pdf \
        [more.pdf …] [--bleed-mm 3] [--tac 300] [--min-ppi 300]

Per file: PDF/X-4 keys (XMP identification, Trapped, output intent), boxes (TrimBox inside
BleedBox inside MediaBox, the promised bleed, no ArtBox), annotations, the colour spaces
the resources list, text colours by size (tests/pdf_paint.py), stroke widths, images'
colour and resolution (poppler's pdfimages), fonts (pdffonts), and from Ghostscript's CMYK
rendering (tiff32nc, 72 dpi) the peak ink per page and where the page is inked at the trim
but not in the bleed. Needs Ghostscript (Debian's ghostscript; not needed by the tests).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import subprocess
import tempfile
from collections import Counter

import pikepdf
from PIL import Image, ImageMath

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pdf_paint import paint_of

MM = 72 / 25.4
DPI = 72


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def boxes(pdf: pikepdf.Pdf, bleed_mm: float) -> list[str]:
    """Faults of the page boxes: nesting, the bleed, an ArtBox beside the TrimBox."""
    faults = []
    for number, page in enumerate(pdf.pages, 1):
        media = [float(v) for v in page.MediaBox]
        trim = [float(v) for v in page.obj.get("/TrimBox", page.MediaBox)]
        bleed = [float(v) for v in page.obj.get("/BleedBox", page.MediaBox)]
        if "/ArtBox" in page.obj:
            faults.append(f"p{number}: ArtBox and TrimBox")
        if not (_inside(trim, bleed) and _inside(bleed, media)):
            faults.append(f"p{number}: boxes not nested")
        sides = [trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]]
        if media[0] > bleed[0] - 1:
            faults.append(f"p{number}: no sheet outside the bleed (crop marks drawn in it)")
        if any(abs(side / MM - bleed_mm) > 0.05 for side in sides):
            faults.append(f"p{number}: bleed " + " ".join(f"{s / MM:.2f}" for s in sides))
    return faults


def _inside(inner: list[float], outer: list[float]) -> bool:
    return (inner[0] >= outer[0] - 0.01 and inner[1] >= outer[1] - 0.01
            and inner[2] <= outer[2] + 0.01 and inner[3] <= outer[3] + 0.01)


def colour_spaces(pdf: pikepdf.Pdf) -> Counter[str]:
    """The colour spaces listed in the resources of pages and the forms they paint."""
    found: Counter[str] = Counter()
    todo = [page.obj for page in pdf.pages]
    while todo:
        resources = todo.pop().get("/Resources")
        if resources is None:
            continue
        for space in resources.get("/ColorSpace", {}).values():
            kind = str(space[0]) if isinstance(space, pikepdf.Array) else str(space)
            found[kind + (f" N={int(space[1].N)}" if kind == "/ICCBased" else "")] += 1
        todo += [x for x in resources.get("/XObject", {}).values()
                 if x.get("/Subtype") == "/Form"]
    return found


def ink_and_edges(path: Path, pdf: pikepdf.Pdf) -> tuple[list[int], list[str]]:
    """Peak ink per page (percent, CMYK summed) and the edges inked 1 mm inside the trim
    but not 1.5 mm outside it, from Ghostscript's CMYK rendering of the sheet."""
    peaks, edges = [], []
    with tempfile.TemporaryDirectory() as tmp:
        run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiff32nc", f"-r{DPI}",
            f"-sOutputFile={tmp}/p%03d.tif", str(path))
        for number, file in enumerate(sorted(Path(tmp).glob("p*.tif")), 1):
            inks = [plate.convert("I") for plate in Image.open(file).split()]
            total = ImageMath.lambda_eval(lambda a: a["c"] + a["m"] + a["y"] + a["k"],
                                          c=inks[0], m=inks[1], y=inks[2], k=inks[3])
            peaks.append(round(total.getextrema()[1] / 255 * 100))
            page = pdf.pages[number - 1]
            edges += [f"p{number} {edge}: {mm} mm"
                      for edge, mm in _bare_edges(total, page).items() if mm]
    return peaks, edges


def _bare_edges(total: Image.Image, page: pikepdf.Page) -> dict[str, int]:
    media = [float(v) for v in page.MediaBox]
    trim = [float(v) for v in page.obj.get("/TrimBox", page.MediaBox)]
    x0, x1 = round(trim[0] - media[0]), round(trim[2] - media[0])
    y0, y1 = round(media[3] - trim[3]), round(media[3] - trim[1])
    inside, outside = round(1 * MM), round(1.5 * MM)

    def inked(x: int, y: int) -> bool:
        return total.getpixel((x, y)) > 0.08 * 255

    pairs = {
        "top": [((x, y0 + inside), (x, y0 - outside)) for x in range(x0 + 3, x1 - 3)],
        "bottom": [((x, y1 - inside), (x, y1 + outside)) for x in range(x0 + 3, x1 - 3)],
        "left": [((x0 + inside, y), (x0 - outside, y)) for y in range(y0 + 3, y1 - 3)],
        "right": [((x1 - inside, y), (x1 + outside, y)) for y in range(y0 + 3, y1 - 3)],
    }
    return {edge: round(sum(inked(*a) and not inked(*b) for a, b in points) / MM)
            for edge, points in pairs.items()}


def preflight(path: Path, bleed_mm: float, tac: float, min_ppi: int) -> None:
    pdf = pikepdf.open(path)
    print(f"== {path} ({len(pdf.pages)} pages, PDF {pdf.pdf_version})")
    with pdf.open_metadata() as meta:
        print("  PDF/X:", meta.get("pdfxid:GTS_PDFXVersion"), "| Trapped", meta.get("pdf:Trapped"),
              pdf.docinfo.get("/Trapped"), "| ID", "/ID" in pdf.trailer)
    for intent in pdf.Root.get("/OutputIntents", []):
        profile = intent.DestOutputProfile
        print("  output intent:", intent.S, str(intent.OutputConditionIdentifier),
              profile.read_bytes()[12:20], f"N={int(profile.N)}")
    sizes = Counter((round(float(p.TrimBox[2] - p.TrimBox[0]) / MM),
                     round(float(p.TrimBox[3] - p.TrimBox[1]) / MM)) for p in pdf.pages)
    print("  trim (mm):", dict(sizes), "| pages a multiple of 4:", len(pdf.pages) % 4 == 0)
    print("  box faults:", boxes(pdf, bleed_mm) or "none")
    annotations = Counter(str(a.get("/Subtype")) for page in pdf.pages
                          for a in page.obj.get("/Annots", []))
    print("  annotations:", dict(annotations) or "none")
    print("  colour spaces in resources:", dict(colour_spaces(pdf)))
    paint = paint_of(pdf)
    print("  text (glyphs, size pt, colour):")
    for (colour, size), count in paint.glyphs.most_common(12):
        print(f"    {count:6d} {size:5.1f} {colour[0]}{colour[1]}")
    print("  strokes (width pt, colour):", dict(paint.strokes.most_common(6)))
    thin = [w for w, _ in paint.strokes if w < 0.25]
    print("  hairlines under 0.25 pt:", len(thin))
    images, low = Counter(), []
    for row in run("pdfimages", "-list", str(path)).splitlines()[2:]:
        cells = row.split()
        images[f"{cells[5]} {cells[7]}bit"] += 1
        if cells[2] == "image" and min(int(cells[12]), int(cells[13])) < min_ppi:
            low.append(f"p{cells[0]} {cells[3]}x{cells[4]} {cells[12]} ppi")
    print("  images:", dict(images), f"| under {min_ppi} ppi:", low or "none")
    fonts = run("pdffonts", str(path)).splitlines()[2:]
    bad = [f.split()[0] for f in fonts if f.split()[-5:-3] != ["yes", "yes"]]
    print(f"  fonts: {len(fonts)}, not embedded and subset: {bad or 'none'}")
    peaks, edges = ink_and_edges(path, pdf)
    print(f"  peak ink per page (%): {peaks} | over {tac:g} %:",
          [n for n, p in enumerate(peaks, 1) if p > tac] or "none")
    print("  inked at the trim, not into the bleed:", edges or "none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", type=Path, nargs="+")
    parser.add_argument("--bleed-mm", type=float, default=3)
    parser.add_argument("--tac", type=float, default=300, help="ink limit, percent")
    parser.add_argument("--min-ppi", type=int, default=300)
    args = parser.parse_args()
    for path in args.pdfs:
        preflight(path, args.bleed_mm, args.tac, args.min_ppi)


if __name__ == "__main__":
    main()
