"""A language's typography rules are data people type: `check` names a typo in them (file,
line, key, what is right) instead of reading it leniently and binding nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, edited_copy, line_of

from newsletter.cli import main


def site_with(tmp_path: Path, edits: dict[str, list[tuple[str, str]]]) -> Path:
    """A copy of the site and its sample issue with texts of its templates' shared files
    replaced (:func:`conftest.edited_copy`)."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "newsletter.toml", site)
    for folder in ("assets", "issues"):
        shutil.copytree(ROOT / folder, site / folder)
    edited_copy(ROOT / "templates", site / "templates",
                {f"_shared/{name}": replacements for name, replacements in edits.items()})
    return site


def check(site: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", str(site / "newsletter.toml"), "check",
                                     str(site / "issues" / "2020-12")])


def test_the_shipped_rules_have_no_problem(tmp_path):
    result = check(site_with(tmp_path, {}))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("file", "old", "new", "line_text", "said"), [
    # A key misspelt: its words would bind nothing.
    ("strings.yaml", "    bind_after: [a, i, o, u, w, z,", "    bind_afer: [a, i, o, u, w, z,",
     "bind_afer", ["typography of 'pl' has no rule 'bind_afer'", "did you mean 'bind_after'?"]),
    # A switch written as a word.
    ("strings.yaml", "    bind_numbers: false", "    bind_numbers: nope",
     "bind_numbers: nope", ["'en': 'bind_numbers' must be true or false", "'nope'"]),
    # A kind of space misspelt in the quoted languages' file: it became a word space.
    ("typography.yaml", '"!": narrow', '"!": narow', '"!": narow',
     ["'fr': 'space_before'", "'!'", "no kind of space 'narow'", "did you mean 'narrow'?"]),
    # Two marks in one key.
    ("typography.yaml", 'space_after: {"«": no-break}', 'space_after: {"« ": no-break}',
     "space_after:", ["'fr': 'space_after'", "not one punctuation mark"]),
    # A word list written as one text.
    ("typography.yaml", "  bind_numbers: true\nru:", "  bind_numbers: true\n  bind_units: km\nru:",
     "bind_units: km", ["'uk': 'bind_units' must be a list of words", "'km'"]),
    # Two words in one entry: the space between them would never be found.
    ("typography.yaml", "[z., d., u., o.,", "[z. B., d., u., o.,", "[z. B., d., u., o.,",
     ["'de': 'bind_after'", "'z. B.' is not one word"]),
    # Hyphenation limits of two numbers, or a word: CSS would drop the declaration.
    ("strings.yaml", "hyphen_limits: [5, 2, 3]", "hyphen_limits: [2, 3]",
     "hyphen_limits: [2, 3]", ["'en': 'hyphen_limits' must be three whole numbers", "e.g."]),
    ("strings.yaml", "hyphen_limits: [5, 2, 3]", "hyphen_limits: three",
     "hyphen_limits: three", ["'en': 'hyphen_limits' must be three whole numbers"]),
    # A hyphen for the titles' dash: "Business Kraków - czerwiec 2029".
    ("strings.yaml", '    dash: "–"', '    dash: "-"', 'dash: "-"',
     ["'pl': 'dash' must be an en dash", "'-'"]),
])
def test_a_typo_in_the_rules_is_named_with_its_line(tmp_path, file, old, new, line_text, said):
    site = site_with(tmp_path, {file: [(old, new)]})
    result = check(site)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    path = site / "templates" / "_shared" / file
    where = f"{Path('templates') / '_shared' / file}:{line_of(path, line_text)}"
    lines = [line for line in result.output.splitlines() if where in line]
    assert lines, result.output
    assert all(part in lines[0] for part in said), lines[0]
