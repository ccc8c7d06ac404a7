"""The console's filters and incident panel in a real browser: filters, actions, 409s, hostile text, phones."""

from __future__ import annotations

import re

import pytest
import requests

from command.runtime import build_runtime
from tests.browser.console_page import incident_item, open_console, open_panel
from tests.conftest import ADMIN, FEED, event_body, make_user

pytestmark = pytest.mark.browser

MARKER = ".leaflet-marker-pane .vigil-marker"


def test_severity_filter_hides_list_items_markers_and_pushes_that_do_not_match(live, open_page, page_errors):
    server, post = live
    post(event_body("red", headline="Red storm warning", severity="extreme", lat=30.0, lon=100.0))
    post(event_body("blue", headline="Blue wind warning", severity="minor", lat=40.0, lon=120.0))
    page = open_console(open_page, server.url + "/")
    page.wait_for_selector("#incident-list li:has-text(\"Blue wind warning\")")
    assert page.locator(MARKER).count() == 2

    page.locator('#filters input[name="severity"][value="minor"]').uncheck()
    incident_item(page, "Blue wind warning").wait_for(state="detached")
    assert incident_item(page, "Red storm warning").count() == 1
    assert page.locator(MARKER + ".vigil-sev-minor").count() == 0
    assert page.locator(MARKER + ".vigil-sev-extreme").count() == 1
    assert "1" in page.locator("#hidden-count").inner_text()

    post(event_body("blue-2", headline="Another blue warning", severity="minor", lat=20.0, lon=110.0))
    post(event_body("red-2", headline="Second red warning", severity="extreme", lat=45.0, lon=90.0))
    page.wait_for_selector("#incident-list li:has-text(\"Second red warning\")", timeout=5000)
    assert incident_item(page, "Another blue warning").count() == 0  # kept in memory, not shown
    assert page.evaluate("window.vigilConsole.incidents.size") == 4
    assert page.locator(MARKER + ".vigil-sev-minor").count() == 0
    assert page.locator(MARKER + ".vigil-sev-extreme").count() == 2

    page.locator('#filters input[name="severity"][value="minor"]').check()
    page.wait_for_selector("#incident-list li:has-text(\"Another blue warning\")")
    assert page.locator("#incident-list li").count() == 4
    assert page.locator(MARKER + ".vigil-sev-minor").count() == 2

    page.fill("#filter-q", "second red")
    page.wait_for_function("document.querySelectorAll('#incident-list li').length === 1")
    page.fill("#filter-q", "")
    page.wait_for_function("document.querySelectorAll('#incident-list li').length === 4")
    assert page.locator("#filter-source option").all_inner_texts()[1:] == [FEED]
    assert page_errors == []


def test_acknowledge_record_harm_and_confirm_the_grade_from_the_panel(live, open_page, page_errors):
    server, post = live
    post(event_body("chem", headline="Chemical plant fire", severity="severe"))
    page = open_console(open_page, server.url + "/")
    panel = open_panel(page, "Chemical plant fire")
    assert panel.locator(".grade-proposed").inner_text().startswith("II")

    panel.locator("button.action-acknowledge").click()
    panel.locator('.timeline li[data-rule="NEW-ACK"]').wait_for()
    assert panel.locator("button.action-acknowledge").count() == 0
    assert panel.locator("button.action-respond").count() == 1
    page.wait_for_selector('#incident-list li[data-status="acknowledged"]')
    assert page.evaluate("Array.from(window.vigilConsole.incidents.values())[0].properties.status") == "acknowledged"
    marker_status = "window[VIGIL.realtimeName].getLayer(%s).feature.properties.status"
    incident_id = page.evaluate("Array.from(window.vigilConsole.incidents.keys())[0]")
    assert page.evaluate(marker_status % incident_id) == "acknowledged"

    harm = panel.locator("form.harm-form")
    harm.locator('input[name="deaths"]').fill("4")
    harm.locator("button.submit").click()  # no reason: refused next to the field, nothing sent
    assert harm.locator('.field-error[data-for="reason"]').inner_text() == "A reason is required"
    assert panel.locator('.timeline li[data-rule="HARM-SET"]').count() == 0
    harm.locator('input[name="reason"]').fill("Hospital report 14:10")
    harm.locator("button.submit").click()
    panel.locator('.timeline li[data-rule="HARM-SET"]').wait_for()
    assert panel.locator(".grade-proposed").inner_text().startswith("III")
    assert "deaths 4" in panel.locator(".grade-proposed").inner_text()

    grade = panel.locator("form.grade-form")
    assert grade.locator("select").input_value() == "III"  # the proposal, ready to confirm
    grade.locator('input[name="reason"]').fill("Confirmed with the district")
    grade.locator("button.submit").click()
    panel.locator('.timeline li[data-rule="GRADE-CONFIRM"]').wait_for()
    assert panel.locator(".grade-value").inner_text().startswith("III")
    timeline = panel.locator(".timeline").inner_text()
    assert "Confirmed with the district" in timeline and "New → Acknowledged" in timeline
    for rule in ("NEW-ACK", "HARM-SET", "GRADE-CONFIRM"):  # every change is the logged-in operator's
        assert panel.locator(f'.timeline li[data-rule="{rule}"] .actor').inner_text() == ADMIN
    page.wait_for_selector("#incident-list li:has-text(\"Grade III\")")

    panel.locator("button.action-resolve").click()
    panel.locator('.timeline li[data-rule="ACK-RESOLVE"]').wait_for()
    incident_item(page, "Chemical plant fire").wait_for(state="detached")  # the list shows open incidents
    assert page.locator(MARKER).count() == 0
    assert panel.locator("button.action-close").count() == 1 and panel.locator("button.action-reopen").count() == 1
    page.locator("#panel-close").click()  # the drawer lies over the list
    page.locator('#filters input[name="status"][value="resolved"]').check()  # reloads with ?status=
    page.wait_for_selector('#incident-list li[data-status="resolved"]')
    assert page.locator(MARKER).count() == 1
    assert page_errors == []


