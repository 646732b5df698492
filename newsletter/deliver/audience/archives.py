"""Mailchimp's audience export as it is downloaded: one ZIP with a CSV per state.

An operator leaving Mailchimp has ``members_export_….zip`` holding
``subscribed_members_export_….csv``, ``unsubscribed_…`` and ``cleaned_…``. Given the ZIP,
the import reads each CSV inside, subscribed first and the states that keep people off the
list after it (so a person in two files ends as the later file says: off the list); given
one CSV, just that file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from newsletter.exceptions import NewsletterError

ORDER = ("subscribed", "unsubscribed", "cleaned")
"""Mailchimp's file name prefixes, in the order they are imported."""

MAX_MEMBER_BYTES = 2 * 1024**3
"""A CSV inside the archive larger than this is refused before it is unpacked (Mailchimp's
largest audiences export to some hundred megabytes)."""


def csv_files(data: bytes, name: str) -> list[tuple[str, bytes]]:
    """The CSV files ``data`` holds, as (name for messages, bytes): itself, or a ZIP's."""
    if not data.startswith(b"PK\x03\x04"):
        return [(name, data)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()
                   and m.filename.lower().endswith(".csv")
                   and not PurePosixPath(m.filename).name.startswith(".")
                   and "__MACOSX" not in m.filename]
        if not members:
            found = ", ".join(m.filename for m in archive.infolist()) or "nothing"
            raise NewsletterError(f"{name}: a ZIP without a CSV file (found {found}); "
                                  "import the export's CSV files")
        members.sort(key=_order)
        for member in members:
            if member.file_size > MAX_MEMBER_BYTES:
                raise NewsletterError(f"{name}: {member.filename} would unpack to "
                                      f"{member.file_size:,} bytes; unpack it and import "
                                      "the CSV files one by one")
        return [(f"{name}:{m.filename}", archive.read(m)) for m in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError) as exc:
        raise NewsletterError(f"{name}: a damaged or unsupported ZIP ({exc}); unpack it and "
                              "import the CSV files") from None


def _order(member: zipfile.ZipInfo) -> tuple[int, str]:
    base = PurePosixPath(member.filename).name.lower()
    rank = next((i for i, prefix in enumerate(ORDER) if base.startswith(prefix + "_")),
                len(ORDER))
    return rank, base
