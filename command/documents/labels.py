"""Every word the documents print: English here, Chinese in the catalogue (command/translations).

Each word is translated for its own place (msgctxt ``doc.<key>``, ``doc.<group>.<code>``), so a
document's "Summary" (概况) is not a report field's "Summary" (基本情况). ``labels(language)`` gives
the templates one flat mapping; ``name(group, value, language)`` says a stored code (severity,
grade, post, report kind …) and falls back to the code itself, so a value added elsewhere still prints.
"""

from __future__ import annotations

from command.i18n import say, translations_for
from command.messages import N_

LANGUAGES = ("zh", "en")

_LABELS: dict[str, str] = {  # key -> English; the Chinese is in the catalogue, msgctxt "doc.<key>"
    # titles
    "vigil": N_("Vigil duty room"),
    "daily_title": N_("Daily duty report"),
    "monthly_title": N_("Monthly reporting record (late and missed reports)"),
    "handover_title": N_("Shift handover"),
    "report_title": N_("Incident report"),
    "generated": N_("Generated"),
    "requested_by": N_("Requested by"),
    "time_zone": N_("Time zone"),
    "page": N_("Page {page} of {pages}"),
    "none": N_("None"),
    "more_not_shown": N_("{count} more not shown"),
    "exercise": N_("EXERCISE"),
    # daily sections
    "day": N_("Date"),
    "summary": N_("Summary"),
    "on_duty": N_("On duty"),
    "incidents_opened": N_("Incidents opened"),
    "grading": N_("Grading"),
    "escalations": N_("Escalations and answers"),
    "significant_log": N_("Significant log entries"),
    "reports": N_("Reports"),
    "reports_filed": N_("Reports filed"),
    "reports_late": N_("Late (迟报)"),
    "reports_missed": N_("Missed (漏报)"),
    "reports_open": N_("Still due"),
    "count_incidents": N_("Incidents opened"),
    "count_graded": N_("Grade changes"),
    "count_escalations": N_("Escalations started"),
    "count_answers": N_("Answers"),
    "count_significant": N_("Significant entries"),
    # columns
    "shift": N_("Shift"),
    "from": N_("From"),
    "until": N_("Until"),
    "duty_officer": N_("Duty officer"),
    "leader": N_("Leader on duty"),
    "handover": N_("Handover"),
    "signed": N_("signed"),
    "unsigned": N_("not signed"),
    "received": N_("Received"),
    "occurred": N_("Occurred"),
    "incident": N_("Incident"),
    "headline": N_("Headline"),
    "category": N_("Category"),
    "severity": N_("Severity"),
    "grade": N_("Grade"),
    "status": N_("Status"),
    "source": N_("Source"),
    "address": N_("Place"),
    "departments": N_("Departments"),
    "time": N_("Time"),
    "change": N_("Change"),
    "by": N_("By"),
    "reason": N_("Reason"),
    "playbook": N_("Playbook"),
    "state": N_("State"),
    "answers": N_("Answers"),
    "started": N_("Started"),
    "author": N_("Author"),
    "kind": N_("Kind"),
    "entry": N_("Entry"),
    "report_kind": N_("Report"),
    "channel": N_("Channel"),
    "filed_by": N_("Filed by"),
    "filed_at": N_("Filed at"),
    "due_at": N_("Due"),
    "late_minutes": N_("Minutes late"),
    "rule": N_("Rule"),
    "base_clock": N_("Counted from"),
    # report
    "series": N_("Series"),
    "fields": N_("Content"),
    "to_verify": N_("to be verified"),
    "to_verify_note": N_("Items marked “to be verified” (待核实) are not yet confirmed."),
    "obligations_met": N_("Obligations it answers"),
    "on_time": N_("On time"),
    # handover
    "outgoing": N_("Outgoing"),
    "incoming": N_("Incoming"),
    "drafted_at": N_("Drafted"),
    "signatures": N_("Signatures"),
    "outgoing_officer": N_("Outgoing officer"),
    "incoming_officer": N_("Incoming officer"),
    "signed_at": N_("Signed at"),
    "sensitive": N_("sensitive"),
    "next_step": N_("Next step due"),
    "overdue": N_("overdue"),
    "why_open": N_("Why open"),
    "settled": N_("Settled"),
    # monthly
    "month": N_("Month"),
    "department": N_("Department"),
    "obligations": N_("Obligations"),
    "late": N_("Late (迟报)"),
    "missed": N_("Missed (漏报)"),
    "open": N_("Open"),
    "late_minutes_total": N_("Minutes late in all"),
    "total": N_("Total"),
    "late_and_missed": N_("Late and missed, one by one"),
    "unassigned": N_("No department"),
    "monthly_note": N_("An obligation on an incident concerning several departments counts for each of them; the total counts it once."),
}

