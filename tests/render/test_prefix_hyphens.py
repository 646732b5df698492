"""A one-letter prefix keeps its word on paper, in every language (typography.
prefixes_whole): the English PDF set "filed online through the e-" / "Urząd platform"
(hand-made issue 2029-06), a stray letter at the line's end. Seeded English and Polish
text thick with "e-mail", "e-Urząd", "e-commerce", "x-ray"; the readers' PDF's drawn lines
(pdftotext), and what a reader copies (the typed hyphen-minus, U+002D)."""

from __future__ import annotations

import random
import re
import subprocess

import pytest
from conftest import one_article_issue
from paper import drawn_lines

from newsletter.load import load_issue
from newsletter.render.print import write_download

PREFIXED = ["e-mail", "e-Urząd", "e-commerce", "x-ray", "e-learning", "e-faktura"]
WORDS = {"en": ["apply", "online", "through", "the", "platform", "for", "small", "firms",
                "and", "city", "grants"],
         "pl": ["wniosek", "można", "złożyć", "przez", "platformę", "dla", "małych", "firm",
                "miasta"]}


@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_one_letter_prefix_never_ends_a_line(project, tmp_path, language):
    rng = random.Random(language)
    body = "\n\n".join(" ".join(rng.choice(PREFIXED) if rng.random() < 0.3
                                else rng.choice(WORDS[language]) for _ in range(60)) + "."
                       for _ in range(8))
    folder = one_article_issue(tmp_path / "2021-01", body, "Prefixes", language)
    pdf = write_download(load_issue(folder, project), project, tmp_path / "out").files[0]
    lines = drawn_lines(pdf)
    ends = [" ".join(w.text for w in line) for line in lines
            if re.fullmatch(r"\w[-\u2010\u2011]", line[-1].text)]
    assert len(lines) > 30
    assert not ends, ends[:5]
    copied = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    assert "e-Urząd" in copied and "x-ray" in copied and "\u2011" not in copied
