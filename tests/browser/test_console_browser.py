"""The console in a real browser: incidents pushed over Socket.IO appear on the map and in the list."""

from __future__ import annotations

import pytest

from tests.browser.console_page import open_console
from tests.conftest import event_body

pytestmark = pytest.mark.browser


def test_a_posted_incident_appears_on_the_map_and_in_the_list_without_reload(live, open_page, page_errors):
    server, post = live
    post(event_body("before", headline="Already open before the page loaded", severity="minor",
                    lat=23.13, lon=113.26))
    page = open_console(open_page, server.url + "/")
    page.wait_for_selector("#incident-list li:has-text(\"Already open before the page loaded\")")
    page.evaluate("window.__loadedOnce = true")

    post(event_body("pushed", severity="extreme", headline="Dam seepage at Xiaolangdi"))
    item = page.wait_for_selector("#incident-list li:has-text(\"Dam seepage at Xiaolangdi\")", timeout=5000)
    assert item.query_selector(".sev-extreme") is not None
    page.wait_for_selector(".leaflet-marker-pane .vigil-sev-extreme", timeout=5000)
    assert page.locator(".leaflet-marker-pane .vigil-sev-minor").count() == 1
    assert page.evaluate("window.__loadedOnce") is True  # no reload happened
    assert page.locator("#incident-list li").first.inner_text().startswith("Dam seepage")  # newest first

    post(event_body("pushed", version="2", msg_type="cancel", severity="extreme", headline="Dam seepage at Xiaolangdi"))
    page.wait_for_selector("#incident-list li:has-text(\"Dam seepage at Xiaolangdi\")", state="detached", timeout=5000)
    assert page.locator(".leaflet-marker-pane .vigil-sev-extreme").count() == 0
    assert page_errors == []


def test_a_hostile_headline_is_shown_as_text(live, open_page, page_errors):
    server, post = live
    page = open_console(open_page, server.url + "/")
    hostile = '<img src=x onerror="window.__owned=1">Flood'
    post(event_body("xss", headline=hostile))
    page.wait_for_selector("#incident-list li:has-text(\"Flood\")")
    assert hostile in page.locator("#incident-list li").first.inner_text()
    page.locator(".leaflet-marker-pane .vigil-marker").first.click()
    popup = page.wait_for_selector(".leaflet-popup-content")
    assert hostile in popup.inner_text()
    assert page.evaluate("window.__owned") is None
    assert page_errors == []


def test_the_console_works_on_a_phone_and_in_chinese(live, open_page, page_errors):
    server, post = live
    post(event_body("phone", headline="上海中心气象台发布大风蓝色预警", severity="minor"))
    page = open_console(open_page, server.url + "/", viewport={"width": 390, "height": 844}, locale="zh-CN")
    assert page.locator("#live-status").inner_text() == "实时"
    page.wait_for_selector("#incident-list li:has-text(\"上海中心气象台发布大风蓝色预警\")")
    map_box = page.locator(".map-pane").bounding_box()
    list_box = page.locator(".list-pane").bounding_box()
    assert map_box["width"] == pytest.approx(390, abs=2) and map_box["height"] > 300
    assert list_box["y"] >= map_box["y"] + map_box["height"] - 1  # stacked under the map
    assert "未结 1 起" in page.locator("#open-count").inner_text()
    assert page_errors == []


def test_the_console_says_it_is_disconnected_and_catches_up_after_a_server_restart(
        live, open_page, page_errors, server_env):
    from tests.conftest import ServerProcess
    server, post = live
    page = open_console(open_page, server.url + "/")
    server.process.terminate()
    server.process.wait(timeout=10)
    page.wait_for_selector("#live-status.disconnected", timeout=15000)
    restarted = ServerProcess(dict(server_env, VIGIL_ASYNC_MODE="threading"), server.port)
    try:
        post(event_body("missed", headline="Posted while this console was away"))
        page.wait_for_selector("#live-status.connected", timeout=30000)
        page.wait_for_selector('#incident-list li:has-text("Posted while this console was away")', timeout=10000)
    finally:
        restarted.stop()
    assert [e for e in page_errors if "WebSocket" not in e] == []
