"""Typography and copy measured in the PDFs themselves (issue 17 items 4 and 5): line ends
and starts from poppler's word boxes, copied text from poppler's text in drawing order, on
the sample's Polish and English readers' PDFs and on generated Polish and English text."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from editions import drawn_pdf, pdf_pages
from paper import drawn_lines, wide_gaps
from typeset_text import (
    ABBREVIATIONS,
    ACRONYMS,
    ADDRESSES,
    CODE,
    HYPHENATED,
    INITIALS,
    LONG_ACRONYMS,
    ONE_LETTER,
    SIGNS,
    UNITS,
    generated_issue,
)

from newsletter.load import Project, load_issue
from newsletter.model import Issue
from newsletter.render.print import write_download, write_print

SEEDS = {"pl": 17, "en": 4}


@pytest.fixture(scope="module")
def readers_pdfs(project: Project, sample: Issue, tmp_path_factory) -> dict[str, Path]:
    """The readers' PDFs: the sample in both languages, the stress issue (Polish), and
    generated text in both languages."""
    out = tmp_path_factory.mktemp("typography")
    pdfs = {
        "sample-en": write_download(sample, project, out / "en").files[0],
        "sample-pl": write_download(sample.translations["pl"], project, out / "pl").files[0],
    }
    stress = load_issue(ROOT / "tests" / "data" / "stress", project)  # Polish, long words
    pdfs["stress-pl"] = write_download(stress, project, out / "stress").files[0]
    for language, seed in SEEDS.items():
        issue = load_issue(generated_issue(out / f"gen-{language}" / "2021-02", language, seed),
                           project)
        pdfs[f"generated-{language}"] = write_download(issue, project, out / language).files[0]
    return pdfs


@pytest.fixture(scope="module")
def printed_pl(project: Project, sample: Issue, tmp_path_factory) -> Path:
    return write_print(sample.translations["pl"], project, tmp_path_factory.mktemp("p")).files[0]


def language_of(name: str) -> str:
    return name.rsplit("-", 1)[1]


def copied(pdf: Path) -> str:
    """What a reader copies: every character as drawn, lines in drawing order (poppler
    ``-raw`` keeps a typed hyphen at a line end, which its reading-order mode drops)."""
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


def joined(text: str) -> str:
    """Copied text with line breaks undone: a soft hyphen (a hyphen added by hyphenation)
    and its line end vanish; other line ends vanish too, so an address split over two
    lines reads whole (it breaks only at / ? & = and never gets a space)."""
    return text.replace("\xad\n", "").replace("\n", "")


CASES = ["sample-en", "sample-pl", "stress-pl", "generated-en", "generated-pl"]


@pytest.mark.parametrize("name", CASES)
def test_no_line_ends_with_a_word_that_binds_or_starts_with_a_dash(readers_pdfs, name):
    language = language_of(name)
    binding = set(ONE_LETTER[language]) | set(ABBREVIATIONS[language]) | set(INITIALS) \
        | set(SIGNS["before"])
    if language == "pl":
        binding |= {"i", "w", "z", "o", "a", "u", "ul.", "al.", "nr", "tel.", "np.", "im."}
    # what never starts a line: a dash; a sign or unit of the number before it ("50 %")
    signs = set(SIGNS["after"]) | set(UNITS[language])
    ends, starts = [], []
    lines = drawn_lines(readers_pdfs[name])
    for line, following in itertools.pairwise(lines):
        words = [word.text for word in line]
        first = following[0].text
        if words[-1] in binding:
            ends.append(" ".join(words))
        if first in ("–", "—", "-") or (first.rstrip(".,;:)") in signs
                                        and re.search(r"\d$", words[-1])):
            starts.append(f"{words[-1]} / {first}")
    assert len(lines) > 100
    assert not ends, f"{len(ends)} of {len(lines)} lines end with a word that binds: {ends[:5]}"
    assert not starts, f"{len(starts)} lines start with a dash or a number's sign: {starts[:5]}"


@pytest.mark.parametrize("name", CASES)
def test_no_address_breaks_after_a_hyphen(readers_pdfs, name):
    """An address or code never ends a line with a hyphen, typed or added: ``www.mapa-`` at
    a line's end reads as a hyphenated word, and a reader types ``www.mapamsp…``. It breaks
    after / ? & = # or before a typed hyphen (the next line starts ``-msp…``)."""
    addresses = ADDRESSES + [re.sub("^https://", "", a) for a in ADDRESSES] + CODE
    broken = []
    for line, following in itertools.pairwise(drawn_lines(readers_pdfs[name])):
        end, start = line[-1].text, following[0].text
        if end.endswith(("-", "\xad", "\u2010")):
            piece = (end.rstrip("\xad\u2010") + start).strip("()[].,;:")
            if re.search(r"[./@:-]", piece) and any(piece in a for a in addresses):
                broken.append(f"{end} / {start}")
    assert not broken, broken[:5]


