"""The handover API and page: draft for the shift due now, notes, sign in order, the shift closes, the log says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from command import dutylog
from command.events import DutyLogAppended
from command.models import DutyLogEntry, Incident, Person, Shift, utcnow
from tests.conftest import log_in

H = timedelta(hours=1)


@pytest.fixture
def shifts(runtime):
    """The shift on duty now (officer-a) and the next one (officer-b), rostered around the real clock."""
    now = utcnow()
    with runtime.unit_of_work() as session:
        people = {name: Person(username=name, display_name=name.title(), role="operator")
                  for name in ("officer-a", "officer-b")}
        session.add_all(people.values())
        session.flush()
        day = Shift(starts_at=now - 6 * H, ends_at=now + 6 * H, duty_officer_id=people["officer-a"].id)
        night = Shift(starts_at=now + 6 * H, ends_at=now + 18 * H, duty_officer_id=people["officer-b"].id)
        session.add_all([day, night])
        session.flush()
        session.add(Incident(source="cad", external_id="f", headline="内涝 Waterlogging", received_at=now,
                             updated_at=now))
        call = dutylog.append(session, kind="phone_call", summary="来电：隧道积水", author="officer-a").id
        return {"day": day.id, "night": night.id, "call": call}


def test_with_no_shift_on_duty_the_api_says_so(client):
    assert client.get("/api/v1/handovers/current").get_json()["code"] == "no_shift"
    assert client.post("/api/v1/handovers", json={}).status_code == 404
    assert client.post("/api/v1/handovers", json={"shift_id": 99}).get_json()["code"] == "no_shift"
    assert client.get("/api/v1/handovers/current?shift=x").status_code == 400


def _officer(app, runtime, username):
    """A console of its own, logged in as ``username`` (a duty officer)."""
    console = app.test_client()
    log_in(console, runtime, username, role="operator")
    return console


def test_a_handover_is_drafted_annotated_and_signed_in_order(app, runtime, shifts):
    pushed = []
    runtime.publisher.subscribe(lambda e: pushed.append(e.entry) if isinstance(e, DutyLogAppended) else None)
    outgoing, incoming = _officer(app, runtime, "officer-a"), _officer(app, runtime, "officer-b")
    current = outgoing.get("/api/v1/handovers/current").get_json()
    assert current["shift"]["id"] == shifts["day"] and current["handover"] is None
    assert current["incoming_shift"]["duty_officer"]["username"] == "officer-b"

    created = outgoing.post("/api/v1/handovers", json={})
    assert created.status_code == 201
    handover = created.get_json()
    assert handover["state"] == "draft" and handover["shift_id"] == shifts["day"]
    assert [i["headline"] for i in handover["draft"]["open_incidents"]] == ["内涝 Waterlogging"]
    assert [i["entry_id"] for i in handover["draft"]["open_items"]] == [shifts["call"]]
    assert outgoing.post("/api/v1/handovers", json={"shift_id": shifts["day"]}).status_code == 200, "refreshed"

    hid = handover["id"]
    # the body names the incoming officer, but the notes are the outgoing officer's, who is logged in
    notes = outgoing.post(f"/api/v1/handovers/{hid}/notes", json={"actor": "officer-b", "notes": "隧道需复查"})
    assert notes.status_code == 200 and notes.get_json()["draft"]["notes"] == "隧道需复查"
    assert notes.get_json()["draft"]["notes_by"] == "officer-a"

    early = incoming.post(f"/api/v1/handovers/{hid}/sign", json={"role": "incoming"})
    assert (early.status_code, early.get_json()["code"]) == (409, "outgoing_first")
    stale = outgoing.post(f"/api/v1/handovers/{hid}/sign", json={"role": "outgoing", "digest": handover["digest"]})
    assert (stale.status_code, stale.get_json()["code"]) == (409, "stale_draft"), "the notes changed the draft"
    digest = notes.get_json()["digest"]
    signed = outgoing.post(f"/api/v1/handovers/{hid}/sign", json={"role": "outgoing", "digest": digest})
    assert signed.status_code == 200 and signed.get_json()["state"] == "outgoing_signed"
    assert signed.get_json()["outgoing_signed_by"] == "officer-a"
    wrong = _officer(app, runtime, "officer-c").post(f"/api/v1/handovers/{hid}/sign",
                                                      json={"role": "incoming", "actor": "officer-b"})
    assert (wrong.status_code, wrong.get_json()["code"]) == (403, "not_on_roster")
    assert wrong.get_json()["expected"] == ["officer-b"]

    closed = incoming.post(f"/api/v1/handovers/{hid}/sign", json={"role": "incoming"})
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    assert incoming.get(f"/api/v1/handovers/{hid}").get_json()["incoming_signed_by"] == "officer-b"
    with runtime.sessions() as session:
        assert session.get(Shift, shifts["day"]).closed_at is not None
        last = session.scalars(select(DutyLogEntry).order_by(DutyLogEntry.id.desc()).limit(1)).one()
    assert last.kind == "handover" and last.data["new_owner"] == "officer-b"
    assert last.data["items"]["log_entries"] == [shifts["call"]]
    assert [e["kind"] for e in pushed] == ["handover", "handover"], "both signatures reach open pages live"

    after = outgoing.post(f"/api/v1/handovers/{hid}/notes", json={"notes": "late"})
    assert (after.status_code, after.get_json()["code"]) == (409, "draft_signed")
    assert outgoing.get("/api/v1/handovers/999").status_code == 404


def test_the_handover_and_log_pages_render_in_both_languages(client, shifts):
    page = client.get("/handover?lang=en")
    assert page.status_code == 200 and b"Sign as incoming officer" in page.data
    assert b"handover.js" in page.data
    log_page = client.get("/dutylog?lang=en")
    assert log_page.status_code == 200 and b"Record a phone call" in log_page.data
    assert client.get("/dutylog?lang=zh").status_code == 200
