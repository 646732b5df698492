"""Benchmark of hostile input: prints wall time and peak memory per case, asserts nothing.

    .venv/bin/python bench/hostile.py

Runs `newsletter check` as a process on every case of tests/data/bad/ (alias bomb, deep
nesting, 14000 × 14000 PNG, broken pictures, control characters…) and on the big cases
made on the spot (50 MB issue, 30 MB picture, a cut 6000 × 4000 JPEG, 10,000 entries
naming one file), plus the largest issue the limits accept. Target: each under 2 s and
200 MB on the 2-core build machine.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile import GENERATED, largest_accepted_issue, run_measured

BAD = ROOT / "tests" / "data" / "bad"
CONFIG = str(ROOT / "newsletter.toml")


def main() -> None:
    print(f"{'case':<34} {'exit':>4} {'wall s':>7} {'peak MB':>8}  first line")
    with tempfile.TemporaryDirectory() as tmp:
        made = Path(tmp)
        cases = [(case.parent, case.name) for case in sorted(BAD.iterdir()) if case.is_dir()]
        for name, make in {**GENERATED, "largest-accepted-issue": largest_accepted_issue}.items():
            make(made / name)
            cases.append((made, name))
        for folder, name in cases:
            result = run_measured(["--config", CONFIG, "check", name], cwd=folder)
            first = next((line for line in result.stderr.splitlines()), "")
            first = first.removeprefix(f"{name}/")[:70]
            print(f"{name:<34} {result.returncode:>4} {result.seconds:>7.2f} "
                  f"{result.peak_mb:>8.0f}  {first}")


if __name__ == "__main__":
    main()
