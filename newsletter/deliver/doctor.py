"""Before the first send: is everything a send depends on really in place?

Each of these fails silently in production. A placeholder ``base_url`` makes every
confirmation and unsubscribe link point nowhere; a DKIM record that is not the key's
public half makes every signature fail, so DMARC quarantines the issue; an SPF record
without the relay, a missing DMARC record, a bounce domain without MX, a relay that does not
offer STARTTLS or refuses the login: the send "works" and the mail goes to spam or nowhere.
:func:`diagnose` asks the real services (the web address over HTTPS, DNS, the relay) and
returns a :class:`Finding` per check: ok, a warning, or a failure with what to do.

DNS is asked through dnspython, by default the system's resolver; ``--dns`` names a server
(the domain's own, to check records before they have spread). SPF is evaluated by pyspf
(RFC 7208, the reference implementation in Python) for the relay's address. DMARC
alignment is judged relaxed without the public suffix list: two domains align when one is
the other or under it (``um.krakow.pl`` and ``newsletter.um.krakow.pl``), which is what a
sender's own domains look like.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import socket
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import dns.exception
import dns.resolver
from cryptography.hazmat.primitives import serialization

from newsletter.config import Site
from newsletter.exceptions import NewsletterError

OK, WARNING, FAILURE = "ok", "warning", "failure"
PLACEHOLDERS = (".example", ".invalid", ".test", ".localhost", "example.com", "example.org",
                "example.net", "localhost")
"""Hosts reserved for documentation and tests (RFC 2606, 6761): never a real base_url."""


@dataclass(frozen=True)
class Finding:
    """One check's verdict: ``level`` ok, warning or failure; ``fix`` what to do."""

    level: str
    check: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        label = {OK: "ok", WARNING: "warning", FAILURE: "FAIL"}[self.level]
        return f"{label:<7} {self.check}: {self.message}" + (f"\n        → {self.fix}"
                                                             if self.fix else "")


def resolver_for(server: str | None) -> dns.resolver.Resolver:
    """The system's resolver, or one asking ``server`` only: an address, a host name
    (looked up by the system), ``host:port``, ``[v6]:port`` or a bare IPv6 address."""
    if not server:
        return dns.resolver.Resolver()
    host, port = _server_and_port(server.strip())
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        try:
            address = socket.getaddrinfo(host, port, proto=socket.IPPROTO_UDP)[0][4][0]
        except (OSError, UnicodeError) as exc:
            raise NewsletterError(f"--dns {server}: cannot find the address of {host} "
                                  f"({exc}); give the DNS server's address, e.g. --dns "
                                  "192.0.2.53 or --dns 127.0.0.1:5353") from None
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [address]
    resolver.port = port
    resolver.lifetime = 5.0
    return resolver


def _server_and_port(server: str) -> tuple[str, int]:
    """``host[:port]``, ``[v6]:port`` or a bare IPv6 address, as (host, port)."""
    if server.startswith("["):
        host, _, rest = server[1:].partition("]")
        port = rest.removeprefix(":")
    elif server.count(":") == 1:
        host, _, port = server.partition(":")
    else:
        host, port = server, ""
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise NewsletterError(f"--dns {server}: '{port}' is not a port; write HOST or "
                              "HOST:PORT, e.g. --dns 127.0.0.1:5353 or --dns [::1]:5353")
    return host, int(port) if port else 53


DNS_FIX = ("check that the DNS server answers (`dig @SERVER -p PORT NAME`); --dns names "
           "another, e.g. the domain's own")


def dns_trouble(exc: BaseException) -> str:
    """dnspython's reason, short: a timeout names the servers once, not per attempt."""
    if isinstance(exc, dns.resolver.LifetimeTimeout):
        servers = sorted({str(server) for server, *_ in exc.kwargs.get("errors", [])})
        return f"no answer within {exc.kwargs.get('timeout', 0):.0f} s" + (
            f" from {', '.join(servers)}" if servers else "")
    if isinstance(exc, dns.resolver.NoNameservers):
        return "every DNS server refused or failed the question (SERVFAIL)"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def is_placeholder(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == p.lstrip(".") or host.endswith(p if p.startswith(".") else "." + p)
               for p in PLACEHOLDERS)


