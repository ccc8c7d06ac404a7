"""The escalation engine: playbooks become escalations, and the database is their clock.

- triage: incidents marked ``triage_at`` (opened, or got worse) are claimed, matched against the
  playbooks, and an escalation starts with a snapshot of the matched playbook.
- claim + advance: due escalations are leased with one UPDATE … (SELECT … FOR UPDATE SKIP LOCKED)
  that also bumps their token; each is then advanced in its own transaction that checks the token,
  performs the steps (outbox rows, duty-log entries) and writes the next due time. A run whose
  token is stale (its lease ran out and another worker took over) changes nothing.
- acknowledge: idempotent per person and answer; "not ours" makes the next step due at once.
- audit: escalations whose step is overdue are raised in the duty room.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from command.db import insert_for
from command.enums import OPEN
from command.errors import Conflict, Invalid, NotFound
from command.escalation_steps import STEP_HANDLERS, StepContext, log_escalation
from command.events import EscalationChanged, EscalationOverdue
from command.i18n import message
from command.incidents import DRILL_STATUSES
from command.models import Acknowledgement, Escalation, Incident
from command.unit_of_work import announce
from feeds.event import iso
from playbooks.loader import Playbook
from playbooks.matcher import match

log = logging.getLogger(__name__)

ANSWERS = ("acknowledge", "going", "not_ours")
ACKNOWLEDGING = ("acknowledge", "going")
VIAS = ("web", "sms", "api")
MAX_STEPS_PER_RUN = 64  # a playbook with no waits still yields the worker now and then
REPLY_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"  # no I, L, O: they read as digits on a phone
OPEN_STATUSES = tuple(status.value for status in OPEN)


class EscalationNotFound(NotFound):
    """No escalation with that id (or one the asker may not see)."""

    def __init__(self, escalation_id: int):
        super().__init__("escalation", escalation_id)


def reply_code(escalation_id: int) -> str:
    """A short code for SMS replies: a letter and a number, unique per escalation (A1, B1 … Z1, A2 …)."""
    index = escalation_id - 1
    return f"{REPLY_LETTERS[index % len(REPLY_LETTERS)]}{index // len(REPLY_LETTERS) + 1}"


# ---- triage -----------------------------------------------------------------------------------

def facts(incident: Incident) -> dict:
    """What playbooks match on."""
    return {"category": incident.category, "event": incident.event, "headline": incident.headline,
            "severity": incident.severity, "grade": incident.grade, "grade_proposed": incident.grade_proposed,
            "region_code": incident.region_code, "lat": incident.lat, "lon": incident.lon,
            "source": incident.source, "sensitive": bool(incident.sensitive),
            "departments": list(incident.departments or [])}


def triage(session: Session, playbooks: list[Playbook], now: datetime, time_zone: str, limit: int = 100) -> int:
    """Match incidents waiting for triage against the playbooks and start escalations; return how many started."""
    waiting = (select(Incident.id).where(Incident.triage_at.is_not(None), Incident.triage_at <= now)
               .order_by(Incident.triage_at).limit(limit).with_for_update(skip_locked=True))
    ids = session.scalars(update(Incident).where(Incident.id.in_(waiting.scalar_subquery()))
                          .values(triage_at=None).returning(Incident.id),
                          execution_options={"synchronize_session": False}).all()
    started = 0
    local = now.astimezone(ZoneInfo(time_zone))
    for incident in session.scalars(select(Incident).where(Incident.id.in_(ids)).order_by(Incident.id)).all():
        if incident.status not in OPEN_STATUSES or incident.merged_into_id is not None:
            continue
        playbook = match(playbooks, facts(incident), local)
        if playbook is not None:
            started += start(session, incident, playbook, now)
    return started


def start(session: Session, incident: Incident, playbook: Playbook, now: datetime) -> bool:
    """Start ``playbook`` for ``incident`` (once: a repeated start is a no-op) and supersede weaker ones."""
    started = session.scalar(
        insert_for(session, Escalation)
        .values(incident_id=incident.id, playbook=playbook.name, snapshot=playbook.snapshot(), state="active",
                step=0, repeats={}, token=0, due_at=now, reply_code="~" + secrets.token_hex(3),
                required_acks=1, exercise=incident.cap_status in DRILL_STATUSES, created_at=now, updated_at=now)
        .on_conflict_do_nothing().returning(Escalation.id))
    if started is None:
        return False
    escalation = session.get(Escalation, started)
    escalation.reply_code = reply_code(started)
    for older in session.scalars(select(Escalation).where(Escalation.incident_id == incident.id,
                                                          Escalation.id != started, Escalation.state == "active")):
        older.state, older.due_at, older.updated_at = "superseded", None, now
        log_escalation(session, older, now, "escalation_step",
                       message("escalation.superseded", playbook=playbook.name, id=started))
        announce(session, EscalationChanged(escalation_dict(session, older)))
    log_escalation(session, escalation, now, "escalation_step",
                   message("escalation.started", incident=incident.id, headline=incident.headline[:80],
                           code=escalation.reply_code), {"playbook_version": playbook.version})
    announce(session, EscalationChanged(escalation_dict(session, escalation)))
    return True


# ---- claim and advance ------------------------------------------------------------------------

def claim_due(session: Session, holder: str, now: datetime, limit: int, lease_seconds: float) -> list[tuple[int, int]]:
    """Lease up to ``limit`` due escalations for ``holder``; return their (id, token)."""
    due = (select(Escalation.id)
           .where(Escalation.state == "active", Escalation.due_at <= now,
                  or_(Escalation.lease_until.is_(None), Escalation.lease_until < now))
           .order_by(Escalation.due_at).limit(limit).with_for_update(skip_locked=True))
    rows = session.execute(
        update(Escalation).where(Escalation.id.in_(due.scalar_subquery()))
        .values(lease_holder=holder, lease_until=now + timedelta(seconds=lease_seconds), token=Escalation.token + 1)
        .returning(Escalation.id, Escalation.token), execution_options={"synchronize_session": False}).all()
    return [(row.id, row.token) for row in rows]


def advance(session: Session, escalation_id: int, token: int, holder: str, now: datetime) -> bool:
    """Perform the due steps of one leased escalation and write its next due time; stale runs do nothing (False)."""
    escalation = session.scalars(
        select(Escalation).where(Escalation.id == escalation_id, Escalation.token == token,
                                 Escalation.lease_holder == holder, Escalation.state == "active")
        .with_for_update()).first()
    if escalation is None:
        return False  # another worker took it over, or it ended meanwhile
    incident = session.get(Incident, escalation.incident_id)
    context = StepContext(session, escalation, incident, now, base=escalation.due_at or now)
    steps = escalation.snapshot["steps"]
    end_state = None
    for _ in range(MAX_STEPS_PER_RUN):
        if incident.status == "closed" or incident.merged_into_id is not None:
            end_state = "cancelled"
            break
        if escalation.step >= len(steps):
            end_state = "finished"
            break
        outcome = STEP_HANDLERS[steps[escalation.step]["type"]](context, steps[escalation.step])
        if outcome.end_state:
            end_state = outcome.end_state
            break
        escalation.step = outcome.next_step
        if outcome.wait_until is not None and outcome.wait_until > now:
            escalation.due_at = outcome.wait_until
            break
        if outcome.wait_until is not None:
            context.base = outcome.wait_until  # running late: later waits still count from the schedule
    else:
        escalation.due_at = now  # yield; the next claim continues
    if end_state:
        escalation.state, escalation.due_at = end_state, None
        log_escalation(session, escalation, now, "escalation_step",
                       message("escalation.ended", state=message(f"escalation_state.{end_state}")))
    escalation.lease_holder, escalation.lease_until, escalation.updated_at = None, None, now
    announce(session, EscalationChanged(escalation_dict(session, escalation)))
    return True


# ---- answers ----------------------------------------------------------------------------------

def acknowledge(session: Session, escalation_id: int, *, actor: str, person_id: int | None, answer: str, via: str,
                at: datetime) -> bool:
    """Record an answer (acknowledge, going, not ours) once per person; False when it was already recorded."""
    if answer not in ANSWERS:
        raise Invalid("bad_answer", "answer", choices=", ".join(ANSWERS))
    if via not in VIAS:
        raise Invalid("bad_answer", "via", message="bad_via", choices=", ".join(VIAS))
    escalation = session.scalars(select(Escalation).where(Escalation.id == escalation_id).with_for_update()).first()
    if escalation is None:
        raise EscalationNotFound(escalation_id)
    if escalation.state in ("cancelled", "superseded"):
        raise Conflict("escalation_closed", "answer", id=escalation_id, state=escalation.state,
                       state_name=message(f"escalation_state.{escalation.state}"))
    recorded = session.scalar(
        insert_for(session, Acknowledgement)
        .values(escalation_id=escalation_id, person_id=person_id, actor=actor, answer=answer, via=via, at=at)
        .on_conflict_do_nothing().returning(Acknowledgement.id))
    if recorded is None:
        return False  # the same answer again (a double tap, a repeated SMS): nothing changes
    log_escalation(session, escalation, at, "acknowledgement",
                   message(f"escalation.answer_{answer}", actor=actor, via=message(f"via.{via}")),
                   {"answer": answer, "via": via, "actor": actor})
    if answer in ACKNOWLEDGING and escalation.acknowledged_at is None:
        answered = session.scalar(select(func.count(func.distinct(Acknowledgement.actor))).where(
            Acknowledgement.escalation_id == escalation_id, Acknowledgement.answer.in_(ACKNOWLEDGING)))
        if answered >= escalation.required_acks:
            escalation.acknowledged_at = at
    if answer == "not_ours" and escalation.state == "active":
        escalation.due_at = at  # escalate at once: the next step runs without waiting
    escalation.updated_at = at
    announce(session, EscalationChanged(escalation_dict(session, escalation)))
    return True


# ---- audit ------------------------------------------------------------------------------------

def audit(session: Session, now: datetime, overdue_seconds: float) -> int:
    """Raise escalations whose step is overdue, once per missed due time; return how many."""
    limit = now - timedelta(seconds=overdue_seconds)
    late = session.scalars(select(Escalation).where(
        Escalation.state == "active", Escalation.due_at < limit,
        or_(Escalation.overdue_reported_at.is_(None), Escalation.overdue_reported_at < Escalation.due_at))
        .with_for_update(skip_locked=True).limit(100)).all()
    for escalation in late:
        minutes = (now - escalation.due_at).total_seconds() / 60
        escalation.overdue_reported_at = now
        log_escalation(session, escalation, now, "escalation_overdue",
                       message("escalation.overdue", step=escalation.step + 1, minutes=f"{minutes:.1f}"))
        announce(session, EscalationOverdue(escalation_dict(session, escalation)))
    return len(late)


# ---- shapes -----------------------------------------------------------------------------------

# Overdue: the auditor raised the escalation's current due time and nothing has moved it since (the
# worker died, or the clock jumped); moving on to a new due time or ending clears it.
OVERDUE = and_(Escalation.state == "active", Escalation.due_at.is_not(None),
               Escalation.overdue_reported_at.is_not(None), Escalation.overdue_reported_at >= Escalation.due_at)


def is_overdue(escalation: Escalation) -> bool:
    """The Python side of OVERDUE, for one loaded escalation."""
    return (escalation.state == "active" and escalation.due_at is not None
            and escalation.overdue_reported_at is not None and escalation.overdue_reported_at >= escalation.due_at)


def escalation_dict(session: Session, escalation: Escalation) -> dict:
    """The escalation as the console, the liaison queue and the API show it (pushed in this shape too)."""
    incident = session.get(Incident, escalation.incident_id)
    answers = session.scalars(select(Acknowledgement).where(Acknowledgement.escalation_id == escalation.id)
                              .order_by(Acknowledgement.at, Acknowledgement.id)).all()
    snapshot = escalation.snapshot or {}
    steps = snapshot.get("steps") or []
    return {
        "id": escalation.id,
        "incident_id": escalation.incident_id,
        "headline": incident.headline if incident else None,
        "severity": incident.severity if incident else None,
        "grade": (incident.grade or incident.grade_proposed) if incident else None,
        "departments": list(incident.departments or []) if incident else [],
        "playbook": escalation.playbook,
        "title": snapshot.get("title"),
        "state": escalation.state,
        "step": escalation.step,
        "steps": len(steps),
        "step_type": steps[escalation.step].get("type") if 0 <= escalation.step < len(steps) else None,
        "overdue": is_overdue(escalation),
        "due_at": iso(escalation.due_at),
        "reply_code": escalation.reply_code,
        "required_acks": escalation.required_acks,
        "acknowledged_at": iso(escalation.acknowledged_at),
        "answers": [{"actor": a.actor, "answer": a.answer, "via": a.via, "at": iso(a.at)} for a in answers],
        "exercise": bool(escalation.exercise),
        "created_at": iso(escalation.created_at),
        "updated_at": iso(escalation.updated_at),
    }
