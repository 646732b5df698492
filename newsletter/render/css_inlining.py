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
import json
import logging
import os
from typing import Any

from newsletter.deferred_imports import deferring
from newsletter.render.css_declarations import RememberedPairs, cache_folder, cssutils_stamp

_rules: dict[str, tuple[list[Any], int]] = {}
"""Parsed stylesheets of this process, by key (see :func:`_key`)."""


def inline_css(html: str) -> str:
    """Inline what MJML left in <style> (premailer), keeping the style tags for media
    queries and dark mode."""
    doctype = "<!doctype html>" if html.lstrip()[:9].lower() == "<!doctype" else ""
    inlined = _premailer_class()(
        _keep_reset_in_head(html),
        keep_style_tags=True,
        remove_classes=False,
        strip_important=False,
        disable_validation=True,
        allow_network=False,
        # (no cssutils_logging_level: it would import cssutils in every build; _quiet sets
        # it when cssutils is imported)
        # Keep MJML's pixel width/height attributes (Outlook sizes images by them).
        disable_basic_attributes=["width", "height"],
        align_floating_images=False,  # no floats in our templates; skips a cssutils pass
    ).transform()
    if _pairs is not None:
        _pairs.keep()
    return doctype + inlined


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

    _remember_declarations()

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


def _import_premailer() -> Any:
    """premailer, with ``requests`` and ``cssutils`` imported only if premailer ever uses
    them (:mod:`newsletter.deferred_imports`).

    premailer imports requests at its top for stylesheets it would download, and we call
    it with ``allow_network=False``: requests and what it pulls in (urllib3, http.client,
    charset detection) were about 60 ms of every ``build --only email``, a tenth of the
    process, for nothing. cssutils parses CSS, and the parses premailer asks of it are
    kept on disk (the stylesheet's rules here, declarations in
    :mod:`newsletter.render.css_declarations`): it is imported when one is not."""
    with deferring("requests"), deferring("cssutils", on_import=_quiet):
        import premailer
    return premailer


def _quiet(cssutils: Any) -> None:
    """What premailer's ``cssutils_logging_level`` did: cssutils logs every CSS property
    it does not know (``mso-…``, ``-webkit-…``) as an error, on stderr."""
    cssutils.log.setLevel(logging.CRITICAL)


def _key(css: str, ruleset_index: int, premailer: Any) -> str:
    """What the parsed rules depend on: the CSS, its place among the style tags, the
    options that filter or mark rules, and the versions of premailer and cssutils
    (:func:`~newsletter.render.css_declarations.cssutils_stamp`)."""
    import premailer as premailer_module

    shaping = (ruleset_index, premailer.disable_validation, premailer.strip_important,
               premailer.exclude_pseudoclasses, premailer.include_star_selectors,
               premailer_module.__version__, cssutils_stamp())
    return hashlib.sha256(f"{shaping!r}\n{css}".encode()).hexdigest()[:32]


def _read(key: str) -> tuple[list[Any], int] | None:
    """The rules kept on disk, or None (none kept, or unreadable: parse again)."""
    try:
        kept = json.loads((cache_folder() / f"{key}.json").read_text(encoding="utf-8"))
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
        folder = cache_folder()
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f"{key}.{os.getpid()}.tmp"
        partial.write_text(json.dumps({"rules": rules, "leftover": len(leftover)}),
                           encoding="utf-8")
        partial.replace(folder / f"{key}.json")
    except OSError:
        pass
    return kept


_pairs: RememberedPairs | None = None
"""premailer's reading of declarations, kept on disk (made with the class)."""


def _remember_declarations() -> None:
    """Route premailer's two readings of declarations (a rule's, for the elements it
    matches; an element's own ``style=``, when merging) through :class:`RememberedPairs`.

    premailer 3.10's ``merge_styles`` also reads every inline style with validation on,
    whatever ``disable_validation`` says; cssutils then compiled its property grammars,
    about 85 ms of every build (measured: first inline_css 116 ms → 30 ms, identical
    output). RememberedPairs reads with the option's value (off), as the rules are read.
    """
    global _pairs
    from premailer import merge_style
    from premailer import premailer as premailer_module

    if isinstance(merge_style.csstext_to_pairs, RememberedPairs):
        _pairs = merge_style.csstext_to_pairs
        return
    import premailer

    _pairs = RememberedPairs(premailer_module.csstext_to_pairs, premailer.__version__)
    merge_style.csstext_to_pairs = _pairs
    premailer_module.csstext_to_pairs = _pairs
