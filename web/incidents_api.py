"""The incidents API: list with filters, one incident with its events and timeline, operator changes.

Every change names the version the operator saw: a stale one gets 409 with who
changed the incident and when. Every refusal carries a stable ``code`` beside its
English message, so a console can say it in the operator's language.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import or_, select

from command.correlation import proposal_dict
from command.enums import Grade, Severity, Status
from command.events import IncidentUpdated
from command.incident_actions import (FieldError, IncidentNotFound, ReasonRequired, StaleVersion, act, add_note, merge,
                                      release_lease, set_grade, set_harm, set_sensitive, split, take_lease)
from command.incidents import OPEN_STATUSES, feature
from command.lifecycle import InvalidTransition
from command.models import CorrelationProposal, FeedEventRecord, Incident, IncidentLog, utcnow
from web.errors import json_error
from web.scope import departments_in_scope, in_scope


bp = Blueprint("incidents_api", __name__, url_prefix="/api/v1/incidents")

DEFAULT_LIMIT, MAX_LIMIT = 20000, 50000  # the console loads every open incident at once
_LIST_FILTERS = {"source": Incident.source, "severity": Incident.severity, "grade": Incident.grade,
                 "status": Incident.status, "category": Incident.category}
_ALLOWED = {"severity": {s.value for s in Severity}, "grade": {g.value for g in Grade},
            "status": {s.value for s in Status}}


class BadRequest(ValueError):
    """A request field is wrong; ``field`` names it, ``code`` says how."""

    def __init__(self, field: str, message: str, code: str):
        super().__init__(message)
        self.field, self.code = field, code


# The core's FieldError messages -> (code, the values they mention). The core names no codes
# yet; one it adds later (an ``code`` attribute) wins over this table.
_FIELD_ERRORS = (
    (re.compile(r"action must be one of"), "bad_action"),
    (re.compile(r"grade must be one of"), "bad_grade"),
    (re.compile(r"\w+ must be a whole number of 0 or more"), "not_negative_whole"),
    (re.compile(r"an incident cannot be merged into itself"), "merge_into_itself"),
    (re.compile(r"^no incident (?P<into>\d+)$"), "merge_target_missing"),
    (re.compile(r"incident (?P<into>\d+) is itself merged into (?P<parent>\d+)"), "merge_target_merged"),
    (re.compile(r"incident \d+ is already merged into (?P<parent>\d+)"), "already_merged"),
    (re.compile(r"has incidents merged into it"), "has_merged_incidents"),
    (re.compile(r"incident \d+ is not merged"), "not_merged"),
    (re.compile(r"proposal \d+ is already (?P<decision>\w+)"), "proposal_decided"),
    (re.compile(r"a note needs text"), "note_empty"),
    (re.compile(r"a note is at most (?P<limit>\d+) characters"), "note_too_long"),
)


def field_error(status: int, exc: FieldError):
    """The JSON refusal for a core FieldError, with its code and the values its message names."""
    code, details = getattr(exc, "code", None), {}
    if code is None and isinstance(exc, ReasonRequired):
        code = "reason_required"
    for pattern, known in _FIELD_ERRORS if code is None else ():
        found = pattern.search(str(exc))
        if found:
            code, details = known, {k: int(v) if v.isdigit() else v for k, v in found.groupdict().items()}
            break
    return json_error(status, str(exc), exc.field, code or "invalid", **details)


@bp.get("")
def list_incidents():
    """Return incidents as GeoJSON, newest change first: open ones unless ?status= says otherwise."""
    query = select(Incident)
    for name, column in _LIST_FILTERS.items():
        values = [v for v in request.args.getlist(name) for v in v.split(",") if v]
        bad = [v for v in values if name in _ALLOWED and v not in _ALLOWED[name]]
        if bad:
            return json_error(400, f"{name} {bad[0]!r} is not one of {', '.join(sorted(_ALLOWED[name]))}", name,
                              "not_allowed")
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
        try:
            query = query.where(Incident.updated_at >= _time(since))
        except ValueError as exc:
            return json_error(400, str(exc), "since", "bad_time")
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        return json_error(400, f"limit must be a whole number from 1 to {MAX_LIMIT}", "limit", "bad_limit")
    runtime = current_app.extensions["vigil"]
    with runtime.sessions() as session:
        scoped = departments_in_scope() is not None  # a liaison's limit counts their own items only
        rows = session.scalars(query.order_by(Incident.updated_at.desc(), Incident.id.desc())
                               .limit(MAX_LIMIT if scoped else int(raw)))
        features = [feature(incident) for incident in rows if in_scope(incident.departments)][:int(raw)]
    return jsonify({"type": "FeatureCollection", "features": features})


@bp.get("/<int:incident_id>")
def get_incident(incident_id: int):
    """Return one incident with every event that fed it and its timeline, in order."""
    runtime = current_app.extensions["vigil"]
    with runtime.sessions() as session:
        incident = session.get(Incident, incident_id)
        if incident is None or not in_scope(incident.departments):  # out of scope looks like absent
            return json_error(404, f"no incident {incident_id}", "id", "not_found")
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
    return _change(incident_id, lambda session, body, actor, at: act(
        session, incident_id, _field(body, "action", str), actor, _version(body), at, _optional(body, "reason")))


@bp.post("/<int:incident_id>/grade")
def post_grade(incident_id: int):
    """Confirm or change the grade: {"grade": "I".."IV", "version", "actor", "reason"}."""
    return _change(incident_id, lambda session, body, actor, at: set_grade(
        session, incident_id, _field(body, "grade", str), actor, _version(body), at, _optional(body, "reason"),
        current_app.extensions["vigil"].reporting_profile))


@bp.post("/<int:incident_id>/harm")
def post_harm(incident_id: int):
    """Record harm: {"deaths", "serious_injuries", "direct_loss_yuan", "version", "actor", "reason"}."""
    return _change(incident_id, lambda session, body, actor, at: set_harm(
        session, incident_id, actor, _version(body), at, _optional(body, "reason"),
        deaths=_optional(body, "deaths", int), serious_injuries=_optional(body, "serious_injuries", int),
        direct_loss_yuan=_optional(body, "direct_loss_yuan", int)))


@bp.post("/<int:incident_id>/sensitive")
def post_sensitive(incident_id: int):
    """Flag or unflag as sensitive: {"sensitive": true|false, "version", "actor", "reason"?}."""
    return _change(incident_id, lambda session, body, actor, at: set_sensitive(
        session, incident_id, _field(body, "sensitive", bool), actor, _version(body), at,
        _optional(body, "reason"), current_app.extensions["vigil"].reporting_profile))


@bp.post("/<int:incident_id>/merge")
def post_merge(incident_id: int):
    """Merge this incident into another: {"into", "version", "actor", "reason"?}; undo with split."""
    return _change(incident_id, lambda session, body, actor, at: merge(
        session, incident_id, _field(body, "into", int), actor, _version(body), at, _optional(body, "reason")))


@bp.post("/<int:incident_id>/split")
def post_split(incident_id: int):
    """Undo a merge: {"version", "actor", "reason"?}."""
    return _change(incident_id, lambda session, body, actor, at: split(
        session, incident_id, actor, _version(body), at, _optional(body, "reason")))


@bp.post("/<int:incident_id>/notes")
def post_note(incident_id: int):
    """Add a note to the timeline: {"text", "actor"}; every console reloads the open panel."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "body must be a JSON object", "(body)", "not_json_object")
    runtime = current_app.extensions["vigil"]
    try:
        actor = _field(body, "actor", str)[:128]
        text = _field(body, "text", str)
        with runtime.sessions.begin() as session:
            answer = feature(add_note(session, incident_id, text, actor, utcnow()))
    except BadRequest as exc:
        return json_error(400, str(exc), exc.field, exc.code)
    except IncidentNotFound as exc:
        return json_error(404, str(exc), "id", "not_found")
    except FieldError as exc:
        return field_error(422, exc)
    runtime.publisher.publish(IncidentUpdated(answer))
    return jsonify({"incident": answer}), 201


