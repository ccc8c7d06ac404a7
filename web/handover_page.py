"""The shift handover (交接班): the page and its API under /api/v1/handovers.

The draft is built by command.handover; the page shows it, takes notes and
settled items, and the two signatures. Signing writes to the duty log, which
reaches every open page live (DutyLogAppended), so the incoming officer's screen
sees the outgoing signature without reloading.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from command import handover as handovers
from command.handover import HandoverError, HandoverNotFound, ShiftNotFound, handover_dict, shift_dict
from command.models import Handover, Shift, utcnow
from web.errors import json_error

bp = Blueprint("handover_page", __name__)
API = "/api/v1/handovers"


@bp.get("/handover")
def index():
    """Render the handover of the shift due now (or ?shift=ID); the draft comes from the API."""
    runtime = current_app.extensions["vigil"]
    strings = {
        "no_shift": _("No shift is on duty now: add one to the roster, or open a shift with ?shift=ID."),
        "shift": _("Shift #%(id)s: %(start)s – %(end)s"), "nobody": _("nobody"),
        "officer": _("Duty officer: %(name)s"), "leader": _("Leader on duty: %(name)s"),
        "incoming": _("Incoming shift #%(id)s: %(start)s – %(end)s · duty officer %(name)s"),
        "no_incoming": _("No incoming shift on the roster: the incoming signature will not be checked against it."),
        "state": {"none": _("Not drafted yet"), "draft": _("Draft: not signed"),
                  "outgoing_signed": _("Signed by the outgoing officer %(name)s at %(time)s; "
                                       "waiting for the incoming one"),
                  "closed": _("Handed over: %(outgoing)s to %(incoming)s at %(time)s. The shift is closed.")},
        "none_listed": _("None."), "more": _("… and %(count)s more"),
        "incident": _("#%(id)s %(headline)s (%(status)s, %(severity)s%(grade)s)"),
        "escalation": _("#%(id)s %(playbook)s for incident #%(incident)s %(headline)s, step %(step)s"),
        "report": _("%(channel)s report for incident #%(incident)s %(headline)s, due %(time)s"),
        "overdue": _("overdue"), "exercise": _("EXERCISE"),
        "item": _("Entry #%(id)s %(time)s: %(summary)s"),
        "reasons": {"carried_over": _("handed over earlier (owner %(owner)s)"),
                    "phone_call_without_incident": _("phone call with no incident"),
                    "significant": _("marked significant")},
        "settle": _("Settled, remark:"), "settled": _("Settled by %(by)s: %(remark)s"),
        "unsettle": _("Reopen"), "save": _("Save"), "saved": _("Saved."),
        "failed": _("Not done: %(error)s"), "name_first": _("Enter your name first."),
        "log_link": _("This shift's duty log"), "disconnected": _("Disconnected, reconnecting…"),
        "errors": {"not_on_roster": _("The roster names %(expected)s for this signature."),
                   "outgoing_first": _("The outgoing officer signs first."),
                   "already_signed": _("Already signed."),
                   "same_person": _("The incoming officer must be someone else."),
                   "stale_draft": _("The draft changed since it was shown: it has been reloaded, "
                                    "check it and sign again."),
                   "draft_signed": _("The outgoing officer has signed: the draft can no longer change."),
                   "actor_required": _("Your name is required."), "remark_required": _("A remark is required."),
                   "handover_required": _("The shift cannot be closed without a signed handover.")},
    }
    return render_template("handover/index.html", strings=strings,
                           time_zone=runtime.settings["TIME_ZONE"], shift=request.args.get("shift", ""),
                           api={"handovers": API, "current": API + "/current",
                                "dutylog": url_for("dutylog_page.index")})


@bp.get(API + "/current")
def current():
    """The shift whose handover is due now (or ?shift=ID), its incoming shift, and its handover if drafted."""
    runtime = current_app.extensions["vigil"]
    raw = request.args.get("shift", "").strip()
    if raw and not raw.isdigit():
        return json_error(400, "shift must be a shift number", "shift", "bad_shift")
    now = utcnow()
    with runtime.sessions() as session:
        shift = session.get(Shift, int(raw)) if raw else handovers.current_shift(session, now)
        if shift is None:
            return json_error(404, f"no shift {raw}" if raw else "no shift is on duty now", "shift", "no_shift")
        row = session.scalar(select(Handover).where(Handover.shift_id == shift.id))
        body = {"shift": shift_dict(session, shift),
                "incoming_shift": shift_dict(session, handovers.incoming_shift(session, shift)),
                "handover": handover_dict(row) if row else None}
    return jsonify(body)


@bp.post(API)
def draft():
    """Draft (or refresh) the handover of {shift_id} (default: the shift due now): 201 new, 200 refreshed."""
    runtime = current_app.extensions["vigil"]
    body = request.get_json(silent=True)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        return json_error(400, "the body must be a JSON object", code="bad_json")
    shift_id = body.get("shift_id")
    if shift_id is not None and (isinstance(shift_id, bool) or not isinstance(shift_id, int)):
        return json_error(422, "shift_id must be a shift number", "shift_id", "bad_shift")
    now = utcnow()
    try:
        with runtime.sessions.begin() as session:
            if shift_id is None:
                shift = handovers.current_shift(session, now)
                if shift is None:
                    return json_error(404, "no shift is on duty now", "shift_id", "no_shift")
                shift_id = shift.id
            existed = session.scalar(select(Handover.id).where(Handover.shift_id == shift_id)) is not None
            answer = handover_dict(handovers.draft_handover(session, shift_id, now))
    except ShiftNotFound as exc:
        return json_error(404, str(exc), "shift_id", "no_shift")
    return jsonify(answer), 200 if existed else 201


@bp.get(API + "/<int:handover_id>")
def get_handover(handover_id: int):
    """One handover with its draft and signatures."""
    with current_app.extensions["vigil"].sessions() as session:
        row = session.get(Handover, handover_id)
        if row is None:
            return json_error(404, f"no handover {handover_id}", "id", "not_found")
        return jsonify(handover_dict(row))


@bp.post(API + "/<int:handover_id>/notes")
def edit(handover_id: int):
    """Set notes, settle items ({actor, notes?, settled?: {key: remark | null}}); only before the outgoing signs."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "the body must be a JSON object", code="bad_json")
    return _act(handover_id, lambda session, now: handovers.edit(
        session, handover_id, actor=body.get("actor"), at=now, notes=body.get("notes"), settled=body.get("settled")))


@bp.post(API + "/<int:handover_id>/sign")
def sign(handover_id: int):
    """Sign as {role: outgoing | incoming, actor, digest?}: outgoing first; the incoming signature closes the shift."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, "the body must be a JSON object", code="bad_json")
    digest = body.get("digest")
    if digest is not None and not isinstance(digest, str):
        return json_error(422, "digest must be the draft's digest", "digest", "bad_digest")
    return _act(handover_id, lambda session, now: handovers.sign(
        session, handover_id, body.get("role"), body.get("actor"), now, digest=digest))


def _act(handover_id: int, action):
    runtime = current_app.extensions["vigil"]
    try:
        with runtime.sessions.begin() as session:
            answer = handover_dict(action(session, utcnow()))
    except HandoverNotFound as exc:
        return json_error(404, str(exc), "id", "not_found")
    except HandoverError as exc:
        status = 422 if exc.code in ("actor_required", "bad_role", "bad_notes", "bad_settled", "unknown_item",
                                     "remark_required") else 409
        if exc.code == "not_on_roster":
            status = 403
        return json_error(status, str(exc), exc.field, exc.code, **exc.details)
    return jsonify(answer)
