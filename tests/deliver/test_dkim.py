"""DKIM: every message a server receives carries a signature that verifies against the
public key, over the headers Gmail and Yahoo require; settings errors are clean."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import dkim
import pytest
from click.testing import CliRunner
from conftest import ROOT
from mailhelpers import SECRET, Recorder, approved, fill_list, smtp_server

from newsletter.cli import main
from newsletter.deliver.db import open_database
from newsletter.deliver.sending import send as sending
from newsletter.deliver.sending.messages import MessageFactory, Recipient
from newsletter.deliver.sending.signing import DkimError, DkimSigner, SigningError, dkim_signer
from newsletter.exceptions import ContentError
from newsletter.load import load_project
from newsletter.render.email import render_email

DKIM = '\n[dkim]\ndomain = "um.krakow.pl"\nselector = "bk2026"\n'
RECORD = b"bk2026._domainkey.um.krakow.pl."


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> tuple[Path, bytes]:
    """A fresh 2048-bit RSA key (PKCS#8 PEM, as OpenSSL 3 writes it) and its DNS record."""
    folder = tmp_path_factory.mktemp("dkim")
    private = folder / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True,
                   capture_output=True)  # fmt: skip
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def configured(tmp_path: Path, extra: str = DKIM, folder: str = "") -> Path:
    """newsletter.toml (in ``folder`` under tmp_path) with ``extra`` appended, the
    project's folders named absolutely."""
    tmp_path = tmp_path / folder
    tmp_path.mkdir(exist_ok=True)
    text = (ROOT / "newsletter.toml").read_text(encoding="utf-8")
    for name in ("assets/theme.yaml", "issues", "build", "templates"):
        text = text.replace(f'= "{name}"', f'= "{ROOT / name}"')
    config = tmp_path / "newsletter.toml"
    config.write_text(text + extra, encoding="utf-8")
    return config


def dns(record: bytes):
    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        return record if name == RECORD else None

    return lookup


def test_every_message_received_verifies_against_the_public_key(keys, tmp_path, monkeypatch):
    private, record = keys
    config = configured(tmp_path)
    for name, value in (("NEWSLETTER_SECRET", SECRET), ("NEWSLETTER_DB", tmp_path / "l.db"),
                        ("NEWSLETTER_DKIM_KEY_FILE", private)):  # fmt: skip
        monkeypatch.setenv(name, str(value))
    addresses = fill_list(open_database(tmp_path / "l.db"), 20)
    approved(tmp_path / "l.db", config=config)
    recorder = Recorder()
    with smtp_server(recorder) as url:
        result = CliRunner().invoke(
            main, ["--config", str(config), "send", str(ROOT / "issues/2020-12"), "--smtp", url]
        )
    assert result.exit_code == 0, result.output
    assert sorted(recorder.recipients()) == addresses
    for _to, data in recorder.received:
        assert dkim.verify(data, dnsfunc=dns(record)), data[:2000]
        header, unsigned = data.split(b"\r\nTo:", 1)
        assert header.startswith(b"DKIM-Signature:")
        tags = dkim.util.parse_tag_value(header[15:].replace(b"\r\n", b""))
        assert (tags[b"a"], tags[b"c"], tags[b"d"], tags[b"s"]) == (
            b"rsa-sha256", b"relaxed/relaxed", b"um.krakow.pl", b"bk2026"
        )
        signed = {h.strip().lower() for h in tags[b"h"].split(b":")}
        assert signed >= {b"from", b"subject", b"date", b"message-id", b"list-id",
                          b"list-unsubscribe", b"list-unsubscribe-post", b"feedback-id"}
        assert b"\r\nFeedback-ID: 2020-12:2020-12:business-krakow:newsletter.krakow.example\r\n" \
            in data
        forged = data.replace(b"List-Unsubscribe: <https://", b"List-Unsubscribe: <http://", 1)
        assert not dkim.verify(forged, dnsfunc=dns(record))  # the one-click link is covered
    unsigned = b"To:" + unsigned
    other = subprocess.run(["openssl", "genrsa", "2048"], check=True, capture_output=True).stdout
    signed_by_another = DkimSigner("um.krakow.pl", "bk2026", other).header(unsigned) + unsigned
    assert not dkim.verify(signed_by_another, dnsfunc=dns(record))
    assert dkim.verify(DkimSigner("um.krakow.pl", "bk2026", private.read_bytes()).header(unsigned)
                       + unsigned, dnsfunc=dns(record))  # fmt: skip