@bp.post("/<int:incident_id>/lease")
def post_lease(incident_id: int):
    """Say who is editing the incident (two minutes, renewable): {"actor"}; 409 when someone else is."""
    return _lease(incident_id, take=True)


@bp.delete("/<int:incident_id>/lease")
def delete_lease(incident_id: int):
    """Stop editing: {"actor"}."""
    return _lease(incident_id, take=False)


def _lease(incident_id: int, take: bool):
    body = request.get_json(silent=True)
    runtime = current_app.extensions["vigil"]
    try:
        actor = _field(body if isinstance(body, dict) else {}, "actor", str)[:128]
        with runtime.sessions.begin() as session:
            if take:
                incident, held = take_lease(session, incident_id, actor, utcnow())
            else:
                incident, held = release_lease(session, incident_id, actor), True
            answer = feature(incident)
    except BadRequest as exc:
        return json_error(400, str(exc), exc.field, exc.code)
    except IncidentNotFound as exc:
        return json_error(404, str(exc), "id", "not_found")
    if not held:
        return json_error(409, f"being edited by {answer['properties']['editing_by']}", "actor", "lease_held",
                          editing_by=answer["properties"]["editing_by"],
                          editing_until=answer["properties"]["editing_until"])
    runtime.publisher.publish(IncidentUpdated(answer))
    return jsonify({"incident": answer})


