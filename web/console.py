"""The operator console: the live map and the incident list, and the map's offline data."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory, url_for
from flask_babel import get_locale, gettext as _

from command import reporting
from command.enums import OPEN
from maps.console_map import DATA_DIR, build_console_map
from web.access import allowed
from web.auth import current_user
from web.context import runtime
from web.dutylog_page import phone_call_errors

bp = Blueprint("console", __name__)


@bp.get("/")
def index():
    """Render the console; incidents are loaded by the page and pushed over Socket.IO."""
    settings = runtime().settings
    user = current_user()
    # The "Reports due" strip only for those who may read what is due (none otherwise: the strip stays hidden).
    reports_due_url = url_for("reports_api.get_due") \
        if user is not None and allowed(user.role, "reports_api.get_due", "GET") else None
    return render_template("console/index.html", map=_console_map(), time_zone=settings["TIME_ZONE"],
                           strings=_client_strings(), reports_due_url=reports_due_url,
                           open_statuses=[status.value for status in OPEN])


@bp.get("/maps/<path:name>")
def map_data(name: str):
    """Serve the bundled offline map data (base layer outlines)."""
    return send_from_directory(DATA_DIR, name, max_age=24 * 3600)


def _console_map():
    # The map shell depends only on settings: render it once per app.
    cached = current_app.extensions.get("vigil_console_map")
    if cached is None:
        settings = runtime().settings
        cached = build_console_map(
            static_url=url_for("static", filename="").rstrip("/"),
            base_layer_url=url_for("console.map_data", name="world_110m.geojson"),
            tile_url=settings["TILE_URL"], tile_attribution=settings["TILE_ATTRIBUTION"],
            center=tuple(settings["MAP_CENTER"]), zoom=settings["MAP_ZOOM"])
        current_app.extensions["vigil_console_map"] = cached
    return cached


def _client_strings() -> dict:
    """Strings the page's script shows, in the request's language."""
    return {
        "connected": _("Live"),
        "connecting": _("Connecting…"),
        "disconnected": _("Disconnected, reconnecting…"),
        "no_incidents": _("No open incidents"),
        "no_position": _("No position"),
        "drill": _("EXERCISE"),
        "kinds": {"quake": _("Earthquakes"), "fire": _("Fires"), "weather": _("Weather"),
                  "flood": _("Floods & water"), "security": _("Security"), "rescue": _("Rescue"),
                  "health": _("Health"), "other": _("Other")},
        "map_layers": {"areas": _("Areas"), "heat": _("Heat")},
        "severity": {"extreme": _("Extreme"), "severe": _("Severe"), "moderate": _("Moderate"),
                     "minor": _("Minor"), "unknown": _("Unknown")},
        "open_count": _("%(n)s open"),
        "feed_silent": _("Feed %(source)s silent since %(time)s"),
        "hidden_count": _("%(n)s hidden by filters"),
        "details": _("Details"),
        "sensitive": _("Sensitive"),
        "grade_short": _("Grade %(grade)s"),
        "statuses": {"new": _("New"), "acknowledged": _("Acknowledged"), "responding": _("Responding"),
                     "resolved": _("Resolved"), "closed": _("Closed")},
        "level_colour": {"extreme": _("Red"), "severe": _("Orange"), "moderate": _("Yellow"),
                         "minor": _("Blue"), "unknown": _("Unknown")},
        "grades": {"I": _("I — especially serious"), "II": _("II — serious"), "III": _("III — relatively serious"),
                   "IV": _("IV — general")},
        "not_graded": _("Not graded"),
        # alerts
        "enable_alerts": _("Enable alerts"),
        "alerts_on": _("Alerts on"),
        "alerts_blocked": _("Notifications blocked by the browser; sound only"),
        "alerts_sound_only": _("Sound alerts on (no notifications in this browser)"),
        "notify_title": _("New %(severity)s incident"),
        # the incident panel
        "loading": _("Loading…"),
        "load_failed": _("Could not load the incident"),
        "drill_banner": _("EXERCISE — a drill, not a real incident"),
        "warning_level": _("Warning level"),
        "grade": _("Grade"),
        "grade_proposed": _("Proposed grade"),
        "status": _("Status"),
        "source": _("Source"),
        "event_type": _("Event type"),
        "occurred": _("Occurred"),
        "received": _("Received"),
        "address": _("Address"),
        "position": _("Position"),
        "yes": _("Yes"),
        "no": _("No"),
        "harm": _("Harm"),
        "deaths": _("Deaths"),
        "serious_injuries": _("Serious injuries"),
        "direct_loss": _("Direct loss (yuan)"),
        "updated": _("Last change"),
        "actions": _("Actions"),
        "action_names": {"acknowledge": _("Acknowledge"), "respond": _("Respond"), "resolve": _("Resolve"),
                         "close": _("Close"), "reopen": _("Reopen")},
        "mark_sensitive": _("Mark sensitive"),
        "clear_sensitive": _("Clear sensitive flag"),
        "reason": _("Reason"),
        "set_grade": _("Set grade"),
        "confirm_grade": _("Confirm grade"),
        "record_harm": _("Record harm"),
        "reason_required": _("A reason is required"),
        "note_empty": _("A note needs text"),
        "required": _("Required."),
        "whole_number": _("Enter a whole number of 0 or more"),
        "actor_required": _("Enter your name before making changes"),
        "saved": _("Saved"),
        "changed_by": _("Changed by %(who)s at %(time)s — reloaded"),
        "someone": _("someone"),
        "events_title": _("Feed events (%(n)s)"),
        "msg_type": _("Message type"),
        "version": _("Version"),
        "sent": _("Sent"),
        "raw_payload": _("Raw payload"),
        "timeline": _("Timeline"),
        "note": _("Note"),
        "add_note": _("Add note"),
        # the edit lease
        "editing_by": _("Being edited by %(who)s (until %(time)s)"),
        "editing_advisory": _("You can still make changes: a change made on an out-of-date version is refused "
                              "and the panel reloads."),
        # merge, split, correlation proposals
        "merge_title": _("Merge and split"),
        "correlation_title": _("Possibly the same incident"),
        "correlation_rules": {"incident-at-an-address": _("same place"), "earthquake": _("same earthquake"),
                              "weather-and-water": _("same flood or storm")},
        "proposal_apart": _("%(distance)s km and %(minutes)s min apart"),
        "merge_pair": _("Merge #%(child)s into #%(parent)s"),
        "dismiss": _("Dismiss"),
        "dismissed": _("Proposal dismissed"),
        "merge_into_label": _("Merge this incident into incident #"),
        "merge": _("Merge"),
        "incident_number_required": _("Enter an incident number"),
        "reason_optional": _("Reason (optional)"),
        "merged_into": _("Merged into incident #%(id)s"),
        "merged_here": _("Merged into this incident"),
        "open_incident": _("Open #%(id)s"),
        "split": _("Split"),
        "split_from": _("Split from #%(id)s"),
        "decisions": {"proposed": _("proposed"), "merged": _("merged"), "dismissed": _("dismissed"),
                      "split": _("split")},
        # what the server said, by its error code (web/incidents_api.py); the server's message otherwise.
        # Transitional (web/static/lib/api.js refusalText): goes when the server renders every message itself.
        "errors": {
            "reason_required": _("A reason is required"),
            "stale_version": _("Changed by %(who)s at %(time)s — reloaded"),
            "invalid_transition": _("Cannot “%(action)s”: the incident is “%(status)s”"),
            "lease_held": _("Being edited by %(who)s (until %(time)s)"),
            "required": _("This field is required"),
            "whole_number": _("Enter a whole number of 0 or more"),
            "not_negative_whole": _("Enter a whole number of 0 or more"),
            "wrong_type": _("This value has the wrong type"),
            "not_json_object": _("The request was not understood"),
            "not_found": _("Not found: it may have been removed"),
            "bad_action": _("Not a valid choice"),
            "bad_grade": _("Not a valid choice"),
            "merge_into_itself": _("An incident cannot be merged into itself"),
            "merge_target_missing": _("There is no incident #%(into)s"),
            "merge_target_merged": _("Incident #%(into)s is itself merged into #%(parent)s: merge into "
                                     "#%(parent)s instead"),
            "already_merged": _("This incident is already merged into #%(parent)s"),
            "has_merged_incidents": _("Other incidents are merged into this one: split them first"),
            "not_merged": _("This incident is not merged"),
            "proposal_decided": _("This proposal was already decided (%(decision)s)"),
            "note_empty": _("A note needs text"),
            "note_too_long": _("A note is at most %(limit)s characters"),
            # filing a report (web/reports_api.py, command/reporting.py)
            "field_required": _("This report needs this field"),
            "field_too_long": _("At most %(limit)s characters"),
            "bad_field_value": _("This value has the wrong type"),
            "bad_kind": _("Not a valid choice"),
            "bad_channel": _("Not a valid choice"),
            "first_exists": _("The first report is already filed: file a follow-up"),
            "first_missing": _("File the first report before any other"),
            "series_closed": _("The final report is filed: nothing comes after it"),
            "final_unverified": _("The final report cannot leave fields to be verified"),
            "fields_empty": _("A follow-up needs at least one field"),
        },
        # the timeline: rule ids and the system's own reasons in words
        "rules": {
            "FEED-OPEN": _("Opened from the feed"), "FEED-UPDATE": _("Feed update"),
            "FEED-UPGRADE": _("Feed upgrade"), "FEED-DOWNGRADE": _("Feed downgrade"),
            "FEED-CANCEL-NEW": _("Cancelled by the feed"), "FEED-CANCEL-ACK": _("Cancelled by the feed"),
            "FEED-CANCEL-KEEP": _("Cancelled by the feed; kept open while responding"),
            "FEED-CANCEL-CLOSED": _("Cancelled by the feed after it was closed"),
            "EXPIRE-NEW": _("Expired"), "EXPIRE-ACK": _("Expired"),
            "NEW-ACK": _("Acknowledged"), "NEW-RESPOND": _("Response started"),
            "ACK-RESPOND": _("Response started"), "NEW-RESOLVE": _("Resolved"), "ACK-RESOLVE": _("Resolved"),
            "RESPOND-RESOLVE": _("Resolved"), "RESOLVED-CLOSE": _("Closed"), "RESOLVED-REOPEN": _("Reopened"),
            "CLOSED-REOPEN": _("Reopened"), "GRADE-CONFIRM": _("Grade confirmed"), "GRADE-SET": _("Grade set"),
            "HARM-SET": _("Harm recorded"), "SENSITIVE-ON": _("Marked sensitive"),
            "SENSITIVE-OFF": _("Sensitive flag cleared"), "MERGE": _("Merged into another incident"),
            "MERGE-IN": _("Another incident merged in"), "SPLIT": _("Split off again"),
            "SPLIT-OUT": _("A merged incident was split off"), "NOTE": _("Note"),
        },
        "proposed_value": _("proposed %(grade)s"),
        "system_reasons": {
            "expired_message": _("The message expired at %(at)s"),
            "expired_ttl": _("No all-clear within the feed's time to live (%(seconds)s s)"),
        },
        "grade_reasons": {
            "harm": _("harm: %(items)s"),
            "harm_item": _("%(name)s %(value)s ≥ %(limit)s"),
            "harm_below_iii": _("harm below the grade III thresholds"),
            "no_harm_threshold": _("no harm threshold reached"),
            "severity_unknown": _("warning level unknown and no harm figures yet"),
            "severity": _("warning level %(colour)s"),
        },
        "harm_names": {"deaths": _("deaths"), "serious_injuries": _("serious injuries"),
                       "direct_loss_yuan": _("direct loss (yuan)")},
        "list_separator": _(", "),
        # escalations: the overdue banner and the panel's section
        "escalation_overdue": _("Escalation #%(id)s for incident #%(incident)s is overdue: step %(step)s of "
                                "%(steps)s was due at %(time)s"),
        "escalations_title": _("Escalations (%(n)s)"),
        "no_escalations": _("No escalation for this incident"),
        "escalation_states": {"active": _("Waiting for an answer"), "acknowledged": _("Acknowledged"),
                              "resolved": _("Resolved"), "finished": _("Finished"), "cancelled": _("Cancelled"),
                              "superseded": _("Superseded")},
        "overdue": _("Overdue"),
        "playbook": _("Playbook"),
        "current_step": _("Next step"),
        "step_of": _("%(step)s of %(steps)s"),
        "step_types": {"notify_liaisons": _("notify the liaisons"), "notify_role": _("notify a role"),
                       "notify_on_duty": _("notify who is on duty"), "notify_person": _("notify a person"),
                       "notify_group": _("notify a group"), "wait": _("wait"),
                       "repeat": _("repeat from an earlier step"),
                       "if_not_acknowledged": _("stop if acknowledged"), "if_not_resolved": _("stop if resolved"),
                       "resolve": _("end")},
        "next_due": _("Due at"),
        "reply_code": _("SMS reply code %(code)s"),
        "acknowledged_at": _("Acknowledged at"),
        "answers_title": _("Answers"),
        "no_answers": _("No answer yet"),
        "answer_line": _("%(actor)s %(answer)s via %(via)s at %(time)s"),
        "answer_names": {"acknowledge": _("acknowledged"), "going": _("is going"), "not_ours": _("not ours")},
        "vias": {"web": _("the web page"), "sms": _("SMS"), "api": _("the API")},
        # phone calls in the panel (the duty log's phone_call entries)
        "calls_title": _("Phone calls (%(n)s)"),
        "no_calls": _("No phone call recorded for this incident"),
        "record_call": _("Record a phone call"),
        "save_call": _("Save to the log"),
        "call_saved": _("Recorded as entry #%(id)s."),
        "recorded_by": _("by %(author)s"),
        "directions": {"inbound": _("Inbound (来电)"), "outbound": _("Outbound (去电)")},
        "call_fields": {"direction": _("Direction"), "occurred_at": _("Time of the call"), "unit": _("Unit"),
                        "name": _("Name"), "number": _("Number"), "situation": _("What happened")},
        # reporting (信息报送): the "Reports due" strip and the panel's section
        "reports_due": _("Reports due"),
        "reports_due_toggle": _("Show or hide the reports due"),
        "missed_count": _("%(n)s missed"),
        "report_channels": {"phone": _("Phone"), "written": _("Written")},
        "report_clocks": {"occurred_at": _("Occurrence"), "received_at": _("Receipt"),
                          "triggered_at": _("Grading or flag")},
        "obligation_statuses": {"open": _("Open"), "filed": _("Filed"), "late": _("Late"), "missed": _("Missed")},
        "due_time": _("due %(time)s"),
        "time_left": _("%(time)s left"),
        "overdue_by": _("overdue by %(n)s min"),
        "late_by": _("late by %(n)s min"),
        "filed_at": _("filed %(time)s"),
        "reporting_title": _("Reporting"),
        "obligations_title": _("Deadlines (%(n)s)"),
        "no_obligations": _("No report is due for this incident"),
        "report_channel": _("Channel"),
        "report_clock": _("Counted from"),
        "report_due": _("Due"),
        "series_title": _("Reports filed (%(n)s)"),
        "no_reports": _("No report filed yet"),
        "to_verify": _("To be verified: %(fields)s"),
        # a report's fields as the catalogue names them, so the panel says them as the documents do
        "report_fields": {name: reporting.field_label(name, str(get_locale())) for name in reporting.FIELDS},
        # filing a report from the panel: the fields each kind asks for (the required ones first), and which
        # the server insists on (command/reporting.py refuses the report otherwise, naming the field)
        "report_form": {
            "title": _("File a report"),
            "kind": _("Report"),
            "kinds": {"first": _("First report"), "follow_up": _("Follow-up"), "final": _("Final report")},
            "to_verify": _("To be verified"),
            "submit": _("File the report"),
            "filed": _("%(report)s filed"),
            "closed": _("The final report is filed: nothing more can be filed for this incident."),
            "fields": {"first": [*reporting.FIRST_REQUIRED, "summary", "casualties", "losses", "measures"],
                       "follow_up": ["progress", "trend", "casualties", "losses", "measures"],
                       "final": [*reporting.FINAL_REQUIRED, "cause"]},
            "required": {"first": list(reporting.FIRST_REQUIRED), "follow_up": [],
                         "final": list(reporting.FINAL_REQUIRED)},
        },
        # degraded mode (web/static/console/degraded.js)
        "degraded": {
            "live": _("Live updates are interrupted: the message queue is down. The page reloads from the database "
                      "every 5 seconds, so new events may show late."),
            "database": _("The database is unavailable: the page cannot load or save changes. Please wait."),
            "badge": _("Live updates interrupted"),
        },
        "call_errors": phone_call_errors(),
    }
