"""The words docs/authoring.md says the templates print are the words they print: where a
paragraph of the editors' guide quotes a template word of the main language and says what
a Polish issue shows instead, it quotes the Polish word of templates/_shared/strings.yaml.
(The Polish 'read_more' changed to 'Więcej' while the guide still promised 'Czytaj
więcej' for the card button and the teaser link.)"""

from __future__ import annotations

import re

import yaml
from conftest import ROOT


def paragraphs() -> list[str]:
    text = (ROOT / "docs" / "authoring.md").read_text("utf-8")
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]


def test_the_guide_quotes_the_polish_words_the_templates_print():
    strings = yaml.safe_load((ROOT / "templates/_shared/strings.yaml").read_text("utf-8"))
    english, polish = strings["en"], strings["pl"]
    checked, wrong = 0, []
    for paragraph in paragraphs():
        if "Polish" not in paragraph:
            continue
        quoted = set(re.findall(r"[\"“„]([^\"”]+)[\"”]", paragraph))
        for key, word in english.items():
            if isinstance(word, str) and word in quoted and isinstance(polish.get(key), str):
                checked += 1
                if polish[key] not in quoted:
                    wrong.append(f"{key}: guide quotes {sorted(quoted - {word})}, "
                                 f"strings.yaml says {polish[key]!r}")
    assert checked >= 2, "the guide no longer quotes the button's and teaser's words"
    assert not wrong, wrong
