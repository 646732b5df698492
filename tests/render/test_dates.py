"""Month names as Babel writes them, kept on disk: the same strings, without Babel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

_DATES = """
import datetime as dt, sys
from newsletter.render.templating import long_date, month_year
shown = [month_year(dt.date(2020, 12, 1), "pl_PL"), month_year(dt.date(2021, 2, 3), "uk_UA"),
         long_date(dt.date(2020, 12, 1), "pl_PL")]
print("babel" in sys.modules, "|".join(shown))
"""


def test_dates_are_kept_on_disk_and_babel_imported_only_for_new_ones(tmp_path: Path) -> None:
    def shown(cache: Path) -> list[str]:
        return subprocess.run([sys.executable, "-c", _DATES], check=True, text=True,
                              capture_output=True, cwd=ROOT,
                              env={"XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT)}
                              ).stdout.rstrip("\n").split(" ", 1)

    cache = tmp_path / "cache"
    words = "Grudzień 2020|Лютий 2021|1 grudnia 2020"
    assert shown(cache) == ["True", words]
    assert shown(cache) == ["False", words]
    (kept,) = (cache / "business-krakow-newsletter").glob("dates-*.json")
    kept.write_text('{"pl_PL|LLLL yyyy|2020-12-01": ', encoding="utf-8")
    assert shown(cache) == ["True", words]
    unwritable = tmp_path / "unwritable"
    unwritable.mkdir()
    (unwritable / "business-krakow-newsletter").write_text("a file, not a folder")
    assert shown(unwritable) == ["True", words]
