"""The fast path for plain addresses never calls valid what email_validator refuses."""

from __future__ import annotations

import random

import email_validator
import pytest
from email_validator import EmailNotValidError, validate_email

from newsletter.email_syntax import RESERVED_DOMAINS, plainly_valid
from newsletter.fields import check_email

_GOOD = ["a", "Z", "0", "9", "_", "+", "-", "krakow", "um", "www", "mail", "pl", "com", "ORG"]
_ODD = ["", ".", "..", "@", "xn--", "ab--c", "é", "ł", " ", '"', "!", "#", "(", ")", ",", ";",
        "\\", "\t", "\n", "-", "1", "123", "x" * 63, "y" * 64, "local", "localhost", "test",
        "onion", "arpa", "invalid", "home.arpa", "co.uk", "example", "internal"]


def _address(rng: random.Random) -> str:
    """Mostly the shape of an address (dot-joined words @ dot-joined labels), with one odd
    piece (a character, a reserved name, a too long label…) put in now and then."""
    def word() -> str:
        return "".join(rng.choice(_GOOD) for _ in range(rng.randint(1, 3)))

    def dotted(most: int) -> list[str]:
        return [word() for _ in range(rng.randint(1, most))]

    parts = [*dotted(3), "@", *dotted(4)]
    for _ in range(rng.choice([0, 0, 1, 2])):
        index = rng.randrange(len(parts) + 1)
        parts.insert(index, rng.choice(_ODD))
    at = parts.index("@")
    return ".".join(parts[:at]) + "@" + ".".join(parts[at + 1:])


def _accepted(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def test_what_the_fast_path_accepts_email_validator_accepts() -> None:
    rng = random.Random(16)
    said_valid = 0
    for _ in range(20_000):
        address = _address(rng)
        if plainly_valid(address):
            said_valid += 1
            assert _accepted(address), address
    assert said_valid > 1_000  # the generator reaches the fast path's side too


@pytest.mark.parametrize("address", [
    "pi.umk@um.krakow.pl", "First.Last+news@Office.Example.ORG", "a_b-c@x-y.co.uk",
    "a@b.cd", "x" * 64 + "@" + ".".join(["y" * 61] * 3) + ".pl",
])
def test_plain_addresses_take_the_fast_path(address: str) -> None:
    assert plainly_valid(address) and _accepted(address)


@pytest.mark.parametrize("address", [
    "pi.umk.um.krakow.pl", "pi.umk@", "a..b@c.pl", ".a@c.pl", "a.@c.pl", "a@-c.pl", "a@c-.pl",
    "a@c.p", "a@c.123", "a@localhost", "a@x.local", "a@router.home.arpa", "a@xn--bcher-kva.de",
    '"a b"@c.pl', "zażółć@c.pl", "a@kraków.pl", "x" * 65 + "@c.pl", " a@c.pl",
])
def test_anything_else_is_left_to_email_validator(address: str) -> None:
    assert not plainly_valid(address)


def test_every_domain_email_validator_reserves_is_left_to_it() -> None:
    """A newer email_validator that reserves more names fails here, not in a build."""
    assert set(email_validator.SPECIAL_USE_DOMAIN_NAMES) <= RESERVED_DOMAINS
    for name in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        assert not plainly_valid(f"a@{name}") and not plainly_valid(f"a@mail.{name}")


def test_a_bad_address_still_gets_email_validators_reason() -> None:
    with pytest.raises(ValueError, match="There must be something after the @-sign"):
        check_email("pi.umk@")
    assert check_email("  pi.umk@um.krakow.pl ") == "pi.umk@um.krakow.pl"
