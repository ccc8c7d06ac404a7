"""The reporting API (信息报送): an incident's report series and obligations, filing, what is due, the month.

A report breaking a rule of the series (a follow-up before the first, anything
after the final, a first report without its place …) gets 422 with the
``field`` and a stable ``code``, so a console can say it in its own language.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request

from command import reporting
from command.models import utcnow
from web.errors import json_error

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DEFAULT_DUE_LIMIT, MAX_DUE_LIMIT = 500, 5000


@bp.get("/incidents/<int:incident_id>/reports")
def get_reports(incident_id: int):
    """The incident's reports in order, its obligations with due times and status, and what may come next."""
    with current_app.extensions["vigil"].sessions() as session:
        try:
            return jsonify(reporting.series(session, incident_id))
        except reporting.IncidentNotFound as exc:
            return json_error(404, str(exc), "id", "not_found")


@bp.post("/incidents/<int:incident_id>/reports")
def post_report(incident_id: int):
    """File the next report: {"kind", "channel", "fields", "to_verify"?, "actor"}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "body must be a JSON object", "(body)", "not_json_object")
    for name in ("kind", "channel", "actor"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            return json_error(400, f"{name} is required", name, "required")
    if not isinstance(body.get("fields"), dict):
        return json_error(400, "fields must be an object of field name to text", "fields", "required")
    runtime = current_app.extensions["vigil"]
    try:
        # until logins exist (issue 7): who the client says it is
        with runtime.sessions.begin() as session:
            filed = reporting.file_report(session, incident_id, body["kind"], body["channel"], body["fields"],
                                          body.get("to_verify"), body["actor"].strip()[:128], utcnow())
            answer = {"report": reporting.report_dict(filed.report),
                      "discharged": [reporting.obligation_dict(o) for o in filed.obligations]}
    except reporting.IncidentNotFound as exc:
        return json_error(404, str(exc), "id", "not_found")
    except reporting.ReportError as exc:
        return json_error(422, str(exc), exc.field, exc.code, **exc.details)
    return jsonify(answer), 201


@bp.get("/reports/due")
def get_due():
    """Obligations not yet filed, soonest due first (?status=open,missed to see the missed ones too)."""
    statuses = [s for value in request.args.getlist("status") for s in value.split(",") if s] or ["open"]
    if set(statuses) - {"open", "missed"}:
        return json_error(400, "status must be among open, missed", "status", "bad_status")
    raw = request.args.get("limit", str(DEFAULT_DUE_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DUE_LIMIT:
        return json_error(400, f"limit must be a whole number from 1 to {MAX_DUE_LIMIT}", "limit", "bad_limit")
    now = utcnow()
    with current_app.extensions["vigil"].sessions() as session:
        items = reporting.due(session, now, tuple(dict.fromkeys(statuses)), int(raw))
    return jsonify({"now": now.isoformat(), "obligations": items})


@bp.get("/reports/monthly")
def get_monthly():
    """Per department: obligations due in the month, filed on time, late, missed, still open (?month=2026-11)."""
    found = MONTH.match(request.args.get("month", ""))
    if not found or not 1 <= int(found[2]) <= 12:
        return json_error(400, "month must be YYYY-MM, e.g. 2026-11", "month", "bad_month")
    runtime = current_app.extensions["vigil"]
    with runtime.sessions() as session:
        return jsonify(reporting.monthly(session, int(found[1]), int(found[2]), runtime.settings["TIME_ZONE"]))
