"""The duty log API: filters, pages, CSV export, phone calls, flags and corrections appended (never updated),
the chain check, and every committed entry pushed live."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from command import dutylog
from command.events import DutyLogAppended
from command.migrate import upgrade
from command.models import DutyLogEntry, Incident, Person, Shift, utcnow
from command.runtime import build_runtime
from command.unit_of_work import NoUnitOfWork
from tests.conftest import log_in
from web import create_app, dutylog_api

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
M = timedelta(minutes=1)


@pytest.fixture
def pushed(runtime):
    """DutyLogAppended events published by the runtime, in order."""
    events = []
    runtime.publisher.subscribe(lambda event: events.append(event) if isinstance(event, DutyLogAppended) else None)
    return events


@pytest.fixture
def log(runtime):
    """A small log over two shifts and two incidents; returns ids by name."""
    with runtime.unit_of_work() as session:
        day = Shift(starts_at=T0 - 3 * 60 * M, ends_at=T0 + 60 * M)
        night = Shift(starts_at=T0 + 60 * M, ends_at=T0 + 13 * 60 * M)
        flood = Incident(source="cad", external_id="f", headline="flood", received_at=T0, updated_at=T0)
        fire = Incident(source="cad", external_id="x", headline="fire", received_at=T0, updated_at=T0)
        session.add_all([day, night, flood, fire])
        session.flush()
        ids = {"day": day.id, "night": night.id, "flood": flood.id, "fire": fire.id}
        for name, kind, minute, fields in (
                ("call", "phone_call", 0, {"summary": "来电：秦淮河水位上涨 Qinhuai rising", "incident_id": flood.id}),
                ("note", "note", 10, {"summary": "巡堤完毕 100% done", "author": "wang"}),
                ("sms", "sms_sent", 20, {"summary": "短信已发 SMS sent", "incident_id": fire.id}),
                ("call2", "phone_call", 70, {"summary": "来电：消防车已出动"}),
                ("step", "escalation_step", 80, {"summary": "=cmd|' /C calc'!A0", "incident_id": fire.id}),
                ("note2", "note", 90, {"summary": "夜班开始"}),
                ("ack", "acknowledgement", 100, {"summary": "水利已确认"})):
            at = T0 + minute * M
            ids[name] = dutylog.append(session, kind=kind, author=fields.pop("author", "chen"), occurred_at=at,
                                       at=at, **fields).id
    return ids


def _ids(client, query="") -> list[int]:
    response = client.get(f"/api/v1/dutylog{query}")
    assert response.status_code == 200, response.get_json()
    return [entry["id"] for entry in response.get_json()["entries"]]


def test_filters_narrow_the_log_newest_first(client, log):
    assert _ids(client) == [log[n] for n in ("ack", "note2", "step", "call2", "sms", "note", "call")]
    assert _ids(client, "?kind=phone_call") == [log["call2"], log["call"]]
    assert _ids(client, "?kind=note,acknowledgement") == [log["ack"], log["note2"], log["note"]]
    assert _ids(client, f"?incident={log['fire']}") == [log["step"], log["sms"]]
    assert _ids(client, f"?shift={log['day']}") == [log["sms"], log["note"], log["call"]]
    assert _ids(client, "?q=秦淮河") == [log["call"]]
    assert _ids(client, "?q=qinhuai") == [log["call"]], "search ignores case"
    assert _ids(client, "?q=100%25") == [log["note"]], "a % is searched for, not a wildcard"
    assert _ids(client, "?author=wang") == [log["note"]]
    # Local times are the duty room's (11:00 Shanghai is 03:00 UTC); an offset is taken as given.
    assert _ids(client, "?since=2026-11-24T12:20&until=2026-11-24T12:40") == [log["note2"], log["step"]]
    assert _ids(client, "?since=2026-11-24T04:30:00Z") == [log["ack"], log["note2"]]
    assert _ids(client, "?until=2026-11-24") == []
    body = client.get(f"/api/v1/dutylog?shift={log['night']}").get_json()
    assert body["shift"]["id"] == log["night"]


@pytest.mark.parametrize("query, field, code", [
    ("?kind=phone_call,gossip", "kind", "bad_kind"), ("?limit=0", "limit", "bad_limit"),
    ("?limit=501", "limit", "bad_limit"), ("?before=x", "before", "bad_before"),
    ("?incident=-1", "incident", "bad_incident"),
    ("?since=tuesday", "since", "bad_time"), ("?significant=maybe", "significant", "bad_significant")])
def test_bad_filters_are_refused_with_their_field(client, query, field, code):
    response = client.get(f"/api/v1/dutylog{query}")
    assert response.status_code == 400
    assert (response.get_json()["field"], response.get_json()["code"]) == (field, code)
    if field not in ("limit", "before"):  # the export has no pages
        assert client.get(f"/api/v1/dutylog/export{query}").status_code == 400


def test_pages_follow_entry_numbers(client, log):
    first = client.get("/api/v1/dutylog?limit=3").get_json()
    assert [e["id"] for e in first["entries"]] == [7, 6, 5] and first["next_before"] == 5
    second = client.get("/api/v1/dutylog?limit=3&before=5").get_json()
    assert [e["id"] for e in second["entries"]] == [4, 3, 2] and second["next_before"] == 2
    last = client.get("/api/v1/dutylog?limit=3&before=2").get_json()
    assert [e["id"] for e in last["entries"]] == [1] and last["next_before"] is None
    assert _ids(client, "?kind=note&limit=1&before=6") == [log["note"]]


def _csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode("utf-8")), "a BOM, so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_the_csv_export_is_streamed_with_a_bom_in_entry_order(client, log, monkeypatch):
    monkeypatch.setattr(dutylog_api, "EXPORT_BATCH", 2)  # several read batches even for a small log
    response = client.get("/api/v1/dutylog/export?kind=phone_call,note,escalation_step&format=csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="dutylog-')
    rows = _csv(response)
    header = rows[0]
    assert header[:3] == ["Entry", "Occurred (Asia/Shanghai)", "Written (Asia/Shanghai)"]
    assert [int(row[0]) for row in rows[1:]] == [log[n] for n in ("call", "note", "call2", "step", "note2")]
    call = dict(zip(header, rows[1]))
    assert call["Occurred (Asia/Shanghai)"] == "2026-11-24 11:00:00"
    assert call["Summary"] == "来电：秦淮河水位上涨 Qinhuai rising" and call["Kind"] == "Phone call"
    assert call["Kind code"] == "phone_call" and call["Incident"] == str(log["flood"]) and call["Significant"] == "no"
    step = dict(zip(header, rows[4]))
    assert step["Summary"] == "'=cmd|' /C calc'!A0", "a formula-like text stays text in a spreadsheet"


def test_the_export_speaks_the_request_language_and_honours_every_filter(client, log):
    rows = _csv(client.get(f"/api/v1/dutylog/export?lang=zh&incident={log['fire']}&q=短信"))
    assert len(rows) == 2 and rows[1][0] == str(log["sms"])
    assert "短信已发" in rows[1][5]
    assert client.get("/api/v1/dutylog/export?format=xlsx").get_json()["code"] == "bad_format"


def _phone_call(**fields) -> dict:
    body = {"direction": "inbound", "unit": "栖霞区应急局", "name": "王强", "number": "025-8555 0000",
            "situation": "燕子矶附近江堤出现管涌", "recorded_by": "chen"}
    body.update(fields)
    return body


def test_a_phone_call_is_appended_and_pushed_after_commit(client, runtime, pushed):
    log_in(client, runtime, "chen", role="operator")  # chen takes the call and records it
    response = client.post("/api/v1/dutylog/phone-calls", json=_phone_call(occurred_at="2026-11-24T11:05"))
    assert response.status_code == 201
    entry = response.get_json()
    assert entry["kind"] == "phone_call" and entry["author"] == "chen"
    assert entry["occurred_at"] == "2026-11-24T03:05:00+00:00" and "燕子矶" in entry["summary"]
    assert entry["data"]["unit"] == "栖霞区应急局"
    assert [event.entry["id"] for event in pushed] == [entry["id"]]
    assert pushed[0].entry["summary"] == entry["summary"]
    assert _ids(client, "?kind=phone_call") == [entry["id"]]


def test_a_wrong_phone_call_names_every_field_and_writes_nothing(client, pushed):
    response = client.post("/api/v1/dutylog/phone-calls", json=_phone_call(number="", situation="", incident_id=99))
    assert response.status_code == 422
    body = response.get_json()
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("number", "required"), ("situation", "required"), ("incident_id", "no_such_incident")}
    assert body["field"] == "number" and body["code"] == "required"
    assert _ids(client) == [] and pushed == []
    assert client.post("/api/v1/dutylog/phone-calls", data="[1]", content_type="application/json").status_code == 400


def _row(runtime, entry_id) -> tuple:
    with runtime.sessions() as session:
        entry = session.get(DutyLogEntry, entry_id)
        return entry.summary, entry.significant, entry.hash


def test_flagging_appends_an_entry_and_never_updates_the_flagged_one(client, runtime, log, pushed):
    log_in(client, runtime, "wang", role="shift_leader")  # no roster: any shift leader flags
    before = _row(runtime, log["note"])
    flag = client.post(f"/api/v1/dutylog/{log['note']}/significant",
                       json={"significant": True, "reason": "堤防隐患", "actor": "wang"})
    assert flag.status_code == 201
    entry = flag.get_json()["entry"]
    assert entry["kind"] == "significant_flag" and entry["corrects_id"] == log["note"] and entry["author"] == "wang"
    assert _row(runtime, log["note"]) == before, "the flagged entry is untouched"
    assert [e.entry["id"] for e in pushed] == [entry["id"]]

    shown = client.get("/api/v1/dutylog?kind=note").get_json()["entries"]
    note = next(e for e in shown if e["id"] == log["note"])
    assert note["significant"] is True and note["flag"]["reason"] == "堤防隐患" and note["flag"]["author"] == "wang"
    assert _ids(client, "?significant=true") == [log["note"]]
    assert log["note"] not in _ids(client, "?significant=false")

    again = client.post(f"/api/v1/dutylog/{log['note']}/significant",
                        json={"significant": True, "reason": "again", "actor": "wang"})
    assert again.status_code == 200 and again.get_json()["entry"] is None, "already flagged: nothing appended"
    off = client.post(f"/api/v1/dutylog/{log['note']}/significant",
                      json={"significant": False, "reason": "已排除", "actor": "wang"})
    assert off.status_code == 201
    assert _ids(client, "?significant=true") == []
    rows = _csv(client.get("/api/v1/dutylog/export?kind=note"))
    assert [row[10] for row in rows[1:]] == ["no", "no"]
    with runtime.sessions() as session:
        assert dutylog.verify(session).ok


@pytest.mark.parametrize("body, status, code", [
    ({"significant": "yes", "reason": "r", "actor": "a"}, 422, "bad_significant"),
    ({"significant": True, "reason": " ", "actor": "a"}, 422, "reason_required")])
def test_a_flag_needs_a_value_and_a_reason(client, log, body, status, code):
    response = client.post(f"/api/v1/dutylog/{log['note']}/significant", json=body)
    assert (response.status_code, response.get_json()["code"]) == (status, code)


@pytest.mark.parametrize("named", [{"actor": "leader.wang"}, {"actor": ""}, {}])
def test_a_flag_is_signed_by_who_logged_in_whatever_the_body_names(client, runtime, log, named):
    log_in(client, runtime, "wang", role="shift_leader")
    flag = client.post(f"/api/v1/dutylog/{log['note']}/significant", json={"significant": True, "reason": "r", **named})
    assert flag.status_code == 201 and flag.get_json()["entry"]["author"] == "wang"
    assert _ids(client, "?author=wang&kind=significant_flag") == [flag.get_json()["entry"]["id"]]


def test_only_the_leader_on_duty_flags_when_the_roster_names_one(app, client, runtime, log):
    now = utcnow()
    with runtime.unit_of_work() as session:
        leader = Person(username="leader.wang", display_name="王组长", role="leader")
        session.add(leader)
        session.flush()
        session.add(Shift(starts_at=now - 60 * M, ends_at=now + 60 * M, leader_id=leader.id))
    log_in(client, runtime, "chen", role="shift_leader")  # a shift leader, but not the one the roster names
    refused = client.post(f"/api/v1/dutylog/{log['note']}/significant",
                          json={"significant": True, "reason": "r", "actor": "leader.wang"})
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "not_shift_leader" and refused.get_json()["expected"] == "leader.wang"
    missing = client.post("/api/v1/dutylog/999/significant", json={"significant": True, "reason": "r"})
    assert missing.status_code == 404
    on_duty = app.test_client()
    log_in(on_duty, runtime, "leader.wang")  # the leader on duty (带班领导) the roster names
    flagged = on_duty.post(f"/api/v1/dutylog/{log['note']}/significant", json={"significant": True, "reason": "r"})
    assert flagged.status_code == 201, flagged.get_json()
    assert flagged.get_json()["entry"]["author"] == "leader.wang"


def test_a_correction_is_a_new_entry_shown_with_the_one_it_corrects(client, runtime, log):
    before = _row(runtime, log["call"])
    response = client.post(f"/api/v1/dutylog/{log['call']}/corrections",
                           json={"summary": "来电：秦淮河水位回落", "actor": "chen"})
    assert response.status_code == 201
    correction = response.get_json()
    assert correction["kind"] == "correction" and correction["corrects_id"] == log["call"]
    assert correction["data"]["previous_summary"] == "来电：秦淮河水位上涨 Qinhuai rising"
    assert _row(runtime, log["call"]) == before
    call = next(e for e in client.get("/api/v1/dutylog").get_json()["entries"] if e["id"] == log["call"])
    assert [c["id"] for c in call["corrections"]] == [correction["id"]]
    assert call["corrections"][0]["summary"] == "来电：秦淮河水位回落"
    assert client.post("/api/v1/dutylog/999/corrections", json={"summary": "x", "actor": "a"}).status_code == 404
    assert client.post(f"/api/v1/dutylog/{log['call']}/corrections",
                       json={"summary": "", "actor": "a"}).get_json()["code"] == "summary_required"


def test_verify_names_the_first_entry_edited_behind_the_applications_back(client, runtime, log):
    intact = client.get("/api/v1/dutylog/verify").get_json()
    assert (intact["ok"], intact["checked"], intact["first_broken_id"]) == (True, 7, None)
    connection = sqlite3.connect(make_url(str(runtime.engine.url)).database)
    with connection:
        connection.execute("DROP TRIGGER duty_log_no_update")
        connection.execute("UPDATE duty_log SET summary = '巡堤未完成' WHERE id = ?", (log["note"],))
    connection.close()
    body = client.get("/api/v1/dutylog/verify").get_json()
    assert body["ok"] is False and body["first_broken_id"] == log["note"] and body["checked"] == log["note"] - 1
    assert "hash" in body["reason"]


def test_entries_written_by_the_core_are_pushed_once_after_commit_and_never_when_rolled_back(runtime, pushed):
    create_app(runtime=runtime)
    create_app(runtime=runtime)  # a second app on the same runtime must not push twice
    with runtime.unit_of_work() as session:
        dutylog.append(session, kind="escalation_step", summary="一步", author="escalation", at=T0)
        dutylog.append(session, kind="sms_sent", summary="二步", author="sms", at=T0)
        assert pushed == [], "nothing is pushed before the commit"
    assert [e.entry["summary"] for e in pushed] == ["一步", "二步"]
    with pytest.raises(RuntimeError), runtime.unit_of_work() as session:
        dutylog.append(session, kind="note", summary="rolled back", author="x", at=T0)
        raise RuntimeError("the transaction fails")
    with pytest.raises(NoUnitOfWork), runtime.sessions.begin() as session:  # there is no other way to write
        dutylog.append(session, kind="note", summary="outside a unit of work", author="x", at=T0)
    assert len(pushed) == 2
    with runtime.sessions() as session:
        assert session.scalars(select(DutyLogEntry.summary)).all() == ["一步", "二步"]


@pytest.mark.postgres
def test_the_significant_filter_on_postgresql(pg_url):
    runtime = build_runtime({"DATABASE_URL": pg_url, "SECRET_KEY": "test"})
    upgrade(runtime.engine)
    try:
        client = create_app(runtime=runtime).test_client()
        log_in(client, runtime)
        with runtime.unit_of_work() as session:
            ids = [dutylog.append(session, kind="note", summary=f"n{n}", author="a", at=T0 + n * M).id
                   for n in range(3)]
            dutylog.append(session, kind="note", summary="born", author="a", at=T0 + 5 * M, significant=True)
        for entry_id, value in ((ids[0], True), (ids[1], True), (ids[1], False)):
            assert client.post(f"/api/v1/dutylog/{entry_id}/significant",
                               json={"significant": value, "reason": "r", "actor": "a"}).status_code == 201
        assert _ids(client, "?significant=true&kind=note") == [4, ids[0]]
        assert _ids(client, "?significant=false&kind=note") == [ids[2], ids[1]]
        rows = _csv(client.get("/api/v1/dutylog/export?significant=true&q=n0"))
        assert [row[0] for row in rows[1:]] == [str(ids[0])]
    finally:
        runtime.engine.dispose()
