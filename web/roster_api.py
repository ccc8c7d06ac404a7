"""The roster API: the week ahead with its gaps, and roster swaps (requested, then approved or refused once).

Times are UTC ISO 8601 (the app's JSON provider writes datetimes so). Who acts is the logged-in person when there is one,
else the ``actor`` named in the body (there are no logins yet everywhere).
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from command import roster_admin
from command.errors import Invalid
from command.models import utcnow
from web.context import runtime
from web.requests import json_body, listed, whole

bp = Blueprint("roster_api", __name__, url_prefix="/api/v1/roster")

STATUSES = ("requested", "approved", "refused")
DECISIONS = ("approve", "refuse")
MAX_DAYS = 31


@bp.get("")
def get_week():
    """The shifts and per-post gaps of the next ``days`` days (default 7)."""
    days = whole(request.args, "days", 1, MAX_DAYS, roster_admin.WINDOW_DAYS)
    with runtime().sessions() as session:
        return jsonify(roster_admin.week(session, utcnow(), days))


@bp.get("/swaps")
def list_swaps():
    """Swaps, newest first; ?status=requested|approved|refused narrows."""
    status = (listed(request.args, "status", STATUSES) or [None])[0]
    with runtime().sessions() as session:
        return jsonify({"swaps": roster_admin.swaps(session, status)})


@bp.post("/swaps")
def post_swap():
    """Request a swap: {shift_id, post, to_person (username or id), reason, actor}."""
    body = json_body()
    shift_id = body.get("shift_id")
    if not isinstance(shift_id, int) or isinstance(shift_id, bool):
        raise Invalid("bad_shift", "shift_id")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise Invalid("bad_reason", "reason")
    return _act(lambda session, now, zone: roster_admin.request_swap(
        session, shift_id, body.get("post"), body.get("to_person"), _actor(body), reason, now, time_zone=zone), 201)


@bp.post("/swaps/<int:swap_id>/decision")
def post_decision(swap_id: int):
    """Approve or refuse a requested swap: {decision: approve|refuse, actor, reason}. Taken once."""
    body = json_body()
    decision = body.get("decision")
    if decision not in DECISIONS:
        raise Invalid("bad_decision", "decision", choices=", ".join(DECISIONS))
    reason = body.get("reason") if isinstance(body.get("reason"), str) else None
    if decision == "approve":
        return _act(lambda session, now, zone: roster_admin.approve(session, swap_id, _actor(body), now,
                                                                   time_zone=zone))
    return _act(lambda session, now, zone: roster_admin.refuse(session, swap_id, _actor(body), now, reason,
                                                              time_zone=zone))


def _act(action, status: int = 200):
    with runtime().unit_of_work() as session:
        body = roster_admin.describe(session, action(session, utcnow(), runtime().settings["TIME_ZONE"]))
    return jsonify(body), status


def _actor(body: dict):
    user = g.get("user")  # the logged-in person, once logins are on, speaks for themselves
    return user.username if user is not None else body.get("actor")
