"""The pipeline's direction: lower stages never import higher ones (no import cycles)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "newsletter"

# module (or package prefix) → what it must never import
FORBIDDEN = {
    "newsletter.render": ("newsletter.publish", "newsletter.commands", "newsletter.deliver",
                          "newsletter.cli", "newsletter.preview"),
    "newsletter.output": ("newsletter.publish", "newsletter.render", "newsletter.commands"),
    "newsletter.model": ("newsletter.render", "newsletter.publish", "newsletter.output"),
    "newsletter.load": ("newsletter.render", "newsletter.publish", "newsletter.output"),
    "newsletter.coverage": ("newsletter.render", "newsletter.publish", "newsletter.output",
                            "newsletter.commands"),
    # pictures and colour are a tool of the renderers, knowing nothing of issues or layout
    "newsletter.images": ("newsletter.render", "newsletter.publish", "newsletter.output",
                          "newsletter.load", "newsletter.model"),
    # the list knows nothing of the web pages that change it, nor of the terminal
    "newsletter.deliver": ("newsletter.app", "newsletter.commands", "newsletter.cli"),
    "newsletter.app": ("newsletter.commands", "newsletter.cli", "newsletter.publish"),
    "newsletter.colour": ("newsletter.render", "newsletter.publish", "newsletter.output",
                          "newsletter.load", "newsletter.model", "newsletter.images"),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_no_stage_imports_a_later_one(path: Path):
    name = module_name(path)
    for prefix, forbidden in FORBIDDEN.items():
        if name == prefix or name.startswith(prefix + "."):
            bad = sorted(i for i in imports_of(path) if i.startswith(forbidden))
            assert bad == [], f"{name} imports {bad}"
