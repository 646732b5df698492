"""What deploy/ ships, run for real: the systemd units verified by systemd itself, and the
nginx site (Debian's nginx on loopback, TLS with a self-signed certificate) in front of the
real `newsletter serve`: static pages from nginx, sign-up through it, one rate limit per
reader rather than one for the whole city."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "app"))  # appserver
sys.path.insert(0, str(ROOT / "tests" / "deliver"))  # mailhelpers

from appserver import serve_process  # noqa: E402
from certificates import self_signed  # noqa: E402
from mailhelpers import free_port  # noqa: E402

from newsletter.app.challenge import solve  # noqa: E402
from newsletter.deliver.audience import subscribers  # noqa: E402
from newsletter.deliver.db import open_database  # noqa: E402

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
HOST = "newsletter.krakow.example"  # base_url's host in newsletter.toml
HIDDEN = re.compile(r'name="(csrf|pow_salt|pow_challenge|pow_signature)" value="([^"]*)"')


def test_the_units_pass_systemds_own_verification_and_are_hardened(tmp_path: Path):
    """systemd-analyze verify prints a parse error and still exits 0: both are read."""
    newsletter = Path(sys.executable).with_name("newsletter")
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8")
        if unit.suffix == ".service":
            assert "/opt/business-krakow/venv/bin/newsletter" in text
            text = text.replace("/opt/business-krakow/venv/bin/newsletter", str(newsletter))
            for setting in ("User=newsletter", "NoNewPrivileges=yes", "ProtectSystem=strict",
                            "EnvironmentFile=/etc/business-krakow/newsletter.env"):
                assert setting in text, (unit.name, setting)
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    names = [str(tmp_path / unit.name) for unit in UNITS]
    verified = subprocess.run(["systemd-analyze", "verify", *names], capture_output=True,
                              text=True, cwd=tmp_path)
    assert verified.returncode == 0 and verified.stderr == "", verified.stderr
    for name in names:
        if name.endswith(".service"):
            rating = subprocess.run(["systemd-analyze", "security", "--offline=true", name],
                                    capture_output=True, text=True, cwd=tmp_path)
            exposure = float(re.search(r"Overall exposure level .*: (\d+\.\d+)",
                                       rating.stdout + rating.stderr).group(1))
            assert exposure <= 4.0, (name, exposure)  # systemd's "OK" and better


def test_install_script_is_bash_and_installs_no_test_tools():
    script = (DEPLOY / "install").read_text(encoding="utf-8")
    assert subprocess.run(["bash", "-n", str(DEPLOY / "install")]).returncode == 0
    packages = re.search(r"apt-get install[^\n]*\\\n(.*?)\n\n", script, re.S).group(1)
    for tool in ("chromium", "postgresql", "postfix", "dovecot", "default-jre", "nodejs", "npm",
                 "gcc", "build-essential"):
        assert tool not in packages, tool
    assert "[dev]" not in script
    assert re.search(r'pip"? install [^\n]*"\$WHEEL"', script)  # the wheel alone, no extras
    assert "chmod 0600" in script and "newsletter.env" in script


def site_for_test(folder: Path, build: Path, serve_port: int, http: int, https: int) -> str:
    """The shipped site with this machine's paths and ports in place of a server's; each
    replaced text must be there, so the test follows the file it claims to run."""
    key, cert = self_signed(folder, HOST)
    text = (DEPLOY / "nginx" / "business-krakow.conf").read_text(encoding="utf-8")
    for old, new in (
        ("    listen [::]:80;\n", ""), ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert)),
        (f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key)),
        ("root /srv/business-krakow/build;", f"root {build};"),
        ("server 127.0.0.1:8025;", f"server 127.0.0.1:{serve_port};"),
        ("root /var/www/html;", f"root {folder};"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    return text


@contextlib.contextmanager
def nginx(folder: Path, site: str) -> Iterator[None]:
    """Debian's nginx with the site, in its own folder, in the foreground."""
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir()
    (folder / "site.conf").write_text(site, encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read the test's 0700 folders
    (folder / "nginx.conf").write_text(f"""{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""", encoding="utf-8")
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"),
               "-e", str(folder / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        process.terminate()
        process.wait(10)


def client(port: int, source: str) -> httpx.Client:
    """A reader at loopback address ``source`` (Linux routes all of 127/8 to lo)."""
    transport = httpx.HTTPTransport(local_address=source, verify=False, retries=3)
    return httpx.Client(base_url=f"https://127.0.0.1:{port}", transport=transport,
                        headers={"Host": HOST}, timeout=10)


@contextlib.contextmanager
def nginx_in_front(folder: Path, *serve_options: str) -> Iterator[tuple[int, int, object]]:
    """`newsletter serve` (the real command) behind nginx with the shipped site; the
    sample's web page built for nginx to serve. Yields nginx's ports and the server."""
    build = folder / "build"
    built = subprocess.run([str(Path(sys.executable).with_name("newsletter")), "build",
                            "issues/2020-12", "--only", "web", "--language", "en", "--out",
                            str(build)], cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    with serve_process(folder / "list.db", *serve_options) as served:
        http, https = free_port(), free_port()
        with nginx(folder, site_for_test(folder, build, served.port, http, https)):
            for _ in range(100):  # bounded wait for nginx to listen
                try:
                    with client(https, "127.0.0.1") as probe:
                        probe.get("/favicon.ico")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            yield http, https, served


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory) -> Iterator[tuple[int, int, object]]:
    """The site as deployed: newsletter.toml's [serve] trusted_proxies left at its default."""
    with nginx_in_front(tmp_path_factory.mktemp("nginx")) as running:
        yield running


def test_static_pages_come_from_nginx_over_https_with_hsts(behind_nginx):
    http, https, _ = behind_nginx
    with client(https, "127.0.0.1") as reader:
        page = reader.get("/2020-12/web/")
        assert page.status_code == 200 and "Business Kraków" in page.text
        assert page.headers["server"] == "nginx"  # server_tokens off: no version
        assert page.headers["strict-transport-security"].startswith("max-age=63072000")
        assert reader.get("/2020-12/web/nothing-here.html").status_code == 404
    plain = httpx.get(f"http://127.0.0.1:{http}/2020-12/web/", headers={"Host": HOST})
    assert plain.status_code == 301
    assert plain.headers["location"] == f"https://{HOST}/2020-12/web/"


def test_sign_up_through_nginx_reaches_serve_and_confirms(behind_nginx):
    _, https, served = behind_nginx
    with client(https, "127.0.0.5") as reader:
        page = reader.get("/subscribe?lang=en")
        assert page.status_code == 200 and "uvicorn" not in page.headers.get("server", "")
        hidden = dict(HIDDEN.findall(page.text))
        number = solve(hidden["pow_salt"], hidden["pow_challenge"], 50_000)
        done = reader.post("/subscribe?lang=en", data={
            **hidden, "pow_number": str(number), "email": "reader@example.com",
            "language": "en", "consent": "2021-01"})
        assert done.status_code == 200, done.text
        deadline = time.monotonic() + 15
        while not served.recorder.messages() and time.monotonic() < deadline:
            time.sleep(0.05)
        ((to, message),) = served.recorder.messages()
        assert to == "reader@example.com"
        text = message.get_body(("plain",)).get_content()
        link = re.search(rf"https://{re.escape(HOST)}(/confirm/\S+)", text).group(1)
        shown = reader.get(link)
        token = dict(HIDDEN.findall(shown.text)).get("csrf")
        confirmed = reader.post(link, data={"csrf": token} if token else {})
        assert confirmed.status_code == 200, confirmed.text
    person = subscribers.find(open_database(served.db), "reader@example.com")
    assert person is not None and person.status == "subscribed"


def test_two_readers_behind_nginx_have_two_budgets(behind_nginx):
    """Before the shipped site set X-Forwarded-For, every request came from nginx's
    127.0.0.1: ten sign-ups from anyone, then 429 for the whole city."""
    _, https, _ = behind_nginx
    with client(https, "127.0.0.2") as flood:
        # a client's own X-Forwarded-For is not believed: nginx appends the real address
        codes = [flood.post("/subscribe", data={"email": f"x{n}@example.com"},
                            headers={"X-Forwarded-For": f"10.9.8.{n}"}).status_code
                 for n in range(12)]
    assert codes[-1] == 429 and 429 not in codes[:10], codes
    with client(https, "127.0.0.3") as other:
        answer = other.post("/subscribe", data={"email": "y@example.com"})
    assert answer.status_code != 429, answer.status_code


def flood_then_other(https: int) -> int:
    """Twelve sign-up POSTs from one reader, then the status another reader gets."""
    with client(https, "127.0.0.2") as flood:
        for n in range(12):
            flood.post("/subscribe", data={"email": f"x{n}@example.com"})
    with client(https, "127.0.0.3") as other:
        return other.post("/subscribe", data={"email": "y@example.com"}).status_code


def test_a_proxy_not_in_trusted_proxies_is_not_believed(tmp_path: Path):
    """[serve] trusted_proxies is what `serve` believes: with nginx's address not in it,
    the header nginx sends is ignored and nginx is the one client (every reader shares
    its budget) — the setting, not a default of the server library, decides."""
    config = (ROOT / "newsletter.toml").read_text(encoding="utf-8")
    for name in ("theme", "issues", "output", "templates"):
        config, count = re.subn(rf'^{name} = "([^"]+)"',
                                lambda m, name=name: f'{name} = "{ROOT / m.group(1)}"',
                                config, flags=re.M)
        assert count == 1, name
    toml = tmp_path / "newsletter.toml"
    toml.write_text(config + '\n[serve]\ntrusted_proxies = ["10.1.2.3", "192.0.2.0/24"]\n',
                    encoding="utf-8")
    with nginx_in_front(tmp_path, "--config", str(toml)) as (_, https, _served):
        assert flood_then_other(https) == 429


def test_serve_with_two_workers_has_one_budget(tmp_path: Path):
    """`serve --workers 2`: each process used to keep its own buckets, so a script got one
    budget per process; the buckets live in the database now."""
    from appserver import serve_process

    with serve_process(tmp_path / "list.db", "--workers", "2") as served:
        codes = []
        for n in range(30):  # a new connection each time: the kernel spreads them
            with httpx.Client(base_url=served.base, headers={"Connection": "close"}) as one:
                codes.append(one.post("/subscribe", data={"email": f"z{n}@example.com"})
                             .status_code)
    assert codes.count(429) == 30 - 10, codes  # ip_burst: 10 for the two together


def test_a_solved_challenge_passes_once_whichever_worker_gets_it(tmp_path: Path):
    """Used proof-of-work salts were remembered in each process's memory: with two workers
    one solution passed twice. They are recorded in the database now."""
    from appserver import serve_process

    with serve_process(tmp_path / "list.db", "--workers", "2") as served:
        with httpx.Client(base_url=served.base) as reader:
            page = reader.get("/subscribe?lang=en")
        hidden = dict(HIDDEN.findall(page.text))
        number = solve(hidden["pow_salt"], hidden["pow_challenge"], 50_000)
        data = {**hidden, "pow_number": str(number), "email": "once@example.com",
                "language": "en", "consent": "2021-01"}
        codes = []
        for _ in range(6):  # new connections: both workers get some
            with httpx.Client(base_url=served.base, headers={"Connection": "close"}) as one:
                codes.append(one.post("/subscribe?lang=en", data=data).status_code)
    assert codes.count(200) == 1 and codes.count(400) == 5, codes


def test_install_refuses_a_url_for_the_host_before_touching_the_machine():
    """An admin types the URL they know (https://newsletter.krakow.pl/): sed wrote it into
    the nginx site half-way through the install ("unknown option to `s'")."""
    for host in ("https://newsletter.krakow.pl/", "www.krakow.pl/newsletter", "a b"):
        done = subprocess.run(["bash", str(DEPLOY / "install"), "/nonexistent.whl", host],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 1 and "give the host name only" in done.stderr, done.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="makes files of another user")
def test_the_dkim_key_beside_the_secrets_is_readable_by_the_services():
    """newsletter.env.example puts the DKIM key in /etc/business-krakow (0640
    root:newsletter), but install made that folder 0700 root: the services could not reach
    the key and every send failed on it. The folder is made as install makes it (the
    services' group played by nogroup), then read as the services' user would."""
    script = (DEPLOY / "install").read_text(encoding="utf-8")
    lines = [line for line in script.splitlines() if line.rstrip().endswith('"$ETC"')
             or line.startswith('chmod 0750 "$ETC"')]
    assert lines, "install creates $ETC"
    import tempfile

    outside = Path(tempfile.mkdtemp(prefix="bk-etc-"))  # pytest's folders are root's, 0700
    outside.chmod(0o755)
    etc = outside / "etc"
    try:
        _made_as_install_makes_it(lines, etc)
    finally:
        shutil.rmtree(outside)


def _made_as_install_makes_it(lines: list[str], etc: Path) -> None:
    commands = "\n".join(line.replace("newsletter", "nogroup") for line in lines)
    subprocess.run(["bash", "-euc", commands], env={**os.environ, "ETC": str(etc)}, check=True)
    key, env = etc / "dkim.pem", etc / "newsletter.env"
    key.write_text("-----BEGIN PRIVATE KEY-----\n", encoding="utf-8")
    env.write_text("NEWSLETTER_SECRET=x\n", encoding="utf-8")
    shutil.chown(key, "root", "nogroup")
    key.chmod(0o640)
    env.chmod(0o600)
    as_service = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "cat"]
    assert subprocess.run([*as_service, str(key)], capture_output=True).returncode == 0
    assert subprocess.run([*as_service, str(env)], capture_output=True).returncode != 0


def documented_path_block() -> str:
    """The nginx locations docs/deployment.md gives for base_url under a path."""
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    section = text.split("**Under a path of another site.**", 1)[1]
    return re.search(r"```nginx\n(.*?)```", section, re.S).group(1)


def test_the_documented_block_for_a_path_keeps_readers_under_it(project, tmp_path: Path):
    """base_url = https://www.krakow.pl/newsletter/: the city's own server block gets the
    locations the docs give, and nothing else of ours. Through Debian's nginx: the form,
    its script and styles, the sign-up, the confirmation and the static issue page all
    answer under /newsletter/; the rest of the host stays the city's."""
    from appserver import CSRF, FAST, serving

    build = tmp_path / "build"
    built = subprocess.run([str(Path(sys.executable).with_name("newsletter")), "build",
                            "issues/2020-12", "--only", "web", "--language", "en", "--out",
                            str(build)], cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    db = tmp_path / "list.db"
    open_database(db).dispose()
    with serving(project, db, path="/newsletter/") as served:
        block = documented_path_block()
        for old, new in (("127.0.0.1:8025", f"127.0.0.1:{urlsplit(served.base).port}"),
                         ("/srv/business-krakow/build/", f"{build}/")):
            assert old in block, old
            block = block.replace(old, new)
        port = free_port()
        # base_url's host is the test server's (serve refuses other Host headers)
        site = (f"server {{\n    listen 127.0.0.1:{port};\n    server_name 127.0.0.1;\n"
                f"    location / {{ return 418; }}  # the city's own site\n{block}}}\n")
        folder = tmp_path / "nginx"
        folder.mkdir()
        with nginx(folder, site), httpx.Client(base_url=f"http://127.0.0.1:{port}",
                                               headers={"Host": "127.0.0.1"}) as reader:
            for _ in range(100):  # bounded wait for nginx to listen
                try:
                    reader.get("/")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            assert reader.get("/subscribe").status_code == 418  # not ours: the city's
            assert reader.get("/newsletter/2020-12/web/").status_code == 200  # static
            page = reader.get("/newsletter/subscribe?lang=en")
            assert page.status_code == 200, page.text
            assert page.headers["server"].startswith("nginx")
            action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
            assert action.startswith("/newsletter/subscribe"), action
            for asset in re.findall(r'(?:href|src)="(/newsletter/s/[^"]+)"', page.text):
                assert reader.get(asset).status_code == 200, asset
            hidden = dict(HIDDEN.findall(page.text))
            number = solve(hidden["pow_salt"], hidden["pow_challenge"], FAST.pow_max_number)
            sent = reader.post(action.replace("&amp;", "&"), data={
                **hidden, "pow_number": str(number), "language": "en",
                "email": "ala@example.com", "consent": "2021-01"})
            assert sent.status_code == 200, sent.text
            link = urlsplit(served.confirm_link("ala@example.com")).path
            assert link.startswith("/newsletter/confirm/"), link
            csrf = CSRF.search(reader.get(link).text).group(1)
            assert reader.post(link, data={"csrf": csrf}).status_code == 200
    person = subscribers.find(open_database(db), "ala@example.com")
    assert person is not None and person.status == "subscribed"
