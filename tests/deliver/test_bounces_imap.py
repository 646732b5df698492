"""`newsletter bounces --imap` against a real IMAP server: Debian's Dovecot on loopback.

The mailbox holds what a bounce address really receives: a DSN to a VERP address, an
ARF complaint, a mailto: unsubscribe, a bounce nobody can be found for, and a person's
ordinary message. What the command must do with each (issue 10, part 4): apply the first
three and file them away (moved to ``--move-to``, else marked seen); flag the one kept
aside and leave it where it is; leave the person's message exactly as it was; delete
nothing; and change nothing when it runs again.

Dovecot runs from its own folder, as a private instance of Debian's package
(``dovecot -F -c FILE`` keeps its master in the foreground; no system daemon and no
/etc/dovecot involved), plain IMAP, STARTTLS and IMAPS with a self-signed certificate
made here. Its master must start as root (its login processes drop to ``dovenull``, its
mail processes to ``nobody``: Dovecot refuses mail access as root); CI runs as root.
"""

from __future__ import annotations

import contextlib
import email
import imaplib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from mailhelpers import SECRET, free_port, listening
from test_bounces import BOUNCE_ADDRESS, DATA, KEY, _config, postfix_dsn, sid, status, verp

from newsletter.cli import main
from newsletter.deliver.audience import consent
from newsletter.deliver.audience import subscribers as subs
from newsletter.deliver.db import open_database
from newsletter.deliver.returns.imap import PASSWORD_VARIABLE
from newsletter.deliver.tokens import make_token

USER = "bounces"
PASSWORD = "Imap-Pa55word-of-the-test"

DOVECOT_CONF = """\
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
# Plain IMAP on loopback is what the command allows without TLS (Dovecot counts
# loopback as secured anyway); STARTTLS and IMAPS use a self-signed certificate.
ssl = yes
ssl_cert = <{folder}/cert.pem
ssl_key = <{folder}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = home={folder}/mail/%u
}}
mail_uid = nobody
mail_gid = nogroup
mail_location = maildir:~/Maildir
# No auth penalty (Dovecot's doc: the socket unusable turns it off): after a wrong
# password the next login from the same address would wait 2-4 s.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
{extra}
"""

# What Dovecot 2.3 announces after login, less MOVE: a server that can only COPY.
WITHOUT_MOVE = (
    "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT "
    "SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND "
    "URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 "
    "CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY "
    "LITERAL+"
)


@dataclass(frozen=True)
class Dovecot:
    """A running private Dovecot: plain/STARTTLS on ``port``, IMAPS on ``tls_port``,
    its certificate (self-signed: the CA to trust) at ``cert``."""

    port: int
    tls_port: int
    cert: Path

    def url(self, mailbox: str = "INBOX") -> str:
        return f"imap://{USER}@127.0.0.1:{self.port}/{mailbox}"

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4]:
        """The test's own session, as a person's mail client."""
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        client.login(USER, PASSWORD)
        try:
            yield client
        finally:
            client.logout()


