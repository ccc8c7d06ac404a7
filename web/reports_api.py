"""The reporting API (信息报送): an incident's report series and obligations, filing, what is due, the month.

A report breaking a rule of the series (a follow-up before the first, anything
after the final, a first report without its place …) gets 422 with the
``field`` and a stable ``code``, so a console can say it in its own language.
"""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

from command import reporting
from command.errors import Malformed
from command.models import utcnow
from web.context import runtime
from web.requests import json_body, listed, required, whole

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DEFAULT_DUE_LIMIT, MAX_DUE_LIMIT = 500, 5000


@bp.get("/incidents/<int:incident_id>/reports")
def get_reports(incident_id: int):
    """The incident's reports in order, its obligations with due times and status, and what may come next."""
    with runtime().sessions() as session:
        return jsonify(reporting.series(session, incident_id))


@bp.post("/incidents/<int:incident_id>/reports")
def post_report(incident_id: int):
    """File the next report: {"kind", "channel", "fields", "to_verify"?, "actor"}."""
    body = json_body()
    kind, channel, actor = (required(body, name) for name in ("kind", "channel", "actor"))
    fields = required(body, "fields", dict)
    with runtime().unit_of_work() as session:  # who files is the logged-in person (the gate names them in "actor")
        filed = reporting.file_report(session, incident_id, kind, channel, fields, body.get("to_verify"),
                                      actor.strip()[:128], utcnow(), runtime().reporting_profile)
        answer = {"report": reporting.report_dict(filed.report),
                  "discharged": [reporting.obligation_dict(o) for o in filed.obligations]}
    return jsonify(answer), 201


@bp.get("/reports/due")
def get_due():
    """Obligations not yet filed, soonest due first (?status=open,missed to see the missed ones too)."""
    statuses = listed(request.args, "status", ("open", "missed")) or ["open"]
    limit = whole(request.args, "limit", 1, MAX_DUE_LIMIT, DEFAULT_DUE_LIMIT)
    now = utcnow()
    with runtime().sessions() as session:
        items = reporting.due(session, now, tuple(dict.fromkeys(statuses)), limit)
    return jsonify({"now": now.isoformat(), "obligations": items})


@bp.get("/reports/monthly")
def get_monthly():
    """Per department: obligations due in the month, filed on time, late, missed, still open (?month=2026-11)."""
    found = MONTH.match(request.args.get("month", ""))
    if not found or not 1 <= int(found[2]) <= 12:
        raise Malformed("bad_month", "month")
    with runtime().sessions() as session:
        return jsonify(reporting.monthly(session, int(found[1]), int(found[2]), runtime().settings["TIME_ZONE"]))
