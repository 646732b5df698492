"""Whether Babel knows a locale and pyphen a dictionary, told from their data files.

Every command that loads an issue checks the site's languages (:mod:`newsletter.words`):
each one's Babel locale (month names) and pyphen dictionary (the PDFs' hyphenation).
Importing Babel and pyphen to ask was about 15 ms of every ``build --only email``, which
needs neither when its dates are kept (:mod:`newsletter.render.dates`). A locale such as
``pl_PL`` is known when Babel ships ``locale-data/pl_PL.dat``, a dictionary when pyphen
ships ``dictionaries/hyph_pl_PL.dic``: a name of that plain form whose file is there is
known; any other name is for the library itself to judge (and explain), as before.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

_PLAIN = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")


def _package_file(package: str, *parts: str) -> bool:
    """Whether ``package`` (not imported) holds the file ``parts``."""
    spec = importlib.util.find_spec(package)
    folders = spec.submodule_search_locations if spec else None
    return bool(folders) and Path(folders[0], *parts).is_file()  # type: ignore[index]


def plainly_known_locale(name: str) -> bool:
    """True: Babel parses ``name`` (``en_GB``). False: ask Babel."""
    return bool(_PLAIN.fullmatch(name)) and _package_file("babel", "locale-data", f"{name}.dat")


def plainly_known_dictionary(name: str) -> bool:
    """True: ``name`` is in ``pyphen.LANGUAGES`` (``pl_PL``). False: ask pyphen."""
    return bool(_PLAIN.fullmatch(name)) and _package_file("pyphen", "dictionaries",
                                                          f"hyph_{name}.dic")