@contextlib.contextmanager
def running_dovecot(extra: str = "") -> Iterator[Dovecot]:
    """Dovecot in the foreground from a folder of its own, until the block ends."""
    assert shutil.which("dovecot"), "Debian's dovecot-imapd is not installed (bash .ci/install)"
    assert os.geteuid() == 0, "Dovecot's master must start as root (it drops privileges)"
    # Not under tmp_path: pytest keeps that 0700 to root, and Dovecot's auth process
    # (user dovecot) reads the passwd file, its mail processes (nobody) the mail.
    folder = Path(tempfile.mkdtemp(prefix="newsletter-dovecot-"))
    master = None
    try:
        folder.chmod(0o755)
        (folder / "mail").mkdir()
        shutil.chown(folder / "mail", "nobody", "nogroup")
        (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        cert = folder / "cert.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", str(folder / "key.pem"), "-out", str(cert), "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True)  # fmt: skip
        port = free_port()
        while (tls_port := free_port()) == port:
            pass
        config = folder / "dovecot.conf"
        config.write_text(DOVECOT_CONF.format(folder=folder, port=port, tls_port=tls_port,
                                              extra=extra))  # fmt: skip
        # A session of its own: the whole instance is stopped at once at the end.
        master = subprocess.Popen(["dovecot", "-F", "-c", str(config)], start_new_session=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 30  # bounds the wait; not a timing assertion
        while not (listening(port) and listening(tls_port)):
            if master.poll() is not None or time.monotonic() > deadline:
                log = folder / "dovecot.log"
                output = master.stdout.read() if master.poll() is not None else b""
                raise AssertionError(f"dovecot did not start: {output.decode()}"
                                     + (log.read_text() if log.exists() else ""))  # fmt: skip
            time.sleep(0.05)
        yield Dovecot(port, tls_port, cert)
    finally:
        if master is not None:
            # Not SIGTERM: the master then waits up to 6 s for login processes that still
            # hold a connection (the probes above); nothing of this instance is kept.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(master.pid, signal.SIGKILL)
            master.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.fixture
def people(tmp_path: Path):
    engine = open_database(tmp_path / "list.db")
    with engine.begin() as connection:
        addresses = ("anna@example.com", "jan@example.com", "ola@example.com",
                     "piotr@example.com")  # fmt: skip
        subs.save(connection, [subs.candidate(a, None, "pl", "test") for a in addresses])
    return engine


def the_mix(engine) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """What arrives at a bounce mailbox, by a name of the test's: each has its own
    Message-ID, by which :func:`folder_state` tells them apart."""
    dsn = postfix_dsn(verp(engine, "anna@example.com"), "anna@example.com", "5.1.1",
                      "550 5.1.1 <anna@example.com>: Recipient address rejected")  # fmt: skip
    complaint = (DATA / "sisimai-arf-14.eml").read_text("latin-1")
    complaint = complaint.replace("kijitora@y.example.com", "someone-else@y.example.com")
    link = f"https://newsletter.krakow.example/u/{make_token(KEY, sid(engine, 'ola@example.com'))}"
    head, subject, rest = complaint.rpartition("\nSubject: ")  # the enclosed message's
    complaint = f"{head}\nList-Unsubscribe: <{link}>{subject}{rest}"
    token = make_token(KEY, sid(engine, "jan@example.com"))
    request = (DATA / "sisimai-arf-26.eml").read_text("latin-1")  # Apple Mail's request
    request = request.replace("Subject: unsubscribe", f"Subject: unsubscribe {token}")
    stranger = postfix_dsn(BOUNCE_ADDRESS, "stranger@elsewhere.example", "5.1.1", "550 5.1.1")
    person = (
        "From: Maria Nowak <maria@example.net>\r\nTo: bounces@news.example.org\r\n"
        "Subject: A question about the newsletter\r\nDate: Tue, 10 Mar 2026 11:00:00 +0000\r\n"
        "Message-ID: <question-1@example.net>\r\n\r\nCould you add my colleague?\r\n"
    )
    return {"dsn": dsn, "complaint": complaint.encode("latin-1"), "unsubscribe":
            request.encode("latin-1"), "stranger": stranger, "person": person.encode()}  # fmt: skip


def deliver(server: Dovecot, messages: dict[str, bytes]) -> dict[str, str]:
    """APPEND each message to INBOX as delivery would (unseen, no flags); returns
    {Message-ID: name}."""
    names = {}
    with server.client() as client:
        for name, data in messages.items():
            status_, reply = client.append("INBOX", None, None, data)
            assert status_ == "OK", reply
            names[email.message_from_bytes(data)["Message-ID"].strip()] = name
    return names


def folder_state(server: Dovecot, folder: str, names: dict[str, str]
                 ) -> dict[str, tuple[frozenset[str], bytes]]:  # fmt: skip
    """{name: (flags, bytes)} of every message in ``folder``, read without marking it
    (``\\Recent`` left out: it belongs to whichever session saw the message first)."""
    with server.client() as client:
        typ, _ = client.select(f'"{folder}"', readonly=True)
        assert typ == "OK", f"no folder {folder}"
        typ, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
        assert typ == "OK", data
    state = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        head, body = item
        flags = imaplib.ParseFlags(head) if b"FLAGS" in head else ()
        message_id = email.message_from_bytes(body)["Message-ID"].strip()
        state[names[message_id]] = (
            frozenset(f.decode() for f in flags) - {"\\Recent"}, body
        )  # fmt: skip
    return state


def flags(state: dict[str, tuple[frozenset[str], bytes]]) -> dict[str, frozenset[str]]:
    return {name: flags for name, (flags, _) in state.items()}


def make_folder(server: Dovecot, name: str) -> None:
    with server.client() as client:
        typ, reply = client.create(f'"{name}"')
        assert typ == "OK", reply


def bounces(tmp_path: Path, *args: str, password: str = PASSWORD, **env: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        main, ["--config", str(_config(tmp_path)), "bounces", "--db",
               str(tmp_path / "list.db"), *args],
        env={"NEWSLETTER_SECRET": SECRET, PASSWORD_VARIABLE: password, **env})  # fmt: skip


def test_bounces_are_applied_and_moved_the_rest_left_as_it_was(dovecot, people, tmp_path):
    names = deliver(dovecot, the_mix(people))
    make_folder(dovecot, "Processed")
    before = folder_state(dovecot, "INBOX", names)
    assert flags(before) == dict.fromkeys(names.values(), frozenset())

    result = bounces(tmp_path, "--imap", dovecot.url(), "--move-to", "Processed")
    assert result.exit_code == 0, result.output
    assert ("5 messages read: 1 hard bounces, 0 soft, 1 complaints, 1 unsubscribes, "
            "1 ignored, 1 unattributed (kept aside), 0 already seen") in result.output
    statuses = {a: status(people, a) for a in ("anna@example.com", "jan@example.com",
                                                "ola@example.com", "piotr@example.com")}
    assert statuses == {"anna@example.com": "bounced", "jan@example.com": "unsubscribed",
                        "ola@example.com": "unsubscribed", "piotr@example.com": "subscribed"}
    assert consent.history(people, "ola@example.com")[-1].kind == "complained"

    inbox = folder_state(dovecot, "INBOX", names)
    processed = folder_state(dovecot, "Processed", names)
    # Applied: moved, read. Kept aside: flagged for a person, still unread, in place.
    # The person's message: untouched, byte for byte, unread.
    assert flags(processed) == {
        "dsn": {"\\Seen"}, "complaint": {"\\Seen"}, "unsubscribe": {"\\Seen"}}
    assert flags(inbox) == {
        "stranger": {"\\Flagged"}, "person": set()}
    # Nothing lost or changed on the way: every message is in one place, as delivered.
    assert {n: body for n, (_, body) in {**inbox, **processed}.items()} == \
        {n: body for n, (_, body) in before.items()}  # fmt: skip
    kept = CliRunner().invoke(main, ["bounces", "--db", str(tmp_path / "list.db"), "--kept"])
    assert f"imap {USER}@127.0.0.1:{dovecot.port}/INBOX uid " in kept.output
    assert "stranger@elsewhere.example" in kept.output

    # Again: the kept-aside and the person's message are read again and recognised;
    # nothing moves, no flag changes, nobody's record grows.
    events = {a: len(consent.history(people, a)) for a in statuses}
    again = bounces(tmp_path, "--imap", dovecot.url(), "--move-to", "Processed")
    assert again.exit_code == 0, again.output
    assert "2 messages read: 0 hard bounces" in again.output
    assert "2 already seen" in again.output and "0 subscribers changed" in again.output
    assert folder_state(dovecot, "INBOX", names) == inbox
    assert folder_state(dovecot, "Processed", names) == processed
    assert {a: len(consent.history(people, a)) for a in statuses} == events


def test_without_move_to_applied_messages_are_marked_seen_in_place(dovecot, people, tmp_path):
    names = deliver(dovecot, the_mix(people))
    for _ in range(2):  # the second run must leave everything as the first did
        result = bounces(tmp_path, "--imap", dovecot.url())
        assert result.exit_code == 0, result.output
        inbox = folder_state(dovecot, "INBOX", names)
        assert flags(inbox) == {
            "dsn": {"\\Seen"}, "complaint": {"\\Seen"}, "unsubscribe": {"\\Seen"},
            "stranger": {"\\Flagged"}, "person": set()}
    assert "2 already seen" in result.output
    assert status(people, "anna@example.com") == "bounced"


def test_a_server_without_move_gets_copies_and_keeps_the_originals(people, tmp_path):
    with running_dovecot(WITHOUT_MOVE) as server:
        names = deliver(server, the_mix(people))
        make_folder(server, "Processed")
        for _ in range(2):
            result = bounces(tmp_path, "--imap", server.url(), "--move-to", "Processed")
            assert result.exit_code == 0, result.output
            inbox = folder_state(server, "INBOX", names)
            processed = folder_state(server, "Processed", names)
            assert flags(inbox) == {
                "dsn": {"\\Seen"}, "complaint": {"\\Seen"}, "unsubscribe": {"\\Seen"},
                "stranger": {"\\Flagged"}, "person": set()}
            assert set(processed) == {"dsn", "complaint", "unsubscribe"}  # copied once
    assert status(people, "jan@example.com") == "unsubscribed"


@pytest.mark.parametrize("scheme", ["imaps", "starttls"])
def test_tls_with_the_servers_certificate_trusted_through_ssl_cert_file(
    dovecot, people, tmp_path, scheme
):
    deliver(dovecot, {"dsn": the_mix(people)["dsn"]})
    url = (f"imaps://{USER}@127.0.0.1:{dovecot.tls_port}/INBOX" if scheme == "imaps"
           else f"imap://{USER}@localhost:{dovecot.port}/INBOX?starttls")  # fmt: skip
    untrusted = bounces(tmp_path, "--imap", url)
    assert untrusted.exit_code == 1 and isinstance(untrusted.exception, SystemExit)
    assert "certificate is not trusted (self-signed certificate)" in untrusted.output
    assert "SSL_CERT_FILE" in untrusted.output and PASSWORD not in untrusted.output
    assert status(people, "anna@example.com") == "subscribed"
    result = bounces(tmp_path, "--imap", url, SSL_CERT_FILE=str(dovecot.cert))
    assert result.exit_code == 0, result.output
    assert "1 messages read: 1 hard bounces" in result.output
    assert status(people, "anna@example.com") == "bounced"


def _url_with(server: Dovecot, case: str) -> str:
    if case == "closed port":
        return f"imap://{USER}@127.0.0.1:{free_port()}/INBOX"
    return server.url("Nope" if case == "missing mailbox" else "INBOX")


@pytest.mark.parametrize("case, password, move_to, expected", [
    ("wrong password", "Not-the-Pa55word", None, "login refused"),
    ("closed port", PASSWORD, None, "cannot connect"),
    ("missing mailbox", PASSWORD, None, "no mailbox 'Nope'"),
    ("missing --move-to", PASSWORD, "Procesed", "no mailbox 'Procesed'"),
])  # fmt: skip
def test_mistakes_are_one_clear_line_naming_the_url_and_never_the_password(
    dovecot, people, tmp_path, case, password, move_to, expected
):
    names = deliver(dovecot, the_mix(people))
    before = folder_state(dovecot, "INBOX", names)
    url = _url_with(dovecot, case)
    result = bounces(tmp_path, "--imap", url, *(["--move-to", move_to] if move_to else []),
                     password=password)  # fmt: skip
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert expected in result.output
    assert url.partition("//")[2].split("/")[0] in result.output  # user@host:port
    assert password not in result.output and PASSWORD not in result.output
    # Nothing was read, changed or filed.
    assert folder_state(dovecot, "INBOX", names) == before
    assert {status(people, a) for a in ("anna@example.com", "jan@example.com")} == \
        {"subscribed"}  # fmt: skip
