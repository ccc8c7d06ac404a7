"""The roster API: the week ahead with its gaps, and roster swaps (requested, then approved or refused once).

Times are UTC ISO 8601. Who acts is the logged-in person when there is one,
else the ``actor`` named in the body (there are no logins yet everywhere).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, g, jsonify, request

from command import roster_admin
from command.models import utcnow
from command.roster_admin import SwapError, SwapNotFound
from web.errors import json_error

bp = Blueprint("roster_api", __name__, url_prefix="/api/v1/roster")

STATUSES = ("requested", "approved", "refused")
DECISIONS = ("approve", "refuse")
MAX_DAYS = 31
# A refusal's code -> HTTP status: the request was wrong (422), not the caller's to make (403), or too late (409).
_STATUS_OF = {"not_allowed": 403, "own_request": 403, "already_decided": 409, "already_pending": 409, "stale": 409,
              "shift_over": 409, "shift_closed": 409}


@bp.get("")
def get_week():
    """The shifts and per-post gaps of the next ``days`` days (default 7)."""
    try:
        days = int(request.args.get("days", roster_admin.WINDOW_DAYS))
    except ValueError:
        return json_error(400, "days must be a whole number", "days", "bad_days")
    if not 1 <= days <= MAX_DAYS:
        return json_error(400, f"days must be between 1 and {MAX_DAYS}", "days", "bad_days")
    with current_app.extensions["vigil"].sessions() as session:
        return jsonify(_iso(roster_admin.week(session, utcnow(), days)))


@bp.get("/swaps")
def list_swaps():
    """Swaps, newest first; ?status=requested|approved|refused narrows."""
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        return json_error(400, f"status must be one of {', '.join(STATUSES)}", "status", "bad_status")
    with current_app.extensions["vigil"].sessions() as session:
        return jsonify({"swaps": _iso(roster_admin.swaps(session, status))})


@bp.post("/swaps")
def post_swap():
    """Request a swap: {shift_id, post, to_person (username or id), reason, actor}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "the body must be a JSON object", code="bad_json")
    shift_id = body.get("shift_id")
    if not isinstance(shift_id, int) or isinstance(shift_id, bool):
        return json_error(422, "shift_id must be a whole number", "shift_id", "bad_shift")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        return json_error(422, "reason must be text", "reason", "bad_reason")
    return _act(lambda session, now, zone: roster_admin.request_swap(
        session, shift_id, body.get("post"), body.get("to_person"), _actor(body), reason, now, time_zone=zone), 201)


@bp.post("/swaps/<int:swap_id>/decision")
def post_decision(swap_id: int):
    """Approve or refuse a requested swap: {decision: approve|refuse, actor, reason}. Taken once."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "the body must be a JSON object", code="bad_json")
    decision = body.get("decision")
    if decision not in DECISIONS:
        return json_error(422, f"decision must be one of {', '.join(DECISIONS)}", "decision", "bad_decision")
    reason = body.get("reason") if isinstance(body.get("reason"), str) else None
    if decision == "approve":
        return _act(lambda session, now, zone: roster_admin.approve(session, swap_id, _actor(body), now,
                                                                   time_zone=zone))
    return _act(lambda session, now, zone: roster_admin.refuse(session, swap_id, _actor(body), now, reason,
                                                              time_zone=zone))


def _act(action, status: int = 200):
    runtime = current_app.extensions["vigil"]
    try:
        with runtime.sessions.begin() as session:
            body = roster_admin.describe(session, action(session, utcnow(), runtime.settings["TIME_ZONE"]))
    except SwapNotFound as exc:
        return json_error(404, str(exc), code="not_found")
    except SwapError as exc:
        return json_error(_STATUS_OF.get(exc.code, 422), str(exc), exc.field, exc.code)
    return jsonify(_iso(body)), status


def _actor(body: dict):
    user = g.get("user")  # the logged-in person, once logins are on, speaks for themselves
    return user.username if user is not None else body.get("actor")


def _iso(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso(item) for item in value]
    return value
