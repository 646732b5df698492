"""`newsletter doctor` against the ways another IT department sets a domain up: records on
the organisational domain only, SPF through include chains (and past RFC 7208's ten
lookups), ~all, strict DMARC alignment, a bounce domain with an address but no MX, a DKIM
selector typo, and the relay's port spoken the other way (465 implicit TLS vs 587
STARTTLS). Real nsd on loopback, real relays; every verdict says how to fix it."""

from __future__ import annotations

import os
import ssl

import pytest
from aiosmtpd.controller import Controller
from certificates import self_signed
from click.testing import CliRunner
from mailhelpers import SECRET, Recorder, free_port
from test_doctor import PASSWORD, config, dkim_key, nsd, pages_over_https, relay, txt, zone

from newsletter.cli import main


def include_chain(domain: str, length: int) -> str:
    """SPF include: ``length`` deep ending in loopback: each include is one DNS lookup."""
    lines = [f'@ IN TXT "v=spf1 include:s1.{domain} -all"']
    lines += [f's{n} IN TXT "v=spf1 include:s{n + 1}.{domain} -all"' for n in range(1, length)]
    lines.append(f's{length} IN TXT "v=spf1 ip4:127.0.0.0/8 -all"')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory, project):
    folder = tmp_path_factory.mktemp("doctor-misconfig")
    key, cert = self_signed(folder, "127.0.0.1")
    pem, public = dkim_key()
    dkim = txt("v=DKIM1; k=rsa; p=" + public)
    zones = {
        # news.org-only.pl: DMARC only on org-only.pl (sp=none), SPF through includes with
        # ~all, an A record but no MX.
        "org-only.pl": zone("org-only.pl", (
            "news IN A 127.0.0.1\n"
            'news IN TXT "v=spf1 include:_spf.org-only.pl ~all"\n'
            '_spf IN TXT "v=spf1 include:_spf2.org-only.pl ~all"\n'
            '_spf2 IN TXT "v=spf1 ip4:127.0.0.0/8 ~all"\n'
            '_dmarc IN TXT "v=DMARC1; p=reject; sp=none; adkim=s"\n'
            f"bk2026._domainkey.news IN TXT {dkim}\n")),
        # From news.strict.pl, DKIM and bounces in strict.pl, the record demands strict.
        "strict.pl": zone("strict.pl", (
            "@ IN MX 10 mx.strict.pl.\nmx IN A 127.0.0.1\nnews IN MX 10 mx.strict.pl.\n"
            '@ IN TXT "v=spf1 ip4:127.0.0.0/8 -all"\n'
            '_dmarc IN TXT "v=DMARC1; p=quarantine; adkim=s; aspf=s"\n'
            f"bk2026._domainkey IN TXT {dkim}\n")),
        # SPF eleven includes deep (permerror), the key published under bk2025 (a typo).
        "deep.pl": zone("deep.pl", (
            "@ IN MX 10 mx.deep.pl.\nmx IN A 127.0.0.1\n" + include_chain("deep.pl", 11) +
            '_dmarc IN TXT "v=DMARC1; p=none"\n'
            f"bk2025._domainkey IN TXT {dkim}\n")),
    }
    environ = {"NEWSLETTER_SECRET": SECRET, "NEWSLETTER_SMTP_PASSWORD": PASSWORD,
               "NEWSLETTER_DKIM_KEY": pem, "SSL_CERT_FILE": str(cert)}
    old = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(cert)
    try:
        with nsd(folder, zones) as dns_server, relay(folder, key, cert) as smtp_url, \
                pages_over_https(project, folder, key, cert, smtp_url, environ) as base:
            yield folder, dns_server, smtp_url, base, environ, (key, cert)
    finally:
        if old is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = old


def run(site, domain: str, smtp_url: str | None = None, edits: tuple = ()):
    folder, dns_server, default_url, base, environ, _ = site
    toml = config(folder, domain, base)
    text = toml.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    toml.write_text(text, encoding="utf-8")
    result = CliRunner(env=environ).invoke(main, [
        "--config", str(toml), "doctor", "--smtp", smtp_url or default_url, "--dns", dns_server])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def verdicts(output: str) -> dict[str, str]:
    return {line.split(":")[0].split(maxsplit=1)[1]: line.split()[0]
            for line in output.splitlines() if line and not line.startswith(" ")
            and ":" in line}