def placeholder_warning(site: Site) -> str | None:
    """What `send` to the list says, loudly, while base_url is a placeholder."""
    host = site.base_url.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    if not is_placeholder(host):
        return None
    return (f"WARNING: base_url is {site.base_url}, a placeholder: the confirmation and "
            "unsubscribe links in these messages lead nowhere. Set base_url in "
            "newsletter.toml and run `newsletter doctor` before sending to the list.")


def diagnose(site: Site, environ: dict[str, str], smtp_url: str | None,
             resolver: dns.resolver.Resolver) -> list[Finding]:
    """Every check, in the order a first send depends on them."""
    findings = [check_base_url(site)]
    findings += check_secrets(site, environ, smtp_url)
    try:
        relay = _relay_settings(smtp_url, environ)
    except NewsletterError as exc:  # a URL that cannot work: said, and the rest still checked
        relay = None
        findings.append(Finding(FAILURE, "relay", str(exc)))
    else:
        findings.append(check_relay(relay) if relay else Finding(
            FAILURE, "relay", "no SMTP relay named",
            "pass --smtp smtp://user@host:587?starttls or set NEWSLETTER_SMTP_URL"))
    findings.append(check_dkim(site, environ, resolver))
    envelope = (site.bounce_address or site.sender.email).rpartition("@")[2]
    findings.append(check_spf(envelope, site.sender.email, relay.host if relay else None,
                              resolver))
    findings.append(check_dmarc(site, envelope, resolver))
    if site.bounce_address:
        findings.append(check_mx("bounce domain", envelope, resolver,
                                 "bounces come back to bounce_address's domain"))
    findings.append(check_mx("sender domain", site.sender.email.rpartition("@")[2], resolver,
                             "replies and DMARC reports go to the sender's domain"))
    return findings


def check_base_url(site: Site) -> Finding:
    """base_url is real and serves the sign-up page over HTTPS."""
    import httpx

    url = site.base_url
    host = httpx.URL(url).host
    if is_placeholder(host):
        return Finding(FAILURE, "base_url", f"{url} is a placeholder: every confirmation and "
                       "unsubscribe link of every message would point at it",
                       "set base_url in newsletter.toml to where `newsletter site` is published")
    if not url.startswith("https://"):
        return Finding(FAILURE, "base_url", f"{url} is not HTTPS: mail clients' one-click "
                       "unsubscribe (RFC 8058) and readers' browsers need it",
                       "serve the site over HTTPS (docs/deployment.md, step 4)")
    signup = url + "subscribe"
    try:
        answer = httpx.get(signup, timeout=10, follow_redirects=False)
    except httpx.HTTPError as exc:
        return Finding(FAILURE, "base_url", f"{signup} does not answer: {exc}",
                       "start `newsletter serve` behind the HTTPS proxy (docs/deployment.md)")
    if answer.status_code != 200 or "<form" not in answer.text:
        return Finding(FAILURE, "base_url", f"{signup} answers {answer.status_code} without "
                       "the sign-up form", "proxy /subscribe, /confirm/, /p/, /u/ and /s/ to "
                       "`newsletter serve` (deploy/nginx/business-krakow.conf)")
    return Finding(OK, "base_url", f"{signup} shows the sign-up form over HTTPS")


def check_secrets(site: Site, environ: dict[str, str], smtp_url: str | None) -> list[Finding]:
    """NEWSLETTER_SECRET, the relay's password, the DKIM key: present and usable."""
    from newsletter.deliver.sending.signing import dkim_signer
    from newsletter.deliver.tokens import secret_key

    found = []
    for name, check in (("NEWSLETTER_SECRET", lambda: secret_key(environ)),
                        ("DKIM key", lambda: dkim_signer(site, environ)),
                        ("SMTP password", lambda: _relay_settings(smtp_url, environ))):
        try:
            check()
        except NewsletterError as exc:
            found.append(Finding(FAILURE, "secrets", f"{name}: {exc}"))
    return found or [Finding(OK, "secrets", "the signing secret, the relay's password and the "
                             "DKIM key are set and usable")]


