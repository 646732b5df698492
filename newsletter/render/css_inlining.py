"""premailer for the e-mail: MJML's <style> inlined, its parsed stylesheet remembered.

Mail programs drop or ignore much of <style>, so the e-mail's CSS is written on each
element (premailer, the stack's inliner). premailer parses the stylesheet with cssutils on
every call, and that parse was most of ``inline_css`` (about 12 of 30 ms for the sample,
0.3 s of ``check`` of the long issue, each build paying it again). The stylesheet is the
theme's and the templates', the same for every issue and build, so its rules are kept:
in memory for the process (the preview server, ``check`` rendering twice per language),
and on disk between processes in ``$XDG_CACHE_HOME/business-krakow-newsletter/premailer``,
one small JSON file per stylesheet, keyed by the CSS's digest, the options that shape
the rules and the premailer and cssutils versions. What premailer does with the rules
(matching, merging, writing ``style=``) is unchanged: the output is byte-identical.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import sys
import types
from pathlib import Path
from typing import Any

_rules: dict[str, tuple[list[Any], int]] = {}
"""Parsed stylesheets of this process, by key (see :func:`_key`)."""


def inline_css(html: str) -> str:
    """Inline what MJML left in <style> (premailer), keeping the style tags for media
    queries and dark mode."""
    doctype = "<!doctype html>" if html.lstrip()[:9].lower() == "<!doctype" else ""
    return doctype + _premailer_class()(
        _keep_reset_in_head(html),
        keep_style_tags=True,
        remove_classes=False,
        strip_important=False,
        disable_validation=True,
        allow_network=False,
        cssutils_logging_level=logging.CRITICAL,
        # Keep MJML's pixel width/height attributes (Outlook sizes images by them).
        disable_basic_attributes=["width", "height"],
        align_floating_images=False,  # no floats in our templates; skips a cssutils pass
    ).transform()


_MJML_RESET = '<style type="text/css">\n#outlook a'


def _keep_reset_in_head(html: str) -> str:
    """Leave MJML's reset (``table, td { border-collapse … }``, ``p { margin: 13px 0 }``,
    ``img { … }``) in <style> only, instead of inlined on every element.

    MJML writes the same attributes on its tables already (``cellpadding``, ``border``),
    Outlook reads <style> in the head, and our own rules override ``p``'s margin: inlined,
    the reset was 7.8 KB of the sample's 72 KB (``border-collapse:collapse;
    mso-table-lspace:0; mso-table-rspace:0`` on 118 tables and cells) and changed nothing
    a reader sees. premailer leaves a ``data-premailer="ignore"`` style tag as it is.
    """
    return html.replace(_MJML_RESET, _MJML_RESET.replace(">", ' data-premailer="ignore">', 1), 1)


_premailer: type | None = None


def _premailer_class() -> type:
    """premailer's class with its stylesheet parse remembered (made on first use: premailer
    imports cssutils, lxml and requests, which only an e-mail render needs)."""
    global _premailer
    if _premailer is not None:
        return _premailer
    Premailer = _import_premailer().Premailer

    _honour_disable_validation()

    class RememberingPremailer(Premailer):  # type: ignore[misc]
        def _parse_style_rules(self, css_body, ruleset_index):  # type: ignore[no-untyped-def]
            # With keep_style_tags the leftover rules (media queries, pseudo-classes)
            # are only tested for being there: the style tag keeps its CSS as written.
            if not self.keep_style_tags or not css_body:
                return super()._parse_style_rules(css_body, ruleset_index)
            key = _key(css_body, ruleset_index, self)
            if key not in _rules:
                _rules[key] = _read(key) or _write(
                    key, *super()._parse_style_rules(css_body, ruleset_index))
            rules, leftover = _rules[key]
            return list(rules), [None] * leftover

    _premailer = RememberingPremailer
    return _premailer


class _ImportedOnFirstUse(types.ModuleType):
    """Stands for a module in one importer until an attribute of it is read."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attribute)


def _import_premailer() -> Any:
    """premailer, with ``requests`` imported only if premailer ever uses it.

    premailer imports requests at its top for stylesheets it would download, and we call
    it with ``allow_network=False``: requests and what it pulls in (urllib3, http.client,
    charset detection) were about 60 ms of every ``build --only email``, a tenth of the
    process, for nothing. premailer's module gets a stand-in that imports the real one on
    first use; the stand-in leaves ``sys.modules`` at once, so every other importer gets
    the real requests. (The standard library's LazyLoader does not help here: the
    import statement itself reads the module's ``__spec__``, which loads it.)"""
    stand_in = None
    if "requests" not in sys.modules:
        stand_in = sys.modules["requests"] = _ImportedOnFirstUse("requests")
    try:
        import premailer
    finally:
        if stand_in is not None and sys.modules.get("requests") is stand_in:
            del sys.modules["requests"]
    return premailer


def _key(css: str, ruleset_index: int, premailer: Any) -> str:
    """What the parsed rules depend on: the CSS, its place among the style tags, the
    options that filter or mark rules, and the versions of premailer and cssutils
    (cssutils states none in its module: its installed file's time stands for it)."""
    import cssutils
    import premailer as premailer_module

    shaping = (ruleset_index, premailer.disable_validation, premailer.strip_important,
               premailer.exclude_pseudoclasses, premailer.include_star_selectors,
               premailer_module.__version__, Path(cssutils.__file__).stat().st_mtime_ns)
    return hashlib.sha256(f"{shaping!r}\n{css}".encode()).hexdigest()[:32]


def _folder() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "business-krakow-newsletter" / "premailer"


def _read(key: str) -> tuple[list[Any], int] | None:
    """The rules kept on disk, or None (none kept, or unreadable: parse again)."""
    try:
        kept = json.loads((_folder() / f"{key}.json").read_text(encoding="utf-8"))
        rules = [(tuple(specificity), selector, bulk)
                 for specificity, selector, bulk in kept["rules"]]
        return rules, int(kept["leftover"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(key: str, rules: list[Any], leftover: list[Any]) -> tuple[list[Any], int]:
    """Keep the rules on disk (written whole and renamed, so a reader never sees half a
    file); a read-only home only means parsing again next time."""
    kept = (rules, len(leftover))
    try:
        folder = _folder()
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{key}.{os.getpid()}.tmp"
        partial.write_text(json.dumps({"rules": rules, "leftover": len(leftover)}),
                           encoding="utf-8")
        partial.replace(folder / f"{key}.json")
    except OSError:
        pass
    return kept


def _honour_disable_validation() -> None:
    """Make premailer's ``disable_validation=True`` reach its style merging too.

    premailer 3.10's ``merge_styles`` parses every inline style through
    ``csstext_to_pairs`` with validation on, whatever the option says; cssutils then
    compiles its property grammars, about 85 ms of every build (measured: first inline_css
    116 ms → 30 ms, identical output). We route that one call through the option's value.
    """
    from premailer import merge_style

    original = merge_style.csstext_to_pairs
    if getattr(original, "honours_disable_validation", False):
        return

    def csstext_to_pairs(csstext: str, validate: bool = False):  # type: ignore[no-untyped-def]
        return original(csstext, validate=validate)

    csstext_to_pairs._lock = original._lock  # type: ignore[attr-defined]  # used by original
    csstext_to_pairs.honours_disable_validation = True  # type: ignore[attr-defined]
    merge_style.csstext_to_pairs = csstext_to_pairs
