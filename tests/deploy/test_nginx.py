"""The documented reverse proxy, run for real: Debian's nginx with docs/deploy/nginx.conf, rendered by
docs/deploy/render-nginx.sh with TLS (a throw-away certificate for 127.0.0.1), in front of two
`python -m command serve --role web` processes that share PostgreSQL and a Redis message queue.

What an operator and the duty room notice: the config passes `nginx -t`; a console reaches the live
channel through nginx with long-polling (which only works when one browser sticks to one process) and
with a websocket, and hears an incident that the other process took in; browsers spread over both
processes; plain http is sent to https and the login cookie is Secure; a web process that dies is
routed around without logging anyone out; a too-large feed post gets Vigil's own 413. Which process
answered is read from nginx's access log (its `upstream=` field).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import requests
import socketio
from sqlalchemy import text

from command.migrate import upgrade
from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import (ADMIN, ADMIN_TOKEN, FEED, PASSWORD, PG_ADMIN_URL, REDIS_URL, ROOT, ServerProcess,
                            _postgres_or_fail, event_body, free_port, make_user)

pytestmark = pytest.mark.postgres

DEPLOY = ROOT / "docs" / "deploy"
ROUTE_COOKIE = "vigil_route"  # nginx's own stickiness cookie (docs/deploy/nginx.conf)
LOG_LINE = re.compile(r'"(?P<request>[^"]*)" (?P<status>\d{3}) .* '  # the `vigil` log_format
                      r'upstream=(?P<upstream>.*) rt=\S+ route=(?P<route>\S*)$')


def nginx_binary() -> str:
    """Debian's nginx; its absence fails the test under CI=true (scripts/system_deps.sh installs it)."""
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(path, os.X_OK):
        message = "nginx is not installed (scripts/system_deps.sh installs Debian's nginx)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def render(*backends: str, **env: str) -> subprocess.CompletedProcess:
    """Run docs/deploy/render-nginx.sh as the README says, with ``env`` (LISTEN, TLS_CERT, …)."""
    return subprocess.run(["sh", str(DEPLOY / "render-nginx.sh"), *backends], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=10)


def certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA for the clients), and its key."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                           "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", str(key), "-out", str(cert)], capture_output=True, text=True, timeout=30)
    assert made.returncode == 0, made.stderr
    return cert, key


