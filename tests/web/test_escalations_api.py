"""The escalations API and the liaison's queue page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from command import escalation
from command.directory import department_codes
from command.events import DutyLogAppended
from playbooks.loader import load_dir
from tests.conftest import log_in
from tests.duty_room import T0, _flood, _run, duty_room, playbooks_dir  # noqa: F401


@pytest.fixture
def running(runtime, duty_room, playbooks_dir):
    """One flood escalation that has notified the leader and the water liaison."""
    _flood(runtime)
    _run(runtime, load_dir(playbooks_dir, department_codes()), T0)
    return runtime


def test_the_queue_lists_the_departments_escalations_only(client, running):
    water = client.get("/api/v1/escalations?department=water").get_json()["escalations"]
    fire = client.get("/api/v1/escalations?department=fire").get_json()["escalations"]
    assert [e["headline"] for e in water] == ["Qinhuai river over guarantee level"]
    assert fire == []
    assert water[0]["state"] == "active" and water[0]["reply_code"] == "A1"


def test_an_answer_is_recorded_once_and_pushed(client, running, app):
    pushed = []
    running.publisher.subscribe(pushed.append)
    log_in(client, running, "liu")  # the water liaison answers
    [esc] = client.get("/api/v1/escalations").get_json()["escalations"]
    first = client.post(f"/api/v1/escalations/{esc['id']}/answers", json={"actor": "liu", "answer": "acknowledge",
                                                                         "via": "web"})
    again = client.post(f"/api/v1/escalations/{esc['id']}/answers", json={"actor": "liu", "answer": "acknowledge",
                                                                         "via": "web"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["acknowledged_at"] is not None
    assert [a["actor"] for a in again.get_json()["answers"]] == ["liu"]
    changes = [event for event in pushed if not isinstance(event, DutyLogAppended)]  # log entries are pushed too
    assert len(changes) == 1 and changes[0].escalation["id"] == esc["id"]


def test_the_detail_shows_notifications_and_log(client, running):
    [esc] = client.get("/api/v1/escalations").get_json()["escalations"]
    detail = client.get(f"/api/v1/escalations/{esc['id']}").get_json()
    assert {(n["person"], n["channel"]) for n in detail["notifications"]} == {("wang", "sms"), ("liu", "sms"),
                                                                               ("liu", "web")}
    assert detail["snapshot"]["name"] == "flood-severe"
    assert any("started for incident" in entry["summary"] for entry in detail["log"])


@pytest.mark.parametrize("body, status, code", [
    ({"actor": "liu", "answer": "maybe"}, 422, "bad_answer"),
    ({"actor": "liu", "answer": "acknowledge", "via": "pigeon"}, 422, "bad_answer"),
])
def test_bad_answers_are_refused_clearly(client, running, body, status, code):
    [esc] = client.get("/api/v1/escalations").get_json()["escalations"]
    response = client.post(f"/api/v1/escalations/{esc['id']}/answers", json=body)
    assert response.status_code == status and response.get_json()["code"] == code


@pytest.mark.parametrize("named", [{"actor": "zhao"}, {"actor": ""}, {}])
def test_the_answer_is_recorded_as_who_logged_in_whatever_the_body_names(client, running, named):
    log_in(client, running, "liu")
    [esc] = client.get("/api/v1/escalations").get_json()["escalations"]
    response = client.post(f"/api/v1/escalations/{esc['id']}/answers", json={"answer": "acknowledge", **named})
    assert response.status_code == 201
    assert [a["actor"] for a in response.get_json()["answers"]] == ["liu"]


def test_unknown_escalation_and_bad_state(client, running):
    assert client.post("/api/v1/escalations/999/answers", json={"actor": "a", "answer": "going"}).status_code == 404
    assert client.get("/api/v1/escalations/999").status_code == 404
    assert client.get("/api/v1/escalations?state=sleeping").status_code == 400


def test_the_queue_page_offers_departments_then_shows_one(client, running):
    chooser = client.get("/queue?lang=en").get_data(as_text=True)
    assert "Water resources" in chooser and "?department=water" in chooser
    page = client.get("/queue?department=water&lang=zh").get_data(as_text=True)
    assert "水利" in page and '"department": "water"' in page
    unknown = client.get("/queue?department=nowhere&lang=en").get_data(as_text=True)
    assert "No department nowhere." in unknown


def test_a_finished_escalation_leaves_the_active_list(client, running, playbooks_dir):
    for minute in range(5, 45, 5):
        _run(running, load_dir(playbooks_dir, department_codes()), T0 + timedelta(minutes=minute))
    assert client.get("/api/v1/escalations").get_json()["escalations"] == []
    assert len(client.get("/api/v1/escalations?state=finished").get_json()["escalations"]) == 1


def test_an_incidents_escalations_in_every_state(client, running, playbooks_dir):
    other = _flood(running, external_id="flood-2")
    _run(running, load_dir(playbooks_dir, department_codes()), T0)
    every = "active,acknowledged,resolved,finished,cancelled,superseded"
    both = client.get("/api/v1/escalations").get_json()["escalations"]
    assert len({e["incident_id"] for e in both}) == 2
    [mine] = client.get(f"/api/v1/escalations?incident={other}&state={every}").get_json()["escalations"]
    assert mine["incident_id"] == other and mine["playbook"] == "flood-severe"
    assert mine["step_type"] == "if_not_acknowledged" and mine["overdue"] is False
    assert client.get("/api/v1/escalations?incident=999").get_json()["escalations"] == []
    for bad in ("x", "0", "-1"):
        response = client.get(f"/api/v1/escalations?incident={bad}")
        assert response.status_code == 400 and response.get_json()["code"] == "bad_incident"


def test_overdue_escalations_are_listed_until_they_move_on(client, running, playbooks_dir):
    assert client.get("/api/v1/escalations?overdue=true").get_json()["escalations"] == []
    [esc] = client.get("/api/v1/escalations?overdue=false").get_json()["escalations"]
    assert esc["overdue"] is False
    with running.unit_of_work() as session:  # the worker stopped: ten minutes on, the 5-minute wait is late
        escalation.audit(session, T0 + timedelta(minutes=10), 120)
    [late] = client.get("/api/v1/escalations?overdue=true").get_json()["escalations"]
    assert late["id"] == esc["id"] and late["overdue"] is True and late["due_at"] == esc["due_at"]
    assert client.get("/api/v1/escalations?overdue=false").get_json()["escalations"] == []
    assert client.get(f"/api/v1/escalations/{esc['id']}").get_json()["overdue"] is True

    _run(running, load_dir(playbooks_dir, department_codes()), T0 + timedelta(minutes=10))  # the worker is back
    assert client.get("/api/v1/escalations?overdue=1").get_json()["escalations"] == []
    [moved] = client.get("/api/v1/escalations?overdue=0").get_json()["escalations"]
    assert moved["overdue"] is False and moved["due_at"] != esc["due_at"]
    response = client.get("/api/v1/escalations?overdue=maybe")
    assert response.status_code == 400 and response.get_json()["code"] == "bad_overdue"
