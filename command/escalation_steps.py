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
from command.i18n import message, render
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

def _notify(ctx: StepContext, step: dict, people: list[Person], *, leaders: bool, missing: dict) -> Outcome:
    """Write one notification per person and channel; log who was told and who could not be."""
    esc, incident = ctx.escalation, ctx.incident
    if not people:
        _log(ctx, "escalation_failed", _step(ctx, step, missing), {"step": step})
        return _next(ctx)
    channels = step.get("channels") or DEFAULT_CHANNELS
    told, problems = [], []
    for person in people:
        is_leader = leaders or person.role == "leader"
        for channel in channels:
            if channel == "sms" and is_leader and esc.exercise:
                problems.append(message("step.no_exercise_sms_to_leader", person=person.display_name))
                continue
            contact = _first_sms_contact(ctx.session, person) if channel == "sms" else None
            if channel == "sms" and contact is None:
                problems.append(message("step.no_mobile", person=person.display_name))
                continue
            ctx.session.add(Notification(
                escalation_id=esc.id, incident_id=incident.id, person_id=person.id, step=esc.step, channel=channel,
                address=contact.address if contact else None, contact_position=contact.position if contact else None,
                body=compose(incident.headline, incident.grade or incident.grade_proposed, esc.reply_code,
                             person.language, esc.exercise),
                status="pending" if channel == "sms" else "delivered",
                next_attempt_at=ctx.now, created_at=ctx.now, updated_at=ctx.now))
            told.append(f"{person.display_name} ({channel})")
    notified = message("step.notified", people=", ".join(told)) if told else message("step.notified_nobody")
    _log(ctx, "escalation_step", _step(ctx, step, notified),
         {"step": step, "notified": told, "problems": [render(problem) for problem in problems]})
    for problem in problems:
        _log(ctx, "escalation_failed", _step(ctx, step, problem), {"step": step})
    return _next(ctx, told)


def _step(ctx: StepContext, step: dict, what: dict) -> dict:
    """ "step 2 (notify the liaisons): …" """
    return message("step.line", number=ctx.escalation.step + 1, type=message(f"step_type.{step['type']}"), what=what)


def log_escalation(session: Session, escalation: Escalation, at: datetime, kind: str, what: dict,
                   data: dict | None = None) -> None:
    """A duty-log line about ``escalation``: "playbook #id: what"."""
    dutylog.append(session, kind=kind, message=message("escalation.line", playbook=escalation.playbook,
                                                       id=escalation.id, what=what),
                   author="escalation", occurred_at=at, at=at, incident_id=escalation.incident_id,
                   escalation_id=escalation.id, data=data)


def _log(ctx: StepContext, kind: str, what: dict, data: dict) -> None:
    log_escalation(ctx.session, ctx.escalation, ctx.now, kind, what, data)


def notify_liaisons(ctx: StepContext, step: dict) -> Outcome:
    departments = step.get("departments") or ctx.incident.departments or []
    return _notify(ctx, step, _members(ctx, departments, "liaison"), leaders=False,
                   missing=message("step.no_liaison", departments=", ".join(departments))
                   if departments else message("step.no_department"))


def notify_role(ctx: StepContext, step: dict) -> Outcome:
    role, department = step["role"], step.get("department")
    if department:
        people = _members(ctx, [department], role)
    else:
        people = list(ctx.session.scalars(select(Person).where(Person.role == role, Person.active.is_(True))
                                          .order_by(Person.username)))
    return _notify(ctx, step, people, leaders=role == "leader",
                   missing=message("step.nobody_in_post", post=message(f"post.{role}"), department=department)
                   if department else message("step.nobody_in_role", role=role))


def notify_on_duty(ctx: StepContext, step: dict) -> Outcome:
    post = step.get("post", "leader")
    people = roster.on_duty_people(ctx.session, ctx.now, post)
    return _notify(ctx, step, people, leaders=post == "leader",
                   missing=message("step.nobody_on_duty", post=message(f"post.{post}")))


def notify_person(ctx: StepContext, step: dict) -> Outcome:
    return _notify(ctx, step, _people(ctx, [step["person"]]), leaders=False,
                   missing=message("step.not_active", person=step["person"]))


def notify_group(ctx: StepContext, step: dict) -> Outcome:
    if step.get("department"):
        people = _members(ctx, [step["department"]], "liaison")
    else:
        people = _people(ctx, list(step.get("people") or []))
    require = step.get("require", "all")
    needed = len(people) if require == "all" else min(int(require), len(people))
    ctx.escalation.required_acks = max(ctx.escalation.required_acks, needed, 1)
    return _notify(ctx, step, people, leaders=False, missing=message("step.group_empty"))


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
