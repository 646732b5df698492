"""Modules a library imports at its top for work we never ask of it, imported on first use.

A command's start-up is mostly imports, and some of them serve nothing the command does:
premailer imports requests for stylesheets it would download (we never let it) and
cssutils for stylesheets whose parse we keep on disk; pydantic imports importlib.metadata
to look for plugins, which we turn off. :func:`deferring` gives such a library, while it is
imported, a stand-in for each of these modules: the stand-in imports the real module when
the library first reads something of it, and leaves ``sys.modules`` at once, so every
other importer gets the real module. (The standard library's LazyLoader does not help
here: the import statement itself reads the module's ``__spec__``, which loads it.)
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any


class _ImportedOnFirstUse(types.ModuleType):
    """Stands for a module in one importer until an attribute of it is read."""

    def __init__(self, name: str, on_import: Callable[[Any], None] | None = None) -> None:
        super().__init__(name)
        self._on_import = on_import

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") and attribute.endswith("__"):
            # what the import system asks of a module (``__path__`` for ``from m import
            # f``): answered by the stand-in, which is no package and has no spec
            raise AttributeError(attribute)
        if sys.modules.get(self.__name__) is self:
            # read while the library is still being imported: nothing to defer then
            del sys.modules[self.__name__]
        module = importlib.import_module(self.__name__)
        if self._on_import is not None:
            on_import, self._on_import = self._on_import, None
            on_import(module)
        return getattr(module, attribute)


def _deferred_function(module: str, name: str) -> Callable[..., Any]:
    """A function of ``module`` that imports it when called (for ``from m import f``)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


@contextlib.contextmanager
def deferring(
    module: str, functions: tuple[str, ...] = (), on_import: Callable[[Any], None] | None = None
) -> Iterator[None]:
    """Inside the block, an import of ``module`` gets a stand-in (unless it is imported
    already). ``functions``: names the library takes with ``from module import name``,
    given as functions that import the module when called. ``on_import``: called with the
    real module when the stand-in imports it (a setting the library would have made)."""
    if module in sys.modules:
        if on_import is not None:
            on_import(sys.modules[module])
        yield
        return
    stand_in = sys.modules[module] = _ImportedOnFirstUse(module, on_import)
    for name in functions:
        setattr(stand_in, name, _deferred_function(module, name))
    try:
        yield
    finally:
        if sys.modules.get(module) is stand_in:
            del sys.modules[module]
