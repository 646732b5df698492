"""Gmail's budget: an issue of any length builds every edition, its e-mail under 90 KB.

Issues are generated (seeded): thousands of words in two languages, a dozen cards,
figures and pictures, blocks of very different lengths. What a reader relies on: the
e-mail is never clipped, the longest blocks become teasers first, each teaser's link
opens that block in the web edition, and an editor's `email: full | teaser` is obeyed.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SAMPLE, edited_copy, line_of
from lxml import html as lxml_html
from photos import make_photo

from newsletter.exceptions import ContentError
from newsletter.load import Project, load_issue
from newsletter.render.email import render_email, render_mjml
from newsletter.render.email_budget import BUDGET_BYTES, PROSE, PROSE_WEIGHT
from newsletter.summary import summarize

NEWSLETTER = Path(sys.executable).with_name("newsletter")
CONFIG = ROOT / "newsletter.toml"
WORDS = {
    "en": [
        "city", "business", "support", "grant", "office", "market", "company", "digital",
        "project", "investment", "programme", "entrepreneurs", "region", "innovation",
        "science", "culture", "residents", "services", "conference", "partners", "education",
        "network", "transport", "energy", "tourism", "heritage", "application", "deadline",
        "funding", "training", "startup", "research", "university"
    ],
    "pl": [
        "miasto", "biznes", "wsparcie", "dotacja", "urząd", "rynek", "firma", "cyfrowy",
        "projekt", "inwestycja", "program", "przedsiębiorcy", "region", "innowacje", "nauka",
        "kultura", "mieszkańcy", "usługi", "konferencja", "partnerzy", "edukacja", "sieć",
        "transport", "energia", "turystyka", "dziedzictwo", "wniosek", "termin", "finansowanie",
        "szkolenie", "startup", "badania", "uczelnia", "żółć"
    ],
}


def prose(rng: random.Random, language: str, words: int) -> str:
    """Markdown paragraphs of 30–120 words, ``words`` in all."""
    paragraphs, left = [], words
    while left > 0:
        n = min(left, rng.randint(30, 120))
        chosen = [rng.choice(WORDS[language]) for _ in range(n)]
        text = " ".join(chosen)
        paragraphs.append(text[0].upper() + text[1:] + ".")
        left -= n
    return "\n\n".join(paragraphs)


def both(make) -> dict[str, str]:
    return {language: make(language) for language in ("en", "pl")}


def run(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The console script with the project's configuration, as an editor runs it."""
    command = [str(NEWSLETTER), "--config", str(CONFIG), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def block_file(folder: Path, name: str, fields: dict, body: dict[str, str]) -> dict:
    """A Markdown block file in each language (``name.md``, ``name.pl.md``), as editors
    keep long texts; the issue names it with ``- file:``."""
    for language, text in body.items():
        own = {k: (v[language] if isinstance(v, dict) and language in v else v)
               for k, v in fields.items()}
        suffix = ".md" if language == "en" else f".{language}.md"
        front = yaml.safe_dump(own, allow_unicode=True)
        (folder / f"{name}{suffix}").write_text(f"---\n{front}---\n{text}\n", "utf-8")
    return {"file": f"{name}.md"}


def long_issue(folder: Path, seed: int, words: int = 5000, cards: int = 12,
               figures: int = 12, pictures: int = 12, email: str | None = None) -> Path:
    """An issue folder in English and Polish with ``words`` words of body text in each
    language, spread over articles of very different lengths and a letter; ``cards``
    cards and ``figures`` figures in groups; ``pictures`` pictures (articles, cards);
    ``email`` (full, teaser) written on every article and letter when given."""
    rng = random.Random(seed)
    (folder / "images").mkdir(parents=True)
    names = []
    for index in range(pictures):
        size = (rng.randint(300, 1400), rng.randint(200, 1200))
        names.append(make_photo(folder / "images" / f"p{index}.jpg", size, seed + index).name)
    articles = max(rng.randint(6, 10), words // 5000)
    weights = [rng.random() ** 2 + 0.02 for _ in range(articles + 1)]  # a few long, many short
    shares = [min(5000, max(40, round(words * w / sum(weights)))) for w in weights]
    shares[-1] += words - sum(shares)  # the letter takes what rounding and the cap left
    chosen = {"email": email} if email else {}
    blocks = []
    for index, share in enumerate(shares[:-1]):
        fields = {"title": both(lambda lang, i=index: f"{rng.choice(WORDS[lang]).title()} {i}"),
                  **chosen}
        if rng.random() < 0.5:
            fields["lead"] = both(lambda lang: prose(rng, lang, rng.randint(15, 40)))
        if index < pictures - cards // 2 and names:
            fields["image"] = {"file": f"images/{names.pop()}",
                               "alt": both(lambda lang, i=index: f"Picture {i}")}
        blocks.append(block_file(folder, f"a{index}", fields,
                                 both(lambda lang, n=share: prose(rng, lang, n))))
    letter = {"type": "letter", "signature": {"name": "Jan Kowalski"}, **chosen}
    blocks.insert(rng.randrange(len(blocks)), block_file(
        folder, "letter", letter, both(lambda lang: prose(rng, lang, max(40, shares[-1])))))
    groups = [list(range(cards))] if rng.random() < 0.5 else [list(range(cards // 2)),
                                                              list(range(cards // 2, cards))]
    for group in groups:
        card_list = []
        for index in group:
            card = {"title": both(lambda lang, i=index: f"{rng.choice(WORDS[lang])} {i}"),
                    "text": both(lambda lang: prose(rng, lang, rng.randint(10, 30))),
                    "url": f"https://example.com/card/{index}"}
            if names:
                card["image"] = {"file": f"images/{names.pop()}",
                                 "alt": both(lambda lang, i=index: f"Card {i}")}
            card_list.append(card)
        blocks.append({"type": "link_cards", "title": both(lambda lang: "Cards"),
                       "intro": both(lambda lang: prose(rng, lang, 25)), "cards": card_list})
    split = rng.randint(1, figures - 1)
    for items in (range(split), range(split, figures)):
        blocks.append({"type": "figures",
                       "items": [{"value": str(rng.randint(1, 99_999)),
                                  "label": both(lambda lang: rng.choice(WORDS[lang]))}
                                 for _ in items]})
    rng.shuffle(blocks)
    third = len(blocks) // 3
    issue = {
        "date": "2026-12-01", "languages": ["en", "pl"],
        "sections": [{"kind": kind, "blocks": part} for kind, part in (
            ("cooperation", blocks[:third]), ("innovation", blocks[third:2 * third]),
            ("past", blocks[2 * third:]))],
    }
    (folder / "issue.yaml").write_text(yaml.safe_dump(issue, allow_unicode=True), "utf-8")
    return folder


def test_a_5000_word_issue_builds_every_edition_and_its_email_fits(tmp_path, project):
    """Issue 16's yardstick, built by the command an editor runs (it failed before: the
    e-mail came to 216 KB and the build wrote no file at all)."""
    folder = long_issue(tmp_path / "2026-12", seed=16)
    issue = load_issue(folder, project)
    for variant in issue.editions():
        assert summarize(variant).words >= 5000
        assert summarize(variant).images == 12
    out = tmp_path / "build"
    built = run("build", folder, "--out", out, timeout=900)
    assert built.returncode == 0, built.stderr
    checked = run("check", folder)
    assert checked.returncode == 0, checked.stderr
    for variant in issue.editions():
        language = variant.language
        target = out / "2026-12" / ("" if language == "en" else f"{language}/")
        for name in ("email.html", "email.txt", "business-krakow-2026-12.pdf",
                     "business-krakow-2026-12-print.pdf", "web/index.html"):
            assert (target / name).stat().st_size > 1000, name
        html = (target / "email.html").read_text("utf-8")
        size = len(html.encode("utf-8"))
        assert size <= BUDGET_BYTES
        web = lxml_html.parse(str(target / "web" / "index.html")).getroot()
        web_ids = set(web.xpath("//@id"))
        # every block has its anchor on the web, untitled letters and figures too
        assert {block.id for _, block in variant.blocks()} <= web_ids
        base = f"{project.site.base_url}2026-12/{'' if language == 'en' else language + '/'}web/"
        words = yaml.safe_load((ROOT / "templates" / "_shared" /
                                "strings.yaml").read_text("utf-8"))[language]["read_more"]
        teasers = re.findall(rf'<a href="{re.escape(base)}#([^"]+)"[^>]*>{words}', html)
        assert teasers, "5,000 words cannot fit in 90 KB without teasers"
        text = (target / "email.txt").read_text("utf-8")
        for block_id in teasers:
            assert block_id in web_ids  # the link opens that very block
            assert f"{words}: {base}#{block_id}" in text  # and the text part says so too
        # check predicted what build made, per language
        line = next(x for x in checked.stdout.splitlines() if f"e-mail ({language})" in x)
        assert f"{round(size / 1024)} KB" in line
        assert teasers == line.split("teasers: ")[1].split(", ")  # in the issue's order


@pytest.mark.parametrize("seed", range(5))
def test_the_longest_blocks_become_teasers_first(tmp_path, project: Project, seed: int):
    rng = random.Random(seed)
    words = rng.choice([1500, 4000, 7000, 10_000])
    issue = load_issue(long_issue(tmp_path / "2026-12", seed, words=words,
                                  cards=rng.randint(1, 12), figures=rng.randint(2, 12),
                                  pictures=rng.randint(0, 6)), project)
    for variant in issue.editions():
        edition = render_email(variant, project)
        assert len(edition.html.encode("utf-8")) <= BUDGET_BYTES
        sizes = edition.block_bytes
        assert set(sizes) == {block.id for _, block in variant.blocks()}
        # the longest first, articles and letters weighed double (a contacts group teased
        # first left phone readers without names: hand-made issue 2027-06; every article
        # teased before a card group sent a short issue as teasers: 2028-02)
        prose = {block.id for _, block in variant.blocks() if block.type in PROSE}

        weight = {b: size * (PROSE_WEIGHT if b in prose else 1) for b, size in sizes.items()}
        kept = [weight[b] for b in sizes if b not in edition.teasers]
        assert all(weight[t] >= max(kept, default=0) for t in edition.teasers)
        if sum(sizes.values()) < BUDGET_BYTES // 2:
            assert not edition.teasers  # a short issue goes out whole
        document = lxml_html.document_fromstring(edition.html)
        for _, block in variant.blocks():
            body = getattr(block, "body", None)
            paragraphs = body.strip().split("\n\n") if body else []
            last = paragraphs[-1][:60] if len(paragraphs) > 1 else None
            if block.id in edition.teasers:
                link = f"{variant.id}/{'' if variant.language == 'en' else 'pl/'}web/#{block.id}"
                assert any(a.get("href", "").endswith(link) for a in document.iter("a"))
                if last:  # the rest of a teaser's text is left to the web edition
                    assert last not in edition.html and last not in edition.text
            elif last:
                assert last in edition.html


def test_the_sample_email_is_lean(sample, project: Project):
    """The sample's e-mail was 72 KB of HTML for 9 KB of text; ≤ 50 KB in each language."""
    for variant in sample.editions():
        edition = render_email(variant, project)
        assert len(edition.html.encode("utf-8")) <= 50 * 1024, variant.language
        assert not edition.teasers
        assert "bk-block" not in edition.html  # the measuring marks are not sent


def test_an_editor_chooses_teaser_or_full(tmp_path, project: Project):
    sample = edited_copy(SAMPLE, tmp_path / "2020-12", {
        "open-city.md": [("title: Open City\n", "title: Open City\nemail: teaser\n")]})
    issue = load_issue(sample, project)
    edition = render_email(issue, project)
    assert edition.teasers == {"open-city"}  # a short issue, but the editor asked
    assert "Read more: https://newsletter.krakow.example/2020-12/web/#open-city" in edition.text
    assert "ICORN" not in edition.text and "ICORN" not in edition.html  # its last paragraph
    assert "ICORN" in render_email(load_issue(SAMPLE, project), project).html

    folder = long_issue(tmp_path / "2026-12", seed=3, words=9000)
    longest = max(folder.glob("a*.md"), key=lambda path: path.stat().st_size).name
    longest = longest.removesuffix(".pl.md").removesuffix(".md")
    for path in (folder / f"{longest}.md", folder / f"{longest}.pl.md"):
        path.write_text("---\nemail: full\n" + path.read_text("utf-8")[4:], "utf-8")
    issue = load_issue(folder, project)
    block = max((b for _, b in issue.blocks() if b.type == "article"),
                key=lambda b: len(b.body))
    edition = render_email(issue, project)
    assert block.email == "full" and block.id not in edition.teasers
    assert edition.teasers and len(edition.html.encode("utf-8")) <= BUDGET_BYTES


def test_forced_full_blocks_over_gmails_limit_are_a_check_error(tmp_path, project: Project):
    folder = long_issue(tmp_path / "2026-12", seed=5, words=14_000, cards=2, figures=2,
                        pictures=0, email="full")
    issue = load_issue(folder, project)
    forced = [b for _, b in issue.blocks() if b.email == "full"]
    assert len(forced) >= 5
    with pytest.raises(ContentError) as raised:
        render_email(issue, project)
    assert "Gmail clips messages over 102 KB" in str(raised.value)
    checked = run("check", folder)
    assert checked.returncode == 1
    assert "Traceback" not in checked.stderr
    for block in forced:  # each named at its own line: the fix is there
        path = block.where.of("email").file
        assert f"{path.name}:{line_of(path, 'email: full')}: email: full" in checked.stderr
    assert "write 'email: teaser'" in checked.stderr
    # build writes the other editions all the same (and the e-mail, with a warning)
    out = tmp_path / "build"
    built = run("build", folder, "--only", "email,web", "--language", "en", "--out", out)
    assert built.returncode == 0, built.stderr
    assert (out / "2026-12" / "web" / "index.html").stat().st_size > 100_000
    assert "Gmail will clip this e-mail" in built.stderr


def test_a_wrong_email_choice_is_named_with_its_line(tmp_path):
    sample = edited_copy(SAMPLE, tmp_path / "2020-12", {
        "open-city.md": [("title: Open City\n", "title: Open City\nemail: short\n")]})
    checked = run("check", sample)
    assert checked.returncode == 1
    assert "open-city.md:" in checked.stderr and "email" in checked.stderr
    assert "'full'" in checked.stderr and "'teaser'" in checked.stderr
    assert "Traceback" not in checked.stderr


@pytest.mark.parametrize("case", ["every block a teaser", "a long issue"])
def test_teasers_are_valid_mjml_for_the_reference_compiler(case, tmp_path, project: Project):
    """The npm mjml compiler in strict mode (MRML accepts anything): the teaser partial,
    the shared sections and the measuring marks are all MJML it knows."""
    from test_email import EVERY_BLOCK, validate_with_reference_mjml

    if case == "a long issue":
        issue = load_issue(long_issue(tmp_path / "2026-12", seed=7, words=8000), project)
        mjml = render_email(issue, project).mjml
        assert render_email(issue, project).teasers
    else:
        issue = load_issue(EVERY_BLOCK, project)
        mjml = render_mjml(issue, project, frozenset(b.id for _, b in issue.blocks()))
        assert mjml.count("bk-block:") == len(list(issue.blocks()))
    result = validate_with_reference_mjml(mjml, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("opening", "notes"), [
    ("Kraków's partners[^1] met in [the Cloth Hall][hall] on Monday.", ["1"]),
    ("## A heading first\n\n- a list, then\n- more\n\nKraków's partners[^note] met in "
     "[the Cloth Hall][Hall] on Monday.", ["note"]),
    ("> A quotation first.\n\nKraków's partners[^1][^2] met in [the Cloth Hall][hall] "
     "on Monday.", ["1", "2"]),
])
def test_a_teaser_opens_with_a_paragraph_that_stands_on_its_own(tmp_path, project, opening,
                                                                 notes):
    """A block without a lead opens its teaser with its first paragraph: its footnote marks
    (the notes stay in the web edition) and link references (written further down) must
    not reach the reader as brackets."""
    sample = edited_copy(SAMPLE, tmp_path / "2020-12", {})
    (sample / "open-city.md").write_text(
        f"---\ntitle: Open City\nemail: teaser\n---\n{opening}\n\nThe rest of it.\n\n"
        + "".join(f"[^{label}]: A note.\n" for label in notes)
        + "\n[hall]: https://example.com/sukiennice\n", encoding="utf-8")
    edition = render_email(load_issue(sample, project).in_language("en"), project)
    assert "open-city" in edition.teasers
    for output in (edition.html, edition.text):
        assert "[^" not in output and "][" not in output and "[the Cloth" not in output
        assert "partners" in output and "note." not in output
    assert 'href="https://example.com/sukiennice"' in edition.html
    assert "https://example.com/sukiennice" in edition.text
    assert "The rest of it" not in edition.text


def test_a_teaser_without_title_or_text_says_what_it_holds(tmp_path, project: Project):
    """A long issue's e-mail showed an untitled card group as a lone "Read more →": a
    reader could not tell what more. A teaser of cards or figures with no title and no
    intro names its first cards or figures, in the HTML and in the text part."""
    folder = tmp_path / "2021-03"
    folder.mkdir()
    cards = "".join(f"""          - title: Narzędzie {n} dla firm
            text: Opis narzędzia {n}.
            url: https://www.krakow.pl/{n}
""" for n in range(1, 6))
    (folder / "issue.yaml").write_text(f"""date: 2021-03-01
language: pl
sections:
  - kind: cooperation
    blocks:
      - type: link_cards
        email: teaser
        cards:
{cards}      - type: figures
        email: teaser
        items:
          - value: "419"
            label: uczestników
          - value: "12 500 zł"
            label: na start
""", encoding="utf-8")
    edition = render_email(load_issue(folder, project), project)
    assert len(edition.teasers) == 2
    for text in (edition.html, edition.text):
        plain = re.sub(r"<[^>]+>", "", text).replace("\u00a0", " ")
        assert "Narzędzie 1 dla firm · Narzędzie 2 dla firm · Narzędzie 3 dla firm …" in plain
        assert "Narzędzie 4" not in plain
        assert "419 uczestników · 12 500 zł na start" in plain


def test_short_articles_stay_whole_when_heavy_groups_fit_the_budget(tmp_path, project):
    """A report issue of 1,956 words (a letter, eleven short articles) with ten cards,
    twelve figures and six contacts went out as 14 teasers of 17 blocks, the letter and
    every article among them (hand-made issue 2028-02): articles were teased before any
    card or figure. The heavy groups go first now; what reads as text stays whole."""
    rng = random.Random(7)
    folder = tmp_path / "2028-02"
    folder.mkdir()
    label = "Liczba nowych firm zarejestrowanych w dzielnicach miasta w ciągu roku"
    blocks = [{"type": "letter", "title": "Rok dobrych wyników", "body": prose(rng, "pl", 180),
               "signature": {"name": "Aleksander Miszalski", "role": "Prezydent"}}]
    blocks += [{"type": "article", "title": f"Artykuł {n}", "lead": prose(rng, "pl", 20),
                "body": prose(rng, "pl", 160)} for n in range(11)]
    blocks += [{"type": "figures", "title": "Rok w liczbach",
                "items": [{"value": f"{n + 1} 234", "label": f"{label} {n}"}
                          for n in range(12)]},
               {"type": "link_cards", "title": "Adresy",
                "cards": [{"title": f"Instytucja wspierająca przedsiębiorców nr {n}",
                           "text": prose(rng, "pl", 35), "url": f"https://krakow.pl/{n}"}
                          for n in range(10)]},
               {"type": "link_cards", "title": "Kontakt",
                "cards": [{"title": f"Osoba {n}", "text": "tel. 12 616 00 00",
                           "url": f"mailto:osoba{n}@um.krakow.pl"} for n in range(6)]}]
    (folder / "issue.yaml").write_text(yaml.safe_dump(
        {"date": "2028-02-01", "language": "pl",
         "sections": [{"kind": "cooperation", "blocks": blocks}]}, allow_unicode=True),
        encoding="utf-8")
    issue = load_issue(folder, project)
    edition = render_email(issue, project)
    sizes = edition.block_bytes
    assert sum(sizes.values()) > BUDGET_BYTES  # over the budget whole: something is teased
    teased = {block.type for _, block in issue.blocks() if block.id in edition.teasers}
    assert teased and teased <= {"figures", "link_cards"}, teased
    assert len(edition.html.encode("utf-8")) <= BUDGET_BYTES


def test_a_letters_teaser_keeps_its_greeting_and_its_signer(tmp_path, project):
    """A letter's teaser opened "rok 2027 był…" (its greeting "Szanowni Państwo," left
    out, so it read as a sentence cut off) and named nobody: the mayor's name was nowhere
    in the e-mail (hand-made issue 2028-02)."""
    folder = tmp_path / "2028-02"
    folder.mkdir()
    (folder / "issue.yaml").write_text(yaml.safe_dump(
        {"date": "2028-02-01", "language": "pl", "sections": [{"kind": "cooperation", "blocks": [
            {"type": "letter", "title": "Rok dobrych wyników", "greeting": "Szanowni Państwo,",
             "body": "rok 2027 był dobry.\n\nDrugi akapit listu.", "email": "teaser",
             "signature": {"name": "Aleksander Miszalski",
                           "role": "Prezydent\nMiasta Krakowa"}}]}]}, allow_unicode=True),
        encoding="utf-8")
    edition = render_email(load_issue(folder, project), project)
    document = lxml_html.document_fromstring(edition.html)
    for br in document.iter("br"):
        br.tail = "\n" + (br.tail or "")
    page = document.text_content()
    for text in (page, edition.text):
        assert "Szanowni Państwo, rok 2027 był dobry." in " ".join(text.split())
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        signer = lines.index("Aleksander Miszalski")
        assert lines[signer + 1:signer + 3] == ["Prezydent", "Miasta Krakowa"], lines
        assert "Drugi akapit" not in text  # the rest is the web page's


def test_an_articles_teaser_keeps_its_kicker(tmp_path, project):
    """The cover story sent as a teaser lost its kicker "TEMAT NUMERU" in the e-mail and
    its text part, which the other articles and every other edition kept (hand-made
    issue 2028-05)."""
    folder = tmp_path / "2028-05"
    folder.mkdir()
    (folder / "issue.yaml").write_text(yaml.safe_dump(
        {"date": "2028-05-01", "language": "pl", "sections": [{"kind": "cooperation", "blocks": [
            {"type": "article", "kicker": "Temat numeru", "title": "Żłobki przy firmach",
             "lead": "Miasto dopłaca do opieki.", "body": "Tekst.", "email": "teaser"}]}]},
        allow_unicode=True), encoding="utf-8")
    edition = render_email(load_issue(folder, project), project)
    page = " ".join(lxml_html.document_fromstring(edition.html).text_content().split())
    assert "Temat numeru Żłobki przy firmach" in page
    assert "TEMAT NUMERU\nŻłobki przy firmach" in edition.text
