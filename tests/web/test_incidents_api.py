"""The incidents API: filters, detail with events and timeline, operator changes with versions."""

from __future__ import annotations

import pytest

from tests.conftest import FEED, event_body, log_in


@pytest.fixture
def post_event(client, feed_token):
    def post(body):
        response = client.post(f"/api/v1/feeds/{FEED}/events", json=body,
                               headers={"Authorization": f"Bearer {feed_token}"})
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()
    return post


def change(client, incident_id, what, **body):
    return client.post(f"/api/v1/incidents/{incident_id}/{what}", json={"actor": "王值班", **body})


def operator(app, runtime, name):
    """Another duty officer's console, logged in as ``name``."""
    console = app.test_client()
    log_in(console, runtime, name, role="operator")
    return console


def test_an_operator_works_an_incident_through_its_life(client, post_event, app, runtime):
    log_in(client, runtime, "王值班", role="operator")
    live = app.extensions["socketio"].test_client(app, namespace="/live", flask_test_client=client)
    incident_id = post_event(event_body())["incident_id"]
    steps = [("acknowledge", "acknowledged"), ("respond", "responding"), ("resolve", "resolved"),
             ("close", "closed"), ("reopen", "new")]
    for version, (action, status) in enumerate(steps, start=1):
        response = change(client, incident_id, "actions", action=action, version=version)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["incident"]["properties"]["status"] == status
    pushed = [m["args"][0]["properties"]["status"] for m in live.get_received("/live") if m["name"] == "incident"]
    assert pushed[-5:] == [status for _, status in steps]  # every console saw every move
    timeline = client.get(f"/api/v1/incidents/{incident_id}").get_json()["timeline"]
    assert [(e["rule_id"], e["actor"]) for e in timeline] == [("FEED-OPEN", f"feed:{FEED}")] + [
        (rule, "王值班") for rule in ("NEW-ACK", "ACK-RESPOND", "RESPOND-RESOLVE", "RESOLVED-CLOSE", "CLOSED-REOPEN")]


def test_an_impossible_move_is_a_clear_error(client, post_event):
    incident_id = post_event(event_body())["incident_id"]
    response = change(client, incident_id, "actions", action="close", version=1)
    assert response.status_code == 422
    assert response.get_json() == {"error": "Cannot “Close” an incident that is “New”: only a resolved incident "
                                            "can be closed", "field": "action", "code": "invalid_transition",
                                   "status": "new", "action": "close", "status_name": "New", "action_name": "Close",
                                   "why": "only a resolved incident can be closed"}
    chinese = client.post(f"/api/v1/incidents/{incident_id}/actions?lang=zh",
                          json={"action": "close", "version": 1, "actor": "王值班"}).get_json()
    assert chinese["error"] == "无法对状态为“新接报”的事件执行“关闭”：只有已办结的事件可以关闭", "the reader's language"


def test_a_stale_write_gets_409_with_who_changed_it(client, post_event, app, runtime):
    incident_id = post_event(event_body())["incident_id"]
    wang, li = operator(app, runtime, "王值班"), operator(app, runtime, "李值班")
    assert change(wang, incident_id, "actions", action="acknowledge", version=1).status_code == 200
    stale = li.post(f"/api/v1/incidents/{incident_id}/actions", json={"action": "respond", "version": 1})
    assert stale.status_code == 409
    answer = stale.get_json()
    assert (answer["version"], answer["changed_by"]) == (2, "王值班")
    assert "王值班" in answer["error"]


def test_a_feed_update_also_makes_an_operator_version_stale(client, post_event):
    incident_id = post_event(event_body())["incident_id"]
    post_event(event_body(version="2", severity="extreme", msg_type="update", sent_at="2026-11-24T03:10:00+08:00"))
    stale = change(client, incident_id, "actions", action="acknowledge", version=1)
    assert stale.status_code == 409 and stale.get_json()["changed_by"] == f"feed:{FEED}"


def test_grade_is_proposed_from_severity_then_harm_and_set_only_with_a_reason(client, post_event):
    incident_id = post_event(event_body(severity="moderate"))["incident_id"]
    detail = client.get(f"/api/v1/incidents/{incident_id}").get_json()["incident"]["properties"]
    assert (detail["grade"], detail["grade_proposed"], detail["grade_reason"]) == (
        None, "III", "warning level Yellow")
    no_reason = change(client, incident_id, "harm", deaths=12, version=1)
    assert no_reason.status_code == 422 and no_reason.get_json()["field"] == "reason"
    harm = change(client, incident_id, "harm", deaths=12, serious_injuries=3, version=1,
                  reason="县应急局电话核实：12人死亡")
    assert harm.status_code == 200
    properties = harm.get_json()["incident"]["properties"]
    assert (properties["grade_proposed"], properties["deaths"]) == ("II", 12)
    assert properties["grade_reason"] == "harm: deaths 12 ≥ 10"
    graded = change(client, incident_id, "grade", grade="II", version=2, reason="按493号令确认重大事件")
    assert graded.status_code == 200 and graded.get_json()["incident"]["properties"]["grade"] == "II"
    timeline = client.get(f"/api/v1/incidents/{incident_id}").get_json()["timeline"]
    assert [(e["kind"], e["rule_id"], e["reason"]) for e in timeline[1:]] == [
        ("harm", "HARM-SET", "县应急局电话核实：12人死亡"), ("grade", "GRADE-CONFIRM", "按493号令确认重大事件")]
    bad = change(client, incident_id, "grade", grade="V", version=3, reason="x")
    assert bad.status_code == 422 and bad.get_json()["field"] == "grade"


