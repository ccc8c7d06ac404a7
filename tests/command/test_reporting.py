"""Reporting obligations (信息报送): deadlines from the profile, the report series, late and missed, the month."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from command import dutylog, reporting
from command.errors import DomainError
from command.incidents import IncidentNotFound
from command.incident_actions import set_grade, set_sensitive
from command.models import Department, DutyLogEntry, Incident, ReportObligation

BEIJING = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 24, 3, 0, tzinfo=BEIJING)  # received at 03:00 Beijing time (19:00 UTC the day before)
FIRST = {"time": "2026-11-24 02:40", "place": "秦淮河武定门闸", "source": "110 报警", "nature": "堤防管涌"}
FINAL = {"casualties": "无人员伤亡", "losses": "农田受淹 30 亩", "measures": "抢险队封堵管涌", "contact": "刘洋 13800000001"}


def _incident(runtime, received_at=T0, occurred_at=None, departments=None, cap_status="actual",
              external_id="levee-1") -> int:
    with runtime.unit_of_work() as session:
        incident = Incident(source="police-110", external_id=external_id, headline="秦淮河堤防管涌",
                            received_at=received_at, occurred_at=occurred_at, updated_at=received_at,
                            departments=departments, cap_status=cap_status)
        session.add(incident)
        session.flush()
        return incident.id


def _grade(runtime, incident_id, grade, at, actor="chen"):
    with runtime.unit_of_work() as session:
        version = session.get(Incident, incident_id).version
        set_grade(session, incident_id, grade, actor, version, at, reason="harm figures confirmed")


def _obligations(runtime, incident_id) -> list[ReportObligation]:
    with runtime.sessions() as session:
        return list(session.scalars(select(ReportObligation).where(ReportObligation.incident_id == incident_id)
                                    .order_by(ReportObligation.due_at, ReportObligation.id)))


def _due(runtime, incident_id) -> list[tuple[str, str, datetime, str]]:
    return [(o.trigger, o.channel, o.due_at.astimezone(BEIJING), o.status) for o in _obligations(runtime, incident_id)]


def _file(runtime, incident_id, kind, channel="phone", fields=None, to_verify=None, at=T0, actor="chen"):
    with runtime.unit_of_work() as session:
        return reporting.file_report(session, incident_id, kind, channel, FIRST if fields is None else fields,
                                     to_verify, actor, at)


def _log(runtime, kind=None) -> list[DutyLogEntry]:
    with runtime.sessions() as session:
        query = select(DutyLogEntry).order_by(DutyLogEntry.id)
        return list(session.scalars(query.where(DutyLogEntry.kind == kind) if kind else query))


def _at(hour, minute, second=0) -> datetime:
    return T0.replace(hour=hour, minute=minute, second=second)


# ---- obligations from grades and flags --------------------------------------------------------

def test_a_grade_ii_incident_received_at_0300_owes_a_phone_report_by_0330_and_a_written_one_by_0400(runtime):
    incident = _incident(runtime, occurred_at=_at(2, 40))  # the default profile counts from receipt (接报)
    _grade(runtime, incident, "II", _at(3, 10))
    assert _due(runtime, incident) == [("grade:II", "phone", _at(3, 30), "open"),
                                       ("grade:II", "written", _at(4, 0), "open")]
    assert {o.base_clock for o in _obligations(runtime, incident)} == {"received_at"}
    [entry] = _log(runtime, "incident_graded")
    assert entry.author == "chen" and entry.incident_id == incident
    assert "定为 II 级" in entry.summary and "phone report within 30 min of receipt" in entry.summary


@pytest.mark.parametrize("grade", ["III", "IV"])
def test_grades_iii_and_iv_owe_nothing_under_the_default_profile(runtime, grade):
    incident = _incident(runtime)
    _grade(runtime, incident, grade, _at(3, 10))
    assert _obligations(runtime, incident) == []
    assert _log(runtime) == []


def test_an_upgrade_adds_obligations_due_from_the_upgrade(runtime):
    incident = _incident(runtime)
    _grade(runtime, incident, "III", _at(3, 10))
    _grade(runtime, incident, "I", _at(5, 0))
    assert _due(runtime, incident) == [("grade:I", "phone", _at(5, 30), "open"),
                                       ("grade:I", "written", _at(6, 0), "open")]
    assert {o.base_clock for o in _obligations(runtime, incident)} == {"triggered_at"}
    assert "升级为 I 级" in _log(runtime, "incident_graded")[0].summary


def test_an_upgrade_from_ii_to_i_keeps_the_first_obligations_and_adds_new_ones(runtime):
    incident = _incident(runtime)
    _grade(runtime, incident, "II", _at(3, 5))
    _grade(runtime, incident, "I", _at(3, 20))
    assert _due(runtime, incident) == [("grade:II", "phone", _at(3, 30), "open"),
                                       ("grade:I", "phone", _at(3, 50), "open"),
                                       ("grade:II", "written", _at(4, 0), "open"),
                                       ("grade:I", "written", _at(4, 20), "open")]


def test_a_downgrade_cancels_none_and_adds_none(runtime):
    incident = _incident(runtime)
    _grade(runtime, incident, "I", _at(3, 5))
    _grade(runtime, incident, "II", _at(3, 10))  # grade II's own deadlines would be owed already: not added
    _grade(runtime, incident, "IV", _at(3, 15))
    assert _due(runtime, incident) == [("grade:I", "phone", _at(3, 30), "open"),
                                       ("grade:I", "written", _at(4, 0), "open")]
    _grade(runtime, incident, "I", _at(3, 20))  # back up to I: already owed, nothing twice
    assert len(_obligations(runtime, incident)) == 2
    assert len(_log(runtime, "incident_graded")) == 1


def test_flagging_sensitive_owes_a_phone_report_within_30_minutes_of_the_flag_once(runtime):
    incident = _incident(runtime)
    for sensitive, minute in ((True, 20), (False, 25), (True, 40)):
        with runtime.unit_of_work() as session:
            version = session.get(Incident, incident).version
            set_sensitive(session, incident, sensitive, "chen", version, _at(3, minute))
    assert _due(runtime, incident) == [("sensitive", "phone", _at(3, 50), "open")]
    [entry] = _log(runtime, "incident_updated")
    assert "标记为敏感事件" in entry.summary


def test_a_drill_owes_no_reports(runtime):
    incident = _incident(runtime, cap_status="exercise")
    _grade(runtime, incident, "I", _at(3, 10))
    assert _obligations(runtime, incident) == []


def test_another_jurisdiction_counts_from_the_occurrence_and_keeps_its_clock_on_upgrade(runtime):
    occurred = _incident(runtime, occurred_at=_at(2, 40), external_id="mine-1")
    unknown = _incident(runtime, external_id="mine-2")  # no occurrence time: from receipt
    with runtime.unit_of_work() as session:
        for incident_id in (occurred, unknown):
            reporting.obligations_for(session, session.get(Incident, incident_id), "grade:III", _at(3, 10),
                                      "safety-production")
        reporting.obligations_for(session, session.get(Incident, occurred), "grade:I", _at(5, 0),
                                  "safety-production", previous_grade="III")
    assert [(o.trigger, o.channel, o.base_clock, o.due_at.astimezone(BEIJING))
            for o in _obligations(runtime, occurred)] == [
        ("grade:III", "phone", "occurred_at", _at(3, 40)), ("grade:I", "phone", "occurred_at", _at(3, 40)),
        ("grade:III", "written", "occurred_at", _at(4, 40)), ("grade:I", "written", "occurred_at", _at(4, 40))]
    assert [(o.base_clock, o.due_at.astimezone(BEIJING)) for o in _obligations(runtime, unknown)] == [
        ("received_at", _at(4, 0)), ("received_at", _at(5, 0))]


def test_a_report_made_before_the_grade_was_confirmed_counts(runtime):
    incident = _incident(runtime)
    _file(runtime, incident, "first", "phone", at=_at(3, 12))
    _file(runtime, incident, "follow_up", "written", {"progress": "管涌已封堵"}, at=_at(4, 25))
    _grade(runtime, incident, "II", _at(4, 30))
    assert [(o.channel, o.status, o.late_minutes) for o in _obligations(runtime, incident)] == [
        ("phone", "filed", None), ("written", "late", 25)]
    [late] = _log(runtime, "report_late")
    assert "迟报 25 分钟" in late.summary


# ---- the series -------------------------------------------------------------------------------

def _refused(runtime, incident, kind, fields=None, to_verify=None) -> DomainError:
    with pytest.raises(DomainError) as refused:
        _file(runtime, incident, kind, fields=fields, to_verify=to_verify)
    return refused.value


def test_a_follow_up_or_a_final_cannot_precede_the_first(runtime):
    incident = _incident(runtime)
    for kind, fields in (("follow_up", {"progress": "抢险中"}), ("final", FINAL)):
        error = _refused(runtime, incident, kind, fields)
        assert (error.field, error.code) == ("kind", "first_missing")


@pytest.mark.parametrize("name", reporting.FIRST_REQUIRED)
def test_the_first_report_needs_time_place_source_and_nature(runtime, name):
    incident = _incident(runtime)
    without = {k: v for k, v in FIRST.items() if k != name}
    error = _refused(runtime, incident, "first", without)
    assert (error.field, error.code) == (f"fields.{name}", "field_required")
    error = _refused(runtime, incident, "first", FIRST, to_verify=[name])  # the four cannot be left 待核实
    assert (error.field, error.code) == (f"fields.{name}", "field_required")
    error = _refused(runtime, incident, "first", dict(FIRST, **{name: "待核实"}))
    assert (error.field, error.code) == (f"fields.{name}", "field_required")


def test_the_first_report_may_leave_other_fields_to_be_verified(runtime):
    incident = _incident(runtime)
    filed = _file(runtime, incident, "first", fields=dict(FIRST, losses="待核实"), to_verify=["casualties"])
    assert filed.report.to_verify == ["casualties", "losses"]
    assert "losses" not in filed.report.fields
    [entry] = _log(runtime, "report_filed")
    assert "首报（电话报告）已报送；待核实：伤亡情况，损失情况" in entry.summary
    assert "First report filed (phone report); to be verified: Casualties, Losses" in entry.summary


def test_follow_ups_are_numbered_and_nothing_comes_after_the_final(runtime):
    incident = _incident(runtime)
    _file(runtime, incident, "first")
    assert (_refused(runtime, incident, "first").code) == "first_exists"
    numbers = [_file(runtime, incident, "follow_up", fields={"progress": f"第 {n} 次"}).report.number
               for n in (1, 2, 3)]
    assert numbers == [1, 2, 3]
    assert _refused(runtime, incident, "follow_up", {}).code == "fields_empty"
    for name in reporting.FINAL_REQUIRED:
        error = _refused(runtime, incident, "final", {k: v for k, v in FINAL.items() if k != name})
        assert (error.field, error.code) == (f"fields.{name}", "field_required")
    assert _refused(runtime, incident, "final", FINAL, to_verify=["cause"]).code == "final_unverified"
    _file(runtime, incident, "final", "written", FINAL)
    for kind, fields in (("follow_up", {"progress": "again"}), ("final", FINAL), ("first", FIRST)):
        error = _refused(runtime, incident, kind, fields)
        assert (error.field, error.code) == ("kind", "series_closed")
    with runtime.sessions() as session:
        body = reporting.series(session, incident)
    assert [(r["label_zh"], r["label_en"]) for r in body["reports"]] == [
        ("首报", "First report"), ("续报 1", "Follow-up 1"), ("续报 2", "Follow-up 2"), ("续报 3", "Follow-up 3"),
        ("终报", "Final report")]
    assert body["next_kinds"] == []


@pytest.mark.parametrize("kwargs, field, code", [
    ({"kind": "second"}, "kind", "bad_kind"),
    ({"channel": "fax"}, "channel", "bad_channel"),
    ({"fields": ["time"]}, "fields", "bad_fields"),
    ({"fields": dict(FIRST, **{"Bad Name": "x"})}, "fields", "bad_field_name"),
    ({"fields": dict(FIRST, place={"lat": 1})}, "fields.place", "bad_field_value"),
    ({"fields": dict(FIRST, place="x" * 4001)}, "fields.place", "field_too_long"),
    ({"to_verify": "casualties"}, "to_verify", "bad_to_verify"),
    ({"actor": " "}, "actor", "actor_required"),
])
def test_a_malformed_report_names_its_field_and_code(runtime, kwargs, field, code):
    incident = _incident(runtime)
    arguments = dict(kind="first", channel="phone", fields=FIRST, to_verify=None, actor="chen") | kwargs
    with runtime.unit_of_work() as session, pytest.raises(DomainError) as refused:
        reporting.file_report(session, incident, at=T0, **arguments)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_filing_for_an_unknown_incident_is_refused(runtime):
    with runtime.unit_of_work() as session, pytest.raises(IncidentNotFound):
        reporting.file_report(session, 999, "first", "phone", FIRST, None, "chen", T0)


# ---- late and missed --------------------------------------------------------------------------

def test_a_report_filed_after_its_due_time_is_late_by_n_minutes_and_logged(runtime):
    incident = _incident(runtime)
    _grade(runtime, incident, "II", _at(3, 5))
    filed = _file(runtime, incident, "first", "phone", at=_at(3, 42))
    assert [(o.channel, o.status, o.late_minutes) for o in filed.obligations] == [("phone", "late", 12)]
    assert [(o.channel, o.status) for o in _obligations(runtime, incident)] == [("phone", "late"), ("written", "open")]
    [late] = _log(runtime, "report_late")
    assert "迟报 12 分钟" in late.summary and "Late by 12 min:" in late.summary
    assert late.incident_id == incident and late.data["late_minutes"] == 12
    assert [e.kind for e in _log(runtime)] == ["incident_graded", "report_filed", "report_late"]


def test_a_report_a_few_seconds_late_is_one_minute_late_and_one_on_time_is_filed(runtime):
    incident = _incident(runtime)
    _grade(runtime, incident, "II", _at(3, 5))
    _file(runtime, incident, "first", "phone", at=_at(3, 30, 20))
    _file(runtime, incident, "follow_up", "written", {"progress": "抢险中"}, at=_at(4, 0))
    assert [(o.status, o.late_minutes) for o in _obligations(runtime, incident)] == [("late", 1), ("filed", None)]


def test_a_phone_report_leaves_the_written_one_owed_but_a_written_one_discharges_both(runtime):
    by_phone, in_writing = _incident(runtime, external_id="a"), _incident(runtime, external_id="b")
    for incident in (by_phone, in_writing):
        _grade(runtime, incident, "II", _at(3, 5))
    _file(runtime, by_phone, "first", "phone", at=_at(3, 20))
    _file(runtime, in_writing, "first", "written", at=_at(3, 20))
    assert [o.status for o in _obligations(runtime, by_phone)] == ["filed", "open"]
    assert [o.status for o in _obligations(runtime, in_writing)] == ["filed", "filed"]


def test_check_due_marks_an_unfiled_obligation_missed_once_and_a_later_filing_makes_it_late(runtime):
    incident = _incident(runtime)
    _grade(runtime, incident, "II", _at(3, 5))
    with runtime.unit_of_work() as session:
        assert reporting.check_due(session, _at(3, 30)) == []  # due at 03:30 is not yet missed at 03:30
    with runtime.unit_of_work() as session:
        first = reporting.check_due(session, _at(3, 45))
    with runtime.unit_of_work() as session:
        again = reporting.check_due(session, _at(3, 50))
    assert [(o["channel"], o["status"]) for o in first] == [("phone", "missed")] and again == []
    [missed] = _log(runtime, "report_missed")
    assert "漏报" in missed.summary and missed.occurred_at == _at(3, 30) and missed.written_at == _at(3, 45)
    _file(runtime, incident, "first", "phone", at=_at(3, 52))
    assert [(o.channel, o.status, o.late_minutes) for o in _obligations(runtime, incident)] == [
        ("phone", "late", 22), ("written", "open", None)]
    with runtime.unit_of_work() as session:
        assert [o["channel"] for o in reporting.check_due(session, _at(4, 1))] == ["written"]
    assert len(_log(runtime, "report_missed")) == 2
    with runtime.sessions() as session:
        assert dutylog.verify(session).ok


def test_due_lists_what_is_owed_soonest_first(runtime):
    later, sooner = _incident(runtime, external_id="later"), _incident(runtime, _at(2, 50), external_id="sooner")
    for incident in (later, sooner):
        _grade(runtime, incident, "II", _at(3, 5))
    with runtime.sessions() as session:
        owed = reporting.due(session, _at(3, 25))
    assert [(o["incident_id"], o["channel"], o["overdue"]) for o in owed] == [
        (sooner, "phone", True), (later, "phone", False), (sooner, "written", False), (later, "written", False)]
    assert owed[0]["headline"] == "秦淮河堤防管涌" and owed[0]["grade"] == "II"


# ---- the monthly report -----------------------------------------------------------------------

def test_the_month_counts_on_time_late_and_missed_per_department(runtime):
    with runtime.unit_of_work() as session:
        session.add_all([Department(code="water", name_en="Water resources", name_zh="水利"),
                         Department(code="police", name_en="Public Security", name_zh="公安")])
    on_time = _incident(runtime, departments=["water"], external_id="on-time")
    late = _incident(runtime, departments=["water", "police"], external_id="late")
    nobody = _incident(runtime, external_id="nobody")
    december = _incident(runtime, datetime(2026, 11, 30, 23, 50, tzinfo=BEIJING), departments=["water"],
                         external_id="december")  # due 00:20 and 00:50 on 1 December, Beijing time
    for incident in (on_time, late, nobody, december):
        _grade(runtime, incident, "II", _at(3, 5))
    _file(runtime, on_time, "first", "written", at=_at(3, 20))  # both on time
    _file(runtime, late, "first", "written", at=_at(3, 40))  # phone late, written on time
    with runtime.unit_of_work() as session:
        reporting.check_due(session, _at(4, 30))  # nobody's two are missed
    with runtime.sessions() as session:
        november = reporting.monthly(session, 2026, 11, "Asia/Shanghai")
        utc_november = reporting.monthly(session, 2026, 11, "UTC")
    counts = {d["department"]: {k: d[k] for k in ("obligations", "on_time", "late", "missed", "open")}
              for d in november["departments"]}
    assert counts == {
        "police": {"obligations": 2, "on_time": 1, "late": 1, "missed": 0, "open": 0},
        "water": {"obligations": 4, "on_time": 3, "late": 1, "missed": 0, "open": 0},
        "none": {"obligations": 2, "on_time": 0, "late": 0, "missed": 2, "open": 0},
    }
    assert [d["department"] for d in november["departments"]] == ["police", "water", "none"]
    assert november["departments"][1]["name_zh"] == "水利"
    assert november["total"] == {"obligations": 6, "on_time": 3, "late": 1, "missed": 2, "open": 0,
                                 "late_minutes": 10}
    assert utc_november["total"]["obligations"] == 8  # 1 December 00:20 Beijing is still November in UTC
    with runtime.sessions() as session:
        assert reporting.monthly(session, 2026, 12, "Asia/Shanghai")["total"]["open"] == 2


# ---- concurrency ------------------------------------------------------------------------------

def test_concurrent_creation_and_checks_happen_once(any_runtime):
    incident = _incident(any_runtime)
    start = threading.Barrier(4)
    errors = []

    def create() -> None:
        try:
            start.wait()
            with any_runtime.unit_of_work() as session:
                reporting.obligations_for(session, session.get(Incident, incident), "grade:II", _at(3, 5))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def check(marked: list) -> None:
        try:
            start.wait()
            with any_runtime.unit_of_work() as session:
                marked.extend(reporting.check_due(session, _at(5, 0)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    _race([create] * 4)
    assert errors == []
    assert len(_obligations(any_runtime, incident)) == 2
    assert len(_log(any_runtime, "incident_graded")) == 1
    marked: list = []
    _race([lambda: check(marked)] * 4)
    assert errors == []
    assert sorted(o["channel"] for o in marked) == ["phone", "written"]
    assert len(_log(any_runtime, "report_missed")) == 2
    with any_runtime.sessions() as session:
        assert dutylog.verify(session).ok


def _race(targets) -> None:
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


# ---- the profiles file ------------------------------------------------------------------------

RULE = "rule: phone-30min\n        trigger: grade\n        grades: [I, II]\n        channel: phone\n" \
       "        within_minutes: 30\n        base_clock: received_at"
PROFILE = "profiles:\n  local:\n    title: {{en: Local, zh: 本地}}\n    rules:\n      - {rule}\n"


def test_the_shipped_profiles_load():
    profiles = reporting.load_profiles()
    assert reporting.DEFAULT_PROFILE in profiles and len(profiles) >= 2
    default = profiles[reporting.DEFAULT_PROFILE]
    assert {(r.trigger, r.channel, r.within_minutes, r.base_clock) for r in default.rules} >= {
        ("grade", "phone", 30, "received_at"), ("grade", "written", 60, "received_at")}


def test_a_profile_of_another_jurisdiction_is_data(tmp_path):
    path = tmp_path / "profiles.yaml"
    path.write_text(PROFILE.format(rule=RULE), encoding="utf-8")
    [local] = reporting.load_profiles(path).values()
    assert local.name == "local" and local.upgrade_base_clock == "triggered_at"
    assert reporting.get_profile("local", path).rules[0].grades == ("I", "II")


@pytest.mark.parametrize("rule, message", [
    (RULE.replace("received_at", "noticed_at"), "profile 'local', rule #1 (phone-30min): base_clock: must be one of"),
    (RULE.replace("within_minutes: 30", "within_minutes: 0"), "(phone-30min): within_minutes: must be a whole number"),
    (RULE.replace("trigger: grade", "on: grade"), "unknown key 'True' (quote it: YAML reads on, off, yes and no"),
    (RULE.replace("grades: [I, II]", "grades: [I, V]"), "(phone-30min): grades: give a list of grades"),
    (RULE.replace("trigger: grade", "trigger: sensitive"), "grades: only a rule with trigger grade names grades"),
    (RULE.replace("channel: phone", "channel: fax"), "channel: must be one of phone, written"),
    (RULE + "\n      - " + RULE, "rule 'phone-30min' appears twice"),
    (RULE + "\n        within: 30", "unknown key 'within'"),
])
def test_a_wrong_profile_is_refused_with_a_message_naming_the_rule_and_field(tmp_path, rule, message):
    path = tmp_path / "profiles.yaml"
    path.write_text(PROFILE.format(rule=rule), encoding="utf-8")
    with pytest.raises(reporting.ProfileError) as refused:
        reporting.load_profiles(path)
    assert str(path) in str(refused.value) and message in str(refused.value)


def test_an_unknown_profile_name_is_refused():
    with pytest.raises(reporting.ProfileError, match="no reporting profile 'atlantis'"):
        reporting.get_profile("atlantis")


def test_the_duty_log_entries_are_timed_in_utc(runtime):
    incident = _incident(runtime)
    _grade(runtime, incident, "II", _at(3, 5))
    [entry] = _log(runtime)
    assert entry.written_at == _at(3, 5) and entry.written_at.tzinfo == timezone.utc
    assert entry.data["obligations"][0]["due_at"] == (T0 + timedelta(minutes=30)).astimezone(timezone.utc).isoformat()