def debian_main_config(prefix: Path) -> str:
    """Debian's own /etc/nginx/nginx.conf, including ``prefix``/vigil.conf where it includes conf.d/*.conf.

    Its http-level defaults (gzip, ssl_protocols, mime types…) stay, so a clash between them and
    Vigil's file shows here. Only where it writes moves under ``prefix``; sites-enabled/ is left out
    (the README has the default site removed). As root the master would hand its workers to
    www-data, who cannot enter pytest's 0700 tmp dir: they stay root.
    """
    temp = "".join(f"\t{kind}_temp_path {prefix / 'temp' / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    lines, included = ["user root;" if os.geteuid() == 0 else ""], False
    for line in Path("/etc/nginx/nginx.conf").read_text().splitlines():
        directive = line.split("#", 1)[0].strip()
        if directive.startswith(("user ", "pid ", "include /etc/nginx/sites-enabled/")):
            continue
        if directive.startswith("include /etc/nginx/conf.d/"):
            line, included = f"{temp}\tinclude {prefix / 'vigil.conf'};", True
        elif directive.startswith(("access_log /var/log/nginx/", "error_log /var/log/nginx/")):
            line = line.replace("/var/log/nginx/", f"{prefix}/")
        lines.append(line)
    assert included, "Debian's nginx.conf no longer includes /etc/nginx/conf.d/*.conf: update the README"
    return "\n".join(lines) + "\n"


class Nginx:
    """nginx in the foreground on free loopback ports (https, and http that redirects), all under ``prefix``.

    The rendered file holds http-level blocks only: it goes to /etc/nginx/conf.d/, which Debian's
    nginx.conf includes inside `http { }`.
    """

    def __init__(self, binary: str, prefix: Path, backends: list[str], port: int | None = None):
        self.binary, self.prefix = binary, prefix
        (prefix / "temp").mkdir(parents=True, exist_ok=True)
        self.cert, key = certificate(prefix)
        self.port, self.http_port = port or free_port(), free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        rendered = render(*backends, LISTEN=f"127.0.0.1:{self.port} ssl", HTTP_LISTEN=f"127.0.0.1:{self.http_port}",
                          TLS_CERT=str(self.cert), TLS_KEY=str(key), SERVER_NAME="_", LOG_DIR=str(prefix))
        assert rendered.returncode == 0, rendered.stderr
        self.site = rendered.stdout
        (prefix / "vigil.conf").write_text(self.site)
        self.config = prefix / "nginx.conf"
        self.config.write_text(debian_main_config(prefix))
        self.access_log = prefix / "vigil.access.log"
        self.process: subprocess.Popen | None = None

    def command(self, *extra: str) -> list[str]:
        return [self.binary, "-p", str(self.prefix), "-c", str(self.config), "-e", str(self.prefix / "error.log"),
                "-g", f"daemon off; pid {self.prefix / 'nginx.pid'};", *extra]

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=20)

    def start(self) -> None:
        self.output = open(self.prefix / "nginx.out", "w+")
        # Its own process group: the workers go down with the master even if it has to be killed.
        self.process = subprocess.Popen(self.command(), stdout=self.output, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{self.errors()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2, verify=str(self.cert)).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"nginx did not answer in 15 s:\n{self.errors()}")

    def errors(self) -> str:
        log = self.prefix / "error.log"
        return log.read_text()[-3000:] if log.exists() else ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # nginx's fast shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.output.close()

    def entries(self) -> list[dict]:
        if not self.access_log.exists():
            return []
        return [match.groupdict() for line in self.access_log.read_text().splitlines()
                if (match := LOG_LINE.search(line))]

    def upstream_of(self, probe: str) -> str:
        """The web process (host:port) that finally answered the request whose URL holds ``probe``."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for entry in self.entries():
                if probe in entry["request"]:
                    return entry["upstream"].split(", ")[-1]  # nginx lists every process it tried
            time.sleep(0.05)
        raise AssertionError(f"no access log line for {probe}:\n{self.access_log.read_text()[-2000:]}")


class Console:
    """A Socket.IO client on /live that notes the incidents it hears and each (re)connection."""

    def __init__(self, **client_options):
        self.client = socketio.Client(**client_options)
        self.headlines: set[str] = set()
        self.connects = 0
        self.changed = threading.Condition()
        self.client.on("incident", self._incident, namespace="/live")
        self.client.on("connect", self._connect, namespace="/live")

    def _incident(self, feature) -> None:
        with self.changed:
            self.headlines.add(feature["properties"]["headline"])
            self.changed.notify_all()

    def _connect(self) -> None:
        with self.changed:
            self.connects += 1
            self.changed.notify_all()

    def hears(self, headline: str, timeout: float = 10) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: headline in self.headlines, timeout)

    def connected(self, times: int, timeout: float = 20) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.connects >= times, timeout)


class Site:
    """Two web processes behind nginx, and what a browser, a console and a feed do through it."""

    def __init__(self, nginx: Nginx, webs: dict[str, ServerProcess], feed_token: str):
        self.nginx, self.webs, self.feed_token = nginx, webs, feed_token
        self.url = nginx.url
        self.consoles: list[Console] = []

    def session(self) -> requests.Session:
        """A fresh browser-like client that trusts the site's certificate."""
        session = requests.Session()
        session.trust_env = False  # else REQUESTS_CA_BUNDLE, if set, replaces the certificate below
        session.verify = str(self.nginx.cert)
        return session

    def other(self, upstream: str) -> str:
        (other,) = set(self.webs) - {upstream}
        return other

    def get(self, session: requests.Session, path: str) -> tuple[requests.Response, str]:
        """GET through nginx; the response and the web process that answered it."""
        probe = uuid.uuid4().hex
        separator = "&" if "?" in path else "?"
        response = session.get(f"{self.url}{path}{separator}probe={probe}", timeout=10)
        return response, self.nginx.upstream_of(probe)

    def route_to(self, upstream: str) -> str:
        """A vigil_route cookie value that nginx hashes onto ``upstream``."""
        for _ in range(40):
            candidate = uuid.uuid4().hex
            probe = self.session()
            probe.cookies.set(ROUTE_COOKIE, candidate)
            if self.get(probe, "/healthz")[1] == upstream:
                return candidate
        raise AssertionError(f"40 random routes and none went to {upstream}")

    def post_incident(self, headline: str, route: str | None = None) -> tuple[requests.Response, str]:
        """A feed posts one event through nginx (hashed on ``route`` when given, like a browser's cookie)."""
        probe = uuid.uuid4().hex
        feed = self.session()
        if route:
            feed.cookies.set(ROUTE_COOKIE, route)
        response = feed.post(f"{self.url}/api/v1/feeds/{FEED}/events?probe={probe}", timeout=15,
                             json=event_body(f"nginx-{probe[:12]}", headline=headline, severity="severe"),
                             headers={"Authorization": f"Bearer {self.feed_token}"})
        return response, self.nginx.upstream_of(probe)

    def browser(self) -> requests.Session:
        """A session logged in through the real /login form, through nginx, as a browser would."""
        session = self.session()
        form = session.get(f"{self.url}/login", timeout=10)
        assert form.status_code == 200, form.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        answer = session.post(f"{self.url}/login", data={"username": ADMIN, "password": PASSWORD, "csrf_token": csrf},
                              allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        assert session.cookies.get(ROUTE_COOKIE), "nginx gave the browser no vigil_route cookie"
        return session

    def console(self, **options) -> Console:
        console = Console(**options)
        self.consoles.append(console)
        return console


@contextmanager
def running_site(database_url: str, redis_url: str, directory: Path):
    """Migrate, start two web processes at once, put nginx in front; stop everything afterwards."""
    binary = nginx_binary()
    runtime = build_runtime({"DATABASE_URL": database_url})
    upgrade(runtime.engine)
    make_user(runtime, ADMIN, token=ADMIN_TOKEN)
    with runtime.unit_of_work() as session:
        feed_token = issue_feed_token(session, FEED)
    runtime.engine.dispose()
    nginx_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATABASE_URL=database_url, VIGIL_SECRET_KEY="one-key-for-every-web-process",
               VIGIL_SOCKETIO_MESSAGE_QUEUE=redis_url,
               VIGIL_SOCKETIO_CHANNEL=f"vigil-{directory.name}", VIGIL_PUBLIC_URL=f"https://127.0.0.1:{nginx_port}",
               VIGIL_LOG_DIR=str(directory), PYTHONUNBUFFERED="1")
    webs: list[ServerProcess] = []
    nginx = site = None
    try:
        with ThreadPoolExecutor(2) as pool:  # both start at once: half the wait
            starting = [pool.submit(ServerProcess, env, free_port(), ["--role", "web"]) for _ in range(2)]
        webs.extend(future.result() for future in starting if future.exception() is None)
        for future in starting:
            future.result()  # a server that did not come up fails here, once the other is listed for stopping
        nginx = Nginx(binary, directory / "nginx", [f"127.0.0.1:{web.port}" for web in webs], nginx_port)
        site = Site(nginx, {f"127.0.0.1:{web.port}": web for web in webs}, feed_token)
        nginx.start()
        yield site
    finally:
        try:
            for console in site.consoles if site else ():
                console.client.disconnect()
        finally:
            try:
                if nginx is not None:
                    nginx.stop()
            finally:
                for web in webs:
                    web.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One site for the tests that leave it as they found it (pg_url and redis_url are per test)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        message = f"Redis unreachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    admin = _postgres_or_fail()
    name = f"vigil_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with running_site(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", REDIS_URL,
                          tmp_path_factory.mktemp("site")) as site:
            yield site
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def own_site(pg_url, redis_url, tmp_path):
    """A site of its own, for a test that breaks it."""
    with running_site(pg_url, redis_url, tmp_path) as site:
        yield site


