"""The incident list under live pushes: each push moves only its own item, in the API's order, filters kept."""

from __future__ import annotations

import pytest
import requests

from tests.browser.console_page import open_console
from tests.conftest import event_body

pytestmark = pytest.mark.browser

ORDER = "Array.from(document.querySelectorAll('#incident-list li')).map(li => Number(li.dataset.id))"
MARK = "document.querySelectorAll('#incident-list li').forEach(li => { li.__kept = true; })"
WATCH = """() => { window.__moved = [];
  new MutationObserver(records => records.forEach(r => {
    r.addedNodes.forEach(n => window.__moved.push('+' + n.dataset.id));
    r.removedNodes.forEach(n => window.__moved.push('-' + n.dataset.id));
  })).observe(document.getElementById('incident-list'), {childList: true}); }"""
KEPT = ("Array.from(document.querySelectorAll('#incident-list li'))"
        ".filter(li => li.__kept).map(li => Number(li.dataset.id))")


def _api_order(server, **params):
    features = server.api.get(f"{server.url}/api/v1/incidents", params=params, timeout=10).json()["features"]
    return [f["id"] for f in features]


def test_pushes_keep_the_list_in_the_api_order_and_touch_only_their_own_item(live, open_page, page_errors):
    server, post = live
    ids = [post(event_body(f"e{n}", headline=f"Gauge {n} over warning level", severity=severity,
                           sent_at=f"2026-11-24T0{n}:00:00+08:00"))["incident_id"]
           for n, severity in enumerate(["severe", "minor", "severe", "minor", "severe"], start=1)]
    page = open_console(open_page, server.url + "/")
    page.wait_for_function(f"document.querySelectorAll('#incident-list li').length === {len(ids)}")
    assert page.evaluate(ORDER) == _api_order(server) == ids[::-1]

    page.locator('#filters input[name="severity"][value="minor"]').uncheck()
    page.wait_for_function("document.querySelectorAll('#incident-list li').length === 3")
    page.evaluate(MARK)
    page.evaluate(WATCH)

    # A change that keeps its place (a lease does not move the last-change time) stays in the middle.
    middle = ids[2]
    server.api.post(f"{server.url}/api/v1/incidents/{middle}/lease", json={"actor": "Li Ming"}, timeout=10)
    page.wait_for_function(f"document.querySelector('#incident-list li[data-id=\"{middle}\"]').__kept !== true")
    assert page.evaluate(ORDER) == [ids[4], middle, ids[0]]
    assert page.evaluate(KEPT) == [ids[4], ids[0]]  # the others were not rebuilt ...
    assert page.evaluate("window.__moved") == [f"-{middle}", f"+{middle}"]  # ... nor taken out and put back

    # An update moves its incident to the top; a hidden one updated stays hidden; a new one comes in first.
    post(event_body("e1", version="2", msg_type="update", headline="Gauge 1 still rising", severity="severe"))
    page.wait_for_selector("#incident-list li:first-child:has-text(\"Gauge 1 still rising\")")
    post(event_body("e2", version="2", msg_type="update", headline="Gauge 2 still rising", severity="minor"))
    post(event_body("e6", headline="Gauge 6 over warning level", severity="extreme"))
    page.wait_for_selector("#incident-list li:first-child:has-text(\"Gauge 6\")")
    shown = [i for i in _api_order(server) if i != ids[1] and i != ids[3]]
    assert page.evaluate(ORDER) == shown
    assert page.evaluate(KEPT) == [ids[4]]  # only the untouched one is the same node
    assert "2 hidden by filters" in page.locator("#hidden-count").inner_text()
    assert "6 open" in page.locator("#open-count").inner_text()

    # An acknowledged incident leaves the list when the status filter hides acknowledged ones.
    page.locator('#filters input[name="status"][value="acknowledged"]').uncheck()
    detail = server.api.get(f"{server.url}/api/v1/incidents/{ids[4]}", timeout=10).json()
    version = detail["incident"]["properties"]["version"]
    server.api.post(f"{server.url}/api/v1/incidents/{ids[4]}/actions", timeout=10,
                  json={"action": "acknowledge", "version": version, "actor": "Li Ming"})
    page.wait_for_selector(f"#incident-list li[data-id=\"{ids[4]}\"]", state="detached")
    assert page.evaluate(ORDER) == [i for i in shown if i != ids[4]]

    page.locator('#filters input[name="severity"][value="minor"]').check()
    page.locator('#filters input[name="status"][value="acknowledged"]').check()
    page.wait_for_function("document.querySelectorAll('#incident-list li').length === 6")
    assert page.evaluate(ORDER) == _api_order(server)
    assert page_errors == []
