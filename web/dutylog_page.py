"""The duty log page (值班日志): live, filterable, per incident and per shift, with the phone-call form."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from command import phone_calls
from web.dutylog_api import kind_labels
from web.context import runtime

bp = Blueprint("dutylog_page", __name__)

# The kind filter offers groups an operator thinks in; each is a comma list the API accepts.
KIND_GROUPS = (
    ("phone_call", "phone_call"),
    ("incidents", "incident_opened,incident_updated,incident_graded"),
    ("escalations", "escalation_step,escalation_failed,escalation_overdue,acknowledgement"),
    ("sms", "sms_sent,sms_delivered,sms_failed"),
    ("notes", "note"),
    ("handovers", "handover"),
    ("reports", "report_filed,report_late,report_missed"),
    ("corrections", "correction,significant_flag"),
    ("system", "feed_silent,audit,roster_swap"),
)


def phone_call_errors() -> dict:
    """A phone call's refusals by code (command/phone_calls.py), for the pages' forms until the server words them."""
    return {
        "required": _("Required."), "too_long": _("Too long (at most %(limit)s characters)."),
        "bad_number": _("Not a dialable number."), "bad_time": _("Not a valid date and time."),
        "in_future": _("This time is in the future."), "bad_direction": _("Choose inbound or outbound."),
        "bad_incident": _("Not an incident number."), "no_such_incident": _("There is no such incident."),
        "bad_characters": _("Contains characters that cannot be stored."), "not_text": _("Must be text."),
    }


@bp.get("/dutylog")
def index():
    """Render the log; entries come from the API, filters live in the query string (so links can be shared)."""
    rt = runtime()
    group_names = {"phone_call": _("Phone calls"), "incidents": _("Incidents"), "escalations": _("Escalations"),
                   "sms": _("SMS"), "notes": _("Notes"), "handovers": _("Handovers"), "reports": _("Reports"),
                   "corrections": _("Corrections and flags"), "system": _("Feeds, audit and roster")}
    kind_groups = [(value, group_names[name]) for name, value in KIND_GROUPS]
    strings = {
        "kinds": kind_labels(),
        "incident": _("Incident #%(id)s"), "shift": _("Shift #%(id)s"), "entry": _("#%(id)s"),
        "by": _("by %(author)s"), "written": _("written %(time)s"),
        "significant": _("Significant"), "mark": _("Mark significant"), "unmark": _("Remove the mark"),
        "correct": _("Correct"), "corrects": _("Corrects #%(id)s"), "was": _("Was: %(text)s"),
        "corrected_by": _("Correction #%(id)s by %(author)s: %(text)s"),
        "flagged_by": _("Marked by %(author)s: %(reason)s"),
        "unflagged_by": _("Mark removed by %(author)s: %(reason)s"),
        "empty": _("No entries match."), "more": _("Older entries"), "loading": _("Loading…"),
        "disconnected": _("Disconnected, reconnecting…"), "failed": _("Not saved: %(error)s"),
        "saved": _("Recorded as entry #%(id)s."),
        "verify_ok": _("Chain intact: %(checked)s entries checked."),
        "verify_broken": _("Chain broken at entry #%(id)s (%(reason)s); %(checked)s entries before it are intact."),
        "verify_failed": _("Could not check the chain: %(error)s"),
        "shift_title": _("Shift #%(id)s: %(start)s – %(end)s · duty officer %(officer)s · leader %(leader)s"),
        "nobody": _("nobody"), "details": _("Call details"),
        "directions": {"inbound": _("Inbound (来电)"), "outbound": _("Outbound (去电)")},
        "fields": {"direction": _("Direction"), "occurred_at": _("Time of the call"), "unit": _("Unit"),
                   "name": _("Name"), "post": _("Post"), "number": _("Number"), "place": _("Place"),
                   "situation": _("What happened"), "trend": _("Trend"),
                   "already_told": _("Already told (by the caller)"), "recorded_by": _("Recorded by"),
                   "incident_id": _("Incident")},
        "errors": {
            **phone_call_errors(),
            "reason_required": _("A reason is required."), "actor_required": _("Your name is required."),
            "summary_required": _("The corrected text is required."),
            "not_shift_leader": _("Only the leader on duty (%(expected)s) marks entries."),
            "not_found": _("That entry does not exist."),
        },
    }
    return render_template(
        "dutylog/index.html", strings=strings, kind_groups=kind_groups,
        time_zone=rt.settings["TIME_ZONE"], limits=phone_calls.TEXT_FIELDS,
        api={"list": url_for("dutylog_api.list_entries"), "export": url_for("dutylog_api.export"),
             "verify": url_for("dutylog_api.verify"), "phone_calls": url_for("dutylog_api.record_phone_call"),
             "entry": url_for("dutylog_api.list_entries") + "/"})