def _relay_settings(smtp_url: str | None, environ: dict[str, str]):  # type: ignore[no-untyped-def]
    from newsletter.deliver.sending.smtp_settings import URL_VARIABLE, smtp_settings

    if not (smtp_url or environ.get(URL_VARIABLE)):
        return None
    return smtp_settings(smtp_url, environ)


def check_relay(settings) -> Finding:  # type: ignore[no-untyped-def]
    """Connect, EHLO, STARTTLS and AUTH exactly as `send` does, then QUIT."""
    from newsletter.deliver.sending.relay_probe import mismatch
    from newsletter.deliver.sending.smtp import SmtpConnection
    from newsletter.deliver.sending.smtp_replies import SmtpUnavailable, TemporaryFailure

    if settings.security != "tls" and (wrong := mismatch(
            settings.host, settings.port, settings.security, settings.username)):
        return Finding(FAILURE, "relay", wrong[0], f"use --smtp '{wrong[1]}'")
    connection = SmtpConnection(settings)
    try:
        connection.open()
    except (SmtpUnavailable, TemporaryFailure) as exc:
        if settings.security == "tls" and (wrong := mismatch(
                settings.host, settings.port, settings.security, settings.username)):
            return Finding(FAILURE, "relay", wrong[0], f"use --smtp '{wrong[1]}'")
        return Finding(FAILURE, "relay", str(exc), "check --smtp (host, port, ?starttls), the "
                       "user and NEWSLETTER_SMTP_PASSWORD; a private CA: SSL_CERT_FILE")
    finally:
        if connection.client is not None:
            with contextlib.suppress(Exception):
                connection.client.quit()
    how = {"tls": "TLS", "starttls": "STARTTLS", "plain": "no encryption"}[settings.security]
    login = f", logged in as {settings.username}" if settings.username else ""
    if settings.security == "plain":
        return Finding(WARNING, "relay", f"{settings.host}:{settings.port} answers with {how}"
                       f"{login}", "use ?starttls (port 587) unless the relay is this machine")
    return Finding(OK, "relay", f"{settings.host}:{settings.port} answers with {how}{login}")


def _txt(resolver: dns.resolver.Resolver, name: str) -> list[str]:
    """The TXT records at ``name``, each joined from its strings; [] when none."""
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]


def _tags(record: str) -> dict[str, str]:
    """``v=DKIM1; k=rsa; p=…`` as a mapping (whitespace inside values removed)."""
    tags = {}
    for part in record.split(";"):
        key, _, value = part.partition("=")
        if key.strip():
            tags[key.strip().lower()] = "".join(value.split())
    return tags


