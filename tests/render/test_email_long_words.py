"""Long words in the e-mail's narrow cells break with a hyphen, never without one
(typography.soft_hyphens): no mail client hyphenates, and ``overflow-wrap: anywhere`` set
"wewnątrzwspólnoto" / "wym." in a 150 px card (hand-made issue 2029-03, at 1024 px).

Inputs: a row of three link cards and a block of five figures whose texts and labels are
seeded long Polish and English words (12–24 letters); the e-mail in Chromium at 1024 and
375 px, each word of the cards' and figures' texts drawn over two lines found by its
Range's rectangles."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import evaluated, published

from newsletter.load import load_issue
from newsletter.publish import build, choose_editions

LONG = {"pl": ["wewnątrzwspólnotowym", "internacjonalizacji", "przedsiębiorczości",
               "współfinansowanego", "teleinformatycznych", "niezrealizowanych",
               "wielkopowierzchniowych", "zrównoważonego"],
        "en": ["internationalisation", "intra-community", "telecommunications",
               "entrepreneurship", "environmentally", "responsibilities",
               "manufacturers", "administrative"]}
SHORT = {"pl": ["dla", "firm", "oraz", "w", "mieście", "nowe"],
         "en": ["for", "firms", "and", "the", "city", "new"]}

BREAKS = """() => {
  // words drawn over two lines: a fault unless the word holds a soft hyphen, the only
  // place a hyphen is drawn (a range's rects per character are unreliable at a soft
  // break: Chromium gives the first letter after it the line before's top)
  const found = [];
  for (const cell of document.querySelectorAll('.card-text, .bk-card .bk-text')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.textContent.matchAll(/[\\p{L}\\u00ad]+/gu)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0)
                                .map((r) => Math.round(r.top)));
        if (lines.size > 1 && !word[0].includes('\\u00ad')) found.push(word[0]);
      }
    }
  }
  return found;
}"""


def issue_folder(root: Path, language: str, seed: int) -> Path:
    rng = random.Random(seed)

    def text(count: int) -> str:
        return " ".join(rng.choice(LONG[language] if rng.random() < 0.5 else SHORT[language])
                        for _ in range(count)).capitalize()

    folder = root / f"long-words-{language}-{seed}"
    folder.mkdir(parents=True)
    cards = "".join(f"          - title: Karta {index}\n            text: {text(12)}.\n"
                    f"            url: https://www.dlabiznesu.krakow.pl/{index}\n"
                    for index in range(3))
    figures = "".join(f"          - {{value: '{index + 10}', label: {text(3)}}}\n"
                      for index in range(5))
    (folder / "issue.yaml").write_text(
        f"date: 2029-03-01\nlanguages: [{language}]\nsections:\n  - kind: cooperation\n"
        "    blocks:\n      - type: link_cards\n        cards:\n" + cards
        + "      - type: figures\n        items:\n" + figures, encoding="utf-8")
    return folder


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_long_word_in_a_narrow_cell_breaks_with_a_hyphen(tmp_path, browser, language):
    out = tmp_path / "out"
    with published(out) as project:
        for seed in (1, 2):
            issue = load_issue(issue_folder(tmp_path / "src", language, seed), project)
            build(issue, project, choose_editions(["email"]), out)
            for width in (1024, 375):
                broken = evaluated(browser, f"{project.site.base_url}{issue.id}/email.html",
                                   width, BREAKS)
                assert broken == [], f"{language} seed {seed} at {width} px: {broken[:6]}"
