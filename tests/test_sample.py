"""The December 2020 sample issue: what the reference edition holds is in the model."""

from __future__ import annotations

import re

from conftest import DATA

from newsletter.load import load_issue
from newsletter.markdown import to_plain_text
from newsletter.model import Article, Figures, Issue, Letter, LinkCards
from newsletter.summary import summarize

MAPS = {
    "https://www.jestemaktywny.krakow.pl/",
    "https://www.jedzenie.krakow.pl/",
    "https://www.rynek.krakow.pl/",
}


def test_sample_has_the_three_calls_in_order(sample: Issue):
    assert [s.kind for s in sample.sections] == ["cooperation", "innovation", "past"]
    assert sample.language == "en"
    assert sample.date.isoformat().startswith("2020-12")


def test_sample_holds_the_letter_cards_figures_and_contact(sample: Issue):
    blocks = [b for _, b in sample.blocks()]
    letter = next(b for b in blocks if isinstance(b, Letter))
    assert letter.signature.name == "Professor Jacek Majchrowski"
    assert letter.signature.role == "Mayor of the City of Krakow"
    assert "Christmas" in letter.closing
    cards = next(b for b in blocks if isinstance(b, LinkCards))
    assert {c.url for c in cards.cards} == MAPS
    assert {c.button for c in cards.cards} == {"See the map"}
    figures = next(b for b in blocks if isinstance(b, Figures))
    assert [(f.value, f.label) for f in figures.items] == [
        ("5", "days of conference"),
        ("8", "thematic tracks"),
        ("72", "presentations"),
        ("156", "panelists"),
        ("419", "participants on the ZOOM platform"),
    ]
    assert sample.footer.email == ["pi.umk@um.krakow.pl"]
    assert sample.footer.editors == "Investors Support and Innovative Economy Center Team"
    titles = [b.title for b in blocks if isinstance(b, Article)]
    assert "Open City" in titles
    bodies = " ".join(b.body for b in blocks if isinstance(b, Article))
    assert "Józefa Meier 16D Street" in bodies
    assert "ICORN" in bodies and "Freemuse" in bodies


def test_every_image_has_alt_text_and_is_inside_the_issue(sample: Issue):
    images = list(sample.images())
    assert images
    for image in images:
        assert image.alt.strip()
        assert image.file.is_relative_to(sample.source_dir)
        width, height = image.pixel_size()
        assert width > 0 and height > 0


def test_values_remember_their_file_and_line(sample: Issue):
    letter = next(b for _, b in sample.blocks() if isinstance(b, Letter))
    body_at = letter.where.text_of("body")
    assert body_at.file.suffix == ".md"
    first_line = body_at.file.read_text(encoding="utf-8").splitlines()[body_at.line - 1]
    assert first_line and first_line in letter.body
    past = sample.sections[2]
    assert past.where.of("kind").file.name == "issue.yaml"


def test_sample_round_trips_through_the_model(sample: Issue, project):
    again = Issue.model_validate(
        sample.model_dump(),
        context={"issue_dir": sample.source_dir, "section_kinds": list(project.theme.sections)},
    )
    assert again.model_dump() == sample.model_dump()
    reloaded = load_issue(sample.source_dir, project)
    assert reloaded.model_dump() == sample.model_dump()


def test_summary_counts(sample: Issue):
    summary = summarize(sample)
    assert summary.sections == 3
    assert summary.blocks["figures"] == 1 and summary.blocks["letter"] == 1
    assert summary.links >= 5  # three maps, the portal, the hub
    assert summary.words > 1000


REFERENCE = DATA / "reference" / "business-krakow-2020-12.txt"  # text taken from the PDF


def _letters(text: str) -> str:
    """Only letters and digits: what survives PDF extraction (line breaks, hyphenation,
    quote styles and spacing differ between the PDF's text and ours)."""
    return re.sub(r"[^0-9a-ząćęłńóśźż]", "", text.lower())


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(_letters(s)) > 3]


def test_sample_invents_nothing(sample: Issue):
    """Every sentence an editor wrote into the sample stands in the December 2020 PDF."""
    reference = _letters(REFERENCE.read_text(encoding="utf-8"))
    texts: list[str] = []
    for _section, block in sample.blocks():
        for name in ("kicker", "title", "lead", "greeting"):
            texts.append(getattr(block, name, None) or "")
        for name in ("body", "closing", "intro"):
            texts.append(to_plain_text(getattr(block, name, None) or ""))
        if isinstance(block, LinkCards):
            for card in block.cards:
                texts += [card.title, to_plain_text(card.text or "")]
        if isinstance(block, Figures):
            texts += [f"{item.label} {item.value}" for item in block.items]
        if isinstance(block, Letter):
            texts += [block.signature.name, block.signature.role or ""]
    invented = [s for t in texts for s in _sentences(t) if _letters(s) not in reference]
    assert invented == []


def test_sample_leaves_nothing_out(sample: Issue, project):
    """Every sentence of the PDF's text reaches the e-mail's text part (the figures are laid
    out as a table in the PDF, and are checked one by one above)."""
    from newsletter.render.email import render_email

    ours = _letters(render_email(sample, project).text)
    reference = re.sub(r"\s+", " ", re.sub(r"-\n", "", REFERENCE.read_text(encoding="utf-8")))
    left_out = [
        s for s in _sentences(reference)
        if "in numbers" not in s and len(_letters(s)) >= 30
        # a sentence's end: the PDF glues headings and labels to the start of the next one
        and _letters(s)[-50:] not in ours
    ]  # fmt: skip
    assert left_out == []
