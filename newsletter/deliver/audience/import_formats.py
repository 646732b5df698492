"""The exports of the tools people leave for this one, read as what they say about each person.

A list arrives from Mailchimp or listmonk more often than from a spreadsheet, and their
exports say more than ours: Mailchimp writes one file per audience state (subscribed,
unsubscribed, cleaned) with first and last names, opt-in and confirmation times and the
addresses they came from; listmonk one file with ``enabled``/``disabled``/``blocklisted``
and JSON attributes. Each format here is recognised by its header row (or named with
``subscribers import --from``) and maps a row to a :class:`Person`; the importer checks
and saves it as it does a row of our own CSV.

What the consent record keeps of an export: the original opt-in and confirmation, each
as an event at its own time with its network (truncated as every address in the record,
:func:`newsletter.deliver.audience.consent.truncate_ip`) and the tool as its source, so the
evidence of consent survives the move. Everything else an export holds (ratings, places,
campaign titles, other attributes) is left behind: the record keeps only what consent needs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from newsletter.deliver.audience import consent
from newsletter.deliver.audience.consent import Earlier
from newsletter.deliver.audience.export_times import TimeError, parse_time
from newsletter.deliver.audience.subscribers import (
    BOUNCED,
    SUBSCRIBED,
    UNSUBSCRIBED,
    InvalidSubscriber,
)

Cell = Callable[[str], str]
"""A row's value under a header (compared as :func:`importer.header_key` folds it); ''
when the file has no such column or the row leaves it empty."""


@dataclass(frozen=True)
class Person:
    """One row of an export, in our terms (checked afterwards like any imported row)."""

    email: str
    name: str | None
    language: str | None
    status: str
    subscribed_at: dt.datetime | None = None
    unsubscribed_at: dt.datetime | None = None
    history: tuple[Earlier, ...] = field(default_factory=tuple)


def export_time(text: str, column: str) -> dt.datetime | None:
    """A time as these tools write it (or a spreadsheet re-saved it), in UTC:
    :func:`newsletter.deliver.audience.export_times.parse_time`."""
    try:
        return parse_time(text, column)
    except TimeError as exc:
        raise InvalidSubscriber(str(exc)) from None


def _language(code: str, known: Collection[str] | None) -> str | None:
    """``pl``, ``pl_PL``, ``en-GB`` as one of the newsletter's languages; None for any
    other (the person is imported and gets the main language, not refused). Without the
    site's languages (a list kept apart from a site), any language code."""
    first = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    if known is None:
        return first if re.fullmatch(r"[a-z]{2,3}", first) else None
    return first if first in known else None


FIRST_NAMES = ("first name", "fname", "imie", "vorname", "prenom", "given name", "first")
LAST_NAMES = ("last name", "lname", "nazwisko", "nachname", "nom", "surname", "family name",
              "last")
FULL_NAMES = ("name", "full name", "imie i nazwisko", "nazwa")
LANGUAGES = ("language", "lang", "jezyk", "sprache", "langue", "mc language")
"""Mailchimp's merge fields are named by the account's owner ("First Name" is only the
default; a Polish audience has "Imię"): the names of a merge field people give it, folded
as :func:`importer.header_key` folds them."""


def _first(cell: Cell, names: tuple[str, ...]) -> str:
    """The first of the columns ``names`` that holds something in this row."""
    return next((value.strip() for value in map(cell, names) if value.strip()), "")


