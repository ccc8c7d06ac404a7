"""The escalations API: running and past escalations, and the answers liaisons give.

An answer (acknowledge, going, not ours) is idempotent: the same person giving the
same answer twice is recorded once (201 the first time, 200 after).

An escalation is *overdue* while the auditor has raised its current due time and nothing has
moved it since (``overdue_reported_at >= due_at``, still active): the worker died, or the clock
jumped. Each escalation shown here says so (``overdue``) and names the type of the step that is
due (``step_type``); ``?overdue=true`` lists only those, so a console that was away learns of them.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import not_, select

from command import escalation as engine
from command.escalation import OVERDUE, AnswerRefused, EscalationNotFound, escalation_dict
from command.models import DutyLogEntry, Escalation, Incident, Notification, Person, utcnow
from web.errors import json_error
from web.scope import departments_in_scope, in_scope

bp = Blueprint("escalations_api", __name__, url_prefix="/api/v1/escalations")

STATES = ("active", "acknowledged", "resolved", "finished", "cancelled", "superseded")
DEFAULT_LIMIT, MAX_LIMIT = 200, 2000
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@bp.get("")
def list_escalations():
    """Escalations, newest first: active ones unless ?state= says otherwise; ?department=, ?incident= and
    ?overdue= narrow."""
    states = [s for value in request.args.getlist("state") for s in value.split(",") if s] or ["active"]
    unknown = sorted(set(states) - set(STATES))
    if unknown:
        return json_error(400, f"state must be among {', '.join(STATES)}", "state", "bad_state")
    try:
        limit = min(int(request.args.get("limit", DEFAULT_LIMIT)), MAX_LIMIT)
    except ValueError:
        return json_error(400, "limit must be a whole number", "limit", "bad_limit")
    department = request.args.get("department")
    query = select(Escalation).where(Escalation.state.in_(states))
    incident = request.args.get("incident", "").strip()
    if incident:
        if not incident.isdigit() or int(incident) < 1:
            return json_error(400, "incident must be an incident number", "incident", "bad_incident")
        query = query.where(Escalation.incident_id == int(incident))
    overdue = request.args.get("overdue", "").strip().lower()
    if overdue:
        if overdue not in _TRUE | _FALSE:
            return json_error(400, "overdue must be true or false", "overdue", "bad_overdue")
        query = query.where(OVERDUE if overdue in _TRUE else not_(OVERDUE))
    with current_app.extensions["vigil"].sessions() as session:
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
    with current_app.extensions["vigil"].sessions() as session:
        row = session.get(Escalation, escalation_id)
        if row is None or not in_scope(_departments(session, row)):
            return json_error(404, f"no escalation {escalation_id}", code="not_found")
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
        body["log"] = [{"id": e.id, "at": e.occurred_at.isoformat(), "kind": e.kind, "summary": e.summary}
                       for e in log]
    return jsonify(body)


@bp.post("/<int:escalation_id>/answers")
def answer(escalation_id: int):
    """Acknowledge, say "we are going", or "not ours" (which escalates at once)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "the body must be a JSON object", code="bad_json")
    actor = body.get("actor")
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 128:
        return json_error(422, "actor must name who answers (1–128 characters)", "actor", "actor_required")
    via = body.get("via", "api")
    runtime = current_app.extensions["vigil"]
    try:
        with runtime.sessions.begin() as session:
            row = session.get(Escalation, escalation_id)
            if row is None or not in_scope(_departments(session, row)):
                raise EscalationNotFound(f"no escalation {escalation_id}")
            person = session.scalar(select(Person).where(Person.username == actor.strip()))
            events = engine.acknowledge(session, escalation_id, actor=actor.strip(),
                                        person_id=person.id if person else None, answer=body.get("answer"),
                                        via=via, at=utcnow())
            current = escalation_dict(session, session.get(Escalation, escalation_id))
    except EscalationNotFound as exc:
        return json_error(404, str(exc), code="not_found")
    except AnswerRefused as exc:
        field = "via" if str(exc).startswith("via") else "answer"
        return json_error(422 if "must be one of" in str(exc) else 409, str(exc), field,
                          "bad_answer" if "must be one of" in str(exc) else "escalation_closed")
    for event in events:
        runtime.publisher.publish(event)
    return jsonify(current), 201 if events else 200



def _departments(session, escalation: Escalation) -> list[str]:
    incident = session.get(Incident, escalation.incident_id)
    return list(incident.departments or []) if incident else []
