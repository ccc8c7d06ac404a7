"""The incidents API: list with filters, one incident with its events and timeline, operator changes.

Every change names the version the operator saw: a stale one gets 409 with who
changed the incident and when. Refusals are the core's typed errors, answered by
web/errors.py in the reader's language; changes run in a unit of work, which pushes
them to every console once they are committed.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import or_, select

from command.correlation import proposal_dict
from command.enums import Grade, Severity, Status
from command.errors import Conflict
from command.i18n import render
from command.incident_actions import (IncidentNotFound, act, add_note, merge, release_lease, set_grade, set_harm,
                                      set_sensitive, split, take_lease)
from command.incidents import OPEN_STATUSES, feature
from command.models import CorrelationProposal, FeedEventRecord, Incident, IncidentLog, utcnow
from web.context import runtime
from web.requests import json_body, listed, optional, parse_time, required, whole
from web.scope import departments_in_scope, in_scope


bp = Blueprint("incidents_api", __name__, url_prefix="/api/v1/incidents")

DEFAULT_LIMIT, MAX_LIMIT = 20000, 50000  # the console loads every open incident at once
_LIST_FILTERS = {"source": Incident.source, "severity": Incident.severity, "grade": Incident.grade,
                 "status": Incident.status, "category": Incident.category}
_ALLOWED = {"severity": {s.value for s in Severity}, "grade": {g.value for g in Grade},
            "status": {s.value for s in Status}}


@bp.get("")
def list_incidents():
    """Return incidents as GeoJSON, newest change first: open ones unless ?status= says otherwise."""
    query = select(Incident)
    for name, column in _LIST_FILTERS.items():
        values = listed(request.args, name, _ALLOWED.get(name))
        if values:
            query = query.where(column.in_(values))
    if not request.args.get("status"):
        query = query.where(Incident.status.in_(OPEN_STATUSES))
    if request.args.get("merged") != "include":  # a merged incident is shown through the one it joined
        query = query.where(Incident.merged_into_id.is_(None))
    text = request.args.get("q", "").strip()
    if text:
        pattern = f"%{text[:100]}%"
        query = query.where(or_(Incident.headline.ilike(pattern), Incident.address.ilike(pattern),
                                Incident.event.ilike(pattern)))
    since = request.args.get("since")
    if since:
        query = query.where(Incident.updated_at >= parse_time(since, "since"))
    limit = whole(request.args, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    with runtime().sessions() as session:
        scoped = departments_in_scope() is not None  # a liaison's limit counts their own items only
        rows = session.scalars(query.order_by(Incident.updated_at.desc(), Incident.id.desc())
                               .limit(MAX_LIMIT if scoped else limit))
        features = [feature(incident) for incident in rows if in_scope(incident.departments)][:limit]
    return jsonify({"type": "FeatureCollection", "features": features})


@bp.get("/<int:incident_id>")
def get_incident(incident_id: int):
    """Return one incident with every event that fed it and its timeline, in order."""
    with runtime().sessions() as session:
        incident = session.get(Incident, incident_id)
        if incident is None or not in_scope(incident.departments):  # out of scope looks like absent
            raise IncidentNotFound(incident_id)
        merged = session.scalars(select(Incident.id).where(Incident.merged_into_id == incident_id)).all()
        events = session.scalars(select(FeedEventRecord)
                                 .where(FeedEventRecord.incident_id.in_([incident_id, *merged]))
                                 .order_by(FeedEventRecord.received_at, FeedEventRecord.id))
        proposals = session.scalars(select(CorrelationProposal).where(or_(
            CorrelationProposal.incident_a == incident_id, CorrelationProposal.incident_b == incident_id)))
        timeline = session.scalars(select(IncidentLog).where(IncidentLog.incident_id == incident_id)
                                   .order_by(IncidentLog.id))
        return jsonify({
            "incident": _detail(incident),
            "events": [dict(e.data, id=e.id, payload_id=e.payload_id) for e in events],
            "timeline": [_entry(entry) for entry in timeline],
            "merged": list(merged),
            "proposals": [proposal_dict(p) for p in proposals],
        })


@bp.post("/<int:incident_id>/actions")
def post_action(incident_id: int):
    """Acknowledge, respond, resolve, close or reopen: {"action", "version", "actor", "reason"?}."""
    return _change(lambda session, body, actor, at: act(
        session, incident_id, required(body, "action"), actor, _version(body), at, optional(body, "reason")))


@bp.post("/<int:incident_id>/grade")
def post_grade(incident_id: int):
    """Confirm or change the grade: {"grade": "I".."IV", "version", "actor", "reason"}."""
    return _change(lambda session, body, actor, at: set_grade(
        session, incident_id, required(body, "grade"), actor, _version(body), at, optional(body, "reason"),
        runtime().reporting_profile))


@bp.post("/<int:incident_id>/harm")
def post_harm(incident_id: int):
    """Record harm: {"deaths", "serious_injuries", "direct_loss_yuan", "version", "actor", "reason"}."""
    return _change(lambda session, body, actor, at: set_harm(
        session, incident_id, actor, _version(body), at, optional(body, "reason"),
        deaths=optional(body, "deaths", int), serious_injuries=optional(body, "serious_injuries", int),
        direct_loss_yuan=optional(body, "direct_loss_yuan", int)))


@bp.post("/<int:incident_id>/sensitive")
def post_sensitive(incident_id: int):
    """Flag or unflag as sensitive: {"sensitive": true|false, "version", "actor", "reason"?}."""
    return _change(lambda session, body, actor, at: set_sensitive(
        session, incident_id, required(body, "sensitive", bool), actor, _version(body), at,
        optional(body, "reason"), runtime().reporting_profile))


@bp.post("/<int:incident_id>/merge")
def post_merge(incident_id: int):
    """Merge this incident into another: {"into", "version", "actor", "reason"?}; undo with split."""
    return _change(lambda session, body, actor, at: merge(
        session, incident_id, required(body, "into", int), actor, _version(body), at, optional(body, "reason")))


@bp.post("/<int:incident_id>/split")
def post_split(incident_id: int):
    """Undo a merge: {"version", "actor", "reason"?}."""
    return _change(lambda session, body, actor, at: split(
        session, incident_id, actor, _version(body), at, optional(body, "reason")))


@bp.post("/<int:incident_id>/notes")
def post_note(incident_id: int):
    """Add a note to the timeline: {"text", "actor"}; every console reloads the open panel."""
    body = json_body()
    actor, text = required(body, "actor")[:128], required(body, "text")
    with runtime().unit_of_work() as session:
        answer = feature(add_note(session, incident_id, text, actor, utcnow()))
    return jsonify({"incident": answer}), 201


@bp.post("/<int:incident_id>/lease")
def post_lease(incident_id: int):
    """Say who is editing the incident (two minutes, renewable): {"actor"}; 409 when someone else is."""
    actor = required(json_body(empty_ok=True), "actor")[:128]
    with runtime().unit_of_work() as session:
        incident, held = take_lease(session, incident_id, actor, utcnow())
        answer = feature(incident)
    if not held:
        raise Conflict("lease_held", "actor", editing_by=answer["properties"]["editing_by"],
                       editing_until=answer["properties"]["editing_until"])
    return jsonify({"incident": answer})


@bp.delete("/<int:incident_id>/lease")
def delete_lease(incident_id: int):
    """Stop editing: {"actor"}."""
    actor = required(json_body(empty_ok=True), "actor")[:128]
    with runtime().unit_of_work() as session:
        answer = feature(release_lease(session, incident_id, actor))
    return jsonify({"incident": answer})


def _change(write):
    body = json_body()
    actor = required(body, "actor")[:128]  # the gate puts the logged-in person's name here
    with runtime().unit_of_work() as session:
        answer = _detail(write(session, body, actor, utcnow()))
    return jsonify({"incident": answer}), 200


def _version(body: dict) -> int:
    return required(body, "version", int)


def _detail(incident: Incident) -> dict:
    detail = feature(incident)
    detail["properties"].update(
        cap_status=incident.cap_status, last_msg_type=incident.last_msg_type, area=incident.area,
        expires_at=incident.expires_at.isoformat() if incident.expires_at else None,
        grade_reason=render(incident.grade_basis) or None, grade_reason_parts=parts(incident.grade_basis),
        deaths=incident.deaths, serious_injuries=incident.serious_injuries,
        direct_loss_yuan=incident.direct_loss_yuan)
    return detail


def _entry(entry: IncidentLog) -> dict:
    return {"at": entry.at.isoformat(), "actor": entry.actor, "kind": entry.kind, "rule_id": entry.rule_id,
            "before": entry.before, "after": entry.after,
            "reason": entry.reason if entry.reason_message is None else render(entry.reason_message),
            "reason_parts": parts(entry.reason_message), "version": entry.version}


def parts(stored: dict | None) -> dict | None:
    """A stored reason as the console renders it: {"code", ...values}, nested names by their own code."""
    if not stored or stored.get("msg") == "text":
        return None
    code = stored["msg"].split(".", 1)[-1]
    values = {name: _part_value(value) for name, value in stored.items() if name != "msg"}
    return {"code": code, **values}


def _part_value(value):
    if isinstance(value, dict) and "msg" in value:
        return parts(value) if len(value) > 1 else value["msg"].split(".", 1)[-1]
    if isinstance(value, list):
        return [_part_value(item) for item in value]
    return value
