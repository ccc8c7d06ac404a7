"""The console's "Reports due" strip (待报送) and the panel's reporting in Chromium, against a real server with its
worker: a grade II shows its phone and written deadlines on every console within a second, filing a report takes
it off every strip, a missed one shows in red, a sensitive flag adds its own, and the strip fits the screens."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import update

from command.models import Incident, utcnow
from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.browser.console_page import open_console
from tests.conftest import FEED, event_body, make_user

pytestmark = pytest.mark.browser

# The duty room's zone: UTC+05:45, so a time shown in UTC or in the browser's own zone cannot match by chance.
TIME_ZONE = "Asia/Kathmandu"
OPERATOR = "zhou.operator"
FIRST = {"time": "03:00", "place": "秦淮河武定门闸", "source": "110 报警", "nature": "堤防管涌"}
RED = "rgb(183, 28, 28)"


@pytest.fixture
def report_server(start_server, sqlite_url):
    """A server (with its worker) in TIME_ZONE, an operator, a poster of feed events and a runtime on its database."""
    server = start_server("threading", VIGIL_TIME_ZONE=TIME_ZONE, VIGIL_ESCALATION_POLL_SECONDS="0.2")
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    with rt.unit_of_work() as session:
        token = issue_feed_token(session, FEED)
    make_user(rt, OPERATOR, role="operator")

    def post(external_id, headline):
        response = requests.post(f"{server.url}/api/v1/feeds/{FEED}/events",
                                 json=event_body(external_id, headline=headline),
                                 headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code in (200, 201), response.text
        [feature] = [f for f in server.api.get(f"{server.url}/api/v1/incidents").json()["features"]
                     if f["properties"]["headline"] == headline]
        return feature
    yield server, post, rt
    rt.engine.dispose()


def _local(iso: str, minutes: int) -> str:
    """HH:MM in the duty room's zone, ``minutes`` after the UTC time ``iso``."""
    return (datetime.fromisoformat(iso) + timedelta(minutes=minutes)).astimezone(ZoneInfo(TIME_ZONE)).strftime("%H:%M")


def _change(server, incident_id, what, **body):
    version = server.api.get(f"{server.url}/api/v1/incidents/{incident_id}").json()["incident"]["properties"]["version"]
    response = server.api.post(f"{server.url}/api/v1/incidents/{incident_id}/{what}",
                               json={"version": version, "actor": "chen", "reason": "confirmed by phone"} | body)
    assert response.status_code == 200, response.text


def _console(open_page, server, lang="en", **kwargs):
    page = open_console(open_page, f"{server.url}/?lang={lang}", locale="zh-CN" if lang == "zh" else "en-US", **kwargs)
    return page


def _line(page, incident_id, channel):
    return page.locator(f'#reports-due-list li[data-incident="{incident_id}"][data-channel="{channel}"]')


