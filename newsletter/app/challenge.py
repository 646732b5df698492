"""Proof of work without cookies or a third party (the ALTCHA scheme).

The form carries a challenge the server made and signed: a salt (with its expiry in
it), the SHA-256 of the salt followed by a secret number up to ``max_number``, and an
HMAC of that hash. The page's script (``signup.js``) tries numbers until its hash
matches, and sends the number back. Checking costs the server one hash and one HMAC;
finding the number costs the client ``max_number / 2`` hashes on average. Nothing is
stored when a challenge is made, so a flood of GETs costs no memory; a solved
challenge is remembered until it expires, so one solution serves one sign-up.

**One encoding.** The hash covers the salt and the number written one after the other,
so the same string can be cut in several places: ``…a3`` + ``17`` and ``…a31`` + ``7``
hash alike, and one solution used to pass once per cut (five sign-ups). Now the salt has
one fixed shape (ten digits of expiry, a dot, 24 hex digits: 35 characters), the number
one spelling (decimal, no leading zero, at most ``max_number``), and the signature covers
the salt and the challenge together, ``salt|challenge``: a given solution can be sent in
one way only, for the one challenge made with that salt, and that salt is used once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from newsletter.deliver.tokens import signature

_POW = "pow"
_SALT = re.compile(r"[0-9]{10}\.[0-9a-f]{24}")
_NUMBER = re.compile(r"0|[1-9][0-9]{0,11}")


@dataclass(frozen=True)
class Challenge:
    """What the form carries (``number`` is the answer: never sent to the browser)."""

    salt: str
    challenge: str
    signature: str
    max_number: int
    number: int


def make_challenge(key: bytes, max_number: int, expires: int) -> Challenge:
    """A fresh challenge that can be answered until ``expires`` (epoch seconds)."""
    salt = f"{expires:010d}.{secrets.token_hex(12)}"
    number = secrets.randbelow(max_number + 1)
    challenge = hashlib.sha256(f"{salt}{number}".encode()).hexdigest()
    return Challenge(salt, challenge, _sign(key, salt, challenge), max_number, number)


def _sign(key: bytes, salt: str, challenge: str) -> str:
    return signature(key, _POW, f"{salt}|{challenge}")


def solve(salt: str, challenge: str, max_number: int) -> int | None:
    """The number (what the browser's script does; for tests and benchmarks)."""
    for number in range(max_number + 1):
        if hashlib.sha256(f"{salt}{number}".encode()).hexdigest() == challenge:
            return number
    return None


class Verifier:
    """Checks answers and remembers used salts until they expire (no replay): in this
    process's memory and, given ``first_use``, wherever that records them (the database,
    for every process of ``serve --workers N``)."""

    def __init__(self, key: bytes, max_number: int,
                 first_use: Callable[[str, int, float], bool] | None = None):
        self.key = key
        self.max_number = max_number
        self.used: dict[str, int] = {}
        self.prune_at = 10_000
        self.lock = threading.Lock()
        self.first_use = first_use

    def verify(self, salt: str, challenge: str, number: str, sig: str, now: float) -> bool:
        """True for a correct, unexpired, unused answer (which is then used up): the
        number, spelt the one way, hashes after this very salt to the challenge signed
        for this very salt."""
        if not _SALT.fullmatch(salt) or not _NUMBER.fullmatch(number):
            return False
        expires = int(salt[:10])
        if expires < now or int(number) > self.max_number:
            return False
        if not hmac.compare_digest(sig, _sign(self.key, salt, challenge)):
            return False
        answer = hashlib.sha256(f"{salt}{number}".encode()).hexdigest()
        if not hmac.compare_digest(answer, challenge):
            return False
        with self.lock:
            if salt in self.used:
                return False
            self.used[salt] = expires
            if len(self.used) > self.prune_at:
                self.used = {s: e for s, e in self.used.items() if e >= now}
                self.prune_at = max(10_000, 2 * len(self.used))
        return self.first_use is None or self.first_use(salt, expires, now)