class Mailchimp:
    """Mailchimp's audience export: ``subscribed_members_export_….csv``,
    ``unsubscribed_…`` (with UNSUB_TIME) and ``cleaned_…`` (with CLEAN_TIME: addresses
    Mailchimp removed after hard bounces)."""

    name = "mailchimp"
    email = "email address"
    marks = ("optin time", "confirm time", "leid", "euid", "member rating")

    @classmethod
    def detect(cls, keys: Collection[str]) -> bool:
        return cls.email in keys and any(mark in keys for mark in cls.marks)

    @classmethod
    def kind(cls, keys: Collection[str]) -> str:
        """Which of the three files: its status on our list."""
        if "clean time" in keys:
            return BOUNCED
        return UNSUBSCRIBED if "unsub time" in keys else SUBSCRIBED

    @classmethod
    def notes(cls, keys: Collection[str]) -> list[str]:
        """What the import leaves out because the owner renamed a merge field."""
        if any(k in keys for k in FIRST_NAMES + LAST_NAMES + FULL_NAMES):
            return []
        return ["no name column (First Name, Last Name or a known renaming such as Imię, "
                "Nazwisko): names not imported. Rename the merge field columns in the "
                "header row to 'First Name' and 'Last Name' and import the file again"]

    @classmethod
    def person(cls, cell: Cell, status: str, languages: Collection[str] | None) -> Person:
        name = " ".join(part for part in (_first(cell, FIRST_NAMES), _first(cell, LAST_NAMES))
                        if part) or _first(cell, FULL_NAMES) or None
        opted = export_time(cell("optin time"), "OPTIN_TIME")
        confirmed = export_time(cell("confirm time"), "CONFIRM_TIME")
        left = (export_time(cell("unsub time"), "UNSUB_TIME")
                or export_time(cell("clean time"), "CLEAN_TIME"))
        history = []
        if opted:
            history.append(Earlier(consent.SUBSCRIBED, opted, "mailchimp: opt-in",
                                   cell("optin ip") or None))
        if confirmed:
            history.append(Earlier(consent.CONFIRMED, confirmed, "mailchimp: confirmed",
                                   cell("confirm ip") or None))
        return Person(cell(cls.email), name, _language(_first(cell, LANGUAGES), languages),
                      status,
                      confirmed or opted, left, tuple(history))


class Listmonk:
    """listmonk's subscriber export: uuid, email, name, attributes (JSON), status
    (``enabled``, ``disabled``, ``blocklisted``), created_at, updated_at."""

    name = "listmonk"
    email = "email"
    STATUSES = {"enabled": SUBSCRIBED, "disabled": UNSUBSCRIBED, "blocklisted": UNSUBSCRIBED}

    @classmethod
    def detect(cls, keys: Collection[str]) -> bool:
        return {"uuid", "email", "status"} <= set(keys) and (
            "attributes" in keys or "created at" in keys)

    @classmethod
    def kind(cls, keys: Collection[str]) -> str:
        return SUBSCRIBED  # per row

    @classmethod
    def notes(cls, keys: Collection[str]) -> list[str]:
        return []

    @classmethod
    def person(cls, cell: Cell, status: str, languages: Collection[str] | None) -> Person:
        given = cell("status").strip().lower()
        if given not in cls.STATUSES:
            raise InvalidSubscriber(f"unknown listmonk status '{given}' (expected one of: "
                                    f"{', '.join(cls.STATUSES)})")
        status = cls.STATUSES[given]
        try:
            attributes = json.loads(cell("attributes") or "{}")
        except json.JSONDecodeError:
            attributes = {}
        wanted = attributes.get("language") or attributes.get("lang") if isinstance(
            attributes, dict) else None
        created = export_time(cell("created at"), "created_at")
        changed = export_time(cell("updated at"), "updated_at")
        history = (Earlier(consent.SUBSCRIBED, created, "listmonk: subscriber created"),
                   ) if created else ()
        return Person(cell(cls.email), cell("name").strip() or None,
                      _language(str(wanted or ""), languages), status, created,
                      changed if status != SUBSCRIBED else None, history)


FORMATS = {format.name: format for format in (Mailchimp, Listmonk)}
"""Exports recognised by their header row (``csv``, our own and a spreadsheet's, is what
is left)."""


def recognise(keys: Collection[str]) -> type[Mailchimp] | type[Listmonk] | None:
    """The tool whose export has this header row (folded keys), or None: a plain CSV."""
    return next((f for f in FORMATS.values() if f.detect(keys)), None)
