"""Escalation timelines on a controllable clock: who is told when, and what an answer stops."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from command import escalation
from command.directory import department_codes
from command.dutylog import verify
from command.escalation_worker import EscalationWorker
from command.events import EscalationChanged, EscalationOverdue
from command.models import Acknowledgement, DutyLogEntry, Notification, Shift
from tests.conftest import pushed_by
from tests.duty_room import FLOOD_PLAYBOOK, T0, _escalation, _flood, _run, _told, duty_room, playbooks_dir  # noqa: F401
from feeds.event import FeedEvent
from feeds.ingest import ingest
from playbooks.loader import load_dir


def test_nobody_answers_the_playbook_runs_its_timeline_then_ends(runtime, duty_room, playbooks_dir):
    playbooks = load_dir(playbooks_dir, department_codes())
    _flood(runtime)
    _run(runtime, playbooks, T0)
    assert _told(runtime) == ["wang", "liu"]  # the leader at once, and the water liaison
    assert _told(runtime, "web") == ["liu"]
    _run(runtime, playbooks, T0 + timedelta(minutes=4, seconds=59))
    assert _told(runtime) == ["wang", "liu"]  # nothing before 5 minutes
    _run(runtime, playbooks, T0 + timedelta(minutes=5))
    assert _told(runtime) == ["wang", "liu", "zhao"]  # the department head
    _run(runtime, playbooks, T0 + timedelta(minutes=10))
    assert _told(runtime) == ["wang", "liu", "zhao", "wang", "liu"]  # the leader, then round two begins
    for minute in (15, 20, 25, 30, 35, 40):
        _run(runtime, playbooks, T0 + timedelta(minutes=minute))
    assert _told(runtime) == ["wang", "liu", "zhao", "wang"] + ["liu", "zhao", "wang"] * 2
    assert _escalation(runtime).state == "finished"
    with runtime.sessions() as session:
        assert verify(session).ok


def test_an_acknowledgement_stops_the_escalation_but_the_leader_was_told(runtime, duty_room, playbooks_dir):
    playbooks = load_dir(playbooks_dir, department_codes())
    _flood(runtime)
    _run(runtime, playbooks, T0)
    esc = _escalation(runtime)
    def answer():
        with runtime.unit_of_work() as session:
            escalation.acknowledge(session, esc.id, actor="liu", person_id=duty_room["liu"], answer="acknowledge",
                                   via="web", at=T0 + timedelta(minutes=2))
    assert pushed_by(runtime, answer, EscalationChanged)[0].escalation["acknowledged_at"] is not None
    for minute in (5, 10, 15, 30):
        _run(runtime, playbooks, T0 + timedelta(minutes=minute))
    assert _told(runtime) == ["wang", "liu"]
    assert _escalation(runtime).state == "acknowledged"


def test_the_same_answer_twice_is_recorded_once(runtime, duty_room, playbooks_dir):
    playbooks = load_dir(playbooks_dir, department_codes())
    _flood(runtime)
    _run(runtime, playbooks, T0)
    esc = _escalation(runtime)
    for _ in range(2):
        with runtime.unit_of_work() as session:
            escalation.acknowledge(session, esc.id, actor="liu", person_id=duty_room["liu"], answer="going",
                                   via="sms", at=T0 + timedelta(minutes=1))
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Acknowledgement)) == 1
        assert session.scalar(select(func.count()).select_from(DutyLogEntry)
                              .where(DutyLogEntry.kind == "acknowledgement")) == 1


def test_not_ours_escalates_at_once(runtime, duty_room, playbooks_dir):
    playbooks = load_dir(playbooks_dir, department_codes())
    _flood(runtime)
    _run(runtime, playbooks, T0)
    esc = _escalation(runtime)
    with runtime.unit_of_work() as session:
        escalation.acknowledge(session, esc.id, actor="liu", person_id=duty_room["liu"], answer="not_ours",
                               via="web", at=T0 + timedelta(minutes=1))
    _run(runtime, playbooks, T0 + timedelta(minutes=1))
    assert _told(runtime) == ["wang", "liu", "zhao"]  # the head, four minutes early


def test_a_stale_run_changes_nothing(runtime, duty_room, playbooks_dir):
    playbooks = load_dir(playbooks_dir, department_codes())
    _flood(runtime)
    with runtime.unit_of_work() as session:
        escalation.triage(session, playbooks, T0, "Asia/Shanghai")
    with runtime.unit_of_work() as session:
        [(esc_id, old_token)] = escalation.claim_due(session, "worker-a", T0, 10, 60)
    # worker-a stalls past its lease; worker-b takes the escalation over
    later = T0 + timedelta(seconds=61)
    with runtime.unit_of_work() as session:
        [(same_id, new_token)] = escalation.claim_due(session, "worker-b", later, 10, 60)
    assert same_id == esc_id and new_token == old_token + 1
    with runtime.unit_of_work() as session:
        assert escalation.advance(session, esc_id, old_token, "worker-a", later) is False
    with runtime.unit_of_work() as session:
        escalation.advance(session, esc_id, new_token, "worker-b", later)
    with runtime.unit_of_work() as session:  # worker-a wakes up and tries again: still nothing
        assert escalation.advance(session, esc_id, old_token, "worker-a", later) is False
    assert _told(runtime) == ["wang", "liu"]


def test_an_exercise_never_texts_a_leader(runtime, duty_room, playbooks_dir):
    playbooks = load_dir(playbooks_dir, department_codes())
    _flood(runtime, status="exercise")
    _run(runtime, playbooks, T0)
    assert _told(runtime) == ["liu"]
    with runtime.sessions() as session:
        problems = session.scalars(select(DutyLogEntry.summary).where(DutyLogEntry.kind == "escalation_failed")).all()
    assert any("exercise" in problem for problem in problems)


def test_a_roster_gap_is_logged_and_the_escalation_carries_on(runtime, duty_room, playbooks_dir):
    with runtime.unit_of_work() as session:
        session.execute(update(Shift).values(leader_id=None))
    playbooks = load_dir(playbooks_dir, department_codes())
    _flood(runtime)
    _run(runtime, playbooks, T0)
    assert _told(runtime) == ["liu"]
    with runtime.sessions() as session:
        problems = session.scalars(select(DutyLogEntry.summary).where(DutyLogEntry.kind == "escalation_failed")).all()
    assert any("no leader on duty" in problem for problem in problems)


def test_the_running_escalation_keeps_its_playbook_when_the_file_changes(runtime, duty_room, playbooks_dir):
    _flood(runtime)
    _run(runtime, load_dir(playbooks_dir, department_codes()), T0)
    edited = FLOOD_PLAYBOOK.replace("minutes: 5", "minutes: 1")
    (playbooks_dir / "flood.yaml").write_text(edited, encoding="utf-8")
    _run(runtime, load_dir(playbooks_dir, department_codes()), T0 + timedelta(minutes=2))
    assert _told(runtime) == ["wang", "liu"]  # still waiting the 5 minutes it started with


def test_a_downgrade_starts_nothing_and_an_upgrade_is_triaged(runtime, duty_room, playbooks_dir):
    playbooks = load_dir(playbooks_dir, department_codes())
    incident_id = _flood(runtime, severity="moderate")
    _run(runtime, playbooks, T0)
    assert _told(runtime) == []  # moderate matches no playbook
    event = FeedEvent.from_dict({"external_id": "flood-1", "version": "2", "headline": "Qinhuai river rising fast",
                                 "event": "Flood", "category": "met", "severity": "extreme",
                                 "sent_at": (T0 + timedelta(minutes=3)).isoformat(), "lat": 32.04, "lon": 118.78},
                                "water-gauges")
    ingest(runtime, "water-gauges", [(0, event)],
           clock=lambda: T0 + timedelta(minutes=3))
    _run(runtime, playbooks, T0 + timedelta(minutes=3))
    assert _escalation(runtime).incident_id == incident_id
    assert _told(runtime) == ["wang", "liu"]


def test_an_overdue_step_is_raised_once(runtime, duty_room, playbooks_dir):
    playbooks = load_dir(playbooks_dir, department_codes())
    _flood(runtime)
    with runtime.unit_of_work() as session:
        escalation.triage(session, playbooks, T0, "Asia/Shanghai")  # started, but no worker advances it
    late = T0 + timedelta(minutes=3)
    def audit(at):
        with runtime.unit_of_work() as session:
            escalation.audit(session, at, 120)
    first = pushed_by(runtime, lambda: audit(late), EscalationOverdue)
    again = pushed_by(runtime, lambda: audit(late + timedelta(seconds=30)), EscalationOverdue)
    assert [type(event) for event in first] == [EscalationOverdue] and again == []
    pushed = first[0].escalation
    assert (pushed["overdue"], pushed["step"], pushed["step_type"]) == (True, 0, "notify_on_duty")
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DutyLogEntry)
                              .where(DutyLogEntry.kind == "escalation_overdue")) == 1
    def come_back():  # a worker comes back and runs the step: no longer overdue
        with runtime.unit_of_work() as session:
            [(escalation_id, token)] = escalation.claim_due(session, "back", late, 5, 60)
            escalation.advance(session, escalation_id, token, "back", late)
    moved = [event.escalation for event in pushed_by(runtime, come_back, EscalationChanged)]
    assert moved and all(item["overdue"] is False for item in moved)


def test_the_worker_loop_triages_advances_and_sends(runtime, duty_room, playbooks_dir):
    runtime.settings["PLAYBOOKS_DIR"] = str(playbooks_dir)
    now = [T0]
    worker = EscalationWorker(runtime, clock=lambda: now[0], name="loop")
    _flood(runtime)
    worker.run_once()
    worker.run_once()
    with runtime.sessions() as session:
        statuses = session.scalars(select(Notification.status).where(Notification.channel == "sms")).all()
    assert statuses == ["sent", "sent"]  # the console backend "sent" the leader's and the liaison's SMS


def test_every_playbook_step_type_has_a_handler():
    from command.escalation_steps import STEP_HANDLERS
    from playbooks.schema import STEP_TYPE_NAMES
    assert set(STEP_HANDLERS) == set(STEP_TYPE_NAMES)
