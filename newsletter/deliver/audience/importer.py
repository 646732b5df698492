"""CSV files of subscribers, as editors really have them, into the list.

Excel in Poland saves cp1250 with ``;``; Google Sheets and LibreOffice save UTF-8 with
``,``; some tools add a byte-order mark. The header row is matched by name (Polish or
English, any letter case), so columns may come in any order and extra ones are ignored.
Every row that cannot be imported is reported with its line number and the reason; the
others are imported. Importing the same file again changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from newsletter.deliver.audience import subscribers
from newsletter.deliver.audience.import_formats import FORMATS, Listmonk, Mailchimp, recognise
from newsletter.exceptions import Location, NewsletterError, Problem

BATCH = 500
FORGOTTEN_ROW = "not added: this person asked to be forgotten"

COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "e mail", "mail", "email address", "e-mail address",
              "adres e-mail", "adres email", "adres", "adres mailowy"),
    "name": ("name", "full name", "imie i nazwisko", "imie", "nazwisko i imie", "nazwa"),
    "language": ("language", "lang", "jezyk"),
    "source": ("source", "consent", "consent source", "zrodlo", "zgoda", "zrodlo zgody"),
    "status": ("status",),
    "subscribed_at": ("subscribed at", "data zapisu"),
    "unsubscribed_at": ("unsubscribed at", "data wypisu"),
}  # fmt: skip
"""Accepted header names per field, written without Polish diacritics (matched that way)."""


@dataclass
class ImportReport:
    """What an import did: counts per outcome, and every rejected row with its reason."""

    rows: int = 0
    outcomes: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "updated": 0, "unchanged": 0, "kept": 0}
    )
    rejected: list[Problem] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    forgotten: int = 0  # rows of people who asked to be forgotten (among ``rejected``)
    format: str = "csv"  # whose export the file is (import_formats), or csv
    notes: list[str] = field(default_factory=list)  # what was left out, and how to keep it

    def summary(self) -> str:
        o = self.outcomes
        erased = f" ({self.forgotten} asked to be forgotten)" if self.forgotten else ""
        return (
            f"{self.rows} rows: {o['added']} added, {o['updated']} updated, "
            f"{o['unchanged']} unchanged, {o['kept']} kept off the list (had left it), "
            f"{len(self.rejected)} rejected{erased}"
        )


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-8 (with or without BOM),
    else cp1250. UTF-8 is tried strictly first: Polish letters in cp1250 are never valid
    UTF-8 sequences, while any byte string decodes as cp1250 (almost), so the order matters.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1250"), "cp1250"
    except UnicodeDecodeError as exc:
        raise NewsletterError(
            f"the file is neither UTF-8 nor Windows-1250 (byte {exc.start}): save it as "
            "CSV UTF-8 and import again"
        ) from None


def delimiter(header_line: str) -> str:
    """``;`` or ``,``, whichever the header row has more of (Sniffer guesses wrong on
    one-column files and on addresses full of dots, so we count in the header only)."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def header_key(text: str) -> str:
    """A header cell compared without case, diacritics, underscores or extra spaces."""
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(folded.lower().replace("_", " ").split())


def map_header(cells: list[str], where: Location) -> dict[str, int]:
    """Field name → column index, from the header row."""
    aliases = {alias: name for name, names in COLUMNS.items() for alias in names}
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = aliases.get(header_key(cell))
        if name and name not in mapping:
            mapping[name] = index
    if "email" not in mapping:
        found = ", ".join(f"'{c}'" for c in cells) or "nothing"
        raise NewsletterError(
            f"{where}: no e-mail column in the header row (found {found}); name it "
            "'email' or 'adres e-mail'"
        )
    return mapping


