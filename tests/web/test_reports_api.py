"""The reporting API: an incident's series and obligations, filing with clear refusals, what is due, the month."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from command import reporting
from command.models import Department, Incident, utcnow
from tests.conftest import log_in

FIRST = {"time": "03:00", "place": "秦淮河武定门闸", "source": "110 报警", "nature": "堤防管涌"}


def _incident(runtime, received_ago: timedelta, departments=None, external_id="levee-1") -> int:
    received = utcnow() - received_ago
    with runtime.unit_of_work() as session:
        incident = Incident(source="police-110", external_id=external_id, headline="秦淮河堤防管涌",
                            received_at=received, updated_at=received, departments=departments)
        session.add(incident)
        session.flush()
        return incident.id


def _grade(client, incident_id, grade="II"):
    version = client.get(f"/api/v1/incidents/{incident_id}").get_json()["incident"]["properties"]["version"]
    response = client.post(f"/api/v1/incidents/{incident_id}/grade",
                           json={"grade": grade, "version": version, "actor": "chen", "reason": "confirmed"})
    assert response.status_code == 200, response.get_json()


def _post(client, incident_id, **body):
    return client.post(f"/api/v1/incidents/{incident_id}/reports",
                       json={"kind": "first", "channel": "phone", "fields": FIRST, "actor": "chen"} | body)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_grading_an_incident_ii_shows_its_deadlines_from_receipt(client, runtime):
    incident = _incident(runtime, timedelta(minutes=10))
    _grade(client, incident)
    body = client.get(f"/api/v1/incidents/{incident}/reports").get_json()
    assert body["reports"] == [] and body["next_kinds"] == ["first"]
    owed = [(o["channel"], o["status"], o["base_clock"]) for o in body["obligations"]]
    assert owed == [("phone", "open", "received_at"), ("written", "open", "received_at")]
    phone, written = body["obligations"]
    assert _time(phone["due_at"]) - _time(phone["base_at"]) == timedelta(minutes=30)
    assert _time(written["due_at"]) - _time(written["base_at"]) == timedelta(hours=1)


def test_filing_discharges_the_obligations_and_a_late_one_says_by_how_much(client, runtime):
    incident = _incident(runtime, timedelta(minutes=45))
    _grade(client, incident)
    response = _post(client, incident, to_verify=["casualties"])
    assert response.status_code == 201
    body = response.get_json()
    assert body["report"]["label_zh"] == "首报" and body["report"]["to_verify"] == ["casualties"]
    [phone] = body["discharged"]
    assert phone["status"] == "late" and 15 <= phone["late_minutes"] <= 17
    series = client.get(f"/api/v1/incidents/{incident}/reports").get_json()
    assert [o["status"] for o in series["obligations"]] == ["late", "open"]
    assert series["next_kinds"] == ["follow_up", "final"]
    follow_up = _post(client, incident, kind="follow_up", channel="written", fields={"progress": "管涌已封堵"})
    assert follow_up.get_json()["report"]["label_zh"] == "续报 1"
    assert [o["status"] for o in client.get(f"/api/v1/incidents/{incident}/reports").get_json()["obligations"]] \
        == ["late", "filed"]


@pytest.mark.parametrize("body, field, code", [
    ({"kind": "follow_up", "fields": {"progress": "抢险中"}}, "kind", "first_missing"),
    ({"fields": {"time": "03:00", "source": "110", "nature": "管涌"}}, "fields.place", "field_required"),
    ({"to_verify": ["place"]}, "fields.place", "field_required"),
    ({"channel": "fax"}, "channel", "bad_channel"),
])
def test_a_report_breaking_a_rule_gets_422_with_its_field_and_code(client, runtime, body, field, code):
    incident = _incident(runtime, timedelta(minutes=5))
    response = _post(client, incident, **body)
    assert response.status_code == 422
    answer = response.get_json()
    assert (answer["field"], answer["code"]) == (field, code) and answer["error"]
    assert client.get(f"/api/v1/incidents/{incident}/reports").get_json()["reports"] == []


def test_nothing_is_filed_after_the_final(client, runtime):
    incident = _incident(runtime, timedelta(minutes=5))
    assert _post(client, incident).status_code == 201
    final = {"casualties": "无", "losses": "农田受淹 30 亩", "measures": "封堵", "contact": "刘洋 13800000001"}
    assert _post(client, incident, kind="final", channel="written", fields=final).status_code == 201
    refused = _post(client, incident, kind="follow_up", fields={"progress": "again"})
    assert refused.status_code == 422 and refused.get_json()["code"] == "series_closed"


@pytest.mark.parametrize("body, field", [({"kind": None}, "kind"), ({"fields": "time"}, "fields")])
def test_a_malformed_body_is_a_400(client, runtime, body, field):
    incident = _incident(runtime, timedelta(minutes=5))
    response = _post(client, incident, **body)
    assert response.status_code == 400 and response.get_json()["field"] == field


@pytest.mark.parametrize("named", [{"actor": "zhao.min"}, {"actor": ""}])
def test_a_report_is_filed_by_who_logged_in_whatever_the_body_names(client, runtime, named):
    log_in(client, runtime, "chen", role="operator")
    incident = _incident(runtime, timedelta(minutes=5))
    response = _post(client, incident, **named)
    assert response.status_code == 201 and response.get_json()["report"]["filed_by"] == "chen"
    [report] = client.get(f"/api/v1/incidents/{incident}/reports").get_json()["reports"]
    assert report["filed_by"] == "chen"
    logged = client.get(f"/api/v1/dutylog?kind=report_filed&incident={incident}").get_json()["entries"]
    assert [entry["author"] for entry in logged] == ["chen"]


def test_an_unknown_incident_is_a_404(client):
    assert client.get("/api/v1/incidents/999/reports").status_code == 404
    assert _post(client, 999).status_code == 404


def test_due_lists_open_obligations_soonest_first(client, runtime):
    recent = _incident(runtime, timedelta(minutes=5), external_id="recent")
    older = _incident(runtime, timedelta(minutes=40), external_id="older")
    for incident in (recent, older):
        _grade(client, incident)
    owed = client.get("/api/v1/reports/due").get_json()["obligations"]
    # older: phone due 10 minutes ago, written in 20; recent: phone in 25, written in 55
    assert [(o["incident_id"], o["channel"], o["overdue"]) for o in owed] == [
        (older, "phone", True), (older, "written", False), (recent, "phone", False), (recent, "written", False)]
    assert owed[0]["headline"] == "秦淮河堤防管涌" and owed[0]["grade"] == "II"
    with runtime.unit_of_work() as session:
        reporting.check_due(session, utcnow())
    assert [(o["incident_id"], o["channel"]) for o in client.get("/api/v1/reports/due").get_json()["obligations"]] \
        == [(older, "written"), (recent, "phone"), (recent, "written")]
    missed = client.get("/api/v1/reports/due?status=missed").get_json()["obligations"]
    assert [(o["incident_id"], o["status"]) for o in missed] == [(older, "missed")]
    assert client.get("/api/v1/reports/due?status=filed").status_code == 400


def test_the_monthly_report_counts_per_department(client, runtime):
    beijing = ZoneInfo("Asia/Shanghai")
    received = datetime(2026, 11, 24, 3, 0, tzinfo=beijing)
    with runtime.unit_of_work() as session:
        session.add(Department(code="water", name_en="Water resources", name_zh="水利"))
        for external_id, departments in (("water", ["water"]), ("nobody", None)):
            incident = Incident(source="police-110", external_id=external_id, headline="秦淮河堤防管涌",
                                received_at=received, updated_at=received, departments=departments)
            session.add(incident)
            session.flush()
            reporting.obligations_for(session, incident, "grade:II", received + timedelta(minutes=5))
            if departments:
                reporting.file_report(session, incident.id, "first", "phone", FIRST, None, "chen",
                                      received + timedelta(minutes=42))
        reporting.check_due(session, received + timedelta(hours=2))
    body = client.get("/api/v1/reports/monthly?month=2026-11").get_json()
    assert body["month"] == "2026-11" and body["time_zone"] == runtime.settings["TIME_ZONE"]
    assert [(d["department"], d["name_zh"], d["obligations"], d["on_time"], d["late"], d["missed"])
            for d in body["departments"]] == [("water", "水利", 2, 0, 1, 1), ("none", None, 2, 0, 0, 2)]
    assert body["total"]["late_minutes"] == 12
    assert client.get("/api/v1/reports/monthly?month=2026-10").get_json()["departments"] == []
    for bad in ("2026-13", "November", ""):
        response = client.get(f"/api/v1/reports/monthly?month={bad}")
        assert response.status_code == 400 and response.get_json()["code"] == "bad_month"


def test_a_deployment_chooses_its_reporting_profile_by_setting(sqlite_url, tmp_path):
    from command.migrate import upgrade
    from command.runtime import build_runtime
    from command.settings import SettingsError
    from web import create_app

    runtime = build_runtime({"DATABASE_URL": sqlite_url, "SECRET_KEY": "test", "REPORTING_PROFILE": "safety-production"})
    upgrade(runtime.engine)
    client = create_app(runtime=runtime).test_client()
    log_in(client, runtime)
    incident = _incident(runtime, timedelta(minutes=5))
    with runtime.unit_of_work() as session:
        session.get(Incident, incident).occurred_at = utcnow() - timedelta(minutes=50)
    _grade(client, incident, "III")  # the default profile owes nothing for grade III; this one does
    owed = client.get(f"/api/v1/incidents/{incident}/reports").get_json()["obligations"]
    assert [(o["channel"], o["base_clock"]) for o in owed] == [("phone", "occurred_at"), ("written", "occurred_at")]
    assert _time(owed[0]["due_at"]) - _time(owed[0]["base_at"]) == timedelta(minutes=60), "due from the accident"
    runtime.engine.dispose()

    with pytest.raises(SettingsError, match="no reporting profile 'provincial'"):
        build_runtime({"DATABASE_URL": sqlite_url, "REPORTING_PROFILE": "provincial"})
    with pytest.raises(SettingsError, match="REPORTING_PROFILES_FILE"):
        build_runtime({"DATABASE_URL": sqlite_url, "REPORTING_PROFILES_FILE": str(tmp_path / "missing.yaml")})
