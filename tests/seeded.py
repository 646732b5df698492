"""How many of its seeds a seeded layout test runs.

A seeded test sweeps a rule over inputs (article lengths, counts, seeds) so that a page's
end falls at many depths of what it tests. The CI runs every other one of them, and the
seeds that once failed, to keep `.ci/run` within its time budget (about 15 minutes on two
cores); ``NEWSLETTER_ALL_SEEDS=1 .venv/bin/python -m pytest tests/render`` runs them all,
as a change to page fitting or the paper's CSS should before it lands.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def seeded(values: Iterable[T], failed: Callable[[T], bool] = lambda value: False) -> list[T]:
    """Every other one of ``values`` (the first, the third…) and those ``failed`` marks
    (the cases that once failed), or all of them with ``NEWSLETTER_ALL_SEEDS`` set."""
    values = list(values)
    if os.environ.get("NEWSLETTER_ALL_SEEDS"):
        return values
    return [value for index, value in enumerate(values) if index % 2 == 0 or failed(value)]