class Flaky(DkimSigner):
    def header_for(self, head: bytes, body_hash: bytes, now: float | None = None) -> bytes:
        if b"user0003@" in head:
            raise SigningError("cannot DKIM-sign the message: scripted failure")
        return super().header_for(head, body_hash, now)


def test_a_message_that_cannot_be_signed_fails_alone(keys, project, sample, tmp_path):
    private, record = keys
    signer = Flaky("um.krakow.pl", "bk2026", private.read_bytes())
    edition = render_email(sample, project)
    factory = MessageFactory(
        site=project.site, subject=sample.subject_line, html=edition.html, text=edition.text,
        key=SECRET.encode(), signer=signer,
    )  # fmt: skip
    people = [Recipient(n, f"user{n:04d}@example.com") for n in range(1, 6)]
    recorder = Recorder()
    with smtp_server(recorder) as url:
        from newsletter.deliver.sending.smtp_settings import smtp_settings

        counts = sending.Delivery(
            sending.ListOutbox(people), factory, sending.smtp_transport(smtp_settings(url, {}))
        ).run()
    assert (counts.sent, counts.failed) == (4, 1)
    assert counts.failures == [("user0003@example.com",
                                "user0003@example.com: cannot DKIM-sign the message: "
                                "scripted failure")]  # fmt: skip
    assert all(dkim.verify(data, dnsfunc=dns(record)) for _, data in recorder.received)


def test_dkim_settings_and_keys_are_checked_before_sending(keys, tmp_path):
    private, _record = keys
    bad = configured(tmp_path, '\n[dkim]\ndomain = "krakow.pl"\nselector = "bk 2026"\n')
    with pytest.raises(ContentError) as caught:
        load_project(bad)
    lines = bad.read_text(encoding="utf-8").splitlines()
    selector = lines.index('selector = "bk 2026"') + 1
    assert str(caught.value) == (
        f"{bad}:{selector}: 'selector': 'bk 2026' is not in the expected form"
    )
    unaligned = configured(tmp_path, '\n[dkim]\ndomain = "example.org"\nselector = "bk2026"\n',
                           "unaligned")
    with pytest.raises(ContentError) as caught:
        load_project(unaligned)
    domain = unaligned.read_text(encoding="utf-8").splitlines().index('domain = "example.org"')
    assert str(caught.value) == (
        f"{unaligned}:{domain + 1}: [dkim] domain 'example.org' does not align with the sender "
        "pi.umk@um.krakow.pl: use 'um.krakow.pl' (or a parent of it), or DMARC fails on DKIM"
    )

    site = load_project(configured(tmp_path, folder="good")).site
    assert dkim_signer(site, {"NEWSLETTER_DKIM_KEY": private.read_text()}).selector == "bk2026"
    crlf = private.read_text().replace("\n", "\r\n")  # pasted from Windows
    assert dkim_signer(site, {"NEWSLETTER_DKIM_KEY": crlf}) is not None
    short = subprocess.run(["openssl", "genrsa", "512"], check=True, capture_output=True).stdout
    cases = {
        (): "[dkim] needs the private key: set NEWSLETTER_DKIM_KEY_FILE to the PEM file's "
            "path, or NEWSLETTER_DKIM_KEY to the key itself (never in newsletter.toml)",
        (("NEWSLETTER_DKIM_KEY_FILE", "/nowhere/dkim.pem"),):
            "NEWSLETTER_DKIM_KEY_FILE: cannot read /nowhere/dkim.pem: No such file or directory",
        (("NEWSLETTER_DKIM_KEY", "ssh-rsa AAAA… me@host"),):
            "NEWSLETTER_DKIM_KEY: not a PEM private key (expected '-----BEGIN PRIVATE "
            "KEY-----' or '-----BEGIN RSA PRIVATE KEY-----')",
        (("NEWSLETTER_DKIM_KEY", short.decode()),):
            "NEWSLETTER_DKIM_KEY: the key has 512 bits; receivers ignore DKIM keys under 1024 "
            "(make one of 2048: openssl genrsa -out dkim.pem 2048)",
    }  # fmt: skip
    for environ, message in cases.items():
        with pytest.raises(DkimError) as refused:
            dkim_signer(site, dict(environ))
        assert str(refused.value).endswith(message), str(refused.value)
    with pytest.raises(DkimError, match=r"NEWSLETTER_DKIM_KEY_FILE is set but newsletter\.toml "
                       r"has no \[dkim\] table"):  # fmt: skip
        dkim_signer(load_project(ROOT / "newsletter.toml").site,
                    {"NEWSLETTER_DKIM_KEY_FILE": str(private)})  # fmt: skip


