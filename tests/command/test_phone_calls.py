"""Phone-call records: a valid call is one chained ``phone_call`` entry; a wrong one names every wrong field."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from command import dutylog, phone_calls
from command.i18n import render
from command.models import DutyLogEntry, Incident, Person, Shift
from command.phone_calls import PhoneCallInvalid

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # 11:30 in Shanghai
ZONE = "Asia/Shanghai"


def _call(**fields) -> dict:
    form = {"direction": "inbound", "occurred_at": "2026-11-24T11:05", "unit": "秦淮区水务局", "name": "李明",
            "post": "值班科长", "number": "+86 25 8468 0000", "place": "秦淮河武定门闸",
            "situation": "武定门闸水位 9.8 米，超警戒 0.3 米", "trend": "仍在上涨",
            "already_told": "区防汛办", "recorded_by": "chen.jing"}
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


def _codes(excinfo) -> dict[str, str]:
    return {problem.field: problem.code for problem in excinfo.value.problems}


def _entries(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(DutyLogEntry))


def test_an_inbound_call_is_one_chained_log_entry_with_the_form_in_its_data(runtime):
    with runtime.unit_of_work() as session:
        officer = Person(username="chen.jing", display_name="陈静", role="operator")
        session.add(officer)
        session.flush()
        shift = Shift(starts_at=T0 - timedelta(hours=3), ends_at=T0 + timedelta(hours=9), duty_officer_id=officer.id)
        session.add(shift)
        session.flush()
        entry = phone_calls.record(session, _call(), time_zone=ZONE, at=T0)
        entry_id, shift_id = entry.id, shift.id

    with runtime.sessions() as session:
        entry = session.get(DutyLogEntry, entry_id)
        assert entry.kind == "phone_call" and entry.author == "chen.jing"
        assert entry.occurred_at == datetime(2026, 11, 24, 3, 5, tzinfo=UTC), "11:05 is read in the duty room's zone"
        assert entry.written_at == T0 and entry.shift_id == shift_id
        for text in ("来电", "Inbound call", "秦淮区水务局", "李明", "值班科长", "+86 25 8468 0000", "武定门闸水位"):
            assert text in entry.summary
        assert entry.data["unit"] == "秦淮区水务局" and entry.data["already_told"] == "区防汛办"
        assert entry.data["trend"] == "仍在上涨" and entry.data["direction"] == "inbound"
        assert entry.data["occurred_at"] == "2026-11-24T03:05:00+00:00"
        assert dutylog.verify(session).ok


def test_every_wrong_field_is_named_at_once_and_nothing_is_written(runtime):
    bad = _call(direction="sideways", unit="  ", situation="水" * 4001, recorded_by=None, incident_id="twelve",
                occurred_at="yesterday", colour="red")
    with runtime.unit_of_work() as session, pytest.raises(PhoneCallInvalid) as excinfo:
        phone_calls.record(session, bad, time_zone=ZONE, at=T0)
    assert _codes(excinfo) == {"direction": "bad_direction", "occurred_at": "bad_time", "unit": "required",
                               "situation": "too_long", "recorded_by": "required", "incident_id": "bad_incident",
                               "colour": "unknown_field"}
    too_long = next(p for p in excinfo.value.problems if p.field == "situation")
    assert too_long.limit == 4000 and too_long.as_dict()["limit"] == 4000
    assert [p.field for p in excinfo.value.problems][:3] == ["direction", "occurred_at", "unit"], "in form order"
    assert _entries(runtime) == 0


def test_an_inbound_call_needs_a_number_an_outbound_one_does_not():
    with pytest.raises(PhoneCallInvalid) as excinfo:
        phone_calls.validate(_call(number=""), time_zone=ZONE, now=T0)
    assert _codes(excinfo) == {"number": "required"}
    call = phone_calls.validate(_call(direction="outbound", number=None), time_zone=ZONE, now=T0)
    assert call["number"] is None
    assert render(phone_calls.line(call), "zh").startswith("去电") and render(phone_calls.line(call)).startswith(
        "Outbound call")


@pytest.mark.parametrize("number", ["110", "+86 25 8468 0000", "(025) 8468-0000 转 8012", "025-84680000 ext 12",
                                    "*99#", "13800138000,,1234"])
def test_any_dialable_number_is_taken(number):
    assert phone_calls.validate(_call(number=number), time_zone=ZONE, now=T0)["number"] == number


@pytest.mark.parametrize("number", ["abc", "---", "+86 25 <script>", "1" * 33])
def test_what_cannot_be_dialled_is_refused(number):
    with pytest.raises(PhoneCallInvalid) as excinfo:
        phone_calls.validate(_call(number=number), time_zone=ZONE, now=T0)
    assert _codes(excinfo) == {"number": "too_long" if len(number) > 32 else "bad_number"}


def test_times_with_an_offset_are_kept_and_a_call_from_the_future_is_refused():
    call = phone_calls.validate(_call(occurred_at="2026-11-24T03:10:00Z"), time_zone=ZONE, now=T0)
    assert call["occurred_at"] == datetime(2026, 11, 24, 3, 10, tzinfo=UTC)
    assert phone_calls.validate(_call(occurred_at=None), time_zone=ZONE, now=T0)["occurred_at"] == T0
    with pytest.raises(PhoneCallInvalid) as excinfo:
        phone_calls.validate(_call(occurred_at="2026-11-24T12:00"), time_zone=ZONE, now=T0)  # 04:00 UTC, 30 min ahead
    assert _codes(excinfo) == {"occurred_at": "in_future"}


def test_the_incident_must_exist(runtime):
    with runtime.unit_of_work() as session:
        incident = Incident(source="cad", external_id="c-1", headline="Flooded underpass", received_at=T0,
                            updated_at=T0)
        session.add(incident)
        session.flush()
        entry = phone_calls.record(session, _call(incident_id=str(incident.id)), time_zone=ZONE, at=T0)
        assert entry.incident_id == incident.id
        with pytest.raises(PhoneCallInvalid) as excinfo:
            phone_calls.record(session, _call(incident_id=incident.id + 1), time_zone=ZONE, at=T0)
        assert _codes(excinfo) == {"incident_id": "no_such_incident"}


def test_one_line_fields_are_folded_multi_line_ones_kept_and_control_characters_refused():
    call = phone_calls.validate(_call(unit="秦淮区\n水务局", situation="第一行\r\n第二行"), time_zone=ZONE, now=T0)
    assert call["unit"] == "秦淮区 水务局" and call["situation"] == "第一行\n第二行"
    with pytest.raises(PhoneCallInvalid) as excinfo:
        phone_calls.validate(_call(situation="bell\x07"), time_zone=ZONE, now=T0)
    assert _codes(excinfo) == {"situation": "bad_characters"}
    with pytest.raises(PhoneCallInvalid) as excinfo:
        phone_calls.validate(["not", "a", "form"], time_zone=ZONE, now=T0)
    assert _codes(excinfo) == {"": "not_an_object"}
