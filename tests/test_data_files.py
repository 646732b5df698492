"""Locales and dictionaries told known from their files: only where the library agrees."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyphen
import pytest
from babel import Locale

from newsletter.data_files import plainly_known_dictionary, plainly_known_locale


def _names(package: str, folder: str, prefix: str, suffix: str) -> list[str]:
    spec = importlib.util.find_spec(package)
    assert spec and spec.submodule_search_locations
    files = Path(spec.submodule_search_locations[0], folder).glob(f"{prefix}*{suffix}")
    return sorted(f.name.removeprefix(prefix).removesuffix(suffix) for f in files)


def test_every_locale_taken_from_its_file_is_one_babel_parses() -> None:
    known = [n for n in _names("babel", "locale-data", "", ".dat") if plainly_known_locale(n)]
    assert {"en_GB", "pl_PL", "uk_UA", "pl"} <= set(known)
    for name in known:
        Locale.parse(name)  # raises for a locale Babel does not know


def test_every_dictionary_taken_from_its_file_is_one_pyphen_has() -> None:
    known = [n for n in _names("pyphen", "dictionaries", "hyph_", ".dic")
             if plainly_known_dictionary(n)]
    assert {"en_GB", "pl_PL", "uk_UA"} <= set(known)
    assert set(known) <= set(pyphen.LANGUAGES)


@pytest.mark.parametrize("name", ["xx_YY", "pl-PL", "pl_pl", "PL", "", "../pl_PL", "pl_PL.dat"])
def test_any_other_name_is_left_to_the_library(name: str) -> None:
    assert not plainly_known_locale(name) and not plainly_known_dictionary(name)
