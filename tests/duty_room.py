"""A small duty room for escalation tests: a water liaison and head, a leader on duty, a flood playbook."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from command import escalation
from command.models import Contact, Department, Escalation, Membership, Notification, Person, Shift
from feeds.event import FeedEvent
from feeds.ingest import ingest

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai

FLOOD_PLAYBOOK = """\
name: flood-severe
title: {en: Severe flood, zh: 严重洪涝}
priority: 50
match:
  event: [flood]
  severity: [severe, extreme]
steps:
  - type: notify_on_duty          # the leader is always told, even if the liaison answers at once
    post: leader
    channels: [sms]
  - type: notify_liaisons
    label: first-call
    departments: [water]
  - type: wait
    minutes: 5
  - type: if_not_acknowledged
  - type: notify_role
    role: head
    department: water
  - type: wait
    minutes: 5
  - type: if_not_acknowledged
  - type: notify_on_duty
    post: leader
    channels: [sms]
  - type: repeat
    from: first-call
    times: 2
"""


@pytest.fixture
def playbooks_dir(tmp_path):
    directory = tmp_path / "playbooks"
    directory.mkdir()
    (directory / "flood.yaml").write_text(FLOOD_PLAYBOOK, encoding="utf-8")
    return directory


@pytest.fixture
def duty_room(runtime):
    """A water liaison, a water department head, and a leader on duty all day."""
    return seed_duty_room(runtime)


def seed_duty_room(runtime, around: datetime = T0) -> dict[str, int]:
    """Write the duty room, with a shift from 2 hours before ``around`` to 22 after; return person ids by username."""
    with runtime.unit_of_work() as session:
        session.merge(Department(code="water", name_en="Water resources", name_zh="水利"))
        people = {}
        for username, role, post, number in (("liu", "liaison", "liaison", "+8613800000001"),
                                             ("zhao", "liaison", "head", "+8613800000002"),
                                             ("wang", "leader", None, "+8613800000003"),
                                             ("chen", "operator", None, "+8613800000004")):
            person = Person(username=username, display_name=username.title(), role=role)
            session.add(person)
            session.flush()
            people[username] = person.id
            if post:
                session.add(Membership(person_id=person.id, department_code="water", post=post))
            session.add(Contact(person_id=person.id, position=1, channel="sms", address=number))
        session.add(Shift(starts_at=around - timedelta(hours=2), ends_at=around + timedelta(hours=22),
                          duty_officer_id=people["chen"], leader_id=people["wang"]))
    return people


def _flood(runtime, external_id="flood-1", status="actual", severity="severe") -> int:
    event = FeedEvent.from_dict({"external_id": external_id, "version": "1", "headline": "Qinhuai river over guarantee level",
                                 "event": "Flood", "category": "met", "severity": severity, "status": status,
                                 "sent_at": T0.isoformat(), "lat": 32.04, "lon": 118.78}, "water-gauges")
    [outcome] = ingest(runtime, "water-gauges", [(0, event)], clock=lambda: T0)
    return outcome.incident_id


def _run(runtime, playbooks, at, holder="worker-a"):
    """One worker round without SMS delivery: triage, then advance what is due."""
    with runtime.unit_of_work() as session:
        escalation.triage(session, playbooks, at, "Asia/Shanghai")
    with runtime.unit_of_work() as session:
        claimed = escalation.claim_due(session, holder, at, 50, 60)
    for escalation_id, token in claimed:
        with runtime.unit_of_work() as session:
            escalation.advance(session, escalation_id, token, holder, at)


def _told(runtime, channel="sms") -> list[str]:
    """Who has been notified, in order, by username."""
    with runtime.sessions() as session:
        return list(session.scalars(select(Person.username).join(Notification, Notification.person_id == Person.id)
                                    .where(Notification.channel == channel).order_by(Notification.id)))


def _escalation(runtime) -> Escalation:
    with runtime.sessions() as session:
        return session.scalars(select(Escalation)).one()