def test_a_grade_ii_shows_its_reports_due_on_every_console_within_a_second_and_filing_clears_them(
        report_server, open_page, page_errors):
    server, post, _rt = report_server
    feature = post("levee-1", "秦淮河武定门闸堤防管涌 Levee piping at Wudingmen")
    incident = feature["id"]
    received = feature["properties"]["received_at"]
    operator = _console(open_page, server, user=OPERATOR)
    admin = _console(open_page, server)
    assert admin.locator("#reports-due").is_hidden() and operator.locator("#reports-due").is_hidden()  # nothing due

    # The operator grades it II in the panel; the administrator's console shows both deadlines within a second.
    operator.locator(f'#incident-list li[data-id="{incident}"] button.details').click()
    panel = operator.locator("#incident-panel")
    panel.locator(".panel-reporting .no-obligations").wait_for()
    form = panel.locator("form.grade-form")
    form.locator("select[name=grade]").select_option("II")
    form.locator("input[name=reason]").fill("two people trapped at the levee")
    with operator.expect_response(lambda r: r.url.endswith(f"/api/v1/incidents/{incident}/grade")
                                  and r.request.method == "POST") as graded:
        form.locator("button.submit").click()
    assert graded.value.status == 200
    answered = time.monotonic()
    _line(admin, incident, "phone").wait_for(timeout=1000)
    _line(admin, incident, "written").wait_for(timeout=max(1, 1000 - (time.monotonic() - answered) * 1000))
    _line(operator, incident, "written").wait_for(timeout=1000)

    phone, written = _line(admin, incident, "phone"), _line(admin, incident, "written")
    assert admin.locator("#reports-due-list li").evaluate_all("lis => lis.map(li => li.dataset.channel)") \
        == ["phone", "written"]  # soonest first
    day = r"(?:\d\d/\d\d, )?"  # a deadline on another day there shows its date too
    assert re.search(rf"#{incident}\s*秦淮河武定门闸堤防管涌 Levee piping at Wudingmen\s*Phone\s*"
                     rf"due {day}{_local(received, 30)}\s*\d\d:\d\d left", phone.inner_text()), phone.inner_text()
    assert re.search(rf"Written\s*due {day}{_local(received, 60)}\s*\d\d:\d\d left", written.inner_text()), \
        written.inner_text()
    assert admin.locator("#reports-due-count").inner_text() == "2"
    assert phone.evaluate("li => li.classList.contains('overdue') || li.classList.contains('missed')") is False

    left = phone.locator(".report-due-left")  # the countdown ticks
    before = left.inner_text()
    left.evaluate("(el, before) => new Promise(done => { const check = () => el.textContent !== before ? done() "
                  ": setTimeout(check, 100); check(); })", before)

    # The grading console's panel lists the deadlines, counted from receipt (接报), both open.
    rows = panel.locator(".panel-reporting table.obligations tbody tr")
    rows.nth(1).wait_for()
    assert rows.evaluate_all("trs => trs.map(tr => [tr.dataset.channel, tr.dataset.status])") \
        == [["phone", "open"], ["written", "open"]]
    assert re.search(rf"Phone.*Grade II.*Receipt.*{_local(received, 30)}.*Open", rows.nth(0).inner_text(), re.S)
    assert "No report filed yet" in panel.locator(".panel-reporting").inner_text()

    # The phone report is filed: it leaves both strips (the written one stays) and the panel says so.
    filed = server.api.post(f"{server.url}/api/v1/incidents/{incident}/reports",
                            json={"kind": "first", "channel": "phone", "fields": FIRST, "actor": "chen"})
    assert filed.status_code == 201, filed.text
    _line(admin, incident, "phone").wait_for(state="detached", timeout=1000)
    _line(operator, incident, "phone").wait_for(state="detached", timeout=1000)
    assert _line(admin, incident, "written").is_visible() and _line(operator, incident, "written").is_visible()
    assert admin.locator("#reports-due-count").inner_text() == "1"
    panel.locator('.panel-reporting tr[data-channel="phone"][data-status="filed"]').wait_for(timeout=2000)
    report = panel.locator(".panel-reporting ol.reports li.report")
    assert report.count() == 1
    assert re.search(r"First report\s*Phone.*by admin", report.inner_text(), re.S)
    assert "秦淮河武定门闸" in report.inner_text()  # what was reported, field by field

    # A line opens its incident's panel.
    admin_panel = admin.locator("#incident-panel")
    _line(admin, incident, "written").locator("button").click()
    admin_panel.locator('.panel-reporting tr[data-channel="written"][data-status="open"]').wait_for()
    assert admin_panel.get_attribute("data-id") == str(incident)
    assert page_errors == []


