"""What each document says: its parameters, checked, and its content, read from the database section by section.

A document kind is a list of sections. Each section is read in its own short
session (on SQLite every transaction holds the write lock, so a long read would
stall the duty room), and the job commits its progress between sections.
Sections return plain data (UTC datetimes, codes); the templates translate and
put times in the duty room's time zone.

Kinds:
- report: one Report (首报 / 续报 N / 终报) with its fields, 待核实 marks and the obligations it answers;
- handover: one Handover's draft and signatures (交接班);
- daily: the daily duty report (值班日报) of one calendar day in the duty room's time zone;
- monthly: per department, report obligations due in one month: on time, late (迟报), missed (漏报).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from command import dutylog, reporting
from command.documents.params import DocumentRequestError, day_param, day_window, month_param, month_window, row_param
from command.models import (Acknowledgement, Department, DutyLogEntry, Escalation, Handover, Incident, IncidentLog,
                            Person, Report, ReportObligation, Shift)

ROW_CAP = 5000  # rows per section; a longer section says how many were left out


@dataclass(frozen=True)
class Context:
    """What every section builder gets: the checked parameters and the duty room's time zone."""

    params: dict
    zone: ZoneInfo
    language: str


@dataclass(frozen=True)
class Section:
    """One part of a document, read in its own session; the job commits progress after each."""

    name: str
    build: Callable[[Session, Context], Any]


@dataclass(frozen=True)
class Kind:
    """One kind of document: how to check its parameters, its sections, its template and file name."""

    check: Callable[[Session, dict], dict]
    sections: tuple[Section, ...]
    template: str
    stem: Callable[[dict], str]


# ---- shared pieces -------------------------------------------------------------------------------

def _names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids))).all())


def _departments(session: Session, language: str) -> dict[str, str]:
    return {code: (zh if language == "zh" else en)
            for code, zh, en in session.execute(select(Department.code, Department.name_zh, Department.name_en))}


def _listing(session: Session, query, convert: Callable) -> dict:
    """Up to ROW_CAP rows of ``query``, each converted, and how many more there are."""
    rows = session.execute(query.limit(ROW_CAP + 1)).all()
    more = 0
    if len(rows) > ROW_CAP:
        more = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) - ROW_CAP
    return {"rows": [convert(row) for row in rows[:ROW_CAP]], "more": more}


def _incident(incident: Incident | None, departments: dict[str, str] | None = None) -> dict | None:
    if incident is None:
        return None
    return {"id": incident.id, "headline": incident.headline, "event": incident.event, "category": incident.category,
            "severity": incident.severity, "grade": incident.grade, "grade_proposed": incident.grade_proposed,
            "status": incident.status, "exercise": incident.cap_status in ("exercise", "test"),
            "source": incident.source, "address": incident.address, "occurred_at": incident.occurred_at,
            "received_at": incident.received_at, "sensitive": incident.sensitive,
            "departments": [(departments or {}).get(code, code) for code in incident.departments or []]}


# ---- daily (值班日报) -----------------------------------------------------------------------------

def _daily_duty(session: Session, ctx: Context) -> dict:
    start, end = day_window(ctx.params["date"], ctx.zone)
    shifts = session.scalars(select(Shift).where(Shift.ends_at > start, Shift.starts_at < end)
                             .order_by(Shift.starts_at, Shift.id)).all()
    names = _names(session, [p for s in shifts for p in (s.duty_officer_id, s.leader_id)])
    handovers = {h.shift_id: h for h in session.scalars(
        select(Handover).where(Handover.shift_id.in_([s.id for s in shifts])))} if shifts else {}
    return {"start": start, "end": end, "shifts": [
        {"id": s.id, "starts_at": s.starts_at, "ends_at": s.ends_at, "closed_at": s.closed_at,
         "duty_officer": names.get(s.duty_officer_id), "leader": names.get(s.leader_id),
         "handover": ({"outgoing": handovers[s.id].outgoing_signed_by, "incoming": handovers[s.id].incoming_signed_by}
                      if s.id in handovers else None)} for s in shifts]}


def _daily_incidents(session: Session, ctx: Context) -> dict:
    start, end = day_window(ctx.params["date"], ctx.zone)
    departments = _departments(session, ctx.language)
    query = (select(Incident).where(Incident.received_at >= start, Incident.received_at < end,
                                    Incident.merged_into_id.is_(None))
             .order_by(Incident.received_at, Incident.id))
    return _listing(session, query, lambda row: _incident(row[0], departments))