def test_records_on_the_organisational_domain_include_chains_and_an_implicit_mx(site):
    """A subdomain sender as a city has it: the A-only bounce domain was a failure (mail
    does reach it, RFC 5321 5.1): now a warning naming where mail goes and the MX to add."""
    result = run(site, "news.org-only.pl")
    found = verdicts(result.output)
    assert found["SPF"] == "ok" and found["DKIM"] == "ok", result.output
    assert found["DMARC"] == "ok", result.output
    assert "_dmarc.org-only.pl (the organisational domain's record) sp=none" in result.output
    assert found["bounce domain"] == "warning", result.output
    assert ("news.org-only.pl has no MX record, only an address (127.0.0.1): mail for it goes "
            "there (implicit MX)") in result.output
    assert result.exit_code == 0, result.output


def test_strict_dmarc_alignment_is_judged_as_the_record_asks(site):
    """adkim=s and aspf=s: DKIM's strict.pl does not align with From news.strict.pl (the
    doctor said "aligned", and receivers would fail DMARC on every message)."""
    result = run(site, "strict.pl", edits=(
        ('email = "newsletter@strict.pl"', 'email = "newsletter@news.strict.pl"'),))
    assert verdicts(result.output)["DMARC"] == "FAIL", result.output
    assert "adkim=s, aspf=s: the domains must be equal" in result.output
    assert "relax the record to adkim=r" in result.output
    assert result.exit_code == 1


def test_an_spf_past_ten_lookups_and_a_selector_typo_say_what_to_change(site):
    result = run(site, "deep.pl")
    found = verdicts(result.output)
    assert found["SPF"] == "FAIL" and "permerror" in result.output, result.output
    assert "more than 10 DNS lookups" in result.output, result.output
    assert found["DKIM"] == "FAIL" and "no DKIM record at bk2026._domainkey.deep.pl" in (
        result.output)
    assert "check [dkim] selector and domain in newsletter.toml" in result.output
    assert result.exit_code == 1


def test_a_relay_port_spoken_the_other_way_names_the_url_to_use(site):
    """smtp://…:465?starttls waited 30 s for a greeting and said "timed out"; smtps:// on a
    STARTTLS port said "wrong version number". Both now name the URL that works."""
    _, _, smtp_url, _, _, (key, cert) = site
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = free_port()
    implicit = Controller(Recorder(), hostname="127.0.0.1", port=port, ssl_context=context)
    implicit.start()
    try:
        result = run(site, "strict.pl", f"smtp://newsletter@127.0.0.1:{port}?starttls")
    finally:
        implicit.stop()
    assert verdicts(result.output)["relay"] == "FAIL", result.output
    assert "speaks TLS from the first byte" in result.output
    assert f"use --smtp 'smtps://newsletter@127.0.0.1:{port}'" in result.output

    starttls_port = smtp_url.rsplit(":", 1)[1].split("?")[0]
    result = run(site, "strict.pl", f"smtps://newsletter@127.0.0.1:{starttls_port}")
    assert verdicts(result.output)["relay"] == "FAIL", result.output
    assert "greets in plain text: it takes STARTTLS" in result.output
    assert f"use --smtp 'smtp://newsletter@127.0.0.1:{starttls_port}?starttls'" in result.output


def test_dns_servers_written_as_admins_write_them(site):
    """--dns ns1.krakow.pl and --dns [::1]:5353 were tracebacks (dnspython takes addresses
    only); a server that does not answer filled the line with one error per attempt."""
    from newsletter.deliver.doctor import FAILURE, check_mx, resolver_for

    folder, dns_server, *_ = site
    port = int(dns_server.rsplit(":", 1)[1])
    assert resolver_for(f"localhost:{port}").nameservers[0] in ("127.0.0.1", "::1")
    assert resolver_for(f"localhost:{port}").port == port
    assert (resolver_for("[::1]:5353").nameservers, resolver_for("[::1]:5353").port) == (
        ["::1"], 5353)
    assert resolver_for("::1").port == 53
    toml = config(folder, "strict.pl", "https://newsletter.strict.pl/")
    for value, said in (("ns1.nowhere.invalid", "cannot find the address of "
                                                "ns1.nowhere.invalid"),
                        ("[::1]:x", "'x' is not a port")):
        result = CliRunner().invoke(main, ["--config", str(toml), "doctor", "--dns", value])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert said in result.output, result.output

    silent = resolver_for(f"127.0.0.1:{port}")
    silent.port = free_port()  # nothing listens there
    silent.lifetime = 0.5
    finding = check_mx("sender domain", "strict.pl", silent, "why")
    assert finding.level == FAILURE
    assert finding.message.startswith("cannot ask DNS for the MX of strict.pl: no answer "
                                      "within"), finding.message
    assert finding.message.count("127.0.0.1") == 1 and "dig @SERVER" in finding.fix
