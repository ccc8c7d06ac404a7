"""Correlation proposals: list them, dismiss one (merging is POST /api/v1/incidents/<id>/merge)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from command.correlation import proposal_dict
from command.incident_actions import dismiss
from command.models import CorrelationProposal, utcnow
from web.context import runtime
from web.requests import json_body, listed, required

bp = Blueprint("correlations_api", __name__, url_prefix="/api/v1/correlations")

STATUSES = ("proposed", "merged", "dismissed", "split")


@bp.get("")
def list_proposals():
    """Return correlation proposals, newest first (?status=proposed by default)."""
    status = (listed(request.args, "status", STATUSES) or ["proposed"])[0]
    with runtime().sessions() as session:
        rows = session.scalars(select(CorrelationProposal).where(CorrelationProposal.status == status)
                               .order_by(CorrelationProposal.id.desc()).limit(1000))
        return jsonify({"proposals": [proposal_dict(p) for p in rows]})


@bp.post("/<int:proposal_id>/dismiss")
def post_dismiss(proposal_id: int):
    """Dismiss a proposal: {"actor"}."""
    actor = required(json_body(), "actor").strip()[:128]
    with runtime().unit_of_work() as session:
        proposal = dismiss(session, proposal_id, actor, utcnow())
    return jsonify({"proposal": proposal})
