"""No word is hyphenated across a page or a column (render/page_end_hyphens.py): hand-made issues
2029-03 ("samodziel-" / "nie") and 2029-06 ("leather and gro-" / "ceries", "finanso-" /
"wane") made the reader turn the page in the middle of a word.

Inputs: seeded issues of Polish and English articles of 150 to 700 words (one column and
two) whose long words hyphenate often; the last line of every column of every page (but
the last page's second column), read from the readers' PDF (tests/page_depth.py): it
never ends with a hyphen line breaking added (copied as U+00AD)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from page_depth import measured_pages
from seeded import seeded
from typeset_text import plain_sentences

from newsletter.load import load_issue
from newsletter.render.print import write_download

WORDS = {"pl": ["przedsiębiorczość", "finansowane", "samodzielnie", "modernizacyjnego",
                "wewnątrzwspólnotowy", "i", "w", "oraz", "dla", "firm", "miasto", "programy"],
         "en": ["entrepreneurship", "groceries", "independently", "modernisation",
                "manufacturers", "and", "the", "for", "firms", "city", "programmes", "a"]}


def issue_folder(root: Path, language: str, seed: int) -> Path:
    rng = random.Random(seed)
    sentence = plain_sentences(rng, WORDS[language])
    folder = root / f"hyphens-{language}-{seed}"
    folder.mkdir(parents=True)
    blocks = ""
    for index in range(rng.randint(3, 5)):
        words = rng.randint(150, 700)
        body = "\n\n".join(sentence(rng.randint(20, 60)) for _ in range(words // 40 + 1))
        (folder / f"a{index}.md").write_text(
            f"---\ntitle: {sentence(4)[:-1]}\nlead: {sentence(20)}\n---\n{body}\n",
            encoding="utf-8")
        blocks += f"      - file: a{index}.md\n"
    (folder / "issue.yaml").write_text(
        f"date: 2029-06-01\nlanguages: [{language}]\nsections:\n  - kind: cooperation\n"
        f"    blocks:\n{blocks}", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("language", "seed"),
                         [(language, seed) for language in ("pl", "en")
                          for seed in seeded(range(1, 7))])
def test_no_page_ends_in_the_middle_of_a_word(project, tmp_path, language, seed):
    pdf = write_download(load_issue(issue_folder(tmp_path, language, seed), project), project,
                         tmp_path / "out").files[0]
    pages = measured_pages(pdf)
    assert len(pages) > 2
    cut = []
    for page in pages:
        middle = (min(line.x0 for line in page.lines) + max(line.x1 for line in page.lines)) / 2
        for column in ([ln for ln in page.lines if ln.x0 < middle - 5],
                       [ln for ln in page.lines if ln.x0 >= middle - 5]):
            if column and (page is not pages[-1] or column[-1].x0 < middle - 5):
                foot = max(column, key=lambda line: line.bottom)
                if foot.text.endswith("\u00ad"):
                    cut.append((page.number, foot.text[-30:]))
    assert not cut, cut


def test_a_page_without_lines_is_passed_over():
    """A page of the flow with no line on it (a card's empty panel carried overleaf, a
    picture alone) stopped the printer's PDF of generated seed 9660 with a ValueError."""
    import weasyprint

    from newsletter.render.page_end_hyphens import hyphens_across_pages

    html = ('<html lang="pl"><style>@page { size: 100mm 100mm } p { hyphens: auto; '
            "width: 30mm }</style><p>Przedsiębiorczość finansowane samodzielnie.</p>"
            '<div style="break-before: page; height: 60mm; background: #eee"></div>'
            '<p style="break-before: page">Koniec.</p></html>')
    source = weasyprint.HTML(string=html)
    document = source.render()
    assert len(document.pages) == 3
    assert hyphens_across_pages(source, document) == set()
