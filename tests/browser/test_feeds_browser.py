"""Feed health in a real browser: a silent feed raises a banner on the console until it speaks."""

from __future__ import annotations

import pytest
import requests

from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import event_body

pytestmark = pytest.mark.browser


def test_a_silent_feed_is_shown_on_the_console_and_the_feeds_page(start_server, sqlite_url, tmp_path,
                                                                   open_page, page_errors):
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text("feeds:\n  - source: river-gauges\n    heartbeat_seconds: 2\n")
    server = start_server("threading", VIGIL_FEEDS_FILE=str(feeds_file))
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    with rt.unit_of_work() as session:
        token = issue_feed_token(session, "river-gauges")
    rt.engine.dispose()

    console = open_page(server.url + "/")
    banner = console.wait_for_selector("#feed-alerts li#silent-river-gauges", timeout=15000)
    assert "river-gauges" in banner.inner_text()

    feeds = open_page(server.url + "/feeds?lang=zh", locale="zh-CN")
    row = feeds.wait_for_selector('#feeds tr[data-source="river-gauges"].silent')
    assert "起无数据" in row.inner_text()

    response = requests.post(f"{server.url}/api/v1/feeds/river-gauges/events", json=event_body(),
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 201
    feeds.wait_for_selector('#feeds tr[data-source="river-gauges"]:not(.silent)', timeout=5000)
    assert feeds.locator('#feeds tr[data-source="river-gauges"] td').nth(6).inner_text() == "1"
    assert page_errors == []
