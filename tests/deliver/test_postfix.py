"""Hand-off to a real MTA: `newsletter send` into Postfix on loopback, which relays to a
final server (aiosmtpd) — what production looks like with a local relay.

Postfix runs from its own folder (main.cf/master.cf, queue, data, log), as a private
instance of Debian's package: ``postfix -c DIR start-fg`` keeps its master process in
the foreground, no system daemon and no /etc/postfix/main.cf involved. It must be
started as root (it drops to ``mail_owner``); CI runs as root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mailhelpers import SECRET, Recorder, fill_list, free_port, listening, smtp_server
from test_send_kill import newsletter_send

from newsletter.deliver.audience import subscribers
from newsletter.deliver.db import open_database
from newsletter.deliver.sending import send as sending
from newsletter.deliver.tokens import make_token

MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {folder}/queue
data_directory = {folder}/data
maillog_file = {folder}/maillog
maillog_file_prefixes = {folder}
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = relay.newsletter.test
mydestination =
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:{relay_port}
smtp_tls_security_level = none
"""


@pytest.fixture
def postfix_relay() -> Iterator[tuple[str, Recorder]]:
    """Postfix on a free loopback port relaying everything to an aiosmtpd Recorder;
    yields the smtp:// URL to send to and the Recorder (the final server)."""
    recorder = Recorder()
    with running_postfix(recorder) as url:
        yield url, recorder


@contextlib.contextmanager
def running_postfix(recorder: Recorder) -> Iterator[str]:
    """Postfix on a free loopback port relaying everything (its own bounces too) to
    ``recorder`` on another; yields the smtp:// URL to send to."""
    assert shutil.which("postfix"), "Debian's postfix is not installed (bash .ci/install)"
    assert os.geteuid() == 0, "Postfix's master must start as root (it drops privileges)"
    # Not under tmp_path: pytest keeps that 0700 to root, and Postfix's daemons run as
    # user postfix, who must reach the queue (the same reason test_postgres uses mkdtemp).
    folder = Path(tempfile.mkdtemp(prefix="newsletter-postfix-"))
    folder.chmod(0o755)
    (folder / "etc").mkdir()
    (folder / "queue").mkdir()  # its subfolders are made by postfix (post-install)
    (folder / "data").mkdir()
    shutil.chown(folder / "data", "postfix")
    port = free_port()
    with smtp_server(recorder) as final:
        relay_port = int(final.rsplit(":", 1)[1])
        (folder / "etc" / "main.cf").write_text(
            MAIN_CF.format(folder=folder, relay_port=relay_port)
        )
        (folder / "etc" / "master.cf").write_text(MASTER_CF.format(port=port))
        config = str(folder / "etc")
        master = subprocess.Popen(["postfix", "-c", config, "start-fg"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            deadline = time.monotonic() + 30  # bounds the wait; not a timing assertion
            while not listening(port):
                log = (folder / "maillog").read_text() if (folder / "maillog").exists() else ""
                assert master.poll() is None and time.monotonic() < deadline, log
                time.sleep(0.1)
            yield f"smtp://127.0.0.1:{port}"
        finally:
            subprocess.run(["postfix", "-c", config, "stop"], capture_output=True)
            try:
                master.wait(timeout=30)
            except subprocess.TimeoutExpired:
                master.kill()
            shutil.rmtree(folder, ignore_errors=True)


def test_a_send_handed_to_postfix_arrives_at_the_final_server(postfix_relay, tmp_path: Path):
    url, final = postfix_relay
    db = tmp_path / "list.db"
    engine = open_database(db)
    addresses = fill_list(engine, 25)
    process = newsletter_send(db, url, rate="1000")
    _out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    # Accepted by Postfix is journaled as sent; the relay delivers from its queue.
    assert sending.journal_counts(engine, "2020-12")["sent"] == 25
    deadline = time.monotonic() + 60  # bounds the wait; not a timing assertion
    while len(final.received) < len(addresses) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert final.recipients() == {a: 1 for a in addresses}
    ids = {s.email: s.id for s in subscribers.iter_subscribers(engine)}
    for to, message in final.messages():
        assert "relay.newsletter.test" in message["Received"]  # it really went through
        assert message["Message-ID"].endswith(f".{ids[to]}@um.krakow.pl>")
        link = f"u/{make_token(SECRET.encode(), ids[to])}"
        assert link in message["List-Unsubscribe"]
        text = message.get_body(("plain",)).get_content()
        assert link in text  # the body survived the relay (quoted-printable, dot-stuffed)