def test_an_action_on_a_stale_version_says_who_changed_it_and_reloads(live, sqlite_url, open_page, page_errors):
    server, post = live
    runtime = build_runtime({"DATABASE_URL": sqlite_url})
    make_user(runtime, "wang.fang", "operator", token="vgu_wang-fang")  # a colleague acting through the API
    runtime.engine.dispose()
    wang = {"Authorization": "Bearer vgu_wang-fang"}
    post(event_body("stale", headline="Landslide on G318", severity="severe"))
    page = open_console(open_page, server.url + "/")
    panel = open_panel(page, "Landslide on G318")
    version = int(panel.get_attribute("data-version"))
    incident_id = panel.get_attribute("data-id")

    page.evaluate("window.vigilConsole.socket.disconnect()")  # the push about the change never arrives
    page.wait_for_selector("#live-status.disconnected")
    answer = requests.post(f"{server.url}/api/v1/incidents/{incident_id}/actions", timeout=10, headers=wang,
                           json={"action": "respond", "version": version})
    assert answer.status_code == 200, answer.text

    panel.locator("button.action-acknowledge").click()  # still offered: the panel has the old version
    message = page.locator("#panel-message")
    message.wait_for(state="visible")
    assert re.search(r"Changed by wang\.fang at .+ — reloaded", message.inner_text())
    page.wait_for_selector(f'#incident-panel[data-version="{version + 1}"]')
    assert panel.locator(".status-value").inner_text() == "Responding"
    assert panel.locator("button.action-acknowledge").count() == 0
    assert panel.locator('.timeline li[data-rule="NEW-RESPOND"]').count() == 1

    # A 422 from the server lands next to the field it names.
    page.evaluate("window.vigilConsole.socket.connect()")
    page.wait_for_selector("#live-status.connected")
    assert not panel.is_hidden()  # the panel stays open across a reconnect
    requests.post(f"{server.url}/api/v1/incidents/{incident_id}/actions", timeout=10, headers=wang,
                  json={"action": "resolve", "version": version + 1})
    page.wait_for_selector(f'#incident-panel[data-version="{version + 2}"]')  # live push reloads the panel
    assert panel.locator(".status-value").inner_text() == "Resolved"
    assert page_errors == []


def test_the_logged_in_operator_acts_without_being_asked_their_name(live, open_page, page_errors):
    server, post = live
    post(event_body("who", headline="Gas leak downtown", severity="moderate"))
    page = open_console(open_page, server.url + "/")
    panel = open_panel(page, "Gas leak downtown")
    assert page.locator("#actor-name").is_hidden() and page.input_value("#actor-name") == ADMIN
    panel.locator("button.action-acknowledge").click()
    panel.locator('.timeline li[data-rule="NEW-ACK"]').wait_for()
    assert panel.locator('.timeline li[data-rule="NEW-ACK"] .actor').inner_text() == ADMIN
    assert panel.locator('.field-error[data-for="actor"]').is_hidden()
    assert page_errors == []


