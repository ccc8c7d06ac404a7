"""Start a real Vigil server for a benchmark: fresh SQLite, a feed token, a subprocess on loopback."""

from __future__ import annotations

import os
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
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
FEED = "bench"
BENCH_USER, BENCH_PASSWORD = "bench", "bench password, loopback only"
BENCH_TOKEN = "vgu_bench-token-loopback-only"  # Socket.IO clients: auth={"token": BENCH_TOKEN}


def log_in(page, url: str) -> None:
    """Log a Playwright page in through the real form."""
    page.goto(f"{url}/login")
    page.fill("input[name=username]", BENCH_USER)
    page.fill("input[name=password]", BENCH_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


@contextmanager
def vigil_server(async_mode: str = "threading", database_url: str | None = None, extra_env: dict | None = None):
    """Yield (base_url, token, database_url) for a server running in a subprocess."""
    with tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        database_url = database_url or f"sqlite:///{tmp}/bench.db"
        runtime = build_runtime({"DATABASE_URL": database_url})
        upgrade(runtime.engine)
        with runtime.sessions.begin() as session:
            token = issue_feed_token(session, FEED)
            if session.scalar(select(Person.id).where(Person.username == BENCH_USER)) is None:
                create(session, BENCH_USER, "administrator", password=BENCH_PASSWORD, actor="bench")
                session.flush()
            session.scalar(select(Person).where(Person.username == BENCH_USER)).token_hash = _token_hash(BENCH_TOKEN)
        runtime.engine.dispose()
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
        env.update(VIGIL_DATABASE_URL=database_url, VIGIL_ASYNC_MODE=async_mode, VIGIL_SECRET_KEY="bench",
                   **(extra_env or {}))
        log = open(Path(tmp) / "server.log", "w")
        process = subprocess.Popen([sys.executable, "-m", "command", "serve", "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_up(url, process)
            yield url, token, database_url
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()


def event(i: int, run: str = "") -> dict:
    """A realistic normalized event, unique per ``i``."""
    return {"external_id": f"bench-{run}-{i}", "version": "1", "headline": f"Bench incident {i} 河道水位超警",
            "event": "Flood", "category": "met", "severity": ("extreme", "severe", "moderate", "minor")[i % 4],
            "sent_at": "2026-11-24T03:00:00+08:00", "lat": 30 + (i % 1000) / 100, "lon": 110 + (i % 700) / 100}


def percentiles(values_ms: list[float]) -> str:
    """Format median, p95, p99 and max of millisecond values."""
    if not values_ms:
        return "no samples"
    ordered = sorted(values_ms)
    def pick(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return (f"median {statistics.median(ordered):.1f} ms, p95 {pick(0.95):.1f} ms, "
            f"p99 {pick(0.99):.1f} ms, max {ordered[-1]:.1f} ms (n={len(ordered)})")


def machine() -> str:
    """One line describing this machine."""
    mem = ""
    try:
        kb = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores{mem}, Python {sys.version.split()[0]}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_up(url: str, process, timeout: float = 30) -> None:
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
