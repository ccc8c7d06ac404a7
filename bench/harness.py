"""Start real Vigil servers for a benchmark: a fresh database, a feed token, subprocesses on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from command.migrate import upgrade
from command.runtime import build_runtime
from command.models import Person
from command.tokens import issue_feed_token
from command.users import _token_hash, create
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
FEED = "bench"
BENCH_USER, BENCH_PASSWORD = "bench", "bench password, loopback only"
BENCH_TOKEN = "vgu_bench-token-loopback-only"  # Socket.IO clients: auth={"token": BENCH_TOKEN}
# Benchmarks measure throughput, not the per-feed ingest limit (INGEST_RATE_PER_SOURCE).
BENCH_ENV = {"VIGIL_SECRET_KEY": "bench", "VIGIL_INGEST_RATE_PER_SOURCE": "0", "PYTHONUNBUFFERED": "1"}


def log_in(page, url: str) -> None:
    """Log a Playwright page in through the real form."""
    page.goto(f"{url}/login")
    page.fill("input[name=username]", BENCH_USER)
    page.fill("input[name=password]", BENCH_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def database_kind(url: str) -> str:
    """'PostgreSQL' or 'SQLite' for a database URL."""
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


@contextmanager
def bench_database(url: str | None = None):
    """Yield the URL of a fresh, empty database: SQLite in a temporary folder when ``url`` is None.

    A PostgreSQL URL names a database the benchmark creates (it must not exist yet, so nothing
    anyone keeps is touched) and drops afterwards; the server in the URL must accept CREATE DATABASE.
    """
    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
            yield url or f"sqlite:///{tmp}/bench.db"
        return
    parsed = make_url(url)
    name = parsed.database
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            admin.dispose()
            raise SystemExit(f"database {name!r} already exists: the benchmark creates and drops its own; "
                             f"name another or drop it first")
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(database_url: str) -> str:
    """Migrate the database, create the bench administrator (BENCH_TOKEN); return a feed token."""
    runtime = build_runtime({"DATABASE_URL": database_url})
    upgrade(runtime.engine)
    with runtime.unit_of_work() as session:
        token = issue_feed_token(session, FEED)
        if session.scalar(select(Person.id).where(Person.username == BENCH_USER)) is None:
            create(session, BENCH_USER, "administrator", password=BENCH_PASSWORD, actor="bench")
            session.flush()
        session.scalar(select(Person).where(Person.username == BENCH_USER)).token_hash = _token_hash(BENCH_TOKEN)
    runtime.engine.dispose()
    return token


class Server:
    """`python -m command serve --role ROLE` in a subprocess on 127.0.0.1; a worker has no URL."""

    def __init__(self, database_url: str, log_path: Path, role: str = "all", async_mode: str = "threading",
                 extra_env: dict | None = None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
        env.update(VIGIL_DATABASE_URL=database_url, VIGIL_ASYNC_MODE=async_mode, **BENCH_ENV, **(extra_env or {}))
        self.role = role
        self.port = None if role == "worker" else _free_port()
        self.url = f"http://127.0.0.1:{self.port}" if self.port else None
        self.log_path = log_path
        self._log = open(log_path, "w")
        command = [sys.executable, "-m", "command", "serve", "--role", role]
        if self.port:
            command += ["--port", str(self.port)]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        try:
            if self.url:
                _wait_up(self.url, self.process)
            else:
                _wait_for_line(log_path, "worker is running", self.process)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@contextmanager
def vigil_server(async_mode: str = "threading", database_url: str | None = None, extra_env: dict | None = None,
                 role: str = "all"):
    """Yield (base_url, token, database_url) for a server running in a subprocess on a fresh database."""
    with bench_database(database_url) as url, tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        token = prepare(url)
        server = Server(url, Path(tmp) / "server.log", role=role, async_mode=async_mode, extra_env=extra_env)
        try:
            yield server.url, token, url
        finally:
            server.stop()


@contextmanager
def private_redis():
    """Yield the URL of a Redis server of our own on a free loopback port (Socket.IO's message queue).

    Not the shared one: Flask-SocketIO's channel name is fixed, and Redis pub/sub ignores the
    database number, so a benchmark on the shared Redis would push its events to every test server.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server), or pass --redis-url")
    port = _free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--loglevel", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("private redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def event(i: int, run: str = "") -> dict:
    """A realistic normalized event, unique per ``i``."""
    return {"external_id": f"bench-{run}-{i}", "version": "1", "headline": f"Bench incident {i} 河道水位超警",
            "event": "Flood", "category": "met", "severity": ("extreme", "severe", "moderate", "minor")[i % 4],
            "sent_at": "2026-11-24T03:00:00+08:00", "lat": 30 + (i % 1000) / 100, "lon": 110 + (i % 700) / 100}


def pick(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted values (nearest rank)."""
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def percentiles(values_ms: list[float]) -> str:
    """Format median, p95, p99 and max of millisecond values."""
    if not values_ms:
        return "no samples"
    ordered = sorted(values_ms)
    return (f"median {statistics.median(ordered):.1f} ms, p95 {pick(ordered, 0.95):.1f} ms, "
            f"p99 {pick(ordered, 0.99):.1f} ms, max {ordered[-1]:.1f} ms (n={len(ordered)})")


def memory_mib(pid: int) -> dict[str, float]:
    """VmRSS (resident now) and VmHWM (peak resident) of a process, in MiB, from /proc/PID/status."""
    found = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0]) / 1024
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    """One line describing this machine, with its load when the benchmark started."""
    mem = ""
    try:
        kb = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    return f"{os.cpu_count()} cores{mem}, Python {sys.version.split()[0]}{load}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_up(url: str, process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _wait_for_line(path: Path, needle: str, process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"worker exited with {process.returncode}: {path.read_text()[-2000:]}")
        if needle in path.read_text():
            return
        time.sleep(0.1)
    raise RuntimeError(f"worker did not start: {path.read_text()[-2000:]}")