@pytest.mark.parametrize("name", [case for case in CASES if case.endswith("-pl")])
def test_polish_lines_never_break_at_a_typed_hyphen(readers_pdfs, name):
    """Polish repeats a hyphen typed in a word at the next line's start ("Kraków-" /
    "-Nowa"), which the PDFs cannot draw: such a word never breaks at its hyphen, and
    "Kraków-" alone at a line's end would read as a word hyphenated there."""
    broken = [f"{line[-1].text} / {following[0].text}"
              for line, following in itertools.pairwise(drawn_lines(readers_pdfs[name]))
              if re.search(r"\w-$", line[-1].text) and re.match(r"\w", following[0].text)]
    assert not broken, broken[:5]


@pytest.mark.parametrize("name", CASES)
def test_copied_text_is_what_the_editor_typed(readers_pdfs, name):
    text = copied(readers_pdfs[name])
    assert "\u2010" not in text, "a hyphen copies as U+2010 HYPHEN, not the typed U+002D"
    assert not re.search("[\ufb00-\ufb06]", text), "a ligature copies as one code point"
    assert "\ue0ad" not in text
    assert "\xad" not in text, "a hyphen added by line breaking copies (issue 17 item 5)"
    whole = joined(text)
    if name.startswith("generated"):
        issue = readers_pdfs[name].parents[1] / f"gen-{language_of(name)}" / "2021-02"
        typed = (issue / "issue.yaml").read_text("utf-8")
        for word in HYPHENATED + ADDRESSES + [code for code in CODE if code in typed]:
            assert word in whole, f"{word!r} does not copy intact"
        assert "\xad" in copied(drawn_pdf(readers_pdfs[name]))  # hyphenation broke words
    elif name.startswith("sample"):
        assert "COVID-19" in whole
        # letter-spaced capitals copy as words, not letters apart ("C E N T R U M W S PA R C
        # I A": the cover's tagline, spaced 0.12 em, in poppler's reading order; hand-made
        # issue 2028-02)
        read = subprocess.run(["pdftotext", "-enc", "UTF-8", str(readers_pdfs[name]), "-"],
                              check=True, capture_output=True, text=True).stdout.splitlines()
        tagline = {"en": "BUSINESS SUPPORT CENTRE", "pl": "CENTRUM WSPARCIA BIZNESU"}
        contents = {"en": "IN THIS ISSUE", "pl": "W TYM WYDANIU"}
        for words in (tagline, contents):
            assert words[language_of(name)] in read, words


@pytest.mark.parametrize("name", CASES)
def test_no_word_gap_on_a_line_passes_three_spaces(readers_pdfs, name):
    """Measured between poppler's word boxes: a normal space of Source Sans 3 is 0.2 em,
    0.151 of a word box's height (poppler's box is ascent + descent, 1.324 em)."""
    wide = wide_gaps(drawn_lines(readers_pdfs[name]))
    assert not wide, wide[:8]


def acronyms_in_markdown(name: str) -> set[str]:
    """Words in capitals that the editor wrote in Markdown text (bodies, intros, card
    texts): the PDFs keep those whole. (Titles, kickers and leads are plain text printed
    into attributes too, where no markup can go: not covered yet.)"""
    if name.startswith("generated"):
        return set(ACRONYMS + LONG_ACRONYMS)
    folder = ROOT / ("issues/2020-12" if name.startswith("sample") else "tests/data/stress")
    text = " ".join(path.read_text("utf-8").split("---", 2)[-1] for path in folder.glob("*.md"))
    return {w for w in re.findall(r"\b[^\W\d_]{2,}\b", text) if w.isupper()}


@pytest.mark.parametrize("name", CASES)
def test_no_acronym_is_hyphenated(readers_pdfs, name):
    lines = drawn_lines(readers_pdfs[name])
    known = acronyms_in_markdown(name)
    split = []
    for line, following in itertools.pairwise(lines):
        end = line[-1].text
        if re.fullmatch(r"[A-ZĄĆĘŁŃÓŚŹŻ]{2,}[\xad\u2010-]", end) and \
                end[:-1] + following[0].text.rstrip(".,;:!?”)") in known:
            split.append(f"{end} / {following[0].text}")
    assert not split, split[:5]


def test_printers_pdf_copies_the_same_way(printed_pl):
    text = copied(printed_pl)
    assert "\u2010" not in text and "\ue0ad" not in text and "\xad" not in text
    assert "COVID-19" in joined(text)


def test_inserted_hyphens_are_drawn(readers_pdfs):
    """The hyphen hyphenation adds is still printed (only its copy is nothing)."""
    lines = [line.text for page in pdf_pages(readers_pdfs["generated-pl"])
             for line in page.lines]
    assert any(text.endswith("\xad") for text in lines), lines[:20]


@pytest.mark.parametrize("name", ["sample-pl", "generated-en"])
def test_a_hyphen_added_by_line_breaking_copies_as_nothing(readers_pdfs, name):
    """Issue 17 item 5, in both of poppler's modes (pdftotext, Evince and Okular read the
    PDF so) and in pdfminer's (pdfplumber's; it reads no spans, only the fonts' ToUnicode):
    each drawn hyphen of hyphenation is inside a span whose copy is nothing, the copy holds
    no U+00AD, and each word broken by it copies whole once its lines join."""
    import pikepdf

    from newsletter.pdf_fonts import UNCOPIED

    pdf = readers_pdfs[name]
    drawn = [line.text for page in pdf_pages(pdf) for line in page.lines]
    ends = [text for text in drawn if text.endswith("\xad")]
    assert len(ends) >= 5, "the text is hyphenated"
    with pikepdf.open(pdf) as opened:
        spans = sum(part.read_bytes().count(UNCOPIED) for page in opened.pages
                    for part in ([page.Contents] if isinstance(page.Contents, pikepdf.Stream)
                                 else page.Contents))
    assert spans == len(ends)
    for mode in (["-raw"], []):
        text = subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert "\xad" not in text
    from pdfminer.high_level import extract_text  # pdfplumber's engine: reads no spans

    mined = extract_text(str(pdf))
    assert "\xad" not in mined and "\ue0ad" not in mined and "(cid:" not in mined
    whole = joined(copied(pdf))
    for end, following in itertools.pairwise(drawn):
        if end.endswith("\xad") and re.match(r"[^\W\d_]", following):
            word = re.search(r"[^\W\d_]+\xad$", end).group()[:-1] + \
                re.match(r"[^\W\d_]+", following).group()
            assert word in whole, (end, following)


def test_only_the_inserted_hyphens_glyph_is_set_apart():
    """A unit case of the finisher's content-stream edit: the hyphen's code in the font it
    belongs to is shown inside the span, wherever it stands in a TJ, with every kerning
    number kept; the same code in another font (another subset's glyph) is left."""
    from newsletter.pdf_fonts import UNCOPIED, _uncopied_hyphens

    items = [b"BT", b"/F1 12 Tf", b"[<0001>-5<09b7>0] TJ", b"[<09b7>3<0002>0] TJ",
             b"/F2 12 Tf", b"[<0003>0<09b7>0] TJ", b"ET"]
    assert _uncopied_hyphens(items, {b"/F1": b"<09b7>"}) == [
        b"BT", b"/F1 12 Tf",
        b"[<0001>-5] TJ", UNCOPIED, b"[<09b7>] TJ", b"EMC", b"[0] TJ",
        UNCOPIED, b"[<09b7>] TJ", b"EMC", b"[3<0002>0] TJ",
        b"/F2 12 Tf", b"[<0003>0<09b7>0] TJ", b"ET"]


