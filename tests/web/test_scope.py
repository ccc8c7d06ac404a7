"""A department liaison sees only their departments: lists, details, answers, the queue page and live pushes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from command.directory import sync_departments
from command.models import Acknowledgement, Escalation, Incident, utcnow
from tests.conftest import log_in

# headline -> the departments the incident concerns
INCIDENTS = {"Qinhuai levee seepage": ["water"], "Warehouse fire": ["fire"],
             "Flooded substation fire": ["fire", "water"], "Gas smell": None}


@pytest.fixture
def room(runtime) -> dict[str, dict[str, int]]:
    """The departments, four incidents and an escalation for each incident that concerns a department."""
    now = utcnow()
    ids: dict[str, dict[str, int]] = {"incident": {}, "escalation": {}}
    with runtime.unit_of_work() as session:
        sync_departments(session)  # the departments Vigil ships: water is "Water Resources", fire "Fire and Rescue"
        for number, (headline, departments) in enumerate(INCIDENTS.items()):
            incident = Incident(source="cad", external_id=f"i-{number}", headline=headline, departments=departments,
                                received_at=now, updated_at=now)
            session.add(incident)
            session.flush()
            ids["incident"][headline] = incident.id
            if departments:
                escalation = Escalation(incident_id=incident.id, playbook="any", snapshot={"steps": []},
                                        state="active", reply_code=f"B{number}", created_at=now, updated_at=now)
                session.add(escalation)
                session.flush()
                ids["escalation"][headline] = escalation.id
    return ids


@pytest.fixture
def liaison(app, runtime, room):
    """The water liaison's phone, logged in."""
    phone = app.test_client()
    log_in(phone, runtime, "liu", role="liaison", departments=["water"])
    return phone


def _headlines(client, path: str) -> set[str]:
    body = client.get(path).get_json()
    items = body["features"] if "features" in body else body["escalations"]
    return {item["properties"]["headline"] if "properties" in item else item["headline"] for item in items}


def test_a_liaison_lists_only_incidents_and_escalations_of_their_departments(liaison, client, room):
    water = {"Qinhuai levee seepage", "Flooded substation fire"}
    assert _headlines(liaison, "/api/v1/incidents") == water
    assert _headlines(liaison, "/api/v1/escalations") == water
    assert _headlines(liaison, "/api/v1/escalations?department=water") == water
    # the duty room sees everything
    assert _headlines(client, "/api/v1/incidents") == set(INCIDENTS)
    assert _headlines(client, "/api/v1/escalations") == water | {"Warehouse fire"}


def test_others_incidents_and_escalations_look_absent(liaison, room):
    incidents, escalations = room["incident"], room["escalation"]
    for headline in ("Warehouse fire", "Gas smell"):
        assert liaison.get(f"/api/v1/incidents/{incidents[headline]}").status_code == 404
    assert liaison.get(f"/api/v1/escalations/{escalations['Warehouse fire']}").status_code == 404
    for headline in ("Qinhuai levee seepage", "Flooded substation fire"):
        detail = liaison.get(f"/api/v1/incidents/{incidents[headline]}")
        assert detail.status_code == 200 and detail.get_json()["incident"]["properties"]["headline"] == headline
        assert liaison.get(f"/api/v1/escalations/{escalations[headline]}").status_code == 200


def test_a_liaison_cannot_answer_another_departments_escalation(liaison, runtime, room):
    fire = liaison.post(f"/api/v1/escalations/{room['escalation']['Warehouse fire']}/answers",
                        json={"answer": "acknowledge", "via": "web"})
    assert fire.status_code == 404
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Acknowledgement)) == 0, "nothing recorded"
    water = liaison.post(f"/api/v1/escalations/{room['escalation']['Qinhuai levee seepage']}/answers",
                         json={"answer": "acknowledge", "via": "web"})
    assert water.status_code == 201 and [a["actor"] for a in water.get_json()["answers"]] == ["liu"]


def test_the_queue_page_offers_only_the_liaisons_departments(liaison, client, room):
    chooser = liaison.get("/queue?lang=en").get_data(as_text=True)
    assert "?department=water" in chooser and "Water Resources" in chooser
    assert "?department=fire" not in chooser and "Fire and Rescue" not in chooser
    assert "?department=police" not in chooser
    other = liaison.get("/queue?department=fire&lang=en").get_data(as_text=True)
    assert "No department fire." in other and '"department": "fire"' not in other
    assert '"department": "water"' in liaison.get("/queue?department=water&lang=en").get_data(as_text=True)
    assert "?department=fire" in client.get("/queue?lang=en").get_data(as_text=True), "an administrator chooses any"


def test_live_pushes_reach_a_liaison_only_for_their_departments(app, liaison, client, room):
    socketio = app.extensions["socketio"]
    phone = socketio.test_client(app, namespace="/live", flask_test_client=liaison)
    console = socketio.test_client(app, namespace="/live", flask_test_client=client)
    assert phone.is_connected("/live") and console.is_connected("/live")
    for headline in INCIDENTS:
        note = client.post(f"/api/v1/incidents/{room['incident'][headline]}/notes", json={"text": "checked"})
        assert note.status_code == 201

    def pushed(socket):
        return {m["args"][0]["properties"]["headline"] for m in socket.get_received("/live") if m["name"] == "incident"}
    assert pushed(phone) == {"Qinhuai levee seepage", "Flooded substation fire"}
    assert pushed(console) == set(INCIDENTS)


def test_a_liaisons_limit_counts_their_own_items(liaison, room):
    # newest first: "Gas smell" (no department) is the newest incident, yet the liaison's first one is theirs
    assert _headlines(liaison, "/api/v1/incidents?limit=1") == {"Flooded substation fire"}
    assert _headlines(liaison, "/api/v1/escalations?limit=1") == {"Flooded substation fire"}