_NAMES: dict[str, dict[str, str]] = {  # group -> code -> English; Chinese under msgctxt "doc.<group>.<code>"
    "severity": {"extreme": N_("extreme"), "severe": N_("severe"), "moderate": N_("moderate"),
                 "minor": N_("minor"), "unknown": N_("unknown")},
    "grade": {"I": N_("I (particularly serious)"), "II": N_("II (serious)"), "III": N_("III (relatively serious)"),
              "IV": N_("IV (ordinary)")},
    "post": {"duty_officer": N_("duty officer"), "leader": N_("leader on duty")},
    "channel": {"phone": N_("phone"), "written": N_("written")},
    "obligation_status": {"open": N_("open"), "filed": N_("filed on time"), "late": N_("late"),
                          "missed": N_("missed")},
    "escalation_state": {"active": N_("waiting for an answer"), "acknowledged": N_("acknowledged"),
                         "resolved": N_("resolved"), "finished": N_("finished"), "cancelled": N_("cancelled"),
                         "superseded": N_("superseded")},
    "answer": {"acknowledge": N_("acknowledged"), "going": N_("going"), "not_ours": N_("not ours")},
    "incident_status": {"new": N_("new"), "acknowledged": N_("acknowledged"), "responding": N_("responding"),
                        "resolved": N_("resolved"), "closed": N_("closed"), "cancelled": N_("cancelled"),
                        "merged": N_("merged")},
    "base_clock": {"occurred_at": N_("occurred at"), "received_at": N_("received at"),
                   "triggered_at": N_("triggered at")},
    "draft": {"open_incidents": N_("Open incidents"), "unacknowledged_escalations": N_("Unanswered escalations"),
              "escalations": N_("Unanswered escalations"), "reports_due": N_("Reports due"),
              "open_items": N_("Unfinished items"), "notes": N_("Notes")},
    "item_reason": {"carried_over": N_("carried over"), "phone_call_without_incident": N_("call, no incident"),
                    "significant": N_("significant entry")},
    "log_kind": {"incident_opened": N_("incident opened"), "incident_updated": N_("incident updated"),
                 "incident_graded": N_("incident graded"), "escalation_step": N_("escalation step"),
                 "escalation_failed": N_("escalation failed"), "escalation_overdue": N_("escalation overdue"),
                 "acknowledgement": N_("answer"), "sms_sent": N_("SMS sent"), "sms_delivered": N_("SMS delivered"),
                 "sms_failed": N_("SMS failed"), "phone_call": N_("phone call"), "note": N_("note"),
                 "handover": N_("handover"), "report_filed": N_("report filed"), "report_late": N_("report late"),
                 "report_missed": N_("report missed"), "roster_swap": N_("roster swap"),
                 "correction": N_("correction"), "significant_flag": N_("significance"),
                 "feed_silent": N_("feed silent"), "audit": N_("audit")},
}


def check_language(language: str) -> str:
    """Return ``language`` if it is zh or en, else raise ValueError."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    return language


def labels(language: str) -> dict[str, str]:
    """Every label in ``language``."""
    translations = translations_for(check_language(language))
    return {key: say(translations, f"doc.{key}", text) for key, text in _LABELS.items()}


def name(group: str, value, language: str) -> str:
    """The word for a stored code in ``language``; the code itself when there is none."""
    text = _NAMES.get(group, {}).get(value)
    if text is None:
        return "" if value is None else str(value)
    return say(translations_for(language), f"doc.{group}.{value}", text)
