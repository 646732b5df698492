"""Only what is published is public: `newsletter site` lists approved issues only.

A project under tmp_path with three issues: the sample (2020-12, approved in a real
SQLite list), a draft (2021-01, never approved) and a broken draft (2021-02, a typo in a
field). The archive pages and feeds are read as a feed reader and a browser get them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT, SAMPLE, edited_copy

from newsletter.cli import main

APPROVED, DRAFT, BROKEN = "2020-12", "2021-01", "2021-02"


def write_config(root: Path, extra: str = "", name: str = "newsletter.toml") -> Path:
    """newsletter.toml for the project in ``root``: the real templates and theme, its own
    issues/ and build/."""
    text = (ROOT / "newsletter.toml").read_text(encoding="utf-8")
    for setting in ("assets/theme.yaml", "templates"):
        text = text.replace(f'= "{setting}"', f'= "{ROOT / setting}"')
    config = root / name
    config.write_text(text + extra, encoding="utf-8")
    return config


def newsletter(config: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def public_pages(build: Path) -> str:
    """Every archive page and feed, in every language, as one text."""
    pages = [*build.glob("index.html"), *build.glob("feed.xml"), *build.glob("*/index.html"),
             *build.glob("*/feed.xml")]  # fmt: skip
    pages = [p for p in pages if p.parent == build or len(p.parent.name) == 2]
    assert (build / "index.html") in pages and (build / "feed.xml") in pages
    return "\n".join(p.read_text(encoding="utf-8") for p in pages)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("published")
    issues = root / "issues"
    shutil.copytree(SAMPLE, issues / APPROVED)
    shutil.copytree(DATA / "every-block", issues / DRAFT)
    edited_copy(DATA / "every-block", issues / BROKEN, {"issue.yaml": [("\nsubject:",
                                                                        "\nsubjct:")]})
    config = write_config(root)
    db = root / "list.db"
    newsletter(config, "approve", str(issues / APPROVED), "--by", "Anna Nowak", "--db", str(db))
    out = newsletter(config, "site", "--db", str(db))
    return {"root": root, "config": config, "db": db, "issues": issues,
            "build": root / "build", "out": out}  # fmt: skip


def test_drafts_and_broken_drafts_stay_out_of_the_archive_and_the_feed(project):
    build, out = project["build"], project["out"]
    public = public_pages(build)
    assert f"{APPROVED}/web/" in public and f"{APPROVED}/business-krakow-{APPROVED}.pdf" in public
    assert DRAFT not in public and BROKEN not in public
    assert not (build / DRAFT).exists() and not (build / BROKEN).exists()  # nothing built
    assert f"warning: {DRAFT} not published: draft: not approved yet" in out
    # the broken draft is named as `check` names it: file:line, what would be right
    assert f"warning: {BROKEN} (a draft, skipped): " in out
    assert f"{BROKEN}/issue.yaml:" in out and "did you mean 'subject'" in out


def test_site_needs_the_list_that_holds_the_approvals(project, monkeypatch):
    monkeypatch.delenv("NEWSLETTER_DB", raising=False)
    out = newsletter(project["config"], "site", code=1)
    assert "site publishes approved issues only" in out and "--db" in out


def test_with_review_off_every_issue_that_builds_is_published_and_a_broken_one_reported(
    project,
):
    off = write_config(project["root"], "\n[review]\napprovals = 0\n", "off.toml")
    out = newsletter(off, "site", code=1)  # one published issue failed: exit 1, after the rest
    assert f"{BROKEN}/issue.yaml:" in out and "did you mean 'subject'" in out
    assert "an issue meant to be published did not build" in out
    public = public_pages(project["build"])
    assert f"{APPROVED}/web/" in public and f"{DRAFT}/web/" in public and BROKEN not in public
    shutil.rmtree(project["build"] / DRAFT)  # back to what the approvals publish
    newsletter(project["config"], "site", "--db", str(project["db"]))


def test_an_approved_issue_changed_since_is_not_published_until_approved_again(project):
    folder, build = project["issues"] / APPROVED, project["build"]
    article = folder / "open-city.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA late edit.\n",
                       encoding="utf-8")  # fmt: skip
    out = newsletter(project["config"], "site", "--db", str(project["db"]))
    assert (f"warning: {APPROVED} not published: draft: changed since the approval by "
            "Anna Nowak on ") in out and "open-city.md" in out  # fmt: skip
    assert APPROVED not in public_pages(build)
    # what was published stays where it was: the sent e-mails' pictures and links work
    assert (build / APPROVED / "web" / "index.html").is_file()
    assert "A late edit." not in (build / APPROVED / "web" / "index.html").read_text("utf-8")
    newsletter(project["config"], "approve", str(folder), "--by", "Jan Kowalski", "--db",
               str(project["db"]))  # fmt: skip
    newsletter(project["config"], "site", "--db", str(project["db"]))
    assert f"{APPROVED}/web/" in public_pages(build)
    assert "A late edit." in (build / APPROVED / "web" / "index.html").read_text("utf-8")
