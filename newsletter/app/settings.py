"""The limits of the public app, with the reasons for their values.

Defaults are for a city newsletter: a few sign-ups a day from people, and bots that try
thousands. Tests and benchmarks pass their own values; ``serve`` uses these.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppSettings:
    """How long links last, and how much each client, address and the server may do."""

    confirm_days: int = 3
    """A confirmation link's life; a pending sign-up expires with it."""
    form_seconds: int = 2 * 3600
    """How long a served form (its CSRF token and challenge) can be sent."""
    ip_burst: int = 10
    ip_per_hour: int = 20
    """Sign-up POSTs per client network (an IPv4 address, an IPv6 /64): a burst, then
    a steady rate. An office behind one address still gets in; a script does not."""
    address_burst: int = 3
    address_per_day: int = 3
    """Confirmation e-mails per address: nobody's mailbox is flooded through our form."""
    mails_per_hour: int = 600
    """Confirmation e-mails in all: many addresses from many networks still cannot turn
    the list's sender (and its reputation) into a spam source."""
    pow_max_number: int = 50_000
    """Proof of work: the browser tries up to this many SHA-256 hashes (half on average).
    Chromium on the 2-core test machine hashes 54,000–89,000 a second (bench/signup.py):
    0.3–0.5 s on average, under 1 s at most, mostly done while the reader types; a slow
    phone may take a few times that."""
    nojs_wait_seconds: int = 5
    """Without JavaScript the form cannot do the work; it must instead be sent at least
    this long after it was served (a person reads and types; a script posts at once)."""
    max_body: int = 16 * 1024
    """Bytes of request body any page takes: a form is a few hundred, a one-click
    unsubscribe 26; more is not a reader (413, read no further)."""
    retry_seconds: float = 5.0
    """While requests wait in a queue (the database was locked), how often to try to
    write them."""
    nojs_per_hour: int = 60
    """Sign-ups without the work, in all: the cheap path is not the way in for a botnet."""