def import_csv(
    engine: Engine,
    data: bytes,
    source_name: str,
    consent_source: str | None = None,
    progress: Callable[[int], None] | None = None,
    smtputf8: bool = False,
    key: bytes | None = None,
    form: str | None = None,
    languages: Collection[str] | None = None,
) -> ImportReport:
    """Import the rows of a CSV file; returns the report (rejected rows do not stop it).

    ``source_name`` names the file in messages; ``consent_source`` is recorded for rows
    without their own source column (default: ``import <file name>``). ``progress`` is
    called with the number of rows done after each batch. ``smtputf8``: the relay takes
    SMTPUTF8, so non-ASCII local parts may be imported. ``key``: the secret of the
    forgotten addresses' hashes (default: NEWSLETTER_SECRET, needed only when someone was
    forgotten); a forgotten person's row is reported with its line and not added.
    ``form``: ``mailchimp``, ``listmonk`` or ``csv`` (ours, a spreadsheet's); by default
    recognised from the header row (:mod:`newsletter.deliver.audience.import_formats`).
    ``languages``: the site's, which a row's language must be one of.
    """
    text, encoding = decode(data)
    report = ImportReport(encoding=encoding)
    path = Path(source_name)
    first_line = text.split("\n", 1)[0]
    report.delimiter = delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=report.delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise NewsletterError(f"{source_name}: the file is empty") from None
    keys = [header_key(cell) for cell in header]
    tool = None if form == "csv" else FORMATS[form] if form else recognise(keys)
    columns: dict[str, int] = {}
    index: dict[str, int] = {}
    status = subscribers.SUBSCRIBED
    if tool is not None:
        report.format = tool.name
        index = {key: number for number, key in reversed(list(enumerate(keys)))}
        if tool.email not in index:
            found = ", ".join(f"'{c}'" for c in header) or "nothing"
            raise NewsletterError(
                f"{Location(path, 1)}: no '{tool.email}' column, which {tool.name}'s exports "
                f"have (found {found}); use --from csv for a file of your own")
        status = tool.kind(keys)
        report.notes += tool.notes(keys)
    else:
        columns = map_header(header, Location(path, 1))
    default_source = consent_source or f"import {path.name}"
    seen: dict[str, int] = {}
    batch: list[subscribers.Candidate] = []
    lines: list[int] = []

    def flush() -> None:
        if batch:
            with engine.begin() as connection:
                outcomes = subscribers.save(connection, batch, key)
            for outcome, line in zip(outcomes, lines, strict=True):
                if outcome == "forgotten":
                    report.forgotten += 1
                    report.rejected.append(Problem(Location(path, line), FORGOTTEN_ROW))
                else:
                    report.outcomes[outcome] += 1
            batch.clear()
            lines.clear()
        if progress:
            progress(report.rows)

    ended = reader.line_num  # the line the header ends on
    for cells in reader:
        # A row starts on the line after the previous one ended: a quoted cell may hold
        # line breaks (an address field, a note), and the reader's own line_num is the
        # line a row ends on, which sent the editor to the wrong line.
        line, ended = ended + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        report.rows += 1

        def cell(name: str, cells: list[str] = cells) -> tuple[str | None, bool]:
            """The field's value, and whether an export marked it as exact."""
            column = columns.get(name)
            value = cells[column] if column is not None and column < len(cells) else None
            return subscribers.import_cell(value) if value else (value, False)

        try:
            if tool is not None:
                item = _exported(tool, cells, index, status, default_source, smtputf8,
                                 languages)
            else:
                item = _row(cell, default_source, smtputf8, languages)
        except subscribers.InvalidSubscriber as exc:
            report.rejected.append(Problem(Location(path, line), str(exc)))
            continue
        if item.key in seen:
            report.rejected.append(
                Problem(Location(path, line), f"{item.email} is already on line {seen[item.key]}")
            )
            continue
        seen[item.key] = line
        batch.append(dataclasses.replace(item, origin=f"import {path.name}:{line}"))
        lines.append(line)
        if len(batch) >= BATCH:
            flush()
    flush()
    report.rejected.sort(key=lambda problem: problem.location.line or 0)  # in file order
    return report


def _row(cell: Callable[[str], tuple[str | None, bool]], default_source: str,
         smtputf8: bool, languages: Collection[str] | None) -> subscribers.Candidate:
    """One row of our own CSV (or a spreadsheet's), checked."""
    name, exact_name = cell("name")
    source, exact_source = cell("source")
    item = subscribers.candidate(
        cell("email")[0] or "",
        name,
        cell("language")[0],
        source or default_source,
        smtputf8,
        cell("status")[0],
        languages,
    )
    return dataclasses.replace(
        item,
        name=subscribers.check_name(item.email, name, exact=True) if exact_name
        else item.name,
        source=source if exact_source else item.source,
        subscribed_at=subscribers.import_time(cell("subscribed_at")[0] or "",
                                              "subscribed_at"),
        unsubscribed_at=subscribers.import_time(cell("unsubscribed_at")[0] or "",
                                                "unsubscribed_at"),
    )  # fmt: skip


def _exported(tool: type[Mailchimp] | type[Listmonk], cells: list[str], index: dict[str, int],
              status: str, default_source: str, smtputf8: bool,
              languages: Collection[str] | None) -> subscribers.Candidate:
    """One row of another tool's export, checked as ours are; its consent steps kept."""

    def cell(key: str) -> str:
        number = index.get(key)
        return cells[number] if number is not None and number < len(cells) else ""

    person = tool.person(cell, status, languages)
    item = subscribers.candidate(person.email, person.name, person.language,
                                 f"{tool.name} ({default_source})", smtputf8, person.status,
                                 languages)
    return dataclasses.replace(item, subscribed_at=person.subscribed_at,
                               unsubscribed_at=person.unsubscribed_at, history=person.history)
