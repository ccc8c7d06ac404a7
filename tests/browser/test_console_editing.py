"""Working an incident with others in a real browser: the edit lease, merge and split, messages in Chinese."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from command.runtime import build_runtime
from tests.browser.console_page import incident_item, open_console, open_panel
from tests.conftest import ADMIN, event_body, make_user

pytestmark = pytest.mark.browser

FIRE_FEED = "fire-119"


def _operators(sqlite_url, *usernames):
    """Operators who can log in to the running server (its database is the test's SQLite file)."""
    runtime = build_runtime({"DATABASE_URL": sqlite_url})
    for username in usernames:
        make_user(runtime, username, "operator")
    runtime.engine.dispose()


def _incident(server, incident_id):
    return server.api.get(f"{server.url}/api/v1/incidents/{incident_id}", timeout=10).json()


@pytest.fixture
def post_fire(live, feed_poster):
    """Post events as a second feed (a 119 fire call system), so correlation pairs them with the first."""
    return feed_poster(live[0], FIRE_FEED, accepted=(201,))


def test_a_second_console_sees_who_is_editing_until_the_first_closes_its_panel(
        live, sqlite_url, open_page, page_errors):
    server, post = live
    _operators(sqlite_url, "li.ming", "wang.fang")
    incident_id = post(event_body("lease", headline="Bridge cracks on S20", severity="severe"))["incident_id"]
    first = open_console(open_page, server.url + "/", user="li.ming")
    second = open_console(open_page, server.url + "/", user="wang.fang")
    panel_b = open_panel(second, "Bridge cracks on S20")
    panel_a = open_panel(first, "Bridge cracks on S20")
    assert first.locator("#actor-name").is_hidden() and second.locator("#actor-name").is_hidden()  # not asked
    assert second.locator("#lease-banner").is_hidden()  # merely looking takes no lease

    reason = panel_a.locator('form.grade-form input[name="reason"]')
    reason.click()  # starting to edit takes the lease
    banner = second.locator("#lease-banner")
    banner.wait_for(state="visible")
    until = _incident(server, incident_id)["incident"]["properties"]["editing_until"]
    local = datetime.fromisoformat(until).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    assert f"Being edited by li.ming (until {local})" in banner.inner_text()
    assert first.locator("#lease-banner").is_hidden()  # the editor is not warned about themself

    # The lease is advisory: the second operator can still act, and the first keeps typing
    # through the live reloads that change causes.
    panel_b.locator("button.action-acknowledge").click()
    panel_b.locator('.timeline li[data-rule="NEW-ACK"]').wait_for()
    panel_a.locator('.timeline li[data-rule="NEW-ACK"]').wait_for()
    first.keyboard.type("District report")
    assert reason.input_value() == "District report"
    assert banner.is_visible()

    first.locator("#panel-close").click()  # closing gives the lease back ...
    banner.wait_for(state="hidden")
    # ... and the operator who was also editing takes it over
    first.wait_for_function(
        "id => fetch('/api/v1/incidents/' + id).then(r => r.json())"
        ".then(d => d.incident.properties.editing_by === 'wang.fang')", arg=incident_id)
    open_panel(first, "Bridge cracks on S20")
    first.locator("#lease-banner").wait_for(state="visible")
    assert "Being edited by wang.fang" in first.locator("#lease-banner").inner_text()
    assert page_errors == []


def test_merge_from_a_proposal_and_split_back_both_in_the_timelines(live, post_fire, open_page, page_errors):
    server, post = live
    police = post(event_body("110-1", headline="Smoke from a warehouse, Jiefang Rd 12", category="security",
                             severity="moderate", lat=30.5928, lon=114.3055))["incident_id"]
    page = open_console(open_page, server.url + "/")
    panel = open_panel(page, "Smoke from a warehouse")
    assert panel.locator(".proposal").count() == 0

    fire = post_fire(event_body("119-1", headline="Warehouse fire reported, Jiefang Road", category="fire",
                                severity="severe", lat=30.5931, lon=114.3057))["incident_id"]
    proposal = panel.locator(f'.proposal[data-other="{fire}"]')
    proposal.wait_for()  # the proposal is pushed to the open panel
    assert "Warehouse fire reported" in proposal.inner_text() and "same place" in proposal.inner_text()
    proposal.locator("button.merge-proposal").click()
    panel.locator('.timeline li[data-rule="MERGE-IN"]').wait_for()
    assert panel.locator(".proposal").count() == 0
    incident_item(page, "Warehouse fire reported").wait_for(state="detached")  # shown through the incident it joined
    assert panel.locator(f'.merged-item[data-id="{fire}"]').count() == 1
    assert panel.locator(".events li").count() == 2  # both calls, in one incident

    panel.locator(f'.merged-item[data-id="{fire}"] button.open-incident').click()
    page.wait_for_selector(f'#incident-panel[data-id="{fire}"][data-merged="{police}"]')
    assert f"Merged into incident #{police}" in panel.locator(".merged-banner").inner_text()
    assert panel.locator('.timeline li[data-rule="MERGE"]').count() == 1
    panel.locator('form.split-form input[name="reason"]').fill("Two different warehouses")
    panel.locator("form.split-form button.submit").click()
    panel.locator('.timeline li[data-rule="SPLIT"]').wait_for()
    assert panel.locator(".merged-banner").count() == 0
    assert "Two different warehouses" in panel.locator('.timeline li[data-rule="SPLIT"]').inner_text()
    incident_item(page, "Warehouse fire reported").wait_for()  # back in the list on its own

    page.locator("#panel-close").click()  # the drawer lies over the list
    open_panel(page, "Smoke from a warehouse")
    page.wait_for_selector(f'#incident-panel[data-id="{police}"]')
    panel.locator('.timeline li[data-rule="SPLIT-OUT"]').wait_for()
    timeline = panel.locator(".timeline").inner_text()
    assert "Another incident merged in" in timeline and "A merged incident was split off" in timeline
    assert panel.locator(".merged-item").count() == 0 and panel.locator(".proposal").count() == 0
    assert page_errors == []


def test_a_proposal_can_be_dismissed_and_an_incident_merged_by_number(live, post_fire, open_page, page_errors):
    server, post = live
    first = post(event_body("110-2", headline="Fight outside a bar", category="security", lat=31.2304,
                            lon=121.4737))["incident_id"]
    second = post_fire(event_body("119-2", headline="Ambulance call outside a bar", category="rescue",
                                  lat=31.2305, lon=121.4738))["incident_id"]
    page = open_console(open_page, server.url + "/")
    panel = open_panel(page, "Ambulance call outside a bar")
    panel.locator(f'.proposal[data-other="{first}"] button.dismiss-proposal').click()
    panel.locator(".proposal").wait_for(state="detached")
    assert page.locator("#panel-message").inner_text() == "Proposal dismissed"
    proposals = server.api.get(f"{server.url}/api/v1/correlations?status=dismissed", timeout=10).json()["proposals"]
    assert [(p["incidents"], p["decided_by"]) for p in proposals] == [([first, second], ADMIN)]  # who logged in

    form = panel.locator("form.merge-form")
    form.locator('input[name="into"]').fill(str(first))
    form.locator("button.submit").click()
    page.wait_for_selector(f'#incident-panel[data-merged="{first}"]')
    panel.locator('.timeline li[data-rule="MERGE"]').wait_for()
    assert panel.locator("form.split-form").count() == 1
    assert page_errors == []


def test_a_chinese_console_says_server_refusals_in_chinese(live, sqlite_url, open_page, page_errors):
    server, post = live
    runtime = build_runtime({"DATABASE_URL": sqlite_url})
    make_user(runtime, "li.zhiban", "operator", token="vgu_li-zhiban")  # a colleague's script changes it meanwhile
    runtime.engine.dispose()
    incident_id = post(event_body("zh", headline="长江武汉段水位超警戒", severity="severe"))["incident_id"]
    page = open_console(open_page, server.url + "/?lang=zh", locale="zh-CN")
    panel = open_panel(page, "长江武汉段水位超警戒")
    proposed = panel.locator(".grade-proposed").inner_text()
    assert "预警级别：橙色" in proposed and "warning" not in proposed  # the system's reason, in Chinese
    timeline = panel.locator(".timeline").inner_text()
    assert "信息源接报立案" in timeline and "FEED-OPEN" in timeline  # rule ids with their label

    # 422 from the server: the code picks the Chinese text.
    form = panel.locator("form.merge-form")
    form.locator('input[name="into"]').fill("99999")
    form.locator("button.submit").click()
    error = form.locator('.field-error[data-for="into"]')
    error.wait_for(state="visible")
    assert error.inner_text() == "不存在事件 #99999"
    form.locator('input[name="into"]').fill(str(incident_id))
    form.locator("button.submit").click()
    page.wait_for_function("el => el.innerText === '事件不能并入自身'", arg=error.element_handle())

    # A reason is required (said before anything is sent).
    grade = panel.locator("form.grade-form")
    grade.locator("button.submit").click()
    assert grade.locator('.field-error[data-for="reason"]').inner_text() == "必须填写原因"

    # 409: someone changed it meanwhile.
    version = int(panel.get_attribute("data-version"))
    page.evaluate("window.vigilConsole.socket.disconnect()")
    page.wait_for_selector("#live-status.disconnected")
    answer = requests.post(f"{server.url}/api/v1/incidents/{incident_id}/actions", timeout=10,
                           headers={"Authorization": "Bearer vgu_li-zhiban"},
                           json={"action": "respond", "version": version, "actor": "李值班"})
    assert answer.status_code == 200, answer.text
    panel.locator("button.action-acknowledge").click()
    message = page.locator("#panel-message")
    message.wait_for(state="visible")
    assert re.fullmatch(r"已被 li\.zhiban 于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 修改 —— 已重新加载", message.inner_text())
    page.wait_for_selector(f'#incident-panel[data-version="{version + 1}"]')
    assert "处置中" in panel.locator(".status-value").inner_text()
    assert "开始处置" in panel.locator(".timeline").inner_text()
    assert page_errors == []
