"""Characters no font of the PDFs has: one warning each, at the file and line an editor
wrote them, checked against the real fonts of the theme."""

from __future__ import annotations

import shutil

from conftest import DATA, ROOT, SAMPLE, edited_copy, line_of, shown

from newsletter.coverage import uncovered
from newsletter.load import Project, load_issue
from newsletter.publish import build, choose_editions
from newsletter.theme import load_theme

HIEROGLYPH = "\U00013000"
NO_FONT = (
    "is in no font the PDFs embed (Source Sans 3, Noto Emoji); they print it as a box or in a "
    "font of the machine that builds them (e-mail and web use the reader's fonts)"
)


def test_the_sample_needs_no_other_font(sample, project: Project):
    assert uncovered(sample, project.theme) == []


def test_each_character_is_named_at_its_line(project: Project, tmp_path):
    issue_dir = edited_copy(SAMPLE, tmp_path / "issue", {
        "open-city.md": [
            ("title: Open City", f"title: Open City {HIEROGLYPH}"),
            ("  relevant nowadays.", f"  relevant nowadays {HIEROGLYPH}."),  # lead: >-
            ("In December, in Krakow", f"In December {HIEROGLYPH}{HIEROGLYPH}, in Krakow"),
        ],
        "issue.yaml": [("en: thematic tracks", "en: thematic tracks \u0d9e")],
    })
    found = [shown(p, tmp_path) for p in uncovered(load_issue(issue_dir, project),
                                                        project.theme)]
    md, yaml = issue_dir / "open-city.md", issue_dir / "issue.yaml"
    name = f"'{HIEROGLYPH}' (U+13000 EGYPTIAN HIEROGLYPH A001) {NO_FONT}"
    assert found == [
        f"issue/issue.yaml:{line_of(yaml, 'thematic tracks')}: '\u0d9e' (U+0D9E SINHALA "
        f"LETTER KANTAJA NAASIKYAYA) {NO_FONT}",
        *(f"issue/open-city.md:{line_of(md, text)}: {name}"
          for text in ("title: Open City", "relevant nowadays", "In December")),
    ]


def test_emoji_sequences_and_format_characters_need_no_warning(project: Project, tmp_path):
    issue_dir = edited_copy(DATA / "every-block", tmp_path / "issue", {"issue.yaml": [
        ("title: Życzenia świąteczne", "title: Życzenia 🎄 świą\u00adteczne 👩‍💻 👍🏽 ❤️ 🇵🇱 1️⃣"),
        ("label: dni", "label: dni\u200b \u2060🏳️‍🌈"),
    ]})
    assert uncovered(load_issue(issue_dir, project), project.theme) == []


def test_a_missing_font_file_is_named_at_its_theme_line(project: Project, tmp_path):
    shutil.copytree(ROOT / "assets", tmp_path / "assets")
    (tmp_path / "assets" / "fonts" / "noto-emoji" / "NotoEmoji-Regular.ttf").unlink()
    theme = load_theme(tmp_path / "assets" / "theme.yaml")
    issue_dir = edited_copy(DATA / "every-block", tmp_path / "issue", {
        "issue.yaml": [("label: dni", "label: dni 🚀")],
    })
    found = [shown(p, tmp_path) for p in uncovered(load_issue(issue_dir, project), theme)]
    theme_line = line_of(tmp_path / "assets" / "theme.yaml", "file: fonts/noto-emoji/")
    assert found[0].startswith(f"assets/theme.yaml:{theme_line}: font file not found: ")
    assert len(found) == 2 and "issue.yaml" in found[1] and "'🚀' (U+1F680 ROCKET)" in found[1]
    (tmp_path / "assets" / "fonts" / "noto-emoji" / "NotoEmoji-Regular.ttf").write_text("no")
    found = [shown(p, tmp_path) for p in uncovered(load_issue(issue_dir, project), theme)]
    assert found[0].startswith(f"assets/theme.yaml:{theme_line}: NotoEmoji-Regular.ttf is not "
                               "a font fontTools can read (TTLibError: ")


def test_build_warns_once_for_both_pdfs_and_not_for_the_email(project: Project, tmp_path):
    issue_dir = edited_copy(DATA / "every-block", tmp_path / "issue", {
        "issue.yaml": [("label: dni", f"label: dni {HIEROGLYPH}")],
    })
    issue = load_issue(issue_dir, project)
    pdfs = build(issue, project, choose_editions(["pdf", "print"]), tmp_path / "out").warnings
    assert [w for w in pdfs if "U+13000" in w] == [
        f"{issue_dir / 'issue.yaml'}:{line_of(issue_dir / 'issue.yaml', 'label: dni')}: "
        f"'{HIEROGLYPH}' (U+13000 EGYPTIAN HIEROGLYPH A001) {NO_FONT}"
    ]
    email = build(issue, project, choose_editions(["email"]), tmp_path / "out").warnings
    assert not [w for w in email if "U+13000" in w]
