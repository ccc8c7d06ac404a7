"""The shift handover (交接班): the page and its API under /api/v1/handovers.

The draft is built by command.handover; the page shows it, takes notes and
settled items, and the two signatures. Signing writes to the duty log, which
reaches every open page live (DutyLogAppended), so the incoming officer's screen
sees the outgoing signature without reloading.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from command import handover as handovers
from command.handover import HandoverNotFound, ShiftNotFound, handover_dict, shift_dict
from command.models import Handover, Shift, utcnow
from web.context import runtime
from web.requests import json_body, optional, whole

bp = Blueprint("handover_page", __name__)
API = "/api/v1/handovers"


@bp.get("/handover")
def index():
    """Render the handover of the shift due now (or ?shift=ID); the draft comes from the API."""
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
                           time_zone=runtime().settings["TIME_ZONE"], shift=request.args.get("shift", ""),
                           api={"handovers": API, "current": API + "/current",
                                "dutylog": url_for("dutylog_page.index")})


@bp.get(API + "/current")
def current():
    """The shift whose handover is due now (or ?shift=ID), its incoming shift, and its handover if drafted."""
    shift_id = whole(request.args, "shift", 1, None, None)
    with runtime().sessions() as session:
        shift = session.get(Shift, shift_id) if shift_id else handovers.current_shift(session, utcnow())
        if shift is None:
            raise ShiftNotFound(shift_id, "shift")
        row = session.scalar(select(Handover).where(Handover.shift_id == shift.id))
        body = {"shift": shift_dict(session, shift),
                "incoming_shift": shift_dict(session, handovers.incoming_shift(session, shift)),
                "handover": handover_dict(row) if row else None}
    return jsonify(body)


@bp.post(API)
def draft():
    """Draft (or refresh) the handover of {shift_id} (default: the shift due now): 201 new, 200 refreshed."""
    shift_id = optional(json_body(empty_ok=True), "shift_id", int)
    now = utcnow()
    with runtime().unit_of_work() as session:
        if shift_id is None:
            shift = handovers.current_shift(session, now)
            if shift is None:
                raise ShiftNotFound(None)
            shift_id = shift.id
        existed = session.scalar(select(Handover.id).where(Handover.shift_id == shift_id)) is not None
        answer = handover_dict(handovers.draft_handover(session, shift_id, now))
    return jsonify(answer), 200 if existed else 201


@bp.get(API + "/<int:handover_id>")
def get_handover(handover_id: int):
    """One handover with its draft and signatures."""
    with runtime().sessions() as session:
        row = session.get(Handover, handover_id)
        if row is None:
            raise HandoverNotFound(handover_id)
        return jsonify(handover_dict(row))


@bp.post(API + "/<int:handover_id>/notes")
def edit(handover_id: int):
    """Set notes, settle items ({actor, notes?, settled?: {key: remark | null}}); only before the outgoing signs."""
    body = json_body()
    return _act(lambda session, now: handovers.edit(
        session, handover_id, actor=body.get("actor"), at=now, notes=body.get("notes"), settled=body.get("settled")))


@bp.post(API + "/<int:handover_id>/sign")
def sign(handover_id: int):
    """Sign as {role: outgoing | incoming, actor, digest?}: outgoing first; the incoming signature closes the shift."""
    body = json_body()
    digest = optional(body, "digest")
    return _act(lambda session, now: handovers.sign(
        session, handover_id, body.get("role"), body.get("actor"), now, digest=digest))


def _act(action):
    with runtime().unit_of_work() as session:
        answer = handover_dict(action(session, utcnow()))
    return jsonify(answer)
