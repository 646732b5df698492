"""What a reader reads in each edition, for tests: PDF lines with their boxes (poppler),
the visible text of HTML pages, and words of one language found in another's editions."""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from lxml import etree

from newsletter.load import Project
from newsletter.model import Issue
from newsletter.output import EDITIONS


@dataclass(frozen=True)
class Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True)
class PageText:
    width: float
    height: float
    lines: list[Line]


_UNCOPIED = re.compile(rb"/Span <</ActualText \(\)>> BDC\s+(\[<[0-9a-f]+>\] TJ)\s+EMC")
_NO_TEXT = re.compile(rb"(<[0-9a-f]{4}>) <>")  # the inserted hyphen's ToUnicode entry


@functools.lru_cache(maxsize=16)
def _drawn(path: str, stamp: tuple[int, int]) -> Path:
    import pikepdf

    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:  # pages' and forms' contents, and the fonts' ToUnicode maps
            if not isinstance(obj, pikepdf.Stream) or obj.get("/Subtype") not in (None, "/Form"):
                continue  # (a picture's stream has a subtype, and may be JPEG)
            data = obj.read_bytes()
            if b"/ActualText ()" in data:
                obj.write(_UNCOPIED.sub(rb"\1", data))
            elif b"Adobe-Identity-UCS" in data:  # the hyphen's text: a soft hyphen (ISO 32000-1)
                obj.write(_NO_TEXT.sub(rb"\1 <00ad>", data))
        target = Path(tempfile.mkdtemp(prefix="drawn-")) / Path(path).name
        pdf.save(target)
    return target


def drawn_pdf(path: Path) -> Path:
    """A copy of ``path`` whose text reads as it is drawn: the PDFs mark each hyphen added
    by line breaking as copying to nothing (newsletter.pdf_fonts: a span of no text, and a
    ToUnicode entry of none), so no reader copies it; tests that measure lines and where
    they break read this copy, in which that hyphen is U+00AD at the line's end."""
    stat = path.stat()
    return _drawn(str(path), (stat.st_mtime_ns, stat.st_size))


def pdf_pages(path: Path) -> list[PageText]:
    """Every line of text with its box, as drawn (:func:`drawn_pdf`), from poppler
    (``pdftotext -bbox-layout``)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(drawn_pdf(path)), "-"], check=True,
        capture_output=True).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    pages = []
    for number, page in enumerate(etree.fromstring(xhtml).iterfind(".//x:page", ns), start=1):
        lines = []
        for line in page.iterfind(".//x:line", ns):
            words = line.findall("x:word", ns)
            lines.append(Line(
                number, " ".join(w.text or "" for w in words),
                min(float(w.get("xMin")) for w in words), max(float(w.get("xMax")) for w in words),
                float(line.get("yMin")), float(line.get("yMax")),
            ))
        pages.append(PageText(float(page.get("width")), float(page.get("height")), lines))
    return pages


def visible_text(path: Path) -> str:
    """What a reader of an HTML file can read: its text and attributes people see."""
    from lxml import html as lxml_html

    document = lxml_html.parse(str(path)).getroot()
    for element in document.xpath("//style | //script"):
        element.drop_tree()
    shown = document.xpath("//@alt | //@title | //@aria-label | //@content")
    return document.text_content() + " " + " ".join(shown)


def edition_texts(folder: Path, issue: Issue, project: Project) -> dict[str, str]:
    """What a reader reads in each edition built in ``folder``."""
    return {
        "email.html": visible_text(folder / "email.html"),
        "email.txt": (folder / "email.txt").read_text(encoding="utf-8"),
        "web": visible_text(folder / "web" / "index.html"),
        **{edition: " ".join(line.text for page in pdf_pages(
            EDITIONS[edition].paths(folder, issue, project)[0]) for line in page.lines)
           for edition in ("pdf", "print")},
    }


def leaked_words(texts: dict[str, str], words: list[str]) -> dict[str, list[str]]:
    """Which of ``words`` each text shows (placeholders such as %%unsubscribe_url%% are no
    words a reader sees)."""
    found = {}
    for name, text in texts.items():
        flat = " ".join(re.sub(r"%%\w+%%", "", text).split()).lower()
        found[name] = [w for w in words if re.search(rf"\b{re.escape(w.lower())}\b", flat)]
    return found


def words_of(project: Project, language: str, other: str) -> list[str]:
    """Template words and section labels of ``language`` that ``other`` does not share."""
    table = yaml.safe_load((project.site.templates_path / "_shared" / "strings.yaml")
                           .read_text(encoding="utf-8"))
    words = [text for key, text in table[language].items()
             if isinstance(text, str) and text != table[other][key]
             and key != "language_name"]  # not the typography rules
    mine, theirs = project.site.tagline_in(language), project.site.tagline_in(other)
    if mine and mine != theirs:  # the masthead's line under the name
        words.append(mine)
    for kind in project.theme.sections:
        mine, theirs = (project.theme.section(kind).words(lang) for lang in (language, other))
        words += [w for w in (mine.label, mine.name) if w not in (theirs.label, theirs.name)]
    return words


def cut_words_script(selector: str, word: str = r"[^ \n]+") -> str:
    """A Playwright ``evaluate`` script: the words (JS regex ``word``) of the elements
    matching ``selector`` that the browser set over more than one line."""
    script = """() => [...document.querySelectorAll('SELECTOR')].flatMap((element) => {
  const cut = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/WORD/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) cut.push(match[0]);
    }
  }
  return cut;
})"""
    return script.replace("SELECTOR", selector).replace("WORD", word)

