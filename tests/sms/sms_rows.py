"""Rows for SMS tests, inserted directly: people with contacts, incidents, escalations, notifications."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from command.models import (Contact, DutyLogEntry, Escalation, Incident, Notification, Person, Shift,
                            utcnow)

PUBLIC_URL = "https://vigil.example.gov/duty"
FROM_NUMBER = "+15005550006"


def twilio_settings(fake, **extra) -> dict:
    """Settings that point the twilio backend at a FakeTwilio."""
    return {"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": fake.account_sid, "TWILIO_AUTH_TOKEN": fake.auth_token,
            "TWILIO_FROM": FROM_NUMBER, "TWILIO_API_BASE": fake.url, "PUBLIC_URL": PUBLIC_URL,
            "SMS_TIMEOUT_SECONDS": 5.0, "SMS_MAX_ATTEMPTS": 4, **extra}


def add_person(session, username: str, *, role: str = "liaison", sms: tuple[str, ...] = (),
               voice: tuple[str, ...] = (), language: str = "zh") -> Person:
    """A person with SMS numbers at positions 1, 2 … followed by voice numbers."""
    person = Person(username=username, display_name=username.title(), role=role, language=language)
    session.add(person)
    session.flush()
    for position, (channel, address) in enumerate([*(("sms", a) for a in sms), *(("voice", a) for a in voice)], 1):
        session.add(Contact(person_id=person.id, position=position, channel=channel, address=address))
    session.flush()
    return person


def add_incident(session, *, headline: str = "秦淮河水位超过警戒水位", cap_status: str = "actual",
                 grade: str | None = "II", now: datetime | None = None) -> Incident:
    now = now or utcnow()
    incident = Incident(source="test-feed", external_id=f"ev-{now.timestamp()}-{headline[:8]}", headline=headline,
                        event="Flood", category="met", severity="severe", status="new", cap_status=cap_status,
                        received_at=now, updated_at=now, grade=grade)
    session.add(incident)
    session.flush()
    return incident


def add_escalation(session, incident: Incident, *, reply_code: str = "A7", state: str = "active",
                   exercise: bool = False, now: datetime | None = None) -> Escalation:
    now = now or utcnow()
    escalation = Escalation(incident_id=incident.id, playbook=f"flood-{reply_code}",
                            snapshot={"name": "flood", "steps": [{"type": "notify_liaisons"}]}, state=state, step=1,
                            repeats={}, token=0, due_at=now + timedelta(minutes=5), reply_code=reply_code,
                            required_acks=1, exercise=exercise, created_at=now, updated_at=now)
    session.add(escalation)
    session.flush()
    return escalation


def add_notification(session, person: Person, *, incident: Incident | None = None,
                     escalation: Escalation | None = None, position: int = 1, body: str = "【II级】测试 回复A7 1确认",
                     now: datetime | None = None) -> Notification:
    """A pending SMS to the person's contact at ``position``, due at ``now``."""
    now = now or utcnow()
    contact = session.scalars(select(Contact).where(Contact.person_id == person.id,
                                                    Contact.position == position)).one()
    notification = Notification(
        escalation_id=escalation.id if escalation else None,
        incident_id=incident.id if incident else (escalation.incident_id if escalation else None),
        person_id=person.id, step=1, channel="sms", address=contact.address, contact_position=position, body=body,
        status="pending", attempts=0, next_attempt_at=now, created_at=now, updated_at=now)
    session.add(notification)
    session.flush()
    return notification


def add_leader_shift(session, leader: Person, now: datetime) -> Shift:
    shift = Shift(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=11), leader_id=leader.id)
    session.add(shift)
    session.flush()
    return shift


def log_entries(runtime, kind: str | None = None) -> list[DutyLogEntry]:
    """Duty-log entries (of ``kind``), oldest first."""
    with runtime.sessions() as session:
        query = select(DutyLogEntry).order_by(DutyLogEntry.id)
        if kind:
            query = query.where(DutyLogEntry.kind == kind)
        return list(session.scalars(query))


def notification(runtime, notification_id: int) -> Notification:
    with runtime.sessions() as session:
        return session.get(Notification, notification_id)


def notifications(runtime) -> list[Notification]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))
