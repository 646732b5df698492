"""E-mail address syntax: the plain addresses every newsletter has, told valid without a library.

email_validator (the project's judge of addresses) compiles its RFC grammar when imported,
about 20 ms of every command that reads newsletter.toml or an issue's footer: a tenth of
``build --only email``. Nearly every address written there is plain ASCII,
``name.surname@office.example.pl``. :func:`plainly_valid` says yes to a strict subset of
what email_validator accepts, checked with one small pattern; anything else (a quoted
local part, Unicode, Punycode, a special-use domain, a typo) goes to email_validator,
which gives the verdict and the reason an editor reads. So the answers never differ: the
fast path can only say "valid" where email_validator would say so too (the tests check
that on generated addresses and on email_validator's own list of reserved domains).
"""

from __future__ import annotations

import re

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN = re.compile(
    r"(?P<local>[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*)"
    rf"@(?P<domain>(?:{_LABEL}\.)+[a-z]{{2,63}})",
    re.IGNORECASE | re.ASCII,
)
"""A dot-atom local part of letters, digits, ``_+-``; a domain of two or more LDH labels
ending in an alphabetic top-level one (email_validator: "all TLDs end with a letter")."""

RESERVED_DOMAINS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test",
                              "alt", "internal", "home.arpa", "example"})
"""Special-use names email_validator refuses (its ``SPECIAL_USE_DOMAIN_NAMES``), and a few
more it may come to refuse: an address under one of them is left to email_validator."""

_LOCAL_MAX, _DOMAIN_MAX, _ADDRESS_MAX = 64, 253, 254  # RFC 5321 / 1035, as email_validator


def plainly_valid(address: str) -> bool:
    """Whether ``address`` is a plain ASCII address that email_validator accepts
    (``check_deliverability=False``); False means "ask email_validator", not "invalid"."""
    found = _PLAIN.fullmatch(address)
    if found is None or len(address) > _ADDRESS_MAX:
        return False
    local, domain = found["local"], found["domain"].lower()
    if len(local) > _LOCAL_MAX or len(domain) > _DOMAIN_MAX or "--" in domain:
        return False  # "--" also keeps Punycode (xn--) and "ab--" labels out
    labels = domain.split(".")
    return not any(".".join(labels[i:]) in RESERVED_DOMAINS for i in range(len(labels)))
