"""`newsletter new`: a fresh issue folder with every block type shown, ready to edit, in
English and Polish (the main language first)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from newsletter.exceptions import NewsletterError
from newsletter.load import Project

SCAFFOLD_FILES = ("issue.yaml", "letter.md", "letter.pl.md", "article.md", "article.pl.md")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def scaffold_issue(project: Project, issue_id: str, date: dt.date | None = None) -> Path:
    """Create ``issues/<issue_id>/`` from ``templates/new``; refuse to overwrite anything."""
    if not _ID.match(issue_id):
        raise NewsletterError(
            f"'{issue_id}' is not a valid issue id: use lowercase letters, digits and dashes, "
            "e.g. 2021-01"
        )
    target = project.site.issues_path / issue_id
    if target.exists():
        raise NewsletterError(f"{target} already exists; choose another id or edit that issue")
    date = date or _date_from_id(issue_id) or dt.date.today()
    env = Environment(
        loader=FileSystemLoader(project.site.templates_path / "new"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # YAML and Markdown output, not HTML
    )
    from newsletter.render.templating import month_in_text

    values = {"id": issue_id, "date": date.isoformat(), "month_en": month_in_text(date, "en"),
              "month_pl": month_in_text(date, "pl")}
    target.mkdir(parents=True)
    (target / "images").mkdir()
    for name in SCAFFOLD_FILES:
        (target / name).write_text(env.get_template(name).render(values), encoding="utf-8")
    return target


def _date_from_id(issue_id: str) -> dt.date | None:
    match = re.match(r"^(\d{4})-(\d{2})$", issue_id)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None
