"""Browser tests: a running server to drive (the browser fixtures are in tests/browser_fixtures.py)."""

from __future__ import annotations

import pytest
import requests

from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import FEED


@pytest.fixture
def live(start_server, sqlite_url):
    """A running server and a function that posts events to it."""
    server = start_server("threading")
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    with rt.unit_of_work() as session:
        token = issue_feed_token(session, FEED)
    rt.engine.dispose()

    def post(body):
        response = requests.post(f"{server.url}/api/v1/feeds/{FEED}/events", json=body,
                                 headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    return server, post