def test_the_rendered_config_passes_nginx_t(tmp_path):
    binary = nginx_binary()
    nginx = Nginx(binary, tmp_path / "tls", ["127.0.0.1:8001", "127.0.0.1:8002"])
    assert "server 127.0.0.1:8001 " in nginx.site and "server 127.0.0.1:8002 " in nginx.site
    assert f"ssl_certificate {nginx.cert};" in nginx.site and "return 301 https://" in nginx.site
    result = nginx.check()
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr

    plain = render("127.0.0.1:8001", LISTEN="127.0.0.1:8080", LOG_DIR=str(tmp_path))  # no TLS: no ssl, no redirect
    assert plain.returncode == 0, plain.stderr
    assert "listen 127.0.0.1:8080;" in plain.stdout
    assert "ssl_certificate" not in plain.stdout and "return 301" not in plain.stdout
    (nginx.prefix / "vigil.conf").write_text(plain.stdout)
    result = nginx.check()
    assert result.returncode == 0, result.stderr

    bare = render()
    assert bare.returncode == 2 and "usage" in bare.stderr
    half = render("127.0.0.1:8001", TLS_CERT=str(nginx.cert))
    assert half.returncode == 2 and "TLS_KEY" in half.stderr
    (tmp_path / "odd.conf").write_text("server_name @SERVER_NAME@;\nlisten @PORT@;\n")
    unknown = render("127.0.0.1:8001", TEMPLATE=str(tmp_path / "odd.conf"))
    assert unknown.returncode != 0 and "placeholder" in unknown.stderr