def check_dkim(site: Site, environ: dict[str, str], resolver: dns.resolver.Resolver) -> Finding:
    """The public key at selector._domainkey.domain is the private key's."""
    from newsletter.deliver.sending.signing import DkimError, dkim_signer

    if site.dkim is None:
        return Finding(WARNING, "DKIM", "newsletter.toml has no [dkim]: messages go out "
                       "unsigned and DMARC can pass only through SPF",
                       "docs/delivery.md, \"DKIM, SPF and DMARC\"")
    name = f"{site.dkim.selector}._domainkey.{site.dkim.domain}"
    try:
        signer = dkim_signer(site, environ)
        records = _txt(resolver, name)
    except DkimError:
        return Finding(FAILURE, "DKIM", "the private key is missing or unusable (see secrets)")
    except dns.exception.DNSException as exc:
        return Finding(FAILURE, "DKIM", f"cannot ask DNS for {name}: {dns_trouble(exc)}",
                       DNS_FIX)
    keys = [_tags(r).get("p", "") for r in records if "p=" in r]
    if not keys:
        return Finding(FAILURE, "DKIM", f"no DKIM record at {name}",
                       f"check [dkim] selector and domain in newsletter.toml against the "
                       f"name the record was published under (selector._domainkey.domain), "
                       f"or publish TXT {name} \"v=DKIM1; k=rsa; p=<public key>\" "
                       "(docs/delivery.md shows the openssl command)")
    assert signer is not None
    public = serialization.load_pem_private_key(signer.key, password=None).public_key()
    ours = base64.b64encode(public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    if ours not in keys:
        return Finding(FAILURE, "DKIM", f"the key published at {name} is not the public half "
                       "of the private key: every signature would fail",
                       f"publish p={ours[:24]}… (the whole key) at {name}, or use the key "
                       "that matches the record")
    return Finding(OK, "DKIM", f"{name} holds the public half of the signing key")


@contextlib.contextmanager
def _asking(resolver: dns.resolver.Resolver) -> Iterator[None]:
    """pyspf asks dnspython's default resolver: this one, for the while."""
    before = dns.resolver.default_resolver
    dns.resolver.default_resolver = resolver
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # pyspf's dns.resolver.query
            yield
    finally:
        dns.resolver.default_resolver = before


def _addresses(host: str, resolver: dns.resolver.Resolver) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    found = []
    for kind in ("A", "AAAA"):
        with contextlib.suppress(dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            found += [r.address for r in resolver.resolve(host, kind)]
    return found


def check_spf(envelope_domain: str, sender: str, relay_host: str | None,
              resolver: dns.resolver.Resolver) -> Finding:
    """The envelope sender's SPF record lets the relay's addresses send."""
    import spf

    if relay_host is None:
        return Finding(FAILURE, "SPF", "no relay to check SPF for (see relay)")
    try:
        addresses = _addresses(relay_host, resolver)
    except dns.exception.DNSException as exc:
        return Finding(FAILURE, "SPF", f"cannot resolve the relay {relay_host}: "
                       f"{dns_trouble(exc)}", DNS_FIX)
    if not addresses:
        return Finding(FAILURE, "SPF", f"the relay {relay_host} has no address in DNS")
    envelope = f"bounces@{envelope_domain}"
    refused = []
    with _asking(resolver):
        for address in addresses:
            result, explanation = spf.check2(i=address, s=envelope, h=relay_host)
            if result != "pass":
                refused.append(f"{address}: {result}" + (f" ({explanation})" if explanation
                                                         else ""))
    if refused:
        return Finding(FAILURE, "SPF", f"{envelope_domain}'s SPF does not let the relay "
                       f"{relay_host} send: {'; '.join(refused)}",
                       _spf_fix(envelope_domain, refused))
    return Finding(OK, "SPF", f"{envelope_domain}'s SPF passes the relay {relay_host} "
                   f"({', '.join(addresses)})")


SPF_FIXES = {
    "permerror": "the record itself is broken (a syntax error, two v=spf1 records, or more "
                 "than 10 DNS lookups through include:, a:, mx: and redirect=, RFC 7208 4.6.4): "
                 "every receiver treats it as no SPF. Test it with `spfquery` or an online "
                 "checker; replace nested include: chains by the relay's ip4:/ip6: ranges",
    "temperror": "DNS did not answer for a record on the way (an include: whose domain's "
                 "servers fail): ask again later; if it stays, remove that include:",
    "none": "publish TXT {domain} \"v=spf1 ip4:<the relay's address> -all\" (or the "
            "include: of the relay's provider)",
    "softfail": "the relay is not listed and ~all lets it through only as suspicious "
                "(spam folder): add the relay (ip4:…, a:… or the provider's include:) to "
                "TXT {domain}",
}
"""What to do for each pyspf result that is not a pass (anything else: add the relay)."""


def _spf_fix(domain: str, refused: list[str]) -> str:
    result = refused[0].split(": ", 1)[1].split(" ", 1)[0]
    fix = SPF_FIXES.get(result, "add the relay to TXT {domain} \"v=spf1 … -all\" (ip4:…, "
                                "a:… or include: of the relay's provider)")
    return fix.format(domain=domain)


def aligned(one: str, other: str) -> bool:
    """Relaxed DMARC alignment, as a sender's own domains have it (see the module's note)."""
    one, other = one.lower().rstrip("."), other.lower().rstrip(".")
    return one == other or one.endswith("." + other) or other.endswith("." + one)


def check_dmarc(site: Site, envelope_domain: str, resolver: dns.resolver.Resolver) -> Finding:
    """A DMARC record for the From domain, and DKIM or SPF aligned with it."""
    domain = site.sender.email.rpartition("@")[2].lower()
    labels = domain.split(".")
    try:
        found = next(((f"_dmarc.{'.'.join(labels[i:])}", r)
                      for i in range(len(labels) - 1)
                      for r in _txt(resolver, f"_dmarc.{'.'.join(labels[i:])}")
                      if r.lower().startswith("v=dmarc1")), None)
    except dns.exception.DNSException as exc:
        return Finding(FAILURE, "DMARC", f"cannot ask DNS for _dmarc.{domain}: "
                       f"{dns_trouble(exc)}", DNS_FIX)
    if found is None:
        return Finding(FAILURE, "DMARC", f"no DMARC record for {domain}: large mailboxes "
                       "(Gmail, Yahoo) require one from bulk senders",
                       f"publish TXT _dmarc.{domain} \"v=DMARC1; p=none; rua=mailto:…\"")
    name, record = found
    tags = _tags(record)
    strict_dkim, strict_spf = tags.get("adkim") == "s", tags.get("aspf") == "s"
    dkim = site.dkim is not None and _aligned_as(site.dkim.domain, domain, strict_dkim)
    spf_aligned = _aligned_as(envelope_domain, domain, strict_spf)
    if not (dkim or spf_aligned):
        modes = ", ".join(f"{t}=s" for t, on in (("adkim", strict_dkim), ("aspf", strict_spf))
                          if on)
        strict = f" ({modes}: the domains must be equal, not only related)" if modes else ""
        return Finding(FAILURE, "DMARC", f"{name} ({record}): neither DKIM's domain "
                       f"({site.dkim.domain if site.dkim else 'no [dkim]'}) nor the "
                       f"envelope's ({envelope_domain}) aligns with From {domain}{strict}",
                       "sign with [dkim] domain = the sender's domain, or use a bounce_address "
                       "in it" + (", or relax the record to adkim=r" if strict_dkim else ""))
    how = " and ".join(w for w, ok in (("DKIM", dkim), ("SPF", spf_aligned)) if ok)
    if name == f"_dmarc.{domain}":
        policy = f"p={tags.get('p', '?')}"
    else:  # found on a parent domain: its sp= (else p=) is the policy for its subdomains
        key = "sp" if "sp" in tags else "p"
        policy = f"(the organisational domain's record) {key}={tags.get(key, '?')}"
    return Finding(OK, "DMARC", f"{name} {policy}; {how} aligned with {domain}")


def _aligned_as(one: str, other: str, strict: bool) -> bool:
    """DMARC alignment in the record's mode: strict (``s``) wants the same domain."""
    if strict:
        return one.lower().rstrip(".") == other.lower().rstrip(".")
    return aligned(one, other)


def check_mx(check: str, domain: str, resolver: dns.resolver.Resolver, why: str) -> Finding:
    """``domain`` receives mail: it has an MX record."""
    try:
        answer = resolver.resolve(domain, "MX")
        hosts = sorted((r.preference, r.exchange.to_text(True)) for r in answer)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        hosts = []
    except dns.exception.DNSException as exc:
        return Finding(FAILURE, check, f"cannot ask DNS for the MX of {domain}: "
                       f"{dns_trouble(exc)}", DNS_FIX)
    if hosts == [(0, "")]:  # a null MX (RFC 7505): the domain says it takes no mail
        return Finding(FAILURE, check, f"{domain} has a null MX (takes no mail): {why}",
                       f"publish MX {domain} pointing at the server that receives its mail")
    if not hosts:
        try:
            implicit = _addresses(domain, resolver)
        except dns.exception.DNSException:
            implicit = []
        if implicit:  # RFC 5321 5.1: without MX, mail goes to the domain's own address
            return Finding(WARNING, check, f"{domain} has no MX record, only an address "
                           f"({', '.join(implicit)}): mail for it goes there (implicit MX) "
                           f"only if that machine accepts mail on port 25; {why}",
                           f"publish MX {domain} pointing at the server that receives its "
                           "mail (many receivers distrust a sender domain without MX)")
        return Finding(FAILURE, check, f"{domain} has no MX record: {why}",
                       f"publish MX {domain} pointing at the server that receives its mail")
    return Finding(OK, check, f"{domain} receives mail at {', '.join(h for _, h in hosts)}")
