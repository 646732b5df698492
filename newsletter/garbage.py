"""Python's cyclic garbage collector set for laying out PDFs.

WeasyPrint makes millions of small objects (boxes, styles, text runs) that live until a
document is written. With Python's default thresholds (a young collection every 700 new
objects, older ones every 10 of those) each collection walks them again: a long issue's
four PDFs took 7.8 s warm, 6.8-7.2 s with collections about 70 times rarer, for about
40 MB more a process at its peak (mypy's build sets its collector so, (200 000, 30, 30),
"as otherwise we can spend a large fraction of cpu in gc"). Page fitting's layouts, each
discarded for the next, are collected at once (render/print.py, 0.1-0.3 s each): left to
the rare collections they piled up, a long issue's first build took 408 MB a worker, not
227. And the objects a build process made before it forks its workers (imports, the
loaded issue) are frozen (:func:`frozen`): they outlive the workers, whose collections
then neither walk them nor write to (and so copy) the memory they share with the parent.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (50_000, 20, 20)
"""Young collections every 50 000 new objects (Python: 700), middle and old every 20 of
the younger (Python: 10)."""


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect rarely while the block runs (a PDF is laid out and written); the process's
    own thresholds after it (the preview server goes on serving)."""
    before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def frozen() -> Iterator[None]:
    """The objects alive now left out of every collection while the block runs (workers
    forked inside it inherit that), and put back after: a long-lived process (the
    preview, the server) that built once would otherwise never free them."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
