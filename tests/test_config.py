"""newsletter.toml and the theme get the same error quality as issue files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, shown

from newsletter.exceptions import ContentError
from newsletter.load import load_project

GOOD = (ROOT / "newsletter.toml").read_text(encoding="utf-8")


def problems_of(tmp_path: Path, config: str, theme: str | None = None) -> list[str]:
    (tmp_path / "assets").mkdir(parents=True)
    (tmp_path / "newsletter.toml").write_text(config, encoding="utf-8")
    if theme is None:
        shutil.copy(ROOT / "assets" / "theme.yaml", tmp_path / "assets" / "theme.yaml")
    else:
        (tmp_path / "assets" / "theme.yaml").write_text(theme, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_project(tmp_path / "newsletter.toml")
    return [shown(p, tmp_path) for p in caught.value.problems]


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_the_real_configuration_loads(project):
    assert project.site.name == "Business Kraków"
    assert project.site.base_url.endswith("/")
    assert set(project.theme.sections) == {"cooperation", "innovation", "past"}


def test_misspelled_key_is_named_with_a_suggestion(tmp_path):
    config = GOOD.replace("base_url =", "base_ulr =")
    assert problems_of(tmp_path, config) == [
        f"newsletter.toml:{line_of(config, 'base_ulr')}: unknown field 'base_ulr' — did you "
        "mean 'base_url'?",
    ]


def test_bad_sender_address_and_list_id(tmp_path):
    config = GOOD.replace('email = "pi.umk@um.krakow.pl"', 'email = "pi.umk.um.krakow.pl"')
    config = config.replace('list_id = "business-krakow.newsletter.krakow.example"',
                            'list_id = "business krakow"')
    assert problems_of(tmp_path, config) == [
        f"newsletter.toml:{line_of(config, 'list_id')}: 'list_id': 'business krakow' is not in "
        "the expected form",
        f"newsletter.toml:{line_of(config, 'email')}: 'pi.umk.um.krakow.pl' is not a valid "
        "e-mail address: An email address must have an @-sign",
    ]


def test_invalid_toml_names_its_line(tmp_path):
    config = GOOD.replace('tagline = { en = "Business Support Centre",', "tagline = Business {")
    assert config != GOOD
    problems = problems_of(tmp_path, config)
    assert len(problems) == 1
    assert problems[0].startswith(f"newsletter.toml:{line_of(config, 'tagline')}: invalid TOML")


def test_missing_theme_file_is_named(tmp_path):
    config = GOOD.replace('theme = "assets/theme.yaml"', 'theme = "assets/them.yaml"')
    assert problems_of(tmp_path, config) == ["assets/them.yaml: file not found"]


def test_theme_errors_name_the_colour(tmp_path):
    theme = (ROOT / "assets" / "theme.yaml").read_text(encoding="utf-8")
    theme = theme.replace('accent: "#003c7d"', 'accent: "blue"')
    theme = theme.replace("color: past", "color: pats")
    assert problems_of(tmp_path, GOOD, theme) == [
        f"assets/theme.yaml:{line_of(theme, '  accent:')}: 'accent': 'blue' is not in the "
        "expected form",
    ]
    theme = theme.replace('accent: "blue"', 'accent: "#003c7d"')
    assert problems_of(tmp_path / "2", GOOD, theme) == [
        f"assets/theme.yaml:{line_of(theme, '    color: pats')}: unknown colour 'pats' — did "
        "you mean 'past'? (see 'colors')",
    ]


def language_problems_of(tmp_path: Path, config: str, theme: str) -> list[str]:
    """What ``check`` says the site lacks for an issue in en and pl."""
    (tmp_path / "assets").mkdir(parents=True)
    (tmp_path / "newsletter.toml").write_text(config, encoding="utf-8")
    (tmp_path / "assets" / "theme.yaml").write_text(theme, encoding="utf-8")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    project = load_project(tmp_path / "newsletter.toml")
    return [shown(p, tmp_path) for p in project.language_problems(["en", "pl"])]


THEME = (ROOT / "assets" / "theme.yaml").read_text(encoding="utf-8")


def test_section_labels_exist_in_every_language(tmp_path):
    broken = THEME.replace('name: {en: "Innovation", pl: "innowacje"}', 'name: {en: "Innovation"}')
    assert broken != THEME
    problems = language_problems_of(tmp_path, GOOD, broken)
    line = line_of(broken, '    name: {en: "Innovation"}')
    assert problems == [f"assets/theme.yaml:{line}: 'sections.innovation.name' has no 'pl' "
                        "text: add pl: … (in Polski)"]


def test_a_polish_issue_gets_polish_labels_and_an_english_one_english(project):
    polish = project.theme.section("cooperation").words("pl")
    english = project.theme.section("cooperation").words("en")
    assert (polish.label, polish.name) == ("Czas na", "współpracę")
    assert english.heading == "Call for Cooperation"


def test_a_tagline_per_language_needs_every_language(tmp_path):
    config = GOOD.replace(', pl = "Centrum Wsparcia Biznesu" }', " }")
    assert config != GOOD
    problems = language_problems_of(tmp_path, config, THEME)
    assert problems == [f"newsletter.toml:{line_of(config, 'tagline')}: 'tagline' has no 'pl' "
                        "text: add pl = \"…\" (in Polski)"]


def test_a_tagline_written_once_serves_every_language(tmp_path):
    config = GOOD.replace('tagline = { en = "Business Support Centre", pl = "Centrum Wsparcia '
                          'Biznesu" }', 'tagline = "Kraków"')
    assert config != GOOD
    assert language_problems_of(tmp_path, config, THEME) == []
    project = load_project(tmp_path / "newsletter.toml")
    assert project.site.tagline_in("pl") == project.site.tagline_in("en") == "Kraków"


def test_values_bound_for_mail_headers_are_one_line(tmp_path):
    """A CR/LF in base_url once reached List-Unsubscribe and wrote a Bcc: into every message."""
    config = GOOD.replace(
        'base_url = "https://newsletter.krakow.example/"',
        'base_url = "https://newsletter.krakow.example/\\r\\nBcc:x@example.com"',
    )
    config = config.replace('list_id = "business-krakow.newsletter.krakow.example"',
                            'list_id = "business-krakow.newsletter.krakow.example\\u0000"')
    config = config.replace('name = "Business Kraków"\nemail', 'name = "Business\\nKraków"\nemail')
    config = config.replace('email = "pi.umk@um.krakow.pl"', 'email = "pi.umk@um.krakow.pl\\t"')
    config = config.replace(
        'name = "Business Kraków"\ntagline', 'name = "Business\\u0085Kraków"\ntagline'
    )
    sender_name = line_of(config, 'name = "Business\\n')
    rule = "must be one line without control characters (it goes into mail headers), but it " \
        "contains"
    assert problems_of(tmp_path, config) == [
        f"newsletter.toml:{line_of(config, 'name =')}: 'name' {rule} U+0085",
        f"newsletter.toml:{line_of(config, 'base_url')}: 'base_url' {rule} U+000D",
        f"newsletter.toml:{line_of(config, 'list_id')}: 'list_id' {rule} U+0000",
        f"newsletter.toml:{sender_name}: 'name' {rule} U+000A",
        f"newsletter.toml:{line_of(config, 'email')}: 'email' {rule} U+0009",
    ]


def test_a_trusted_proxy_that_is_no_address_is_named_at_its_line(tmp_path):
    config = GOOD + '\n[serve]\ntrusted_proxies = ["127.0.0.1", "10.0.0.0/33", "nginx"]\n'
    line = line_of(config, "trusted_proxies")
    assert problems_of(tmp_path, config) == [
        f"newsletter.toml:{line}: '10.0.0.0/33' in trusted_proxies is not an address or a "
        "network (e.g. 10.0.0.5 or 10.0.0.0/24)",
        f"newsletter.toml:{line}: 'nginx' in trusted_proxies is not an address or a "
        "network (e.g. 10.0.0.5 or 10.0.0.0/24)",
    ]
    good = load_project(ROOT / "newsletter.toml")
    assert good.site.serve.trusted_proxies == ["127.0.0.1/32", "::1/128"]


def test_an_admins_toml_slips_are_named_in_tomls_words(tmp_path):
    """Uncommenting `trusted_proxies` but not its `[serve]` line put it under the table
    above ("unknown field", with that table's fields as the suggestion); one proxy written
    without brackets was "must be a list ('- ' items)", YAML's words in a TOML file."""
    config = GOOD.replace("# trusted_proxies =", "trusted_proxies =")
    line = line_of(config, "trusted_proxies")
    [problem] = problems_of(tmp_path / "a", config)
    assert problem.startswith(f"newsletter.toml:{line}: unknown field 'trusted_proxies'")
    assert problem.endswith(": it belongs in [serve] (is the [serve] line missing or still "
                            "commented out?)"), problem
    config = GOOD + '\n[serve]\ntrusted_proxies = "10.0.0.0/8"\n'
    assert problems_of(tmp_path / "b", config) == [
        f"newsletter.toml:{line_of(config, 'trusted_proxies')}: 'trusted_proxies' must be a "
        "list in brackets: [\"…\", \"…\"], not '10.0.0.0/8'"]
