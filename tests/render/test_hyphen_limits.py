"""On paper a hyphen leaves at least as many letters on each line as the language asks
(``hyphen_limits`` in strings.yaml: English 2 before, 3 after).

Hand-made issue 2026-06 (en): "…a summary of the Economic For-" / "um." left two letters
on the letter's last line, a break an English typesetter does not make.
"""

from __future__ import annotations

import itertools
import random
import re
import subprocess
from pathlib import Path

import pyphen
import yaml
from editions import drawn_pdf

from newsletter.load import Project, load_issue
from newsletter.render.print import write_download

ROOT = Path(__file__).resolve().parents[2]

WORDS = ["forum", "Economic", "solution", "cooperation", "entrepreneurs", "planning",
         "region", "museum", "council", "opinion", "station", "minimum", "Krakow",
         "market", "office", "grant", "partners", "digital", "services", "business",
         "started", "trusted", "awarded", "register", "reference", "decision"]


def _pdf_lines(folder: Path, project: Project, out: Path) -> list[str]:
    pdf = write_download(load_issue(folder, project), project, out).files[0]
    return subprocess.run(["pdftotext", str(drawn_pdf(pdf)), "-"], check=True, capture_output=True,
                          text=True).stdout.splitlines()


def _note_lines(project: Project, tmp_path: Path, title: str, paragraphs: list[str],
                language: str = "en") -> list[str]:
    """The readers' PDF's lines of an issue of one note of ``paragraphs``."""
    folder = tmp_path / "2021-01"
    folder.mkdir()
    (folder / "note.md").write_text(f"---\ntitle: {title}\n---\n"
                                    + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        f"date: 2021-01-01\nlanguage: {language}\nsections:\n  - kind: cooperation\n"
        "    blocks:\n      - file: note.md\n", encoding="utf-8")
    return _pdf_lines(folder, project, tmp_path / "out")


def test_an_english_hyphen_leaves_three_letters_on_the_next_line(project: Project,
                                                                 tmp_path: Path):
    rng = random.Random(3)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(30, 70))) + "."
                  for _ in range(24)]
    lines = _note_lines(project, tmp_path, "The Economic Forum", paragraphs)
    # (a hyphen at a page's foot is followed by the folio and the running head)
    breaks = [(line, after) for line, after in itertools.pairwise(lines)
              if line.endswith("\u00ad") and re.match(r"[^\W\d_]", after)]
    assert len(breaks) > 10, len(breaks)  # the text is hyphenated
    short = [f"{line[-12:]} / {after[:12]}" for line, after in breaks
             if len(re.match(r"\w*", after).group()) < 3
             or len(re.search(r"\w*\u00ad$", line).group()) - 1 < 2]
    assert not short, short
    # every break is one of the dictionary's that strings.yaml names (en_US): pyphen's
    # British patterns, which WeasyPrint took by the attribute lang="en", broke
    # "star-ted", "re-gister", "awar-ded" (hand-made issues 2027-01 and 2027-03)
    table = yaml.safe_load((ROOT / "templates" / "_shared" / "strings.yaml").read_text())
    assert table["en"]["hyphenation"] == "en_US"
    dictionary = pyphen.Pyphen(lang="en_US")
    wrong = [f"{head}-{tail}" for head, tail in
             ((re.search(r"(\w*)\u00ad$", line).group(1), re.match(r"\w*", after).group())
              for line, after in breaks)
             if len(head) not in dictionary.positions(head + tail)]
    assert not wrong, wrong


def test_a_tables_cells_keep_the_languages_hyphen_limits(project: Project, tmp_path: Path):
    """A table's cells are hyphenated by the language's limits too: an English cell broke
    "Technolo-" / "gy" (hand-made issue 2027-05), two letters on the next line."""
    rng = random.Random(5)
    rows = ["| " + " | ".join(" ".join(rng.choice([*WORDS, "technology", "Technology"])
                                       for _ in range(6)) for _ in range(6)) + " |"
            for _ in range(12)]
    table = "\n".join(["| A | B | C | D | E | F |", "|---|---|---|---|---|---|", *rows])
    lines = _note_lines(project, tmp_path, "The table", [table])
    breaks = [(line, after) for line, after in itertools.pairwise(lines)
              if line.endswith("\u00ad") and re.match(r"[^\W\d_]", after)]
    # the cells are hyphenated (a capitalised word inside a cell, a name, is not:
    # typography.proper_names_whole; at a cell's start it may be)
    assert len(breaks) > 3, len(breaks)
    short = [f"{line[-12:]} / {after[:12]}" for line, after in breaks
             if len(re.match(r"\w*", after).group()) < 3]
    assert not short, short


LONG = ["konkurencyjności", "przedsiębiorczości", "międzynarodowych", "rzemieślniczych",
        "samorządowych", "dokumentacyjnego", "innowacyjności", "współpracujących"]


