"""Shared fixtures: a migrated SQLite runtime, the Flask app and client, real servers, PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, text

from command.migrate import upgrade
from command.models import Membership, Person
from command.runtime import build_runtime
from command.tokens import issue_feed_token
from command.users import _hash_password, _token_hash

pytest_plugins = ["tests.browser_fixtures"]  # one Chromium for the session, for any folder

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("VIGIL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FEED = "test-feed"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A fresh SQLite database file for one test."""
    return f"sqlite:///{tmp_path / 'vigil.db'}"


@pytest.fixture
def runtime(sqlite_url):
    """A Runtime on a migrated SQLite database."""
    rt = build_runtime({"DATABASE_URL": sqlite_url, "SECRET_KEY": "test"})
    upgrade(rt.engine)
    yield rt
    rt.engine.dispose()


PASSWORD = "correct horse battery staple"  # every test user's password
ADMIN = "admin"
ADMIN_TOKEN = "vgu_test-admin-token"
PASSWORD_HASH = _hash_password(PASSWORD)  # argon2 is slow on purpose: hash once for the whole run


def make_user(runtime, username: str, role: str = "administrator", departments=(), token: str | None = None) -> int:
    """Write a user straight into the database (no audit entry, so tests counting log entries stay exact)."""
    with runtime.unit_of_work() as session:
        if departments:
            from command.directory import sync_departments
            sync_departments(session)
        person = Person(username=username, display_name=username, role=role, language="en",
                        password_hash=PASSWORD_HASH, token_hash=_token_hash(token) if token else None)
        session.add(person)
        session.flush()
        for code in departments:
            session.add(Membership(person_id=person.id, department_code=code, post="liaison"))
        return person.id


def log_in(client, runtime, username: str = ADMIN, role: str = "administrator", departments=()) -> None:
    """Make ``client`` a logged-in session of ``username`` (created if needed) sending its CSRF token."""
    with runtime.sessions() as session:
        uid = session.scalar(select(Person.id).where(Person.username == username))
    if uid is None:
        uid = make_user(runtime, username, role, departments)
    now = time.time()
    with client.session_transaction() as state:
        state.update(uid=uid, since=now, seen=now, csrf="test-csrf")
    client.environ_base["HTTP_X_CSRF_TOKEN"] = "test-csrf"


def pushed_by(runtime, action, *kinds) -> list:
    """Run ``action()`` and return the domain events published (after commit) while it ran, of ``kinds`` if given."""
    events: list = []
    runtime.publisher.subscribe(events.append)
    try:
        action()
    finally:
        runtime.publisher.unsubscribe(events.append)
    return [event for event in events if not kinds or isinstance(event, kinds)]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_runtime(request, sqlite_url):
    """A migrated Runtime on SQLite, then on a fresh PostgreSQL database: the test runs on both."""
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    rt = build_runtime({"DATABASE_URL": url, "SECRET_KEY": "test"})
    upgrade(rt.engine)
    yield rt
    rt.engine.dispose()


@pytest.fixture
def app(runtime):
    """The Flask app built on ``runtime``."""
    from web import create_app
    return create_app(runtime=runtime)


@pytest.fixture
def client(app, runtime):
    """A Flask test client logged in as an administrator."""
    client = app.test_client()
    log_in(client, runtime)
    return client


@pytest.fixture
def anonymous(app):
    """A Flask test client nobody logged in to."""
    return app.test_client()


@pytest.fixture
def feed_token(runtime) -> str:
    """A valid ingest token for the feed ``test-feed``."""
    with runtime.unit_of_work() as session:
        return issue_feed_token(session, FEED)


def event_body(external_id="ev-1", **fields) -> dict:
    """A valid normalized event as a feed would POST it."""
    body = {"external_id": external_id, "version": "1", "headline": "River Qinhuai over warning level",
            "event": "Flood", "category": "met", "severity": "severe", "msg_type": "alert",
            "sent_at": "2026-11-24T03:00:00+08:00", "lat": 32.04, "lon": 118.78}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """Ask a subprocess to stop (SIGTERM), kill it if it will not, and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class ServerProcess:
    """A real `python -m command serve` in a subprocess, on loopback."""

    def __init__(self, env: dict, port: int, args: list[str] = ()):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.api = requests.Session()  # calls the API as the test administrator
        self.api.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        self.log = open(Path(env["VIGIL_LOG_DIR"]) / f"server-{port}.log", "w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "command", "serve", "--port", str(port), *args],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_up()
        except BaseException:
            self.stop()  # a server that did not come up is not left running
            raise

    def _wait_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not come up in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


@pytest.fixture
def server_env(tmp_path, sqlite_url) -> dict:
    """Environment for a server subprocess on a migrated SQLite database."""
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    upgrade(rt.engine)
    make_user(rt, ADMIN, token=ADMIN_TOKEN)
    rt.engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATABASE_URL=sqlite_url, VIGIL_SECRET_KEY="test", VIGIL_LOG_DIR=str(tmp_path),
               PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def start_server(server_env):
    """Start real servers: ``start_server(async_mode="threading", args=[])`` -> ServerProcess."""
    started = []

    def start(async_mode: str = "threading", args: list[str] = (), **env) -> ServerProcess:
        full_env = dict(server_env, VIGIL_ASYNC_MODE=async_mode, **env)
        server = ServerProcess(full_env, free_port(), list(args))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _postgres_or_fail():
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return engine
    except Exception as exc:
        message = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI must not pass by skipping the real database
        pytest.skip(message)


@contextlib.contextmanager
def pg_database_down(url: str):
    """Make the PostgreSQL database at ``url`` refuse Vigil (no new connections, open ones cut), then restore it."""
    name = url.rsplit("/", 1)[1]
    server = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        yield
    finally:
        with server.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        server.dispose()


@pytest.fixture
def pg_url():
    """URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    admin = _postgres_or_fail()
    name = f"vigil_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


REDIS_URL = os.environ.get("VIGIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url():
    """The local Redis (Socket.IO's message queue); fails under CI=true when unreachable."""
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        message = f"Redis unreachable at {REDIS_URL}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL
