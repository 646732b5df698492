"""Joining the list through the form: a request, its confirmation, and requests that expire.

Double opt-in: a request puts nobody on the list. It appends a ``subscribed`` event (the
consent text version, the network it came from, the language and name asked for) and
the confirmation link names that event; only confirming it subscribes. So the link
carries no personal data, a later request gets a link of its own, and a link used or
overtaken (the person confirmed, or left, after it) changes nothing.

New addresses wait as ``pending`` rows; someone who had left keeps their row as it is
until they confirm, which is the one way back onto the list after leaving. An address
already subscribed gets nothing and changes nothing: a stranger typing it into the form
must not be able to mail them or change their details. The caller answers every request
with the same page, so the form never tells whether an address is on the list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from newsletter.deliver.audience import consent, forgotten
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import now, subscribers

FORM = "form"


@dataclass(frozen=True)
class SignupRequest:
    """What the form sent, checked (``candidate`` normalized the address and name)."""

    email: str
    name: str | None
    language: str
    consent_version: str
    ip: str | None = None


@dataclass(frozen=True)
class Confirmation:
    """The outcome of a confirmation: ``confirmed`` (now on the list), ``already`` (was
    confirmed before: nothing to do) or ``stale`` (the person left or asked again later:
    this link no longer decides). ``subscriber_id`` is None when the link names nothing."""

    outcome: str
    subscriber_id: int | None = None
    language: str | None = None


def request(engine: Engine, asked: SignupRequest, secret: bytes | None = None) -> int | None:
    """Record a sign-up; the event id a confirmation link should name, or None when no
    mail is to be sent (the address is on the list already, or its owner asked to be
    forgotten and nobody allowed them back: then nothing is stored either).

    ``secret``: the key of the forgotten addresses' hashes (the app's NEWSLETTER_SECRET).
    """
    key = asked.email.lower()
    details = {"language": asked.language, **({"name": "given"} if asked.name else {})}
    moment = now()
    with engine.begin() as connection:
        row = connection.execute(
            sa.select(subscribers.c.id, subscribers.c.status).where(
                subscribers.c.email_key == key
            )
        ).first()
        if row is not None and row.status == subs.SUBSCRIBED:
            return None
        if (row is None or row.status in (subs.PENDING, subs.EXPIRED)) and forgotten.screen(
            connection, [key], secret, signup=True
        ):
            return None
        if row is None:
            inserted = connection.execute(
                subscribers.insert().values(
                    email=asked.email, email_key=key, name=asked.name, language=asked.language,
                    status=subs.PENDING, source=FORM, created_at=moment, updated_at=moment,
                )
            )  # fmt: skip
            subscriber_id = inserted.inserted_primary_key[0]
        else:
            subscriber_id = row.id
            if row.status in (subs.PENDING, subs.EXPIRED):  # never confirmed: no one's data
                connection.execute(
                    subscribers.update()
                    .where(subscribers.c.id == subscriber_id)
                    .values(status=subs.PENDING, name=asked.name, language=asked.language,
                            updated_at=moment)
                )  # fmt: skip
        # The name asked for waits in the row of a new address; someone who left keeps
        # their row unchanged until they confirm, so the name travels in the event.
        if row is not None and row.status in subs.LEFT and asked.name:
            details["name"] = asked.name
        return consent.record(
            connection, subscriber_id, consent.SUBSCRIBED, FORM,
            consent_version=asked.consent_version, ip=asked.ip, details=details,
        )  # fmt: skip


def confirm(engine: Engine, event_id: int, ip: str | None = None) -> Confirmation:
    """Confirm the sign-up ``event_id``: the person goes on the list with the language
    (and name) they asked for, whatever their status was. Idempotent."""
    with engine.begin() as connection:
        asked = consent.event(connection, event_id)
        if asked is None or asked.kind != consent.SUBSCRIBED:
            return Confirmation("stale")
        person = subs.by_id(connection, asked.subscriber_id)
        if person is None:  # forgotten since: the link names nobody any more
            return Confirmation("stale")
        later = {e.kind for e in consent.later_events(connection, asked)}
        if later & {consent.UNSUBSCRIBED, consent.BOUNCED, consent.COMPLAINED,
                    consent.SUBSCRIBED, consent.EXPIRED, consent.FORGOTTEN}:  # fmt: skip
            return Confirmation("stale", person.id, person.language)  # left, or asked anew
        if consent.CONFIRMED in later:
            return Confirmation("already", person.id, person.language)
        if person.status == subs.SUBSCRIBED:  # e.g. imported meanwhile: nothing to confirm
            return Confirmation("already", person.id, person.language)
        moment = now()
        language = asked.details.get("language") or person.language
        values = {
            "status": subs.SUBSCRIBED, "language": language, "source": FORM,
            "subscribed_at": moment, "unsubscribed_at": None, "updated_at": moment,
        }  # fmt: skip
        name = asked.details.get("name")
        if name and name != "given":
            values["name"] = name
        connection.execute(
            subscribers.update().where(subscribers.c.id == person.id).values(**values)
        )
        consent.record(
            connection, person.id, consent.CONFIRMED, FORM,
            consent_version=asked.consent_version, ip=ip,
            details={"confirms": asked.id, "language": language},
        )  # fmt: skip
        return Confirmation("confirmed", person.id, language)


def expire(engine: Engine, before: dt.datetime) -> int:
    """Pending sign-ups last asked for before ``before`` become ``expired``, their name
    dropped (nobody agreed to our keeping it); how many. Their events stay on record."""
    with engine.begin() as connection:
        ids = connection.execute(
            sa.select(subscribers.c.id)
            .where(subscribers.c.status == subs.PENDING)
            .where(subscribers.c.updated_at < before)
        ).scalars().all()
        for subscriber_id in ids:
            connection.execute(
                subscribers.update()
                .where(subscribers.c.id == subscriber_id)
                .where(subscribers.c.status == subs.PENDING)
                .values(status=subs.EXPIRED, name=None, updated_at=now())
            )
            consent.record(connection, subscriber_id, consent.EXPIRED, "sign-up not confirmed")
    return len(ids)


def change_language(engine: Engine, subscriber_id: int, language: str, ip: str | None) -> bool:
    """Set a subscriber's language from their preference page; True when it changed."""
    with engine.begin() as connection:
        changed = connection.execute(
            subscribers.update()
            .where(subscribers.c.id == subscriber_id)
            .where(subscribers.c.status == subs.SUBSCRIBED)
            .where(sa.or_(subscribers.c.language.is_(None), subscribers.c.language != language))
            .values(language=language, updated_at=now())
        ).rowcount > 0
        if changed:
            consent.record(connection, subscriber_id, consent.CHANGED, "preference page",
                           ip=ip, details={"language": language})  # fmt: skip
    return changed
