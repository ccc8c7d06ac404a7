"""Browser tests: a running server to drive (the browser fixtures are in tests/browser_fixtures.py)."""

from __future__ import annotations

import pytest
import requests

from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import FEED


@pytest.fixture
def feed_poster(sqlite_url):
    """``poster(server, feed)``: a function that posts events to the running server as ``feed``."""
    def poster(server, feed, accepted=(200, 201)):
        rt = build_runtime({"DATABASE_URL": sqlite_url})
        with rt.unit_of_work() as session:
            token = issue_feed_token(session, feed)
        rt.engine.dispose()

        def post(body):
            response = requests.post(f"{server.url}/api/v1/feeds/{feed}/events", json=body,
                                     headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert response.status_code in accepted, response.text
            return response.json()
        return post
    return poster


@pytest.fixture
def live(start_server, feed_poster):
    """A running server and a function that posts events to it."""
    server = start_server("threading")
    return server, feed_poster(server, FEED)
