"""`newsletter doctor` against real services: Debian's nsd serving test zones on loopback
(asked through dnspython), an aiosmtpd relay with STARTTLS and AUTH, and the reader's pages
over HTTPS. One domain set up right, one set up the ways that fail silently in production."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from certificates import self_signed
from click.testing import CliRunner
from conftest import ROOT, SAMPLE
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from mailhelpers import SECRET, Recorder, free_port

from newsletter.cli import main

PASSWORD = "s3cret-relay"


def dkim_key() -> tuple[str, str]:
    """A 2048-bit RSA key: its PEM and the public half as a DKIM record's p=."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    import base64

    return pem, base64.b64encode(der).decode()


def zone(domain: str, records: str) -> str:
    return (f"$ORIGIN {domain}.\n$TTL 300\n"
            f"@ IN SOA ns1.{domain}. hostmaster.{domain}. 1 3600 600 86400 300\n"
            f"@ IN NS ns1.{domain}.\nns1 IN A 127.0.0.1\n{records}")


def txt(value: str) -> str:
    """A TXT value in strings of at most 250 characters (a DKIM key is longer than 255)."""
    return "( " + " ".join(f'"{value[i:i + 250]}"' for i in range(0, len(value), 250)) + " )"


@contextlib.contextmanager
def nsd(folder: Path, zones: dict[str, str]) -> Iterator[str]:
    """Debian's nsd serving ``zones`` on a loopback port; yields ``127.0.0.1:port``."""
    binary = shutil.which("nsd") or "/usr/sbin/nsd"
    assert Path(binary).exists(), "Debian's nsd is not installed (bash .ci/install installs it)"
    port = free_port()
    for name, text in zones.items():
        (folder / f"{name}.zone").write_text(text, encoding="utf-8")
    listed = "".join(f"zone:\n    name: {name}\n    zonefile: {folder}/{name}.zone\n"
                     for name in zones)
    (folder / "nsd.conf").write_text(f"""server:
    ip-address: 127.0.0.1@{port}
    port: {port}
    username: ""
    chroot: ""
    zonesdir: "{folder}"
    pidfile: "{folder}/nsd.pid"
    database: ""
    xfrdfile: "{folder}/xfrd.state"
    zonelistfile: "{folder}/zone.list"
    logfile: "{folder}/nsd.log"
    verbosity: 1
remote-control:
    control-enable: no
{listed}""", encoding="utf-8")
    checked = subprocess.run(["nsd-checkconf", str(folder / "nsd.conf")], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([binary, "-d", "-c", str(folder / "nsd.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import dns.resolver

    from newsletter.deliver.doctor import resolver_for

    resolver = resolver_for(f"127.0.0.1:{port}")
    try:
        for _ in range(200):  # bounded wait for nsd to answer
            try:
                resolver.resolve(f"ns1.{next(iter(zones))}", "A")
                break
            except (dns.resolver.NoNameservers, dns.exception.Timeout, OSError):
                assert process.poll() is None, process.communicate()[1].decode()
                time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def relay(folder: Path, key: Path, cert: Path) -> Iterator[str]:
    """An aiosmtpd relay offering STARTTLS and AUTH (after TLS), like a submission port."""
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"newsletter" and auth_data.password == PASSWORD.encode()
        # handled=False: aiosmtpd answers the 535 itself (with the default, True, a refused
        # login over STARTTLS gets no answer at all and the client times out)
        return AuthResult(success=ok, handled=False)

    port = free_port()
    controller = Controller(Recorder(), hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=authenticator)
    controller.start()
    try:
        yield f"smtp://newsletter@127.0.0.1:{port}?starttls"
    finally:
        controller.stop()


@contextlib.contextmanager
def pages_over_https(project, folder: Path, key: Path, cert: Path, smtp_url: str,
                     environ: dict[str, str]) -> Iterator[str]:
    """The reader's pages (sign-up on) over HTTPS on loopback; yields the base URL."""
    import dataclasses

    from newsletter.app.routes import create_app
    from newsletter.app.settings import AppSettings
    from newsletter.deliver.audience.confirmations import ConfirmationMailer
    from newsletter.deliver.db import open_database
    from newsletter.deliver.sending.smtp_settings import smtp_settings

    port = free_port()
    base = f"https://127.0.0.1:{port}/"
    project = dataclasses.replace(project, site=project.site.model_copy(update={"base_url": base}))
    mailer = ConfirmationMailer(project.site, smtp_settings(smtp_url, environ))
    app = create_app(open_database(folder / "list.db"), project, SECRET.encode(), AppSettings(),
                     mailer)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ssl_keyfile=str(key), ssl_certfile=str(cert)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)


def config(folder: Path, domain: str, base_url: str) -> Path:
    """newsletter.toml for ``domain``: sender, [dkim] and bounce_address in it."""
    text = (ROOT / "newsletter.toml").read_text(encoding="utf-8")
    for name in ("theme", "issues", "output", "templates"):
        text, count = re.subn(rf'^{name} = "([^"]+)"',
                              lambda m, name=name: f'{name} = "{ROOT / m.group(1)}"', text,
                              flags=re.M)
        assert count == 1, name
    placeholder = 'base_url = "https://newsletter.krakow.example/"'
    for old, new in ((placeholder, f'base_url = "{base_url}"'),
                     ('email = "pi.umk@um.krakow.pl"', f'email = "newsletter@{domain}"'),
                     ("# [dkim]\n", "[dkim]\n"),
                     ('# domain = "um.krakow.pl"', f'domain = "{domain}"'),
                     ('# selector = "bk2026"', 'selector = "bk2026"'),
                     ('# bounce_address = "bounces@newsletter.krakow.example"',
                      f'bounce_address = "bounces@{domain}"')):
        assert old in text, old
        text = text.replace(old, new)
    path = folder / f"{domain}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory, project):
    """nsd with good-sender.pl (right) and bad-sender.pl (wrong), a relay, the pages over HTTPS."""
    folder = tmp_path_factory.mktemp("doctor")
    key, cert = self_signed(folder, "127.0.0.1")
    pem, public = dkim_key()
    _, other_public = dkim_key()
    zones = {
        "good-sender.pl": zone("good-sender.pl", (
            "@ IN MX 10 mx.good-sender.pl.\nmx IN A 127.0.0.1\n"
            '@ IN TXT "v=spf1 ip4:127.0.0.0/8 -all"\n'
            '_dmarc IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@good-sender.pl"\n'
            f"bk2026._domainkey IN TXT {txt('v=DKIM1; k=rsa; p=' + public)}\n")),
        "bad-sender.pl": zone("bad-sender.pl", (
            '@ IN TXT "v=spf1 ip4:192.0.2.1 -all"\n'
            f"bk2026._domainkey IN TXT {txt('v=DKIM1; k=rsa; p=' + other_public)}\n")),
    }
    environ = {"NEWSLETTER_SECRET": SECRET, "NEWSLETTER_SMTP_PASSWORD": PASSWORD,
               "NEWSLETTER_DKIM_KEY": pem, "SSL_CERT_FILE": str(cert)}
    with nsd(folder, zones) as dns_server, relay(folder, key, cert) as smtp_url:
        old = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = str(cert)  # the pages' mailer and the checks trust it
        try:
            with pages_over_https(project, folder, key, cert, smtp_url, environ) as base:
                yield folder, dns_server, smtp_url, base, environ
        finally:
            if old is None:
                os.environ.pop("SSL_CERT_FILE", None)
            else:
                os.environ["SSL_CERT_FILE"] = old


def doctor(world, domain: str, base_url: str | None = None, **env: str):
    folder, dns_server, smtp_url, base, environ = world
    toml = config(folder, domain, base_url or base)
    runner = CliRunner(env={**environ, **env})
    return runner.invoke(main, ["--config", str(toml), "doctor", "--smtp", smtp_url,
                                "--dns", dns_server])


def test_a_domain_set_up_right_passes_every_check(world):
    result = doctor(world, "good-sender.pl")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith(" ")]
    assert lines[-1] == "8 checks: 0 failed, 0 warnings", result.output
    checks = [line.split(":")[0].split(maxsplit=1) for line in lines[:-1]]
    assert checks == [["ok", "base_url"], ["ok", "secrets"], ["ok", "relay"], ["ok", "DKIM"],
                      ["ok", "SPF"], ["ok", "DMARC"], ["ok", "bounce domain"],
                      ["ok", "sender domain"]], result.output
    assert "answers with STARTTLS, logged in as newsletter" in result.output
    assert ("bk2026._domainkey.good-sender.pl holds the public half of the signing key"
            in result.output)


def test_what_fails_silently_in_production_is_named_with_its_fix(world):
    result = doctor(world, "bad-sender.pl", NEWSLETTER_SMTP_PASSWORD="wrong")
    assert result.exit_code == 1 and "Traceback" not in result.output
    failed = {line.split()[1].rstrip(":") for line in result.output.splitlines()
              if line.startswith("FAIL")}
    assert failed == {"relay", "DKIM", "SPF", "DMARC", "bounce", "sender"}, result.output
    assert "login refused" in result.output
    assert "is not the public half of the private key" in result.output
    assert "bad-sender.pl's SPF does not let the relay 127.0.0.1 send: 127.0.0.1: fail" in (
        result.output)
    assert "no DMARC record for bad-sender.pl" in result.output
    assert "bad-sender.pl has no MX record" in result.output


def test_a_placeholder_base_url_fails_doctor_and_makes_send_warn(world, tmp_path):
    result = doctor(world, "good-sender.pl", "https://newsletter.krakow.example/")
    assert result.exit_code == 1
    assert "FAIL    base_url: https://newsletter.krakow.example/ is a placeholder" in (
        result.output)
    _, _, smtp_url, _, environ = world
    runner = CliRunner(env=environ)
    args = ["send", str(SAMPLE), "--smtp", smtp_url, "--db", str(tmp_path / "list.db")]
    to_list = runner.invoke(main, args)
    assert "WARNING: base_url is https://newsletter.krakow.example/, a placeholder" in (
        to_list.output)
    test_send = runner.invoke(main, [*args, "--to", "editor@good-sender.pl"])
    assert "placeholder" not in test_send.output
