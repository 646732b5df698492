"""A signature's role keeps the lines the editor wrote it in, in every edition.

A director signs with her post, her office and a second post, each on a line of its own
(``role: |`` in YAML). Every edition ran them together into one title ("… Department City
of Kraków Plenipotentiary of the Mayor …", hand-made issues 2025-09 and 2026-02), and the
PDF hyphenated it ("Eco- / nomy").
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from editions import visible_text

from newsletter.load import Project, load_issue
from newsletter.publish import build, choose_editions
from newsletter.render.print import write_download, write_print

ROLE = ["Director of the Entrepreneurship and Innovation Department", "City of Kraków",
        "Plenipotentiary of the Mayor for the Economy"]


def test_a_signatures_role_keeps_its_lines_in_every_edition(project: Project, tmp_path: Path):
    folder = tmp_path / "2021-01"
    folder.mkdir()
    role = "".join(f"            {line}\n" for line in ROLE)
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: letter\n        title: Open doors\n        body: |\n"
        "          Dear Readers, the office is open to every company in the city.\n"
        "        signature:\n          name: Dr Katarzyna Zielińska\n          role: |\n"
        + role, encoding="utf-8")
    issue = load_issue(folder, project)
    build(issue, project, choose_editions(None), tmp_path / "out")
    out = tmp_path / "out" / issue.id
    text = (out / "email.txt").read_text(encoding="utf-8")
    assert "\n".join(ROLE) in text, text
    for html in (out / "email.html", out / "web" / "index.html"):
        source = html.read_text(encoding="utf-8")
        assert re.search(r"\s*<br>\s*".join(map(re.escape, ROLE)), source), html
        assert all(line in visible_text(html) for line in ROLE), html
    for pdf in out.glob("*.pdf"):
        lines = [line.strip() for line in subprocess.run(
            ["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], check=True,
            capture_output=True, text=True).stdout.splitlines()]
        assert all(line in lines for line in ROLE), (pdf.name, lines)


def scanned_signature(folder: Path, paper: tuple[int, int, int]) -> Path:
    """An issue of a letter signed with a scan on ``paper`` (an RGB colour)."""
    from PIL import Image, ImageDraw

    (folder / "images").mkdir(parents=True)
    scan = Image.new("RGB", (900, 300), paper)
    ImageDraw.Draw(scan).line([(40, 220), (300, 60), (600, 240), (860, 80)],
                              fill=(35, 35, 70), width=14)
    scan.save(folder / "images" / "signature.png")
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nsections:\n  - kind: cooperation\n    blocks:\n"
        "      - type: letter\n        body: Dear Readers, welcome.\n"
        "        signature:\n          name: Jan Nowak\n"
        "          image: {file: images/signature.png, alt: Signature}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("paper", [(246, 246, 246), (250, 245, 232)])
def test_a_scanned_signatures_paper_prints_as_paper(project: Project, tmp_path: Path, paper):
    """A signature scanned on grey or cream paper showed that paper as a box around it in
    both PDFs (246 grey printed as 3.5 % black; hand-made issues 2026-06 and 2025-09): its
    paper is made white, its ink kept dark."""
    issue = load_issue(scanned_signature(tmp_path / "2021-01", paper), project)
    for writer, white in ((write_download, (255, 255, 255)), (write_print, (0, 0, 0, 0))):
        pdf = writer(issue, project, tmp_path / writer.__name__).files[0]
        with pikepdf.open(pdf) as document:
            pictures = [pikepdf.PdfImage(image).as_pil_image()
                        for page in document.pages for image in page.get_images().values()]
        signature = max(pictures, key=lambda picture: picture.width / picture.height)
        corner = signature.getpixel((2, 2))
        assert tuple(corner) == white, (writer.__name__, corner)
        darkest = min(sum(signature.convert("RGB").getpixel((x, y)))
                      for x in range(0, signature.width, 3)
                      for y in range(0, signature.height, 3))
        assert darkest < 3 * 120, darkest  # the ink is still there


def test_a_scanned_signatures_paper_is_white_on_screens_too(project: Project, tmp_path: Path):
    """The e-mail and the web page showed the cream paper of a scanned signature as a box
    on the white page, which the PDFs had made white (hand-made issues 2026-02, 2027-01,
    2027-03): their files of it are made white too."""
    from PIL import Image

    issue = load_issue(scanned_signature(tmp_path / "2021-01", (250, 245, 232)), project)
    build(issue, project, choose_editions(["email", "web"]), tmp_path / "out")
    out = tmp_path / "out" / issue.id
    for page in (out / "email.html", out / "web" / "index.html"):
        sources = re.findall(r'<img[^>]*src="([^"]*signature[^"]*)"',
                             page.read_text(encoding="utf-8"))
        assert sources, page
        for source in sources:
            file = out / source.split(f"{issue.id}/", 1)[-1].removeprefix("../")
            with Image.open(file) as picture:
                assert picture.convert("RGB").getpixel((2, 2)) == (255, 255, 255), file
