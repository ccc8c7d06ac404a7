"""The shift handover: the draft holds exactly the open items, outgoing signs first, the roster decides who,
the shift closes only through it, and ownership of open items moves to the incoming officer, in the log."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from command import dutylog, handover, reporting
from command.errors import DomainError as HandoverError
from command.handover import HandoverRequired
from command.models import DutyLogEntry, Escalation, Incident, Person, ReportObligation, Shift

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai: the day shift starts
H = timedelta(hours=1)


@pytest.fixture
def runtime(any_runtime):
    """The same duty room on SQLite and on PostgreSQL."""
    return any_runtime


@pytest.fixture
def room(runtime):
    """A day shift (officer-a, leader-a) then a night shift (officer-b, leader-b); returns ids."""
    with runtime.unit_of_work() as session:
        people = {name: Person(username=name, display_name=name.title(), role=role)
                  for name, role in (("officer-a", "operator"), ("leader-a", "leader"),
                                     ("officer-b", "operator"), ("leader-b", "leader"))}
        session.add_all(people.values())
        session.flush()
        day = Shift(starts_at=T0, ends_at=T0 + 12 * H, duty_officer_id=people["officer-a"].id,
                    leader_id=people["leader-a"].id)
        night = Shift(starts_at=T0 + 12 * H, ends_at=T0 + 24 * H, duty_officer_id=people["officer-b"].id,
                      leader_id=people["leader-b"].id)
        earlier = Shift(starts_at=T0 - 12 * H, ends_at=T0, closed_at=T0)
        session.add_all([day, night, earlier])
        session.flush()
        return {"day": day.id, "night": night.id, "earlier": earlier.id}


def _incident(session, name: str, status: str = "new", **fields) -> Incident:
    incident = Incident(source="cad", external_id=name, headline=name, status=status, received_at=T0,
                        updated_at=T0, **fields)
    session.add(incident)
    session.flush()
    return incident


def _escalation(session, incident: Incident, code: str, state: str = "active", acknowledged_at=None) -> Escalation:
    escalation = Escalation(incident_id=incident.id, playbook=f"pb-{code}", snapshot={"steps": []}, state=state,
                            reply_code=code, created_at=T0, updated_at=T0, acknowledged_at=acknowledged_at)
    session.add(escalation)
    session.flush()
    return escalation


def _obligation(session, incident: Incident, rule: str, status: str = "open", due=T0 + 2 * H) -> ReportObligation:
    obligation = ReportObligation(incident_id=incident.id, profile="default", rule=rule, trigger="grade:II",
                                  channel="phone", base_clock="received_at", base_at=T0, due_at=due, status=status,
                                  created_at=T0)
    session.add(obligation)
    session.flush()
    return obligation


def _log(session, kind="note", at=T0 + H, **fields) -> int:
    return dutylog.append(session, kind=kind, summary=fields.pop("summary", kind), author="officer-a",
                          occurred_at=at, at=at, **fields).id


@pytest.fixture
def busy_day(runtime, room):
    """A day with open and finished business; returns the ids the draft must (and must not) list."""
    with runtime.unit_of_work() as session:
        flood = _incident(session, "flood")
        fire = _incident(session, "fire", status="responding", grade="II")
        _incident(session, "resolved", status="resolved")
        _incident(session, "merged", merged_into_id=flood.id)
        waiting = _escalation(session, flood, "AAAA")
        _escalation(session, flood, "BBBB", acknowledged_at=T0 + H)  # answered: not the incoming officer's worry
        _escalation(session, fire, "CCCC", state="finished")
        due = _obligation(session, fire, "phone-30min", due=T0 + 11 * H)
        _obligation(session, fire, "written-1h", status="filed")
        lone_call = _log(session, "phone_call", summary="来电：桥下积水")
        _log(session, "phone_call", incident_id=flood.id, summary="来电：关于洪水")  # has its incident
        _log(session, "phone_call", at=T0 - H, summary="来电：上一班的电话")  # another shift's call
        flagged = _log(session, summary="堤防渗水")
        dutylog.set_significant(session, flagged, True, "leader-a", "险情", at=T0 + 2 * H)
        unflagged = _log(session, summary="误报")
        dutylog.set_significant(session, unflagged, True, "leader-a", "先标记", at=T0 + 2 * H)
        dutylog.set_significant(session, unflagged, False, "leader-a", "核实为误报", at=T0 + 3 * H)
        older = _log(session, at=T0 - 2 * H, summary="上一班记录，本班标记")
        dutylog.set_significant(session, older, True, "leader-a", "仍需跟进", at=T0 + 4 * H)
        born = _log(session, significant=True, summary="写入时即重要")
        _log(session, at=T0 - 3 * H, significant=True, summary="上一班的重要记录")
    return {"incidents": [flood.id, fire.id], "escalations": [waiting.id], "reports": [due.id],
            "items": sorted([lone_call, flagged, older, born]), "lone_call": lone_call, "flagged": flagged}


def _draft(runtime, shift_id, at=T0 + 11 * H):
    with runtime.unit_of_work() as session:
        return handover.handover_dict(handover.draft_handover(session, shift_id, at))


def _sign(runtime, handover_id, role, actor, at=T0 + 12 * H, **kw):
    with runtime.unit_of_work() as session:
        return handover.handover_dict(handover.sign(session, handover_id, role, actor, at, **kw))


def _refused(runtime, action) -> HandoverError:
    with pytest.raises(HandoverError) as excinfo, runtime.unit_of_work() as session:
        action(session)
    return excinfo.value


def test_the_draft_lists_exactly_the_open_items(runtime, room, busy_day):
    draft = _draft(runtime, room["day"])["draft"]
    assert [i["id"] for i in draft["open_incidents"]] == busy_day["incidents"]
    assert [e["id"] for e in draft["unacknowledged_escalations"]] == busy_day["escalations"]
    assert [r["id"] for r in draft["reports_due"]] == busy_day["reports"]
    assert draft["reports_due"][0]["overdue"] is False  # due 11:00 UTC, drafted at 11:00: not late yet
    later = _draft(runtime, room["day"], at=T0 + 11 * H + timedelta(minutes=1))["draft"]
    assert later["reports_due"][0]["overdue"] is True
    with runtime.unit_of_work() as session:  # the worker marks it missed (漏报): it is still owed
        reporting.check_due(session, T0 + 11 * H + timedelta(minutes=2))
    missed = _draft(runtime, room["day"], at=T0 + 11 * H + timedelta(minutes=3))["draft"]
    assert [(r["id"], r["status"], r["overdue"]) for r in missed["reports_due"]] == \
        [(busy_day["reports"][0], "missed", True)] + [(r, "open", False) for r in busy_day["reports"][1:]]
    assert sorted(item["entry_id"] for item in draft["open_items"]) == busy_day["items"]
    reasons = {item["entry_id"]: item["reasons"] for item in draft["open_items"]}
    assert reasons[busy_day["lone_call"]] == ["phone_call_without_incident"]
    assert reasons[busy_day["flagged"]] == ["significant"]
    assert draft["shift"]["duty_officer"]["username"] == "officer-a"
    assert draft["incoming_shift"]["id"] == room["night"]
    assert draft["open_incidents_total"] == 2 and draft["notes"] == ""


def test_a_shift_cannot_be_closed_without_a_handover_both_officers_signed(runtime, room):
    error = _refused(runtime, lambda s: handover.close_shift(s, room["day"], T0 + 12 * H))
    assert isinstance(error, HandoverRequired) and error.code == "handover_required"
    assert "cannot be closed without a signed handover" in str(error)
    drafted = _draft(runtime, room["day"])
    _sign(runtime, drafted["id"], "outgoing", "officer-a")
    assert isinstance(_refused(runtime, lambda s: handover.close_shift(s, room["day"], T0 + 12 * H)), HandoverRequired)
    with runtime.sessions() as session:
        assert session.get(Shift, room["day"]).closed_at is None

    signed = _sign(runtime, drafted["id"], "incoming", "officer-b", at=T0 + 12 * H + 5 * timedelta(minutes=1))
    assert signed["state"] == "closed"
    with runtime.sessions() as session:
        assert session.get(Shift, room["day"]).closed_at == T0 + 12 * H + timedelta(minutes=5)
    assert _refused(runtime, lambda s: handover.close_shift(s, room["day"], T0 + 13 * H)).code == "already_closed"


def test_the_outgoing_officer_signs_first_and_the_roster_decides_who_signs(runtime, room):
    drafted = _draft(runtime, room["day"])
    hid = drafted["id"]
    assert _refused(runtime, lambda s: handover.sign(s, hid, "incoming", "officer-b", T0)).code == "outgoing_first"
    assert _refused(runtime, lambda s: handover.sign(s, hid, "sideways", "officer-a", T0)).code == "bad_role"
    stranger = _refused(runtime, lambda s: handover.sign(s, hid, "outgoing", "someone", T0))
    assert stranger.code == "not_on_roster" and set(stranger.values["expected"]) == {"officer-a", "leader-a"}

    assert _sign(runtime, hid, "outgoing", "officer-a")["state"] == "outgoing_signed"
    assert _refused(runtime, lambda s: handover.sign(s, hid, "outgoing", "leader-a", T0)).code == "already_signed"
    assert _refused(runtime, lambda s: handover.sign(s, hid, "incoming", "officer-a", T0)).code == "same_person"
    wrong = _refused(runtime, lambda s: handover.sign(s, hid, "incoming", "leader-b", T0))
    assert wrong.code == "not_on_roster" and wrong.values["expected"] == ["officer-b"]
    assert "officer-b" in str(wrong)

    signed = _sign(runtime, hid, "incoming", "officer-b")
    assert signed["outgoing_signed_by"] == "officer-a" and signed["incoming_signed_by"] == "officer-b"


def test_ownership_of_open_items_moves_to_the_incoming_officer_and_is_logged(runtime, room, busy_day):
    drafted = _draft(runtime, room["day"])
    with runtime.unit_of_work() as session:
        handover.edit(session, drafted["id"], actor="officer-a", at=T0 + 11 * H, notes="东堤需每小时巡查",
                      settled={f"log:{busy_day['lone_call']}": "已回电，系误报"})
    _sign(runtime, drafted["id"], "outgoing", "officer-a")
    _sign(runtime, drafted["id"], "incoming", "officer-b")

    with runtime.sessions() as session:
        entry = session.scalars(select(DutyLogEntry).order_by(DutyLogEntry.id.desc()).limit(1)).one()
        assert entry.kind == "handover" and entry.author == "officer-b"
        assert entry.data["new_owner"] == "officer-b" and entry.data["outgoing"] == "officer-a"
        moved = [i for i in busy_day["items"] if i != busy_day["lone_call"]]
        assert entry.data["items"] == {"incidents": busy_day["incidents"], "escalations": busy_day["escalations"],
                                       "reports": busy_day["reports"], "log_entries": moved}
        assert entry.data["settled_entries"] == [busy_day["lone_call"]]
        assert entry.data["notes"] == "东堤需每小时巡查" and entry.data["roster_check"] == "matches the roster"
        assert "officer-b" in entry.summary and f"#{busy_day['incidents'][0]}" in entry.summary
        signatures = session.scalars(select(DutyLogEntry.data).where(DutyLogEntry.kind == "handover")).all()
        assert [d["role"] for d in signatures] == ["outgoing", "incoming"]
        assert dutylog.verify(session).ok

    # The night shift's draft carries the unsettled items, owned by officer-b, and not the settled call.
    night = _draft(runtime, room["night"], at=T0 + 23 * H)["draft"]
    carried = {item["entry_id"]: item for item in night["open_items"] if "carried_over" in item["reasons"]}
    assert sorted(carried) == moved
    assert {item["owner"] for item in carried.values()} == {"officer-b"}
    assert busy_day["lone_call"] not in {item["entry_id"] for item in night["open_items"]}


def test_when_the_roster_names_no_incoming_officer_the_log_says_why_it_was_not_checked(runtime, room):
    drafted = _draft(runtime, room["night"], at=T0 + 23 * H)  # nobody is rostered after the night shift
    assert drafted["draft"]["incoming_shift"] is None
    _sign(runtime, drafted["id"], "outgoing", "leader-b", at=T0 + 24 * H)
    _sign(runtime, drafted["id"], "incoming", "zhou.relief", at=T0 + 24 * H)
    with runtime.sessions() as session:
        entry = session.scalars(select(DutyLogEntry).order_by(DutyLogEntry.id.desc()).limit(1)).one()
    assert entry.data["roster_check"].startswith("not checked: no shift is on the roster")
    assert entry.data["incoming_shift_id"] is None and entry.data["new_owner"] == "zhou.relief"


def test_the_draft_is_frozen_once_signed_and_a_stale_digest_is_refused(runtime, room, busy_day):
    drafted = _draft(runtime, room["day"])
    with runtime.unit_of_work() as session:
        handover.edit(session, drafted["id"], actor="officer-a", at=T0 + 11 * H, notes="交班前补记")
    stale = _refused(runtime, lambda s: handover.sign(s, drafted["id"], "outgoing", "officer-a", T0 + 12 * H,
                                                      digest=drafted["digest"]))
    assert stale.code == "stale_draft"
    fresh = _draft(runtime, room["day"])
    assert fresh["draft"]["notes"] == "交班前补记", "notes survive a refresh"
    _sign(runtime, drafted["id"], "outgoing", "officer-a", digest=fresh["digest"])

    with runtime.unit_of_work() as session:
        _incident(session, "after-signing")
    assert _draft(runtime, room["day"], at=T0 + 12 * H)["draft"] == fresh["draft"], "signed drafts do not change"
    frozen = _refused(runtime, lambda s: handover.edit(s, drafted["id"], actor="officer-a", at=T0, notes="晚了"))
    assert frozen.code == "draft_signed"


def test_settling_needs_a_remark_and_a_known_item(runtime, room, busy_day):
    hid = _draft(runtime, room["day"])["id"]
    key = f"log:{busy_day['flagged']}"
    assert _refused(runtime, lambda s: handover.edit(s, hid, actor="officer-a", at=T0,
                                                     settled={key: " "})).code == "remark_required"
    assert _refused(runtime, lambda s: handover.edit(s, hid, actor="officer-a", at=T0,
                                                     settled={"log:99999": "x"})).code == "unknown_item"
    assert _refused(runtime, lambda s: handover.edit(s, hid, actor="", at=T0, notes="x")).code == "actor_required"
    with runtime.unit_of_work() as session:
        handover.edit(session, hid, actor="officer-a", at=T0, settled={key: "已处置"})
    assert _draft(runtime, room["day"])["draft"]["settled"][key]["remark"] == "已处置"
    with runtime.unit_of_work() as session:
        handover.edit(session, hid, actor="officer-a", at=T0, settled={key: None})
    assert _draft(runtime, room["day"])["draft"]["settled"] == {}


def test_during_the_change_over_the_shift_due_is_the_one_not_yet_handed_over(runtime, room):
    with runtime.sessions() as session:
        assert handover.current_shift(session, T0 + 6 * H).id == room["day"]
        assert handover.current_shift(session, T0 + 12 * H + timedelta(minutes=10)).id == room["day"]
        assert handover.current_shift(session, T0 + 30 * H) is None
    drafted = _draft(runtime, room["day"])
    _sign(runtime, drafted["id"], "outgoing", "officer-a")
    _sign(runtime, drafted["id"], "incoming", "officer-b")
    with runtime.sessions() as session:
        assert handover.current_shift(session, T0 + 12 * H + timedelta(minutes=10)).id == room["night"]
