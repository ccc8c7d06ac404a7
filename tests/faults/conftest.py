"""Fixtures for fault tests: private PostgreSQL and Redis servers we are free to stop and restart."""

from __future__ import annotations

import pytest

from tests.faults.servers import PrivatePostgres, PrivateRedis


def pytest_configure(config):
    config.addinivalue_line("markers", "faults: kills, stops and restarts subprocesses and private servers "
                                       "(three to five minutes in all on two cores; deselect with -m 'not faults')")


@pytest.fixture
def private_postgres():
    """A running private PostgreSQL cluster (see PrivatePostgres)."""
    server = PrivatePostgres()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def private_redis(tmp_path):
    """A running private Redis (see PrivateRedis)."""
    server = PrivateRedis(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.close()
