"""The e-mail's CSS inlining: the stylesheet's rules remembered on disk, the e-mail unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLE

# A process of its own for each inlining: the rules kept in memory would otherwise answer.
_INLINE = """
import sys
from pathlib import Path
from newsletter.load import load_issue, load_project
from newsletter.render.email import compile_mjml, render_mjml
from newsletter.render.css_inlining import inline_css
project = load_project(Path(sys.argv[1]) / "newsletter.toml")
issue = load_issue(Path(sys.argv[2]), project)
sys.stdout.write(inline_css(compile_mjml(render_mjml(issue, project))))
"""


def _inlined(cache: Path) -> str:
    return subprocess.run(
        [sys.executable, "-c", _INLINE, str(ROOT), str(SAMPLE)], check=True, text=True,
        capture_output=True, cwd=ROOT,
        env={"XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT), "HOME": str(cache)},
    ).stdout


def test_stylesheet_rules_are_kept_on_disk_and_give_the_same_email(tmp_path: Path) -> None:
    """A build keeps the parsed stylesheet under $XDG_CACHE_HOME; the next build reads it
    and writes the same e-mail, style for style; a damaged file is parsed again, and
    a cache that cannot be written changes nothing."""
    cache = tmp_path / "cache"
    first = _inlined(cache)
    kept = sorted((cache / "business-krakow-newsletter" / "premailer").glob("*.json"))
    assert kept, "no stylesheet kept on disk"
    assert 'style="' in first and "@media" in first  # inlined, and the <style> kept
    assert _inlined(cache) == first
    for file in kept:
        file.write_text('{"rules": [[1, 2', encoding="utf-8")
    assert _inlined(cache) == first
    unwritable = tmp_path / "unwritable"
    (unwritable / "business-krakow-newsletter").mkdir(parents=True)
    (unwritable / "business-krakow-newsletter" / "premailer").write_text("a file, not a folder")
    assert _inlined(unwritable) == first


_REQUESTS = """
import sys
from newsletter.render.css_inlining import inline_css
inline_css("<html><head><style>p { color: red }</style></head><body><p>x</p></body></html>")
print("requests" in sys.modules)
import premailer.premailer
import requests
import requests.adapters
print(premailer.premailer.requests.get is requests.get, requests.adapters.HTTPAdapter.__name__)
"""


def test_an_email_build_does_not_import_requests_yet_premailer_can_use_it() -> None:
    """premailer's import of requests (for stylesheets it would download, which we never
    let it do) waits for a first use; every importer of requests still gets all of it."""
    shown = subprocess.run([sys.executable, "-c", _REQUESTS], check=True, text=True,
                           capture_output=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)}).stdout
    assert shown.split() == ["False", "True", "HTTPAdapter"]


_DECLARATIONS = """
import sys
from newsletter.render.css_inlining import inline_css
html = inline_css('<html><head><style>p { color: #FFFFFF; margin: 0px }</style></head>'
                  '<body><p style="mso-line-height-rule: exactly; padding: 0px; border: 0 !ie">'
                  'x</p></body></html>')
print("cssutils" in sys.modules)
print(html)
"""


def test_declarations_are_kept_on_disk_and_cssutils_imported_only_to_read_new_ones(
        tmp_path: Path) -> None:
    """The first inlining reads the rule's and the element's declarations with cssutils
    (quietly: no complaint about ``!ie`` on stderr) and keeps them; the next one writes
    the same HTML from the kept pairs without importing cssutils; a damaged file, or one
    that cannot be written, means reading them again."""
    def inlined(cache: Path) -> tuple[str, str, str]:
        done = subprocess.run([sys.executable, "-c", _DECLARATIONS], check=True, text=True,
                              capture_output=True, cwd=ROOT,
                              env={"XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)})
        imported, html = done.stdout.split("\n", 1)
        return imported, html, done.stderr

    cache = tmp_path / "cache"
    imported, first, errors = inlined(cache)
    assert imported == "True" and errors == ""
    # cssutils' reading: #FFFFFF → #FFF, 0px → 0, "!ie" dropped
    assert 'style="color:#FFF; margin:0; mso-line-height-rule:exactly; padding:0; border:0"' \
        in first
    kept = list((cache / "business-krakow-newsletter" / "premailer").glob("declarations-*"))
    assert len(kept) == 1
    assert inlined(cache)[:2] == ("False", first)
    kept[0].write_text('{"color: #FFFFFF; margin: 0px": [["color", ', encoding="utf-8")
    assert inlined(cache)[:2] == ("True", first)
    assert inlined(cache)[:2] == ("False", first)
    unwritable = tmp_path / "unwritable"
    (unwritable / "business-krakow-newsletter").mkdir(parents=True)
    (unwritable / "business-krakow-newsletter" / "premailer").write_text("a file, not a folder")
    assert inlined(unwritable)[:2] == ("True", first)