def test_a_paragraphs_last_word_is_not_hyphenated(project: Project, tmp_path: Path):
    """A paragraph's last line is never the tail of a hyphenated word ("ostatni na-" /
    "bór.", hand-made issue 2026-06): its last word goes down whole. Paragraphs of one
    more word each put a long last word at every place of a line; every other one binds
    it to a one-letter word before it ("i innowacyjności.": a no-break space, which the
    words kept whole take in with it). The last word is in emphasis, bold or a link in
    some ("… <em>innowacyjności</em>.", "… i <a>przedsiębiorczości</a>": the span went
    only right before the paragraph's end, and those were still hyphenated)."""
    words = ["firma", "w", "Krakowie", "program", "wsparcie", "dla", "przedsiębiorców",
             "miasto", "rozwój", "i", "nowe", "technologie"]
    marks = ["{}", "*{}*", "[{}](https://www.krakow.pl/)", "**{}**", "*nowe {}*"]
    paragraphs = [" ".join(words[i % len(words)] for i in range(count)).capitalize()
                  + (" i " if count % 2 else " ")
                  + marks[count // 2 % len(marks)].format(LONG[count % len(LONG)]) + "."
                  for count in range(20, 100)]
    lines = _note_lines(project, tmp_path, "Ostatnie słowa", paragraphs, "pl")
    assert sum(line.endswith("\u00ad") for line in lines) > 5, "the text is hyphenated"
    # a line ending in an added hyphen, the next the rest of a paragraph's last word
    tails = [f"{line[-20:]} / {after}" for line, after in itertools.pairwise(lines)
             if line.endswith("\u00ad") and after.strip().endswith(".")
             and any(word.endswith(after.strip()[:-1]) for word in LONG)]
    assert not tails, tails


def test_a_last_word_wider_than_its_line_is_still_broken(project: Project, tmp_path: Path):
    """A title (the cover's lead story's, a link) ending with a word wider than its line:
    kept whole as a last word, it ran past the page's edge (generated seed 9481:
    "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz" on the cover)."""
    from paper import drawn_lines
    from PIL import Image as Picture

    folder = tmp_path / "2021-01"
    (folder / "images").mkdir(parents=True)
    Picture.new("RGB", (1200, 800), (40, 90, 160)).save(folder / "images" / "office.png")
    word = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz"
    (folder / "story.md").write_text(
        f"---\ntitle: Office district {word}\n"
        "image: {file: images/office.png, alt: An office}\n---\n"
        + " ".join(WORDS * 2) + f" {word}.\n", encoding="utf-8")
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nlanguage: en\nsections:\n  - kind: cooperation\n"
        "    blocks:\n      - file: story.md\n", encoding="utf-8")
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    width = 595.3  # A4, pt; the text column keeps 16 mm (45 pt) from each edge
    out = [w.text for line in drawn_lines(pdf) for w in line if w.x1 > width - 40]
    assert not out, out


def test_a_cards_passage_in_another_script_keeps_its_lines(project: Project,
                                                          tmp_path: Path):
    """A card's Ukrainian text whose last words are bound ("в Кракові.") is set in lines of
    words, not cut letter-wise: with the last word alone in a span after the no-break
    space, WeasyPrint 70 set "Мі-" / "сто" / "допома-" / "гає з …" (generated seed 9410)."""
    folder = tmp_path / "2021-01"
    (folder / "images").mkdir(parents=True)
    from PIL import Image as Picture

    Picture.new("RGB", (1200, 800), (40, 90, 160)).save(folder / "images" / "office.png")
    Picture.new("RGB", (800, 800), (160, 90, 40)).save(folder / "images" / "district.png")
    text = "Місто допомагає з реєстрацією фірми і в пошуку офісу в Кракові."
    (folder / "issue.yaml").write_text(
        "date: 2021-01-01\nsections:\n  - kind: innovation\n    blocks:\n"
        "      - type: link_cards\n        cards:\n"
        "          - title: Map office and\n            url: https://www.krakow.pl/office\n"
        f"            text: |\n              {{lang=uk}}\n              {text}\n"
        "            image:\n              file: images/office.png\n"
        "              alt: An office\n"
        "          - title: Support future research district innovation\n"
        "            url: https://example.org/office\n"
        "            image:\n              file: images/district.png\n"
        "              alt: A district\n"
        "          - title: 9 a.m. local 5 local to in programme innovation council\n"
        "            url: https://www.krakow.pl/network\n"
        "            text: Application in St. with with investment e.g. a programme.\n"
        "          - title: Project project digital participants Mr Smith St. etc.\n"
        "            url: https://example.org/month/conference\n"
        "        intro: Partner +48 12 616 12 34 district digital residents investment.\n",
        encoding="utf-8")
    lines = [line for line in _pdf_lines(folder, project, tmp_path / "out")
             if re.search("[\u0400-\u04ff]", line)]
    assert " ".join(line.replace("\u00ad", "") for line in lines).replace("- ", "") \
        .replace("  ", " ") == text, lines
    assert len(lines) <= 3, lines
    assert all(" " in line for line in lines), lines  # no line of a single word