def test_a_console_page_without_a_logged_in_name_asks_for_one_and_remembers_it(live, open_page, page_errors):
    """The name field still works when the page names nobody; the server records who logged in all the same."""
    server, post = live
    post(event_body("who", headline="Gas leak downtown", severity="moderate"))
    page = open_page(server.url + "/")

    def nameless(route):  # the console as rendered for nobody: the vigil-user meta is empty
        response = route.fetch()
        html = response.text()
        assert f'name="vigil-user" content="{ADMIN}"' in html
        route.fulfill(response=response, body=html.replace(f'name="vigil-user" content="{ADMIN}"',
                                                           'name="vigil-user" content=""'))
    # A document Playwright fulfils has no server address, so Chromium counts it as public and would block
    # its Socket.IO connection to 127.0.0.1 (Local Network Access) unless the context allows it.
    page.context.grant_permissions(["local-network-access"])
    page.route(server.url + "/", nameless)
    page.reload()
    page.wait_for_selector("#live-status.connected")
    panel = open_panel(page, "Gas leak downtown")
    assert page.locator("#actor-name").is_visible()
    page.fill("#actor-name", "")
    panel.locator("button.action-acknowledge").click()
    assert panel.locator('.field-error[data-for="actor"]').inner_text() == "Enter your name before making changes"
    assert panel.locator(".timeline li").count() == 1
    page.fill("#actor-name", "Zhao Lei")
    page.locator("#actor-name").dispatch_event("change")
    panel.locator("button.action-acknowledge").click()
    panel.locator('.timeline li[data-rule="NEW-ACK"]').wait_for()
    assert panel.locator('.timeline li[data-rule="NEW-ACK"] .actor').inner_text() == ADMIN  # not the typed name
    page.reload()
    page.wait_for_selector("#live-status.connected")
    assert page.input_value("#actor-name") == "Zhao Lei"
    assert page_errors == []


def test_a_hostile_headline_is_text_in_the_panel_and_its_events(live, open_page, page_errors):
    server, post = live
    hostile = "<img src=x onerror=window.__owned=1>"
    post(event_body("xss", headline=hostile, address="<b>Road</b>"))
    page = open_console(open_page, server.url + "/")
    page.locator("#incident-list li").first.locator("button.details").click()
    panel = page.locator("#incident-panel")
    panel.locator(".panel-headline").wait_for()
    assert panel.locator(".panel-headline").inner_text() == hostile
    assert panel.locator(".event-headline").first.inner_text() == hostile
    panel.locator(".events details summary").first.click()
    assert hostile in panel.locator(".events pre").first.inner_text()
    assert "<b>Road</b>" in panel.locator(".facts").inner_text()
    assert panel.locator("img").count() == 0 and panel.locator("b").count() == 0
    assert page.evaluate("window.__owned") is None
    assert page_errors == []


def test_a_marker_click_opens_the_panel_and_drills_carry_a_banner(live, open_page, page_errors):
    server, post = live
    post(event_body("drill", headline="Reservoir drill", severity="extreme", status="exercise"))
    page = open_console(open_page, server.url + "/")
    page.locator(MARKER).first.click()
    panel = page.locator("#incident-panel")
    panel.locator(".panel-headline").wait_for()
    assert panel.locator(".panel-headline").inner_text() == "Reservoir drill"
    assert panel.locator(".drill-banner").is_visible()
    page.locator("#panel-close").click()
    assert panel.is_hidden()
    assert page_errors == []


def test_a_new_severe_incident_sounds_an_alert_but_a_drill_or_an_update_does_not(live, open_page, page_errors):
    server, post = live
    page = open_page(server.url + "/")
    page.context.grant_permissions(["notifications"])
    page.wait_for_selector("#live-status.connected")
    page.locator("#enable-alerts").click()
    page.wait_for_selector("#enable-alerts.on")
    post(event_body("drill", headline="Exercise: dam breach", severity="extreme", status="exercise"))
    post(event_body("minor", headline="Light rain", severity="minor"))
    page.wait_for_selector("#incident-list li:has-text(\"Light rain\")")
    assert page.evaluate("window.vigilConsole.alertCount") == 0
    post(event_body("real", headline="Dam breach at Banqiao", severity="extreme"))
    page.wait_for_selector("#incident-list li:has-text(\"Dam breach at Banqiao\")")
    assert page.evaluate("window.vigilConsole.alertCount") == 1
    post(event_body("real", version="2", msg_type="update", headline="Dam breach at Banqiao, update",
                    severity="extreme"))
    page.wait_for_selector("#incident-list li:has-text(\"Dam breach at Banqiao, update\")")
    assert page.evaluate("window.vigilConsole.alertCount") == 1
    assert page_errors == []


def test_on_a_phone_the_panel_covers_the_screen_and_closes(live, open_page, page_errors):
    server, post = live
    post(event_body("phone", headline="上海中心气象台发布大风蓝色预警", severity="minor"))
    page = open_console(open_page, server.url + "/", viewport={"width": 390, "height": 844}, locale="zh-CN")
    incident_item(page, "上海中心气象台发布大风蓝色预警").locator("button.details").click()
    panel = page.locator("#incident-panel")
    panel.locator(".panel-headline").wait_for()
    box = panel.bounding_box()
    assert box["x"] == pytest.approx(0, abs=1) and box["y"] == pytest.approx(0, abs=1)
    assert box["width"] == pytest.approx(390, abs=2) and box["height"] == pytest.approx(844, abs=2)
    assert "事发时间" in panel.inner_text() and "接报时间" in panel.inner_text()
    assert page.locator("#panel-close").is_visible()
    page.locator("#panel-close").click()
    assert panel.is_hidden()
    assert page.locator("#incident-list").is_visible()
    assert page_errors == []
