"""Logging in, roles and logging out as a person sees them in a real browser."""

from __future__ import annotations

import pytest
import requests

from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.browser.console_page import open_console
from tests.conftest import ADMIN, FEED, PASSWORD, event_body, make_user

pytestmark = pytest.mark.browser


def _log_in(page, username: str, password: str):
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_an_anonymous_browser_is_sent_to_the_login_page_and_lands_on_the_console(live, open_page, page_errors):
    server, _post = live
    page = open_page(server.url + "/", user=None)
    assert page.url == server.url + "/login?next=/"
    assert page.locator("#incident-list").count() == 0 and page.locator("form.session").count() == 0

    _log_in(page, ADMIN, "not the password")
    assert page.url.startswith(server.url + "/login")  # still on the form, told why
    assert page.locator("form.login .error").inner_text() == "Wrong name or password."
    assert page.locator("#incident-list").count() == 0

    _log_in(page, ADMIN, PASSWORD)
    assert page.url == server.url + "/"  # back where it was going
    page.wait_for_selector("#live-status.connected")
    assert page.locator("form.session .who").inner_text() == ADMIN
    assert page_errors == []


@pytest.fixture
def two_departments(start_server, sqlite_url):
    """A server with the water liaison; a flood (water) and a warehouse fire (fire) posted, each escalated."""
    server = start_server("threading", VIGIL_ESCALATION_POLL_SECONDS="0.2")
    runtime = build_runtime({"DATABASE_URL": sqlite_url})
    with runtime.unit_of_work() as session:
        token = issue_feed_token(session, FEED)
    make_user(runtime, "water.liaison", "liaison", departments=("water",))
    runtime.engine.dispose()
    for body in (event_body("flood", headline="Reservoir dam seepage at Shimen", event="Flood", category="met",
                            severity="extreme"),
                 event_body("fire", headline="Warehouse blaze on Jiefang Rd", event="Fire", category="fire",
                            severity="extreme", lat=30.59, lon=114.30)):
        response = requests.post(f"{server.url}/api/v1/feeds/{FEED}/events", json=body,
                                 headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 201, response.text
    return server


def _escalations(page, query=""):
    """The headlines of the escalations the page's logged-in person may list."""
    return page.evaluate("q => fetch('/api/v1/escalations?state=active,acknowledged' + q).then(r => r.json())"
                         ".then(body => body.escalations.map(e => e.headline).sort())", query)


def test_a_liaison_sees_only_their_departments_queue_and_not_the_admin_page(two_departments, open_page, page_errors):
    server = two_departments
    watcher = open_page(f"{server.url}/queue?department=fire&lang=en")  # the administrator sees every queue
    watcher.locator("#queue .item", has_text="Warehouse blaze").wait_for(timeout=15000)

    liaison = open_page(f"{server.url}/queue?department=water&lang=en", user="water.liaison")
    item = liaison.locator("#queue .item").first
    item.wait_for(timeout=15000)
    assert "Reservoir dam seepage" in item.inner_text()
    assert liaison.locator("#queue .item").count() == 1
    assert _escalations(watcher) == ["Reservoir dam seepage at Shimen", "Warehouse blaze on Jiefang Rd"]
    assert _escalations(liaison) == ["Reservoir dam seepage at Shimen"]  # the fire is not the liaison's
    assert _escalations(liaison, "&department=fire") == []

    liaison.goto(f"{server.url}/queue?department=fire&lang=en")  # another department's queue: not offered
    assert liaison.locator("#queue").count() == 0
    assert liaison.locator("p.error").inner_text() == "No department fire."
    assert liaison.locator("ul.departments li").all_inner_texts() == ["Water Resources"]
    assert "Warehouse blaze" not in liaison.content()

    response = liaison.goto(f"{server.url}/admin")  # web.access: the admin blueprint is for administrators only
    assert response.status == 403
    assert liaison.locator("p.error").inner_text() == "Your role (Department liaison) may not open this page."
    liaison.click("text=Back to your page")
    liaison.wait_for_url("**/queue**")
    assert liaison.locator("table.people, ol.audit").count() == 0  # no list of people, no audit trail
    assert watcher.goto(f"{server.url}/admin").status == 200  # the page exists: it is the role that is refused
    assert page_errors == []


def test_logging_out_from_the_nav_returns_to_the_login_page_and_closes_the_console(live, open_page, page_errors):
    server, _post = live
    page = open_console(open_page, server.url + "/")
    with page.expect_navigation():
        page.locator("form.session button[type=submit]").click()
    assert page.url == server.url + "/login"
    assert page.locator("form.login").is_visible()

    page.goto(server.url + "/")  # the same browser, after logging out
    assert page.url == server.url + "/login?next=/"
    assert page.locator("#incident-list").count() == 0
    status = page.evaluate("fetch('/api/v1/incidents').then(r => r.status)")
    assert status == 401
    assert page_errors == []