def _daily_grading(session: Session, ctx: Context) -> dict:
    start, end = day_window(ctx.params["date"], ctx.zone)
    query = (select(IncidentLog, Incident.headline).join(Incident, Incident.id == IncidentLog.incident_id)
             .where(IncidentLog.kind == "grade", IncidentLog.at >= start, IncidentLog.at < end)
             .order_by(IncidentLog.at, IncidentLog.id))
    return _listing(session, query, lambda row: {
        "at": row[0].at, "incident_id": row[0].incident_id, "headline": row[1], "before": row[0].before,
        "after": row[0].after, "actor": row[0].actor, "reason": row[0].reason})


def _daily_escalations(session: Session, ctx: Context) -> dict:
    start, end = day_window(ctx.params["date"], ctx.zone)
    answered = select(Acknowledgement.escalation_id).where(Acknowledgement.at >= start, Acknowledgement.at < end)
    listing = _listing(session, select(Escalation, Incident.headline)
                       .join(Incident, Incident.id == Escalation.incident_id)
                       .where(or_((Escalation.created_at >= start) & (Escalation.created_at < end),
                                  Escalation.id.in_(answered)))
                       .order_by(Escalation.created_at, Escalation.id), tuple)
    ids = [escalation.id for escalation, _ in listing["rows"]]
    answers: dict[int, list] = {}
    for ack in session.scalars(select(Acknowledgement).where(Acknowledgement.escalation_id.in_(ids),
                                                             Acknowledgement.at < end)
                               .order_by(Acknowledgement.at, Acknowledgement.id)) if ids else ():
        answers.setdefault(ack.escalation_id, []).append(
            {"actor": ack.actor, "answer": ack.answer, "via": ack.via, "at": ack.at})
    result = []
    for escalation, headline in listing["rows"]:
        title = (escalation.snapshot or {}).get("title") or {}
        result.append({"id": escalation.id, "incident_id": escalation.incident_id, "headline": headline,
                       "playbook": title.get(ctx.language) if isinstance(title, dict) else None,
                       "playbook_name": escalation.playbook, "state": escalation.state,
                       "created_at": escalation.created_at, "exercise": escalation.exercise,
                       "answers": answers.get(escalation.id, [])})
    started = sum(1 for row in result if start <= row["created_at"] < end)
    answered = sum(1 for row in result for answer in row["answers"] if answer["at"] >= start)
    return {"rows": result, "more": listing["more"], "started": started, "answered": answered}


def _daily_log(session: Session, ctx: Context) -> dict:
    start, end = day_window(ctx.params["date"], ctx.zone)
    in_day = (DutyLogEntry.occurred_at >= start) & (DutyLogEntry.occurred_at < end)
    flagged = select(DutyLogEntry.corrects_id).where(DutyLogEntry.kind == "significant_flag")
    candidates = session.scalars(select(DutyLogEntry.id).where(
        in_day, DutyLogEntry.kind != "significant_flag",
        or_(DutyLogEntry.significant.is_(True), DutyLogEntry.id.in_(flagged)))).all()
    current = dutylog.significance(session, list(candidates)) if candidates else {}
    chosen = sorted(entry_id for entry_id, significant in current.items() if significant)
    entries = session.scalars(select(DutyLogEntry).where(DutyLogEntry.id.in_(chosen[:ROW_CAP]))
                              .order_by(DutyLogEntry.occurred_at, DutyLogEntry.id)).all() if chosen else []
    rows = [{"id": e.id, "occurred_at": e.occurred_at, "author": e.author, "kind": e.kind, "summary": e.summary,
             "incident_id": e.incident_id} for e in entries]
    return {"rows": rows, "more": max(0, len(chosen) - ROW_CAP)}


def _daily_reports(session: Session, ctx: Context) -> dict:
    start, end = day_window(ctx.params["date"], ctx.zone)
    filed = (select(Report, Incident.headline).join(Incident, Incident.id == Report.incident_id)
             .where(Report.filed_at >= start, Report.filed_at < end).order_by(Report.filed_at, Report.id))

    def obligations(*conditions):
        query = (select(ReportObligation, Incident.headline)
                 .join(Incident, Incident.id == ReportObligation.incident_id)
                 .where(*conditions).order_by(ReportObligation.due_at, ReportObligation.id))
        return _listing(session, query, lambda row: _obligation(row[0], row[1]))

    in_day_due = (ReportObligation.due_at >= start, ReportObligation.due_at < end)
    return {
        "filed": _listing(session, filed, lambda row: {
            "id": row[0].id, "incident_id": row[0].incident_id, "headline": row[1],
            "label": reporting.report_label(row[0], ctx.language), "channel": row[0].channel,
            "filed_by": row[0].filed_by, "filed_at": row[0].filed_at}),
        # late: filed this day after its due time; missed: due this day and still not filed
        "late": obligations(ReportObligation.status == "late", ReportObligation.filed_at >= start,
                            ReportObligation.filed_at < end),
        "missed": obligations(ReportObligation.status == "missed", *in_day_due),
        "open": obligations(ReportObligation.status == "open", *in_day_due),
    }