AWKWARD = [
    # folded and repeated headers, tabs and runs of spaces, trailing whitespace
    b"From: \"Biuro\"\r\n\t<pi.umk@um.krakow.pl>\r\nTo:  a@example.com \r\n"
    b"Subject:\tZa\t\tpo\xc5\xbcyczka  \r\n   (ci\xc4\x85g dalszy)\r\nReceived: x\r\n"
    b"Subject: a second one, signed first (from the bottom up)\r\n\r\n"
    b"Line with trailing spaces   \r\n\ttab  and  runs\t\r\n\r\n\r\n\r\n",
    # a body with no final CRLF, and one of nothing but empty lines
    b"From: a@um.krakow.pl\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\nno final newline  ",
    b"From: a@um.krakow.pl\r\nList-Id: <x.um.krakow.pl>\r\n\r\n\r\n\r\n",
    b"From: a@um.krakow.pl\r\n\r\n",
]


@pytest.mark.parametrize("message", AWKWARD)
def test_dkimpy_verifies_signatures_of_awkward_messages(keys, message):
    """The signer canonicalises as RFC 6376 says (dkimpy, the reference, agrees): folds,
    repeated headers, whitespace runs, trailing whitespace and lines, no body at all."""
    private, record = keys
    signer = DkimSigner("um.krakow.pl", "bk2026", private.read_bytes())
    signed = signer.header(message) + message
    assert dkim.verify(signed, dnsfunc=dns(record)), signed
    assert all(len(line) <= 78 for line in signed.split(b"\r\n\r\n")[0].split(b"\r\n"))
    tampered = signed.replace(b"um.krakow.pl>", b"um.krakow.pl.evil>", 1)
    tampered = tampered if tampered != signed else signed.replace(b"\r\n\r\n", b"\r\n\r\nX", 1)
    assert not dkim.verify(tampered, dnsfunc=dns(record))


def test_a_signer_crosses_to_worker_processes_as_its_key(keys):
    """``send --workers`` pickles the message factories; OpenSSL's key object cannot be,
    so the signer travels as its PEM and loads it again."""
    import pickle

    private, record = keys
    signer = DkimSigner("um.krakow.pl", "bk2026", private.read_bytes())
    signer.header(AWKWARD[1])  # the loaded key is cached on the signer now
    copy = pickle.loads(pickle.dumps(signer))
    assert copy == signer
    assert dkim.verify(copy.header(AWKWARD[1]) + AWKWARD[1], dnsfunc=dns(record))


def test_signed_messages_with_whitespace_around_the_links_verify(keys, project):
    """The factory canonicalises its body once, piece by piece between the per-recipient
    links; whitespace runs, tabs and trailing spaces right next to a link, and a link at
    the very start and end of a part, must give the signature of the whole message."""
    from newsletter import placeholders

    private, record = keys
    signer = DkimSigner("um.krakow.pl", "bk2026", private.read_bytes())
    unsubscribe, preferences = placeholders.UNSUBSCRIBE_URL, placeholders.PREFERENCES_URL
    text = (f"{unsubscribe}\nLeave:  \t {unsubscribe}  \t\nChange:\t{preferences}\n\n \n"
            f"Zażółć  gęślą\tjaźń   \n{preferences}")  # fmt: skip
    html = f"<p>\t {unsubscribe} </p>\n   <a href=\"{preferences}\">  x  </a>   \n\n\n"
    factory = MessageFactory(site=project.site, subject="Test  \t spaces", html=html,
                             text=text, key=SECRET.encode(), signer=signer)  # fmt: skip
    for n in (1, 22, 333_333):
        data = factory.message(Recipient(n, f"user{n}@example.com", "Ann  \t Lee"))
        assert dkim.verify(data, dnsfunc=dns(record)), data.decode()
        assert not dkim.verify(data.replace(b"Leave:", b"Leave;"), dnsfunc=dns(record))