def test_font_copies_keep_every_character_apart(project: Project):
    from fontTools.ttLib import TTFont

    from newsletter.pdf_fonts import INSERTED_HYPHEN, faithful_font

    for relative in project.theme.fonts.files.values():
        cmap = TTFont(str(faithful_font(project.theme.folder / relative))).getBestCmap()
        glyphs = [cmap[c] for c in (0x2D, 0xAD, 0x2010, 0x2011, ord(INSERTED_HYPHEN))]
        assert len(set(glyphs)) == len(glyphs), glyphs
        assert cmap[0x20] != cmap[0xA0]



def source_words(name: str, pdf: Path) -> set[str]:
    """Every word the editor typed in the case's issue folder (its YAML and Markdown)."""
    if name.startswith("generated"):
        folder = pdf.parents[1] / f"gen-{language_of(name)}" / "2021-02"
    else:
        folder = ROOT / ("issues/2020-12" if name.startswith("sample") else "tests/data/stress")
    text = " ".join(path.read_text("utf-8") for path in sorted(folder.iterdir())
                    if path.suffix in (".md", ".yaml"))
    return set(re.findall(r"\w+", text))


@pytest.mark.parametrize("name", CASES)
def test_no_word_is_split_without_a_hyphen(readers_pdfs, name):
    """A line ends between words, at a hyphen, at a break of an address (after / ? & =)
    or at a hyphen that hyphenation draws, never inside a word with nothing drawn: a word
    cut so ("prorektor U" / "MK ds.") reads as two and copies with a space in it. Judged
    from the PDF's lines: a line's last word and the next line's first, put together,
    are a word the editor typed."""
    typed = source_words(name, readers_pdfs[name])
    split = []
    for line, following in itertools.pairwise(drawn_lines(readers_pdfs[name])):
        end, start = line[-1].text, following[0].text
        if end.endswith(("\xad", "-", "\u2010", "/", "?", "&", "=", "#")):
            continue
        tail = re.search(r"\w+$", end)
        head = re.match(r"\w+", start)
        if tail and head and tail.group() + head.group() in typed \
                and tail.group() not in typed:
            split.append(f"{' '.join(w.text for w in line[-3:])} / "
                         f"{' '.join(w.text for w in following[:3])}")
    assert not split, split[:6]


COMPOUNDS = ["kobiety-założycielki", "Hucie-Mistrzejowicach", "biało-czerwony",
             "naukowo-badawczy", "Nowej-Hucie", "polsko-ukraińskiej", "e-mailem"]


def test_a_polish_compound_is_not_hyphenated_inside_either(project, tmp_path):
    """Polish never breaks a compound at its typed hyphen, and hyphenating a part read as
    such a break: "kobie-" / "ty-założycielki", "Nowej Hu-" / "cie-Mistrzejowicach"
    (hand-made issues 2027-09 and 2028-05). A compound goes down whole, in two columns
    too, where lines are narrowest."""
    import random

    from conftest import one_article_issue

    from newsletter.load import load_issue
    from newsletter.render.print import write_download

    rng = random.Random(3)
    words = ["miasto", "przedsiębiorczość", "wsparcie", "współpraca", "dotacja",
             "innowacyjność", "konferencja", "mieszkańcy", "programy", "badania"]
    paragraphs = [" ".join(rng.choice(words + COMPOUNDS) for _ in range(70)).capitalize() + "."
                  for _ in range(9)]
    issue = load_issue(one_article_issue(tmp_path / "2021-01", "\n\n".join(paragraphs),
                                         title="Przedsiębiorczość"), project)
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    lines = drawn_lines(pdf)
    ends = [f"{line[-1].text} / {following[0].text}"
            for line, following in itertools.pairwise(lines)
            if line[-1].text.endswith("\xad") and "-" in following[0].text]
    assert sum(1 for line in lines for word in line if word.text.endswith("\xad")) > 5
    assert not ends, ends[:5]