def test_a_missed_report_shows_in_red_and_the_strip_speaks_chinese(report_server, open_page, page_errors):
    server, post, rt = report_server
    feature = post("levee-2", "秦淮河堤防管涌")
    incident = feature["id"]
    with rt.unit_of_work() as session:  # received two hours ago: both deadlines have passed
        session.execute(update(Incident).where(Incident.id == incident)
                        .values(received_at=utcnow() - timedelta(hours=2)))
    page = _console(open_page, server, lang="zh")
    _change(server, incident, "grade", grade="II")

    strip = page.locator("#reports-due")
    phone = _line(page, incident, "phone")
    written = _line(page, incident, "written")
    for channel in ("phone", "written"):  # the worker marks them missed (漏报)
        page.locator(f'#reports-due-list li.missed[data-incident="{incident}"][data-channel="{channel}"]') \
            .wait_for(timeout=5000)
    assert page.locator("#reports-due-title").inner_text() == "待报送"
    assert page.locator("#reports-due-count").inner_text() == "2 · 2 项漏报"
    assert re.search(r"电话\s*\d\d:\d\d 前\s*漏报\s*超时 9\d 分钟", phone.inner_text()), phone.inner_text()
    assert re.search(r"书面\s*\d\d:\d\d 前\s*漏报\s*超时 6\d 分钟", written.inner_text()), written.inner_text()
    for line in (phone, written):
        assert line.locator("button").evaluate("b => getComputedStyle(b).backgroundColor") == RED
    english = re.compile(r"\b(Phone|Written|due|left|overdue|missed|Reports)\b")
    assert not english.search(strip.inner_text()), strip.inner_text()

    # Collapsible: the count stays in view.
    page.locator("#reports-due-toggle").click()
    assert page.locator("#reports-due-list").is_hidden() and page.locator("#reports-due-count").is_visible()
    assert page.locator("#reports-due-toggle").get_attribute("aria-expanded") == "false"
    page.locator("#reports-due-toggle").click()
    assert phone.is_visible()

    # The missed line opens the panel, which says 漏报 and 接报 in Chinese.
    phone.locator("button").click()
    section = page.locator("#incident-panel .panel-reporting")
    section.locator('tr[data-channel="phone"][data-status="missed"]').wait_for()
    text = section.inner_text()
    assert "信息报送" in text and "接报" in text and "漏报" in text and "尚未报送" in text
    assert not re.search(r"\b(Phone|Written|Receipt|Missed|Deadlines|Reports)\b", text), text

    # Filed at last: it is late (迟报) in the panel and leaves the strip.
    filed = server.api.post(f"{server.url}/api/v1/incidents/{incident}/reports",
                            json={"kind": "first", "channel": "phone", "fields": FIRST, "actor": "chen"})
    assert filed.status_code == 201, filed.text
    phone.wait_for(state="detached", timeout=1000)
    late = section.locator('tr[data-channel="phone"][data-status="late"]')
    late.wait_for(timeout=2000)
    assert re.search(r"迟报.*迟报 9\d 分钟", late.inner_text(), re.S)
    assert "首报" in section.locator("ol.reports").inner_text()
    assert page_errors == []


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}])
def test_the_strip_fits_the_desk_screen_and_the_phone(report_server, open_page, page_errors, viewport):
    server, post, _rt = report_server
    graded = [post(f"wall-{n}", f"Typhoon In-fa: levee breach number {n} on the whole coast of Zhejiang province")
              for n in range(3)]
    sensitive = post("quiet-1", "上海中心气象台发布暴雨橙色预警")
    page = open_console(open_page, f"{server.url}/?lang=en", viewport=viewport)
    for feature in graded:
        _change(server, feature["id"], "grade", grade="II")
    _change(server, sensitive["id"], "sensitive", sensitive=True)  # a sensitive flag obliges a phone report
    _line(page, sensitive["id"], "phone").wait_for(timeout=2000)
    page.wait_for_function("document.querySelectorAll('#reports-due-list li').length === 7", timeout=2000)

    layout = page.evaluate("""() => {
      const box = sel => { const r = document.querySelector(sel).getBoundingClientRect();
                           return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, height: r.height}; };
      return {bar: box('.bar'), strip: box('#reports-due'), map: box('.map-pane'), list: box('.list-pane'),
              lines: [...document.querySelectorAll('#reports-due-list li')].map(li => {
                const r = li.getBoundingClientRect(); return {x: r.x, right: r.right}; }),
              scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth};
    }""")
    width, height = viewport["width"], viewport["height"]
    assert layout["scrollWidth"] <= layout["clientWidth"] == width  # no sideways scroll
    bar, strip, map_, list_ = layout["bar"], layout["strip"], layout["map"], layout["list"]
    assert bar["bottom"] <= strip["y"] + 1 and strip["bottom"] <= map_["y"] + 1 and strip["bottom"] <= list_["y"] + 1
    assert strip["height"] <= height / 8  # compact: the rest scrolls inside the strip
    assert all(0 <= line["x"] and line["right"] <= width for line in layout["lines"])
    if width > 700:  # the desk screen keeps the map beside the list, nearly full height
        assert map_["right"] <= list_["x"] + 1 and map_["bottom"] <= height + 1
        assert map_["height"] >= (height - bar["height"]) * 0.85
    else:
        assert map_["bottom"] <= list_["y"] + 1 and list_["y"] < height  # the list still starts on screen
    assert page_errors == []


