"""Correlation proposals: list them, dismiss one (merging is POST /api/v1/incidents/<id>/merge)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from command.correlation import proposal_dict
from command.incident_actions import FieldError, IncidentNotFound, dismiss
from command.models import CorrelationProposal, utcnow
from web.errors import json_error
from web.incidents_api import field_error

bp = Blueprint("correlations_api", __name__, url_prefix="/api/v1/correlations")

STATUSES = ("proposed", "merged", "dismissed", "split")


@bp.get("")
def list_proposals():
    """Return correlation proposals, newest first (?status=proposed by default)."""
    status = request.args.get("status", "proposed")
    if status not in STATUSES:
        return json_error(400, f"status must be one of {', '.join(STATUSES)}", "status", "not_allowed")
    runtime = current_app.extensions["vigil"]
    with runtime.sessions() as session:
        rows = session.scalars(select(CorrelationProposal).where(CorrelationProposal.status == status)
                               .order_by(CorrelationProposal.id.desc()).limit(1000))
        return jsonify({"proposals": [proposal_dict(p) for p in rows]})


@bp.post("/<int:proposal_id>/dismiss")
def post_dismiss(proposal_id: int):
    """Dismiss a proposal: {"actor"}."""
    body = request.get_json(silent=True)
    actor = body.get("actor") if isinstance(body, dict) else None
    if not isinstance(actor, str) or not actor.strip():
        return json_error(400, "actor is required", "actor", "required")
    runtime = current_app.extensions["vigil"]
    try:
        with runtime.sessions.begin() as session:
            proposal = dismiss(session, proposal_id, actor.strip()[:128], utcnow())
    except IncidentNotFound as exc:
        return json_error(404, str(exc), "id", "not_found")
    except FieldError as exc:  # already decided by someone else
        return field_error(409, exc)
    return jsonify({"proposal": proposal})