def test_consoles_hear_incidents_through_nginx_over_polling_and_websocket(site):
    browser = site.browser()
    home = site.get(browser, "/api/v1/me")[1]
    polling = site.console(http_session=browser, reconnection=False)
    # A browser's Origin (https): the live channel accepts it only if nginx passed host and scheme on.
    polling.client.connect(site.url, namespaces=["/live"], transports=["polling"], headers={"Origin": site.url},
                           wait_timeout=10)
    websocket = site.console(http_session=site.session(), reconnection=False)
    websocket.client.connect(site.url, namespaces=["/live"], transports=["websocket"], auth={"token": ADMIN_TOKEN},
                             wait_timeout=10)
    assert polling.client.transport() == "polling" and websocket.client.transport() == "websocket"

    headline = f"Flood behind nginx {uuid.uuid4().hex[:8]}"
    answer, taken_in_by = site.post_incident(headline, route=site.route_to(site.other(home)))
    assert answer.status_code == 201, answer.text
    assert taken_in_by != home  # the incident crossed from one process to the other through Redis
    assert polling.hears(headline), "the long-polling console never heard the incident"
    assert websocket.hears(headline), "the websocket console never heard the incident"

    polls = [entry for entry in site.nginx.entries()
             if entry["route"] == browser.cookies[ROUTE_COOKIE] and "/socket.io/" in entry["request"]]
    assert len(polls) >= 3, polls  # handshake, namespace connect, long polls
    assert {entry["upstream"] for entry in polls} == {home}, "the polling console's requests were split"
    assert {entry["status"] for entry in polls} == {"200"}, polls


def test_each_browser_sticks_to_one_web_process_and_browsers_spread_over_both(site):
    homes = set()
    for _ in range(16):
        browser = site.session()
        answers = [site.get(browser, "/login") for _ in range(3)]
        assert all(response.status_code == 200 for response, _ in answers)
        assert browser.cookies.get(ROUTE_COOKIE)
        assert len({upstream for _, upstream in answers}) == 1, answers
        homes.add(answers[0][1])
    assert homes == set(site.webs), "every browser was sent to the same web process"


def test_plain_http_is_sent_to_https_and_the_login_cookie_is_secure(site):
    moved = site.session().get(f"http://127.0.0.1:{site.nginx.http_port}/login?next=/queue", allow_redirects=False,
                               timeout=10)
    assert moved.status_code == 301
    assert moved.headers["Location"] == "https://127.0.0.1/login?next=/queue"  # port 443 on a real server

    browser = site.browser()
    (session_cookie,) = [cookie for cookie in browser.cookies if cookie.name == "vigil_session"]
    assert session_cookie.secure, "the session cookie would also travel over plain http"
    me, _ = site.get(browser, "/api/v1/me")
    assert me.json()["username"] == ADMIN


def test_a_feed_post_over_vigils_limit_gets_vigils_own_413(site):
    body = b'{"external_id": "big", "headline": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    answer = site.session().post(f"{site.url}/api/v1/feeds/{FEED}/events", data=body, timeout=30,
                                 headers={"Authorization": f"Bearer {site.feed_token}",
                                          "Content-Type": "application/json"})
    assert answer.status_code == 413, answer.text[:500]
    assert "larger than the limit" in answer.json()["error"]  # Vigil's JSON, not nginx's HTML page


def test_a_web_process_that_dies_is_routed_around(own_site):
    site = own_site
    browser = site.browser()
    home = site.get(browser, "/api/v1/me")[1]
    console = site.console(http_session=browser, reconnection=True, reconnection_delay=0.2,
                           reconnection_delay_max=1)
    console.client.connect(site.url, namespaces=["/live"], transports=["polling"], wait_timeout=10)
    assert console.connected(1)
    stranded_feed = site.route_to(home)

    site.webs[home].process.kill()  # a crash: no goodbye to nginx or to the console
    site.webs[home].process.wait(timeout=10)

    me, upstream = site.get(browser, "/api/v1/me")
    assert me.status_code == 200 and me.json()["username"] == ADMIN  # still logged in: one secret key for all
    assert upstream == site.other(home)
    answer, taken_in_by = site.post_incident(f"Rerouted post {uuid.uuid4().hex[:8]}", route=stranded_feed)
    assert answer.status_code == 201, answer.text  # nginx retried the refused connection on the other process
    assert taken_in_by == site.other(home)

    assert console.connected(2), f"the console never reconnected through nginx:\n{site.nginx.errors()}"
    headline = f"After the crash {uuid.uuid4().hex[:8]}"
    answer, _ = site.post_incident(headline)
    assert answer.status_code == 201, answer.text
    assert console.hears(headline), "the reconnected console did not hear a new incident"