def _change(incident_id: int, write):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "body must be a JSON object", "(body)", "not_json_object")
    runtime = current_app.extensions["vigil"]
    try:
        actor = _field(body, "actor", str)[:128]  # until logins exist (issue 7): who the client says it is
        with runtime.sessions.begin() as session:
            written = write(session, body, actor, utcnow())
            changes = written if isinstance(written, list) else [written]
            answer = _detail(changes[0].incident)
    except BadRequest as exc:
        return json_error(400, str(exc), exc.field, exc.code)
    except IncidentNotFound as exc:
        return json_error(404, str(exc), "id", "not_found")
    except StaleVersion as exc:
        return json_error(409, f"the incident was changed by {exc.changed_by or 'someone'} at "
                               f"{exc.changed_at.isoformat()}; reload it", "version", "stale_version",
                          version=exc.version, changed_by=exc.changed_by, changed_at=exc.changed_at.isoformat())
    except InvalidTransition as exc:
        return json_error(422, str(exc), "action", "invalid_transition", status=exc.status.value,
                          action=exc.action.value)
    except FieldError as exc:
        return field_error(422, exc)
    for change in changes:
        runtime.publisher.publish(change.event)
    return jsonify({"incident": answer}), 200


def _field(body: dict, name: str, kind: type):
    value = body.get(name)
    if value is None or (kind is str and not str(value).strip()):
        raise BadRequest(name, f"{name} is required", "required")
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadRequest(name, f"{name} must be a whole number", "whole_number")
    if not isinstance(value, kind):
        raise BadRequest(name, f"{name} must be a {kind.__name__}", "wrong_type")
    return value


def _optional(body: dict, name: str, kind: type = str):
    return None if body.get(name) is None else _field(body, name, kind)


def _version(body: dict) -> int:
    return _field(body, "version", int)


def _time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("since must be an ISO 8601 time with an offset") from None
    if moment.tzinfo is None:
        raise ValueError("since must carry a UTC offset")
    return moment


def _detail(incident: Incident) -> dict:
    detail = feature(incident)
    detail["properties"].update(
        cap_status=incident.cap_status, last_msg_type=incident.last_msg_type, area=incident.area,
        expires_at=incident.expires_at.isoformat() if incident.expires_at else None,
        grade_reason=incident.grade_reason, grade_reason_parts=grade_reason_parts(incident.grade_reason),
        deaths=incident.deaths, serious_injuries=incident.serious_injuries,
        direct_loss_yuan=incident.direct_loss_yuan)
    return detail


def _entry(entry: IncidentLog) -> dict:
    system = (entry.actor or "").startswith("system:")  # an operator's own words are never reinterpreted
    return {"at": entry.at.isoformat(), "actor": entry.actor, "kind": entry.kind, "rule_id": entry.rule_id,
            "before": entry.before, "after": entry.after, "reason": entry.reason,
            "reason_parts": system_reason_parts(entry.reason) if system else None, "version": entry.version}


# The core writes its proposal reasons and expiry reasons as English sentences
# (command/grading.py, command/expiry.py). These read them back into a code and values
# so a console can say them in its language; the English text stays the fallback.
_HARM_REACHED = re.compile(r"^(deaths|serious injuries|direct loss yuan) (\d+) ≥ (\d+)$")
_GRADE_REASONS = (
    (re.compile(r"^harm below grade III thresholds$"), "harm_below_iii"),
    (re.compile(r"^no harm threshold reached$"), "no_harm_threshold"),
    (re.compile(r"^severity unknown and no harm figures yet$"), "severity_unknown"),
    (re.compile(r"^warning severity (?P<severity>\w+)$"), "severity"),
)
_SYSTEM_REASONS = (
    (re.compile(r"^message expired at (?P<at>\S+)$"), "expired_message"),
    (re.compile(r"^no all-clear within the source's time to live \((?P<seconds>[\d.e+]+) s\)$"), "expired_ttl"),
)


def grade_reason_parts(text: str | None) -> dict | None:
    """{"code", ...values} for a grade proposal's reason, or None when it is not one the core writes."""
    if not text:
        return None
    if text.startswith("harm: "):
        reached = [_HARM_REACHED.match(part) for part in text[len("harm: "):].split(", ")]
        if all(reached):
            return {"code": "harm", "reached": [{"name": m[1].replace(" ", "_"), "value": int(m[2]),
                                                 "limit": int(m[3])} for m in reached]}
        return None
    return _parts(_GRADE_REASONS, text)


def system_reason_parts(text: str | None) -> dict | None:
    """{"code", ...values} for a reason the system wrote (expiry), or None."""
    return _parts(_SYSTEM_REASONS, text) if text else None


def _parts(patterns, text: str) -> dict | None:
    for pattern, code in patterns:
        found = pattern.match(text)
        if found:
            return {"code": code, **found.groupdict()}
    return None
