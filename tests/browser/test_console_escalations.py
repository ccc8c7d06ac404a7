"""The console and escalations in Chromium against a real server with its worker: the incident panel shows an
incident's escalations live, an overdue escalation raises a banner (also on a console opened afterwards) that
clears when the escalation moves on, and phone calls are recorded from the panel into the duty log."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from sqlalchemy import select, update

from command.cli import DEMO_DIRECTORY
from command.models import Escalation, Person, utcnow
from command.runtime import build_runtime
from command.tokens import issue_feed_token
from command.users import _token_hash
from tests.browser.console_page import open_console, open_panel
from tests.conftest import FEED, PASSWORD_HASH, event_body

pytestmark = pytest.mark.browser

LIAISON_TOKEN = "vgu_test-water-liaison"
FLOOD = dict(headline="秦淮河水位超保证水位 Qinhuai over guarantee level", event="Flood", category="met",
             severity="extreme")


@pytest.fixture
def duty_server(start_server, sqlite_url):
    """A server with its worker, the demo duty room and the shipped playbooks; a step is overdue after 1 s late.

    Returns the server, a poster of feed events and a runtime on the server's database (for the test's own writes).
    """
    server = start_server("threading", VIGIL_DIRECTORY_FILE=str(DEMO_DIRECTORY), VIGIL_ESCALATION_POLL_SECONDS="0.2",
                          VIGIL_ESCALATION_OVERDUE_SECONDS="1")
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    with rt.unit_of_work() as session:
        token = issue_feed_token(session, FEED)
        session.execute(update(Person).where(Person.username == "water.liaison")
                        .values(password_hash=PASSWORD_HASH, token_hash=_token_hash(LIAISON_TOKEN)))

    def post(body):
        response = requests.post(f"{server.url}/api/v1/feeds/{FEED}/events", json=body,
                                 headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code in (200, 201), response.text
    yield server, post, rt
    rt.engine.dispose()


def _escalation(server) -> dict:
    """The one escalation, once the worker has started it and run its first steps (it then waits 10 minutes)."""
    response = server.api.get(f"{server.url}/api/v1/escalations")
    escalations = response.json()["escalations"]
    return escalations[0] if escalations and escalations[0]["step_type"] == "if_not_acknowledged" else None


def _wait_for(function, timeout=10.0):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = function()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{function.__name__} did not come true in {timeout} s")


def test_the_panel_shows_the_escalation_and_a_liaisons_answer_live(duty_server, open_page, page_errors):
    server, post, _rt = duty_server
    post(event_body("flood-1", **FLOOD))
    esc = _wait_for(lambda: _escalation(server))
    page = open_console(open_page, server.url + "/?lang=en")
    panel = open_panel(page, incident_id=esc["incident_id"])

    item = panel.locator(f'.panel-escalations li.escalation[data-id="{esc["id"]}"]')
    item.wait_for()
    assert item.get_attribute("data-state") == "active"
    text = item.inner_text()
    assert esc["playbook"] in text and "Waiting for an answer" in text
    assert "of %d · stop if acknowledged" % esc["steps"] in text  # the step that is due next
    assert "No answer yet" in text
    assert page.locator("#escalation-alerts li").count() == 0  # nothing is overdue

    answer = requests.post(f"{server.url}/api/v1/escalations/{esc['id']}/answers",
                           json={"answer": "acknowledge", "via": "api"},
                           headers={"Authorization": f"Bearer {LIAISON_TOKEN}"}, timeout=10)
    assert answer.status_code == 201, answer.text
    panel.locator(f'li.escalation[data-id="{esc["id"]}"][data-state="acknowledged"]').wait_for(timeout=5000)
    answers = item.locator(".answers").inner_text()
    assert "water.liaison acknowledged via the API" in answers
    assert "Acknowledged" in item.locator(".escalation-state").inner_text()
    assert page_errors == []


def test_an_overdue_escalation_raises_a_banner_until_it_moves_on(duty_server, open_page, page_errors):
    server, post, rt = duty_server
    post(event_body("flood-1", **FLOOD))
    esc = _wait_for(lambda: _escalation(server))
    watching = open_console(open_page, server.url + "/?lang=en")
    assert watching.locator("#escalation-alerts li").count() == 0

    # The worker that claimed the next step died: its lease holds for an hour and the step was due 5 minutes ago.
    # The server's own worker cannot take it over; its auditor finds the step late and pushes to the consoles.
    now = utcnow()
    with rt.unit_of_work() as session:
        session.execute(update(Escalation).where(Escalation.id == esc["id"]).values(
            due_at=now - timedelta(minutes=5), lease_holder="a dead worker", lease_until=now + timedelta(hours=1)))
    banner = watching.locator(f'#escalation-alerts li[data-escalation="{esc["id"]}"]')
    banner.wait_for(timeout=5000)
    due = watching.evaluate("iso => new Intl.DateTimeFormat('en', {timeZone: VIGIL.timeZone, hour: '2-digit', "
                            "minute: '2-digit', hourCycle: 'h23'}).format(new Date(iso))",
                            (now - timedelta(minutes=5)).isoformat())
    assert (f"Escalation #{esc['id']} for incident #{esc['incident_id']} is overdue: "
            f"step {esc['step'] + 1} of {esc['steps']} was due at {due}") in banner.inner_text()

    # A console opened afterwards learns of it from the API, and in Chinese.
    later = open_page(server.url + "/?lang=zh", locale="zh-CN")
    later_banner = later.locator(f'#escalation-alerts li[data-escalation="{esc["id"]}"]')
    later_banner.wait_for(timeout=5000)
    assert f"#{esc['id']}" in later_banner.inner_text() and "超时" in later_banner.inner_text()
    later_banner.locator("button").click()  # the banner opens the incident
    panel = later.locator("#incident-panel")
    panel.locator(f'li.escalation[data-id="{esc["id"]}"].overdue').wait_for(timeout=5000)
    assert panel.get_attribute("data-id") == str(esc["incident_id"])

    # The lease runs out: the server's worker takes the step over, the escalation moves on, every banner clears.
    with rt.unit_of_work() as session:
        session.execute(update(Escalation).where(Escalation.id == esc["id"]).values(
            lease_until=utcnow() - timedelta(seconds=1)))
    banner.wait_for(state="detached", timeout=5000)
    later_banner.wait_for(state="detached", timeout=5000)
    panel.locator(f'li.escalation[data-id="{esc["id"]}"]:not(.overdue)').wait_for(timeout=5000)
    with rt.sessions() as session:
        moved = session.scalar(select(Escalation).where(Escalation.id == esc["id"]))
        assert moved.due_at > now and moved.step > esc["step"]
    assert server.api.get(f"{server.url}/api/v1/escalations?overdue=true").json()["escalations"] == []
    assert page_errors == []


def test_a_phone_call_recorded_from_the_panel_shows_there_live_and_in_the_duty_log(live, open_page, page_errors):
    server, post = live
    post(event_body("flood-1", headline="Qinhuai over warning level"))
    [feature] = server.api.get(f"{server.url}/api/v1/incidents").json()["features"]
    page, other = open_console(open_page, server.url + "/?lang=en"), open_console(open_page, server.url + "/?lang=en")
    panel = open_panel(page, incident_id=feature["id"])
    watching = open_panel(other, incident_id=feature["id"])
    panel.locator(".panel-calls .empty:has-text('No phone call recorded')").wait_for()

    form = panel.locator("form.call-form")
    form.locator("[name=unit]").fill("Qinhuai district water office")
    form.locator("button.submit").click()  # inbound: the number and what happened are required
    assert form.locator('.field-error[data-for="situation"]').inner_text() == "Required."
    assert form.locator('.field-error[data-for="number"]').inner_text() == "Required."
    form.locator("[name=name]").fill("Li Ming")
    form.locator("[name=number]").fill("025-8433 1234")
    form.locator("[name=situation]").fill("Water is over the embankment at Xinjiekou")
    form.locator("button.submit").click()

    call = panel.locator(".panel-calls li.call")
    call.wait_for(timeout=5000)
    text = call.inner_text()
    assert "Inbound" in text and "Qinhuai district water office · Li Ming · 025-8433 1234" in text
    assert "Water is over the embankment at Xinjiekou" in text and "by admin" in text
    assert "Recorded as entry #" in page.locator("#panel-message").inner_text()
    assert form.locator("[name=situation]").input_value() == ""
    seen = watching.locator(".panel-calls li.call")  # the other console hears it through the duty-log push
    seen.wait_for(timeout=5000)
    assert "Water is over the embankment at Xinjiekou" in seen.inner_text()

    log = open_page(f"{server.url}/dutylog?lang=en&incident={feature['id']}")
    entry = log.locator("li:has-text('Water is over the embankment at Xinjiekou')").first
    entry.wait_for(timeout=5000)
    assert "Li Ming" in entry.inner_text()
    assert page_errors == []
