"""Stand-ins for modules a library imports but may never use: real on first use."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

# colorsys and wave: small standard modules nothing here imports before the test does.
_STAND_INS = """
import sys, types
from newsletter.deferred_imports import deferring
seen = []
mine = types.ModuleType("mine")
sys.modules["mine"] = mine
with deferring("colorsys", on_import=seen.append), deferring("wave", functions=("open",)):
    exec("import colorsys\\nfrom wave import open as wave_open", mine.__dict__)
print("colorsys" in sys.modules, "wave" in sys.modules, seen)
print(round(mine.colorsys.rgb_to_hsv(1, 0, 0)[2]), "colorsys" in sys.modules, len(seen))
import colorsys
print(colorsys is seen[0], mine.colorsys is not colorsys)
try:
    mine.wave_open("/nonexistent.wav")
except FileNotFoundError:
    print("wave" in sys.modules)
"""


def test_a_stand_in_imports_its_module_when_first_used() -> None:
    """Nothing is imported inside the block; the first attribute read (or call of a
    deferred function) imports the real module, once, and every other importer gets it."""
    shown = subprocess.run([sys.executable, "-c", _STAND_INS], check=True, text=True,
                           capture_output=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    assert shown.stdout.splitlines() == ["False False []", "1 True 1", "True True", "True"]


_PYDANTIC = """
import os, sys
from pathlib import Path
from newsletter.load import load_issue, load_project
project = load_project(Path("newsletter.toml"))
load_issue(Path("issues/2020-12"), project)
print("importlib.metadata" in sys.modules)
os.environ.pop("PYDANTIC_DISABLE_PLUGINS", None)
from pydantic.plugin._loader import get_plugins
print(list(get_plugins()), "importlib.metadata" in sys.modules)
"""


def test_pydantic_looks_for_plugins_only_when_asked() -> None:
    """Loading an issue does not import importlib.metadata (plugins off); with plugins
    on, pydantic's scan runs as ever (this environment has none)."""
    shown = subprocess.run(
        [sys.executable, "-c", _PYDANTIC], check=True, text=True, capture_output=True,
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PYDANTIC_DISABLE_PLUGINS": "__all__"})
    assert shown.stdout.splitlines() == ["False", "[] True"]