def test_sensitive_flag_and_bad_requests(client, post_event):
    incident_id = post_event(event_body())["incident_id"]
    flagged = change(client, incident_id, "sensitive", sensitive=True, version=1)
    assert flagged.get_json()["incident"]["properties"]["sensitive"] is True
    assert change(client, 999, "sensitive", sensitive=True, version=1).status_code == 404
    assert client.post(f"/api/v1/incidents/{incident_id}/actions", data="x").status_code == 400
    missing = change(client, incident_id, "actions", action="acknowledge")
    assert missing.status_code == 400 and missing.get_json()["field"] == "version"
    negative = change(client, incident_id, "harm", deaths=-1, version=2, reason="x")
    assert negative.status_code == 422 and negative.get_json()["field"] == "deaths"


def test_the_list_filters_like_the_console(client, post_event):
    post_event(event_body("a", severity="extreme", headline="Dam seepage"))
    post_event(event_body("b", severity="minor", headline="Gale"))
    incident_c = post_event(event_body("c", severity="minor", headline="Fog"))["incident_id"]
    change(client, incident_c, "actions", action="resolve", version=1)

    def headlines(query):
        return sorted(f["properties"]["headline"] for f in client.get("/api/v1/incidents" + query).get_json()["features"])

    assert headlines("") == ["Dam seepage", "Gale"]
    assert headlines("?severity=extreme") == ["Dam seepage"]
    assert headlines("?status=resolved") == ["Fog"]
    assert headlines("?status=new,resolved&q=FO") == ["Fog"]  # text search ignores case
    assert headlines("?q=gale") == ["Gale"]
    assert headlines(f"?source={FEED}&since=2000-01-01T00:00:00Z") == ["Dam seepage", "Gale"]
    assert client.get("/api/v1/incidents?severity=red").status_code == 400
    assert client.get("/api/v1/incidents?since=yesterday").status_code == 400


def test_the_detail_has_every_event_in_order(client, post_event):
    incident_id = post_event(event_body())["incident_id"]
    post_event(event_body(version="2", msg_type="update", sent_at="2026-11-24T03:10:00+08:00"))
    detail = client.get(f"/api/v1/incidents/{incident_id}").get_json()
    assert [e["version"] for e in detail["events"]] == ["1", "2"]
    assert all(e["raw_ref"] == f"payload:{e['payload_id']}" for e in detail["events"])
    assert client.get("/api/v1/incidents/424242").status_code == 404


def test_being_edited_by_is_an_expiring_lease(client, post_event, app, runtime):
    incident_id = post_event(event_body())["incident_id"]
    wang, li = operator(app, runtime, "王值班"), operator(app, runtime, "李值班")
    live = app.extensions["socketio"].test_client(app, namespace="/live", flask_test_client=li)
    taken = wang.post(f"/api/v1/incidents/{incident_id}/lease", json={})
    assert taken.status_code == 200 and taken.get_json()["incident"]["properties"]["editing_by"] == "王值班"
    pushed = [m["args"][0] for m in live.get_received("/live") if m["name"] == "incident"]
    assert pushed[-1]["properties"]["editing_by"] == "王值班"  # every console shows "being edited by"
    other = li.post(f"/api/v1/incidents/{incident_id}/lease", json={"actor": "王值班"})  # naming him changes nothing
    assert other.status_code == 409 and other.get_json()["editing_by"] == "王值班"
    from datetime import timedelta
    from command.incident_actions import take_lease
    from command.models import utcnow
    with runtime.unit_of_work() as session:  # two minutes later the lease has lapsed
        _incident, held = take_lease(session, incident_id, "李值班", utcnow() + timedelta(seconds=121))
    assert held
    released = li.delete(f"/api/v1/incidents/{incident_id}/lease", json={})
    assert released.get_json()["incident"]["properties"]["editing_by"] is None


def test_a_note_goes_into_the_timeline(client, post_event, runtime):
    incident_id = post_event(event_body())["incident_id"]
    log_in(client, runtime, "王值班", role="operator")
    added = client.post(f"/api/v1/incidents/{incident_id}/notes",
                        json={"actor": "王值班", "text": "已电话通知区水务局，30分钟后回电"})
    assert added.status_code == 201
    entry = client.get(f"/api/v1/incidents/{incident_id}").get_json()["timeline"][-1]
    assert (entry["kind"], entry["actor"], entry["reason"]) == ("note", "王值班", "已电话通知区水务局，30分钟后回电")
    blank = client.post(f"/api/v1/incidents/{incident_id}/notes", json={"actor": "x", "text": " "})
    assert blank.status_code == 400 and blank.get_json()["field"] == "text"
    long = client.post(f"/api/v1/incidents/{incident_id}/notes", json={"actor": "x", "text": "长" * 4001})
    assert long.status_code == 422 and long.get_json()["field"] == "text"
