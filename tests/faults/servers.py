"""Private PostgreSQL and Redis servers for fault tests: ours alone, so we may stop and start them.

Other people's tests use the shared servers on 5432 and 6379 at the same time;
a fault test never touches those. Each server here listens on a free loopback
port, keeps its files in a temporary directory, and is removed afterwards.

PostgreSQL refuses to run as root, so under root the cluster belongs to the
``postgres`` user (``runuser``) and lives in a directory that user can reach
(pytest's tmp_path under /tmp/pytest-of-root is closed to other users), so
the cluster lives in its own short temporary directory, removed on close.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import ROOT, free_port, stop_process

PG_BIN = Path(os.environ.get("VIGIL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_OS_USER = "postgres"  # owns the cluster when the tests run as root
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def missing(what: str) -> None:
    """Skip (fail under CI=true, which must not pass by skipping) when a server binary is absent."""
    message = f"fault tests need {what}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1:<free port>, trust auth, user ``postgres``."""

    def __init__(self):
        if not (PG_BIN / "initdb").exists():
            missing(f"PostgreSQL binaries in {PG_BIN} (set VIGIL_TEST_PG_BIN)")
        self.port = free_port()
        self._as_user: list[str] = []
        # A short path: the server's Unix socket goes in the data directory (sun_path holds 107 bytes).
        self.home = Path(tempfile.mkdtemp(prefix="vigil-faults-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.home, PG_OS_USER, PG_OS_USER)
            self._as_user = ["runuser", "-u", PG_OS_USER, "--"]
        self.data = self.home / "data"
        self.logfile = self.home / "server.log"
        self.running = False
        self._run(PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")

    def _run(self, *argv, timeout: float = 60) -> None:
        command = [*self._as_user, *(str(a) for a in argv)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                               f"{self.log()}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections (after crash recovery, if any)."""
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-o", options, "-l", self.logfile, "-w", "-t", "60",
                  "start", timeout=90)
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` (clean), or ``immediate`` (like a crash: recovery from WAL on start)."""
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop", timeout=90)
        self.running = False

    def create_database(self, name: str) -> str:
        """Create database ``name``; return its URL."""
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def log(self) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def close(self) -> None:
        try:
            if self.running:
                self.stop("immediate")
        finally:
            shutil.rmtree(self.home, ignore_errors=True)


class PrivateRedis:
    """A redis-server on 127.0.0.1:<free port> without persistence, as a subprocess we may stop and restart."""

    def __init__(self, base: Path):
        if not Path(REDIS_SERVER).exists():
            missing("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = base / "redis"
        self.dir.mkdir()
        self.process: subprocess.Popen | None = None
        self._log = open(self.dir / "redis.log", "a")

    def start(self, timeout: float = 15) -> None:
        """Start on the same port as before and wait until it answers PING."""
        import redis
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.dir)], stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer in {timeout}s")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        self.process = None

    def close(self) -> None:
        self.stop()
        self._log.close()


def vigil_env(tmp_path: Path, database_url: str, **settings) -> dict:
    """Environment for a Vigil subprocess: no inherited VIGIL_*, then ``settings`` (names without the prefix)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env.update(VIGIL_DATABASE_URL=database_url, VIGIL_SECRET_KEY="shared-by-every-process",
               VIGIL_LOG_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    env.update({f"VIGIL_{name}": str(value) for name, value in settings.items()})
    return env


class WorkerProcess:
    """A real `python -m command serve --role worker` subprocess with its output in a log file."""

    def __init__(self, env: dict, logfile: Path):
        self.logfile = logfile
        self._log = open(logfile, "w")
        self.process = subprocess.Popen([sys.executable, "-m", "command", "serve", "--role", "worker"], cwd=ROOT,
                                        env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def output(self, tail: int = 3000) -> str:
        self._log.flush()
        return self.logfile.read_text(errors="replace")[-tail:]

    def wait_ready(self, timeout: float = 60) -> bool:
        """Wait until the worker says it runs its loops; False if it died or ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if "Vigil worker is running" in self.logfile.read_text(errors="replace"):
                return True
            time.sleep(0.02)
        return False

    def kill(self) -> None:
        """kill -9: no cleanup, no goodbye; open transactions and leases are left as they are."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()


def healthz(url: str) -> tuple[int, dict]:
    """GET /healthz of a server; (status, body)."""
    answer = requests.get(f"{url}/healthz", timeout=10)
    return answer.status_code, answer.json()