def test_the_duty_officer_files_the_first_and_the_final_report_from_the_panel(report_server, open_page, page_errors):
    server, post, _rt = report_server
    incident = post("levee-form", "秦淮河武定门闸堤防管涌")["id"]
    _change(server, incident, "grade", grade="II")
    page = _console(open_page, server, lang="zh", viewport={"width": 1366, "height": 768})
    _line(page, incident, "phone").wait_for(timeout=2000)
    page.locator(f'#incident-list li[data-id="{incident}"] button.details').click()
    section = page.locator("#incident-panel .panel-reporting")
    form = section.locator("form.report-form")
    form.wait_for()

    # Only a first report (首报) may be filed yet; its four required fields are asked for, the rest may wait.
    kinds = form.locator("select[name=kind] option")
    assert kinds.evaluate_all("os => os.map(o => [o.value, o.textContent])") == [["first", "首报"]]
    assert form.locator(".report-field.required").evaluate_all("fs => fs.map(f => f.dataset.name)") \
        == ["time", "place", "source", "nature"]
    assert "时间" in form.inner_text() and "事件性质" in form.inner_text()
    form.locator("select[name=channel]").select_option("phone")
    for name, value in FIRST.items():
        form.locator(f"[name=field_{name}]").fill(value)
    form.locator("input[name=verify_casualties]").check()
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/incidents/{incident}/reports")
                              and r.request.method == "POST") as filed:
        form.locator("button.submit").click()
    assert filed.value.status == 201

    # The phone deadline leaves the strip (the written one stays); the series shows 首报 with what is to be verified.
    _line(page, incident, "phone").wait_for(state="detached", timeout=2000)
    assert _line(page, incident, "written").is_visible()
    section.locator('tr[data-channel="phone"][data-status="filed"]').wait_for(timeout=2000)
    first = section.locator('ol.reports li.report[data-kind="first"]')
    assert re.search(r"首报\s*电话", first.inner_text()) and "秦淮河武定门闸" in first.inner_text()
    assert first.locator(".report-to-verify").inner_text() == "待核实：伤亡情况"
    assert "已报送" in page.locator("#panel-message").inner_text()

    # Now a follow-up or the final (终报); the final without its contact is refused next to that field.
    section.locator('form.report-form select[name=kind] option[value="final"]').wait_for(state="attached")
    assert kinds.evaluate_all("os => os.map(o => o.value)") == ["follow_up", "final"]
    form.locator("select[name=kind]").select_option("final")
    form.locator("select[name=channel]").select_option("written")
    assert form.locator("input[type=checkbox]").count() == 0  # nothing is left 待核实 in a final report
    final = {"casualties": "无人员伤亡", "losses": "农田受淹 30 亩", "measures": "管涌已封堵，堤防加固"}
    for name, value in final.items():
        form.locator(f"[name=field_{name}]").fill(value)
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/incidents/{incident}/reports")
                              and r.request.method == "POST") as refused:
        form.locator("button.submit").click()
    assert refused.value.status == 422
    error = form.locator('.field-error[data-for="fields.contact"]')
    error.wait_for()
    assert error.inner_text() == "本次报告须填写此项"
    assert section.locator("ol.reports li.report").count() == 1

    form.locator("[name=field_contact]").fill("刘洋 13800000001")
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/incidents/{incident}/reports")
                              and r.request.method == "POST") as accepted:
        form.locator("button.submit").click()
    assert accepted.value.status == 201

    # After the final: the written deadline is met too, the series closes and the form gives way to a note.
    section.locator(".series-closed").wait_for(timeout=2000)
    assert form.count() == 0
    assert section.locator("ol.reports li.report").evaluate_all("lis => lis.map(li => li.dataset.kind)") \
        == ["first", "final"]
    assert "终报" in section.locator('li.report[data-kind="final"]').inner_text()
    _line(page, incident, "written").wait_for(state="detached", timeout=2000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert page_errors == []
