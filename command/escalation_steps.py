"""What each playbook step does: one table from step type to handler.

A handler gets the step's context and returns an Outcome: go on to a step, wait until a time,
or end the escalation. Notifying writes Notification rows (the SMS outbox) and duty-log entries in
the caller's transaction; nothing here talks to a provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from command import dutylog, roster
from command.models import Contact, Escalation, Incident, Membership, Notification, Person
from command.sms.text import compose

DEFAULT_CHANNELS = ("web", "sms")
RESOLVED_STATUSES = ("resolved", "closed")


@dataclass
class StepContext:
    """One run of one escalation: the rows it works on and the time it runs at."""

    session: Session
    escalation: Escalation
    incident: Incident
    now: datetime
    base: datetime  # when this run was due: waits count from here, so lateness does not accumulate


@dataclass(frozen=True)
class Outcome:
    """Where the escalation goes after a step."""

    next_step: int | None = None  # None with end_state: the escalation ends
    wait_until: datetime | None = None
    end_state: str | None = None
    notified: list[str] = field(default_factory=list)


def _next(ctx: StepContext, notified: list[str] | None = None) -> Outcome:
    return Outcome(next_step=ctx.escalation.step + 1, notified=notified or [])


# ---- recipients -------------------------------------------------------------------------------

def _members(ctx: StepContext, departments: list[str], post: str) -> list[Person]:
    return list(ctx.session.scalars(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.department_code.in_(departments), Membership.post == post, Person.active.is_(True))
        .order_by(Person.username).distinct()))


def _people(ctx: StepContext, usernames: list[str]) -> list[Person]:
    return list(ctx.session.scalars(
        select(Person).where(Person.username.in_(usernames), Person.active.is_(True)).order_by(Person.username)))


def _first_sms_contact(session: Session, person: Person) -> Contact | None:
    return session.scalars(select(Contact).where(Contact.person_id == person.id, Contact.channel == "sms")
                           .order_by(Contact.position).limit(1)).first()


# ---- notifying --------------------------------------------------------------------------------

def _notify(ctx: StepContext, step: dict, people: list[Person], *, leaders: bool, missing: str) -> Outcome:
    """Write one notification per person and channel; log who was told and who could not be."""
    esc, incident = ctx.escalation, ctx.incident
    if not people:
        _log(ctx, "escalation_failed", f"step {esc.step + 1} ({step['type']}): {missing}", {"step": step})
        return _next(ctx)
    channels = step.get("channels") or DEFAULT_CHANNELS
    told, problems = [], []
    for person in people:
        is_leader = leaders or person.role == "leader"
        for channel in channels:
            if channel == "sms" and is_leader and esc.exercise:
                problems.append(f"{person.display_name}: no SMS to a leader for an exercise")
                continue
            contact = _first_sms_contact(ctx.session, person) if channel == "sms" else None
            if channel == "sms" and contact is None:
                problems.append(f"{person.display_name}: no mobile number on file")
                continue
            ctx.session.add(Notification(
                escalation_id=esc.id, incident_id=incident.id, person_id=person.id, step=esc.step, channel=channel,
                address=contact.address if contact else None, contact_position=contact.position if contact else None,
                body=compose(incident.headline, incident.grade or incident.grade_proposed, esc.reply_code,
                             person.language, esc.exercise),
                status="pending" if channel == "sms" else "delivered",
                next_attempt_at=ctx.now, created_at=ctx.now, updated_at=ctx.now))
            told.append(f"{person.display_name} ({channel})")
    summary = f"step {esc.step + 1} ({step['type']}): notified {', '.join(told) or 'nobody'}"
    _log(ctx, "escalation_step", summary, {"step": step, "notified": told, "problems": problems})
    for problem in problems:
        _log(ctx, "escalation_failed", f"step {esc.step + 1} ({step['type']}): {problem}", {"step": step})
    return _next(ctx, told)


def _log(ctx: StepContext, kind: str, summary: str, data: dict) -> None:
    dutylog.append(ctx.session, kind=kind, summary=f"{ctx.escalation.playbook} #{ctx.escalation.id}: {summary}",
                   author="escalation", occurred_at=ctx.now, at=ctx.now, incident_id=ctx.incident.id,
                   escalation_id=ctx.escalation.id, data=data)


def notify_liaisons(ctx: StepContext, step: dict) -> Outcome:
    departments = step.get("departments") or ctx.incident.departments or []
    return _notify(ctx, step, _members(ctx, departments, "liaison"), leaders=False,
                   missing=f"no liaison on file for {', '.join(departments) or 'the incident (no department)'}")


def notify_role(ctx: StepContext, step: dict) -> Outcome:
    role, department = step["role"], step.get("department")
    if department:
        people = _members(ctx, [department], role)
    else:
        people = list(ctx.session.scalars(select(Person).where(Person.role == role, Person.active.is_(True))
                                          .order_by(Person.username)))
    return _notify(ctx, step, people, leaders=role == "leader",
                   missing=f"nobody is {role}{' of ' + department if department else ''}")


def notify_on_duty(ctx: StepContext, step: dict) -> Outcome:
    post = step.get("post", "leader")
    people = roster.on_duty_people(ctx.session, ctx.now, post)
    return _notify(ctx, step, people, leaders=post == "leader", missing=f"no {post} on duty now (roster gap)")


def notify_person(ctx: StepContext, step: dict) -> Outcome:
    return _notify(ctx, step, _people(ctx, [step["person"]]), leaders=False,
                   missing=f"{step['person']} is not an active person")


def notify_group(ctx: StepContext, step: dict) -> Outcome:
    if step.get("department"):
        people = _members(ctx, [step["department"]], "liaison")
    else:
        people = _people(ctx, list(step.get("people") or []))
    require = step.get("require", "all")
    needed = len(people) if require == "all" else min(int(require), len(people))
    ctx.escalation.required_acks = max(ctx.escalation.required_acks, needed, 1)
    return _notify(ctx, step, people, leaders=False, missing="nobody in the group is active")


# ---- flow -------------------------------------------------------------------------------------

def wait(ctx: StepContext, step: dict) -> Outcome:
    return Outcome(next_step=ctx.escalation.step + 1, wait_until=ctx.base + timedelta(minutes=float(step["minutes"])))


def repeat(ctx: StepContext, step: dict) -> Outcome:
    esc = ctx.escalation
    done = int((esc.repeats or {}).get(str(esc.step), 0))
    if done >= int(step.get("times", 1)):
        return _next(ctx)
    esc.repeats = {**(esc.repeats or {}), str(esc.step): done + 1}
    return Outcome(next_step=label_index(esc.snapshot["steps"], step["from"]))


def if_not_acknowledged(ctx: StepContext, step: dict) -> Outcome:
    if ctx.escalation.acknowledged_at is not None:
        return Outcome(end_state="acknowledged")
    return _next(ctx)


def if_not_resolved(ctx: StepContext, step: dict) -> Outcome:
    if ctx.incident.status in RESOLVED_STATUSES:
        return Outcome(end_state="resolved")
    return _next(ctx)


def resolve(ctx: StepContext, step: dict) -> Outcome:
    return Outcome(end_state="finished")


def label_index(steps: list[dict], label: str) -> int:
    """The index of the step labelled ``label`` (the playbook schema guarantees one exists)."""
    return next(index for index, step in enumerate(steps) if step.get("label") == label)


STEP_HANDLERS: dict[str, Callable[[StepContext, dict], Outcome]] = {
    "notify_liaisons": notify_liaisons,
    "notify_role": notify_role,
    "notify_on_duty": notify_on_duty,
    "notify_person": notify_person,
    "notify_group": notify_group,
    "wait": wait,
    "repeat": repeat,
    "if_not_acknowledged": if_not_acknowledged,
    "if_not_resolved": if_not_resolved,
    "resolve": resolve,
}
