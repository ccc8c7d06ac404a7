"""The escalations API: running and past escalations, and the answers liaisons give.

An answer (acknowledge, going, not ours) is idempotent: the same person giving the
same answer twice is recorded once (201 the first time, 200 after).

An escalation is *overdue* while the auditor has raised its current due time and nothing has
moved it since (``overdue_reported_at >= due_at``, still active): the worker died, or the clock
jumped. Each escalation shown here says so (``overdue``) and names the type of the step that is
due (``step_type``); ``?overdue=true`` lists only those, so a console that was away learns of them.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import get_translations
from sqlalchemy import not_, select

from command import escalation as engine
from command.dutylog import entry_text
from command.errors import Invalid
from command.escalation import OVERDUE, EscalationNotFound, escalation_dict
from command.models import DutyLogEntry, Escalation, Incident, Notification, Person, utcnow
from web.context import runtime
from web.requests import flag, json_body, listed, required, whole
from web.scope import departments_in_scope, in_scope

bp = Blueprint("escalations_api", __name__, url_prefix="/api/v1/escalations")

STATES = ("active", "acknowledged", "resolved", "finished", "cancelled", "superseded")
DEFAULT_LIMIT, MAX_LIMIT = 200, 2000


@bp.get("")
def list_escalations():
    """Escalations, newest first: active ones unless ?state= says otherwise; ?department=, ?incident= and
    ?overdue= narrow."""
    states = listed(request.args, "state", STATES) or ["active"]
    limit = min(whole(request.args, "limit", 1, None, DEFAULT_LIMIT), MAX_LIMIT)
    department = request.args.get("department")
    query = select(Escalation).where(Escalation.state.in_(states))
    incident = whole(request.args, "incident", 1, None, None)
    if incident is not None:
        query = query.where(Escalation.incident_id == incident)
    overdue = flag(request.args, "overdue")
    if overdue is not None:
        query = query.where(OVERDUE if overdue else not_(OVERDUE))
    with runtime().sessions() as session:
        rows = session.scalars(query.order_by(Escalation.created_at.desc(), Escalation.id.desc()).limit(MAX_LIMIT))
        shown = []
        for row in rows:
            item = escalation_dict(session, row)
            if (department and department not in item["departments"]) or not in_scope(item["departments"]):
                continue
            shown.append(item)
            if len(shown) >= limit:
                break
    return jsonify({"escalations": shown})


@bp.get("/<int:escalation_id>")
def get_escalation(escalation_id: int):
    """One escalation with its notifications and its duty-log entries."""
    with runtime().sessions() as session:
        row = _visible(session, escalation_id)
        notifications = session.execute(
            select(Notification, Person.username).join(Person, Person.id == Notification.person_id, isouter=True)
            .where(Notification.escalation_id == escalation_id).order_by(Notification.id)).all()
        log = session.scalars(select(DutyLogEntry).where(DutyLogEntry.escalation_id == escalation_id)
                              .order_by(DutyLogEntry.id)).all()
        body = escalation_dict(session, row)
        body["snapshot"] = row.snapshot
        private = departments_in_scope() is not None  # a liaison does not see the leader's mobile number
        body["notifications"] = [{"id": n.id, "person": username, "channel": n.channel,
                                  "address": None if private else n.address,
                                  "status": n.status, "attempts": n.attempts, "step": n.step,
                                  "created_at": n.created_at.isoformat(), "last_error": n.last_error}
                                 for n, username in notifications]
        body["log"] = [{"id": e.id, "at": e.occurred_at.isoformat(), "kind": e.kind, "summary": e.summary,
                        "text": entry_text(e, translations=get_translations())} for e in log]
    return jsonify(body)


@bp.post("/<int:escalation_id>/answers")
def answer(escalation_id: int):
    """Acknowledge, say "we are going", or "not ours" (which escalates at once)."""
    body = json_body()
    actor = required(body, "actor").strip()
    if len(actor) > 128:
        raise Invalid("too_long", "actor", limit=128)
    with runtime().unit_of_work() as session:
        _visible(session, escalation_id)
        person = session.scalar(select(Person).where(Person.username == actor))
        recorded = engine.acknowledge(session, escalation_id, actor=actor, person_id=person.id if person else None,
                                      answer=body.get("answer"), via=body.get("via", "api"), at=utcnow())
        current = escalation_dict(session, session.get(Escalation, escalation_id))
    return jsonify(current), 201 if recorded else 200


def _visible(session, escalation_id: int) -> Escalation:
    """The escalation, if the asker may see it (a liaison only their departments'): 404 otherwise."""
    row = session.get(Escalation, escalation_id)
    incident = session.get(Incident, row.incident_id) if row else None
    if row is None or not in_scope(list(incident.departments or []) if incident else []):
        raise EscalationNotFound(escalation_id)
    return row