def _obligation(o: ReportObligation, headline: str | None) -> dict:
    late = o.late_minutes
    if late is None and o.filed_at is not None and o.filed_at > o.due_at:
        late = int((o.filed_at - o.due_at).total_seconds() // 60)
    return {"id": o.id, "incident_id": o.incident_id, "headline": headline, "rule": o.rule, "channel": o.channel,
            "base_clock": o.base_clock, "due_at": o.due_at, "filed_at": o.filed_at, "status": o.status,
            "late_minutes": late}


# ---- monthly (迟报、漏报 per department) -----------------------------------------------------------

def _monthly_counts(session: Session, ctx: Context) -> dict:
    # The counting is reporting.monthly's, so the document and the reporting API never disagree.
    year, month = (int(part) for part in ctx.params["month"].split("-"))
    counted = reporting.monthly(session, year, month, ctx.zone.key)
    start, end = month_window(ctx.params["month"], ctx.zone)
    rows = [{**row, "code": row["department"],
             "name": None if row["department"] == reporting.NO_DEPARTMENT else
             (row["name_zh"] if ctx.language == "zh" else row["name_en"]) or row["department"]}
            for row in counted["departments"]]
    return {"start": start, "end": end, "total": counted["total"], "departments": rows}


def _monthly_details(session: Session, ctx: Context) -> dict:
    start, end = month_window(ctx.params["month"], ctx.zone)
    names = _departments(session, ctx.language)
    # By status, as reporting.monthly counts: late (迟报, filed after the due time), missed (漏报, still unfiled).
    query = (select(ReportObligation, Incident.headline, Incident.departments)
             .join(Incident, Incident.id == ReportObligation.incident_id)
             .where(ReportObligation.due_at >= start, ReportObligation.due_at < end,
                    ReportObligation.status.in_(("late", "missed")))
             .order_by(ReportObligation.due_at, ReportObligation.id))
    return _listing(session, query, lambda row: {
        **_obligation(row[0], row[1]), "outcome": row[0].status,
        "departments": [names.get(code, code) for code in dict.fromkeys(row[2] or [])]})


# ---- report (首报 / 续报 / 终报) ---------------------------------------------------------------------

def _report(session: Session, ctx: Context) -> dict:
    report = session.get(Report, ctx.params["report_id"])
    incident = session.get(Incident, report.incident_id)
    series = session.scalars(select(Report).where(Report.incident_id == report.incident_id)
                             .order_by(Report.filed_at, Report.id)).all()
    obligations = session.scalars(select(ReportObligation).where(ReportObligation.report_id == report.id)
                                  .order_by(ReportObligation.due_at)).all()
    to_verify = set(report.to_verify or [])
    return {"id": report.id, "label": reporting.report_label(report, ctx.language), "kind": report.kind,
            "channel": report.channel, "filed_by": report.filed_by, "filed_at": report.filed_at,
            "incident": _incident(incident, _departments(session, ctx.language)),
            "fields": [{"key": key, "label": reporting.field_label(key, ctx.language),
                        "value": _text(value, ctx.zone), "to_verify": key in to_verify}
                       for key, value in (report.fields or {}).items()],
            "to_verify": sorted(to_verify),
            "series": [{"id": r.id, "label": reporting.report_label(r, ctx.language), "filed_at": r.filed_at,
                        "filed_by": r.filed_by, "current": r.id == report.id} for r in series],
            "obligations": [_obligation(o, None) for o in obligations]}


# ---- handover (交接班) ------------------------------------------------------------------------------

# The draft's shape is command/handover.py's (draft_handover); keys it may add later print generically.
_DRAFT_LISTS = ("open_incidents", "unacknowledged_escalations", "reports_due", "open_items")
_DRAFT_META = {"shift", "incoming_shift", "notes", "notes_by", "settled", *_DRAFT_LISTS,
               *(f"{name}_total" for name in _DRAFT_LISTS)}


def _handover(session: Session, ctx: Context) -> dict:
    handover = session.get(Handover, ctx.params["handover_id"])
    shifts = {s.id: s for s in session.scalars(
        select(Shift).where(Shift.id.in_([i for i in (handover.shift_id, handover.incoming_shift_id) if i])))}
    names = _names(session, [p for s in shifts.values() for p in (s.duty_officer_id, s.leader_id)])

    def shift(shift_id):
        s = shifts.get(shift_id)
        return None if s is None else {"id": s.id, "starts_at": s.starts_at, "ends_at": s.ends_at,
                                       "duty_officer": names.get(s.duty_officer_id), "leader": names.get(s.leader_id)}

    draft = handover.draft or {}
    settled = draft.get("settled") or {}
    lists = {}
    for key in _DRAFT_LISTS:
        rows = [_with_times(row) for row in draft.get(key) or [] if isinstance(row, dict)]
        lists[key] = {"rows": rows, "more": max(0, int(draft.get(f"{key}_total") or 0) - len(rows))}
    for item in lists["open_items"]["rows"]:
        mark = settled.get(item.get("key"))
        item["settled"] = (f"{mark.get('remark', '')} ({mark.get('by', '')})" if isinstance(mark, dict)
                           else None if mark is None else str(mark))
    signers = dict(session.execute(select(Person.username, Person.display_name).where(Person.username.in_(
        [u for u in (handover.outgoing_signed_by, handover.incoming_signed_by) if u]))).all())

    def signer(username):
        return f"{signers[username]} ({username})" if username in signers else username
    other = [{"key": key, "items": [_text(item, ctx.zone) for item in (value if isinstance(value, list) else [value])]}
             for key, value in draft.items() if key not in _DRAFT_META and value not in (None, "", [], {})]
    return {"id": handover.id, "drafted_at": handover.drafted_at, "outgoing": shift(handover.shift_id),
            "incoming": shift(handover.incoming_shift_id), **lists, "other": other,
            "notes": draft.get("notes") or "", "notes_by": draft.get("notes_by"),
            "outgoing_signed_by": signer(handover.outgoing_signed_by),
            "outgoing_signed_at": handover.outgoing_signed_at,
            "incoming_signed_by": signer(handover.incoming_signed_by),
            "incoming_signed_at": handover.incoming_signed_at}


def _with_times(row: dict) -> dict:
    """A draft row with its ISO times (the draft is JSON) back as datetimes, for the templates to localise."""
    return {key: _instant(value) if key.endswith("_at") and isinstance(value, str) else value
            for key, value in row.items()}


def _instant(value: str) -> datetime | str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return moment if moment.tzinfo else value


_MAIN_KEYS = ("headline", "summary", "title", "text", "description", "label")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def _text(value: Any, zone: ZoneInfo) -> str:
    """One line for a value of free shape (a draft item, a report field): main text first, then key: value."""
    if isinstance(value, dict):
        main = next((value[k] for k in _MAIN_KEYS if value.get(k) not in (None, "")), None)
        rest = [f"{k}: {_text(v, zone)}" for k, v in value.items()
                if v not in (None, "", [], {}) and not (main is not None and v is main)]
        return "; ".join(([_text(main, zone)] if main is not None else []) + rest)
    if isinstance(value, list):
        return "; ".join(_text(item, zone) for item in value)
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and _ISO.match(value):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(zone).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return "" if value is None else str(value)


# ---- the kinds -----------------------------------------------------------------------------------

KINDS: dict[str, Kind] = {
    "report": Kind(row_param(Report, "report_id"), (Section("report", _report),), "report.html",
                   lambda p: f"report-{p['report_id']}"),
    "handover": Kind(row_param(Handover, "handover_id"), (Section("handover", _handover),), "handover.html",
                     lambda p: f"handover-{p['handover_id']}"),
    "daily": Kind(day_param, (Section("duty", _daily_duty), Section("incidents", _daily_incidents),
                               Section("grading", _daily_grading), Section("escalations", _daily_escalations),
                               Section("log", _daily_log), Section("reports", _daily_reports)),
                  "daily.html", lambda p: f"daily-{p['date']}"),
    "monthly": Kind(month_param, (Section("counts", _monthly_counts), Section("details", _monthly_details)),
                    "monthly.html", lambda p: f"monthly-{p['month']}"),
}


def check_params(session: Session, kind: Any, params: Any) -> dict:
    """Return the document's parameters, checked and normalised; raise DocumentRequestError."""
    if not isinstance(kind, str) or kind not in KINDS:
        raise DocumentRequestError("bad_choice", "kind", choices=", ".join(KINDS))
    if not isinstance(params, dict):
        raise DocumentRequestError("doc.bad_params", "params")
    return KINDS[kind].check(session, params)