def test_english_paper_leaves_polish_names_unhyphenated(project, tmp_path):
    """English patterns broke Polish names where Polish would not: "Prądnik Bi-" / "ały",
    "Stanisła-" / "wa" (hand-made issues 2028-05 and 2027-09). A word with letters
    English does not have is kept whole in the English PDFs."""
    import random

    from conftest import one_article_issue

    from newsletter.load import load_issue
    from newsletter.render.print import write_download

    rng = random.Random(5)
    names = ["Prądnik Biały", "Stanisława", "Wąsowicza", "Przedsiębiorczości", "Żmuda",
             "Łagiewniki", "Wąwozowa", "Grzegórzki", "Dębniki", "Skawińska"]
    words = ["support", "programme", "innovation", "entrepreneurs", "market", "district",
             "office", "grant", "partners", "digital", "services", "conference"]
    paragraphs = [" ".join(rng.choice(words + names) for _ in range(70)).capitalize() + "."
                  for _ in range(9)]
    issue = load_issue(one_article_issue(tmp_path / "2021-01", "\n\n".join(paragraphs),
                                         title="Districts", language="en"), project)
    pdf = write_download(issue, project, tmp_path / "out").files[0]
    lines = drawn_lines(pdf)
    hyphenated = [line[-1].text for line in lines if line[-1].text.endswith("\xad")]
    assert len(hyphenated) > 5  # English words still hyphenate
    broken = [word for word in hyphenated if not word.rstrip("\xad").isascii()]
    assert not broken, broken[:5]


@pytest.mark.parametrize("name", CASES)
def test_no_name_is_hyphenated_in_running_text(readers_pdfs, name):
    """A word of a capital and small letters inside a sentence (after a word that ends in
    a small letter or a comma) is a name, and names are not hyphenated: "To-" / "masz",
    "ul. Bo-" / "brzyńskiego", "Kra-" / "ków", in English "Ptaszy-" / "ckiego" (hand-made
    issues 2028-10 and 2029-03). A sentence's first word may be."""
    lines = drawn_lines(readers_pdfs[name])
    ends = {id(line[-1]) for line in lines}
    split = []
    words = [word for line in lines for word in line]
    for before, word in itertools.pairwise(words):
        if id(word) in ends and re.fullmatch(
                r"[A-ZĄĆĘŁŃÓŚŹŻ][a-ząćęłńóśźż]+[\xad\u2010]", word.text) \
                and re.search(r"[a-ząćęłńóśźż,]$", before.text):
            split.append(f"{before.text} {word.text}")
    assert words and not split, split[:8]


def test_font_copies_are_shared_by_contents_and_pruned(project: Project, tmp_path, monkeypatch):
    """The same font in two folders (two checkouts, a test's copy) is one cached copy, and
    the cache keeps the copies made last: keyed by path, a machine that ran the tests in
    many folders held a thousand copies (363 MB)."""
    import os
    import shutil

    from newsletter import pdf_fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    font = project.theme.folder / next(iter(project.theme.fonts.files.values()))
    copies = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        copies.append(Path(shutil.copy(font, tmp_path / folder / font.name)))
    os.utime(copies[1], ns=(1, 1))
    first, second = (pdf_fonts.faithful_font(copy) for copy in copies)
    assert first == second
    assert len(list(first.parent.iterdir())) == 1
    monkeypatch.setattr(pdf_fonts, "KEEP", 3)
    for n in range(4):  # four fonts of other contents: the oldest copies go
        other = tmp_path / f"other{n}.ttf"
        other.write_bytes(font.read_bytes() + bytes([n]) * 4)
        pdf_fonts.faithful_font(other)
    assert len(list(first.parent.iterdir())) == 3


def test_the_inserted_hyphens_text_is_empty_only_at_its_own_code():
    """The hyphen's ToUnicode entry is empty where its code is 0xAD (an engine that finds
    no text takes the code for U+00AD, which it drops); a font with too few glyphs to put
    it there keeps U+00AD as its text (an empty entry would copy its code as a letter)."""
    from newsletter.pdf_fonts import _BFCHAR, _mapped

    assert _BFCHAR.sub(_mapped, b"<00ad> <e0ad>") == b"<00ad> <>"
    assert _BFCHAR.sub(_mapped, b"<0042> <e0ad>") == b"<0042> <00ad>"
    assert _BFCHAR.sub(_mapped, b"<0003> <00a0>") == b"<0003> <0020>"
