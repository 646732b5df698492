"""Proof of work without cookies or a third party (the ALTCHA scheme).

The form carries a challenge the server made and signed: a salt (with its expiry in
it), the SHA-256 of the salt followed by a secret number up to ``max_number``, and an
HMAC of that hash. The page's script (``signup.js``) tries numbers until its hash
matches, and sends the number back. Checking costs the server one hash and one HMAC;
finding the number costs the client ``max_number / 2`` hashes on average. Nothing is
stored when a challenge is made, so a flood of GETs costs no memory; a solved
challenge is remembered until it expires, so one solution serves one sign-up.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from newsletter.deliver.tokens import signature

_POW = "pow"


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
    salt = f"{expires}.{secrets.token_hex(12)}"
    number = secrets.randbelow(max_number + 1)
    challenge = hashlib.sha256(f"{salt}{number}".encode()).hexdigest()
    return Challenge(salt, challenge, signature(key, _POW, challenge), max_number, number)


def solve(salt: str, challenge: str, max_number: int) -> int | None:
    """The number (what the browser's script does; for tests and benchmarks)."""
    for number in range(max_number + 1):
        if hashlib.sha256(f"{salt}{number}".encode()).hexdigest() == challenge:
            return number
    return None


class Verifier:
    """Checks answers and remembers used salts until they expire (no replay)."""

    def __init__(self, key: bytes):
        self.key = key
        self.used: dict[str, int] = {}
        self.lock = threading.Lock()

    def verify(self, salt: str, number: str, sig: str, now: float) -> bool:
        """True for a correct, unexpired, unused answer (which is then used up)."""
        expires, _, _ = salt.partition(".")
        if not expires.isdigit() or int(expires) < now or not number.isdigit():
            return False
        if len(salt) > 64 or len(number) > 12:
            return False
        challenge = hashlib.sha256(f"{salt}{number}".encode()).hexdigest()
        if not hmac.compare_digest(sig, signature(self.key, _POW, challenge)):
            return False
        with self.lock:
            if salt in self.used:
                return False
            self.used[salt] = int(expires)
            if len(self.used) > 10_000:
                self.used = {s: e for s, e in self.used.items() if e >= now}
        return True
