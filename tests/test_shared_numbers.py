"""A figure's value written once for every language is printed in each edition's number
style (newsletter/shared_numbers.py): hand-made issue 2029-03's English edition printed
"3 400" and "37 %" as the Polish one wrote them, beside "2,000" and "20%" in its own
text. Seeded numbers, each written as CLDR writes it in one language, come out as CLDR
writes them in the other; what is no number stays as written."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal

from newsletter.load import load_issue
from newsletter.render.email import render_email
from newsletter.shared_numbers import localized_value

PAIRS = [("pl", "en"), ("en", "pl"), ("pl", "de"), ("en", "uk"), ("de", "en")]


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_a_number_written_in_one_language_is_written_as_the_other_writes_it(source, target):
    rng = random.Random(f"{source}{target}")
    for _ in range(300):
        number = Decimal(rng.randint(0, 10 ** rng.randint(1, 9))) / 10 ** rng.choice([0, 0, 1, 2])
        written = format_decimal(number, locale=source)
        expected = format_decimal(number, locale=target)
        assert localized_value(written, source, target) == expected, written


def test_percent_signs_plus_and_signs_follow_the_language():
    assert localized_value("37 %", "pl", "en") == "37%"
    assert localized_value("99,5%", "pl", "en") == "99.5%"
    assert localized_value("45%", "en", "de") == "45\u00a0%"
    assert localized_value("1 000 000+", "pl", "en") == "1,000,000+"
    assert localized_value("~2,5", "pl", "en") == "~2.5"


@pytest.mark.parametrize("value", ["2029–2031", "+48 12 616 12 34", "127 ha", "12 5000",
                                   "1,2,3", "ZOOM", "3400", "1.250.000", "10/12", "2,5 mln"])
def test_what_is_no_number_in_the_source_style_stays_as_written(value):
    assert localized_value(value, "pl", "en") == value


def test_only_values_written_once_change_in_the_translation(project, tmp_path: Path):
    folder = tmp_path / "2029-03"
    folder.mkdir()
    (folder / "issue.yaml").write_text(
        "date: 2029-03-01\nlanguages: [pl, en]\nsections:\n  - kind: cooperation\n"
        "    blocks:\n      - type: figures\n        title: {pl: Liczby, en: Numbers}\n"
        "        items:\n"
        "          - {value: '3 400', label: {pl: miejsc pracy, en: jobs}}\n"
        "          - {value: '37 %', label: {pl: udział usług, en: share of services}}\n"
        "          - {value: !same '1 250', label: {pl: firm, en: firms}}\n"
        "          - {value: {pl: '2,5 mld zł', en: 'PLN 2.5 bn'}, label: {pl: nakłady, "
        "en: spending}}\n"
        "          - {value: '2029–2031', label: {pl: lata, en: years}}\n", encoding="utf-8")
    issue = load_issue(folder, project)
    english = issue.translations["en"]

    def values(edition) -> list[str]:
        return [item.value for _, block in edition.blocks() for item in block.items]

    assert values(issue) == ["3 400", "37 %", "1 250", "2,5 mld zł", "2029–2031"]
    assert values(english) == ["3,400", "37%", "1 250", "PLN 2.5 bn", "2029–2031"]
    text = render_email(english, project).text  # every edition prints the model's value
    assert "3,400" in text and "37%" in text and "3 400" not in text
