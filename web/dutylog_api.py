"""The duty log API: read and filter the log, export it as CSV, record phone calls, flag and correct entries.

Nothing here updates an entry: flagging and correcting append new entries that
point at the old one. Every entry, whoever writes it (this API, the escalation
engine, the SMS outbox, a webhook), is announced by command.dutylog.append and
published by its unit of work once committed, so the log page is live for all.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timezone
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, jsonify, request
from flask_babel import get_translations, gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from command import dutylog, phone_calls, roster
from command.dutylog import EntryNotFound, entry_dict, entry_text
from command.errors import Forbidden, Invalid, Malformed
from command.handover import shift_dict
from command.models import DutyLogEntry, Shift, utcnow
from web.auth import audit_export, current_user
from web.context import runtime
from web.requests import flag, json_body, listed, whole

bp = Blueprint("dutylog_api", __name__, url_prefix="/api/v1/dutylog")

DEFAULT_LIMIT, MAX_LIMIT = 100, 500
EXPORT_BATCH = 1000  # rows per short read transaction while streaming (SQLite: every transaction takes the lock)
TEXT_LIMIT, REASON_LIMIT, ACTOR_LIMIT, CORRECTION_LIMIT = 200, 500, 128, 4000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas


# --- reading -------------------------------------------------------------------------------------------------------

@bp.get("")
def list_entries():
    """Entries newest first, filtered; page with ?before=<the last id shown>&limit=."""
    query, shift_id = _filtered(request.args, runtime().settings["TIME_ZONE"])
    limit = whole(request.args, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    before = whole(request.args, "before", 1, None, None)
    if before is not None:
        query = query.where(DutyLogEntry.id < before)
    with runtime().sessions() as session:
        rows = session.scalars(query.order_by(DutyLogEntry.id.desc()).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        body = {"entries": entries_json(session, rows), "next_before": rows[-1].id if more else None}
        if shift_id is not None:
            body["shift"] = shift_dict(session, session.get(Shift, shift_id))
    return jsonify(body)


@bp.get("/export")
def export():
    """The filtered log as CSV (UTF-8 with a BOM, for Excel), oldest first, streamed batch by batch."""
    zone_name = runtime().settings["TIME_ZONE"]
    listed(request.args, "format", ("csv",))
    query, _shift = _filtered(request.args, zone_name)
    header = [_("Entry"), _("Occurred (%(zone)s)", zone=zone_name), _("Written (%(zone)s)", zone=zone_name),
              _("Kind"), _("Kind code"), _("Summary"), _("Author"), _("Shift"), _("Incident"), _("Escalation"),
              _("Significant"), _("Corrects entry"), _("Details (JSON)"), _("Previous hash"), _("Hash")]
    labels = kind_labels()
    yes_no = (_("yes"), _("no"))
    zone = ZoneInfo(zone_name)
    stamp = utcnow().astimezone(zone).strftime("%Y%m%d-%H%M")
    rows = _csv_rows(runtime().sessions, query, header, labels, yes_no, zone)
    audit_export(f"the duty log as CSV ({request.query_string.decode()[:200] or 'everything'})")
    return Response(rows, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="dutylog-{stamp}.csv"', "Cache-Control": "no-store"})


@bp.get("/verify")
def verify():
    """Walk the hash chain: {ok, checked, first_broken_id, reason}."""
    with runtime().sessions() as session:
        result = dutylog.verify(session)
    return jsonify({"ok": result.ok, "checked": result.checked, "first_broken_id": result.first_broken_id,
                    "reason": result.reason, "last_hash": result.last_hash})


# --- writing -------------------------------------------------------------------------------------------------------

@bp.post("/phone-calls")
def record_phone_call():
    """Record an inbound or outbound phone call: 201 with its log entry, 422 naming every wrong field."""
    body = json_body()
    # who recorded it is who is logged in (the gate put their name in "actor")
    form = {**{k: v for k, v in body.items() if k != "actor"}, "recorded_by": body.get("actor") or body.get("recorded_by")}
    with runtime().unit_of_work() as session:
        answer = entry_dict(phone_calls.record(session, form, time_zone=runtime().settings["TIME_ZONE"], at=utcnow()))
    return jsonify(answer), 201


@bp.post("/<int:entry_id>/significant")
def post_significant(entry_id: int):
    """The shift leader flags (or unflags) an entry, with a reason: a new entry, never an update."""
    body = json_body()
    significant = body.get("significant")
    if not isinstance(significant, bool):
        raise Invalid("bad_significant", "significant", message="bad_flag")
    reason = _required_text(body, "reason", REASON_LIMIT, "reason_required")
    actor = _required_text(body, "actor", ACTOR_LIMIT, "actor_required")
    now = utcnow()
    with runtime().unit_of_work() as session:
        target = session.get(DutyLogEntry, entry_id)
        if target is None:
            raise EntryNotFound(entry_id)
        if target.kind == "significant_flag":
            raise Invalid("not_flaggable", "id")
        leaders = roster.on_duty_people(session, now, "leader")
        if leaders and actor not in {p.username for p in leaders}:
            leader = leaders[0]
            raise Forbidden("not_shift_leader", "actor", expected=leader.username, name=leader.display_name)
        if dutylog.significance(session, [entry_id])[entry_id] == significant:
            return jsonify({"entry": None, "target_id": entry_id, "significant": significant}), 200
        answer = entry_dict(dutylog.set_significant(session, entry_id, significant, actor, reason, at=now))
    return jsonify({"entry": answer, "target_id": entry_id, "significant": significant}), 201


@bp.post("/<int:entry_id>/corrections")
def correct(entry_id: int):
    """Correct an entry: a new ``correction`` entry with the corrected text, pointing at the old one."""
    body = json_body()
    summary = _required_text(body, "summary", CORRECTION_LIMIT, "summary_required")
    actor = _required_text(body, "actor", ACTOR_LIMIT, "actor_required")
    with runtime().unit_of_work() as session:
        answer = entry_dict(dutylog.correct(session, entry_id, summary, actor, at=utcnow()))
    return jsonify(answer), 201


# --- shared with the page ------------------------------------------------------------------------------------------

def entries_json(session: Session, rows: list[DutyLogEntry]) -> list[dict]:
    """Entries as JSON with their current significant flag, the latest flag entry and their corrections."""
    ids = [row.id for row in rows]
    current = dutylog.significance(session, ids) if ids else {}
    corrections: dict[int, list[dict]] = {}
    flags: dict[int, dict] = {}
    if ids:
        later_entries = select(DutyLogEntry).where(DutyLogEntry.corrects_id.in_(ids),
                                                   DutyLogEntry.kind.in_(("correction", "significant_flag")))
        for later in session.scalars(later_entries.order_by(DutyLogEntry.id)):
            if later.kind == "correction":
                corrections.setdefault(later.corrects_id, []).append(
                    {"id": later.id, "summary": later.summary, "author": later.author,
                     "written_at": later.written_at.isoformat()})
            else:
                flags[later.corrects_id] = {"id": later.id, "author": later.author,
                                            "significant": bool((later.data or {}).get("significant")),
                                            "reason": (later.data or {}).get("reason"),
                                            "written_at": later.written_at.isoformat()}
    answer = []
    for row in rows:
        item = entry_dict(row)
        item.update(significant=current.get(row.id, row.significant), corrections=corrections.get(row.id, []),
                    flag=flags.get(row.id), text=entry_text(row, translations=get_translations()))
        answer.append(item)
    return answer


def kind_labels() -> dict[str, str]:
    """Every kind's name in the request's language."""
    return {
        "incident_opened": _("Incident opened"), "incident_updated": _("Incident updated"),
        "incident_graded": _("Incident graded"), "escalation_step": _("Escalation step"),
        "escalation_failed": _("Escalation failed"), "escalation_overdue": _("Escalation overdue"),
        "acknowledgement": _("Acknowledgement"), "sms_sent": _("SMS sent"), "sms_delivered": _("SMS delivered"),
        "sms_failed": _("SMS failed"), "phone_call": _("Phone call"), "note": _("Note"), "handover": _("Handover"),
        "report_filed": _("Report filed"), "report_late": _("Report late"), "report_missed": _("Report missed"),
        "roster_swap": _("Roster swap"), "correction": _("Correction"), "significant_flag": _("Significant flag"),
        "feed_silent": _("Feed silent"), "audit": _("Audit"),
    }


# --- helpers -------------------------------------------------------------------------------------------------------

def _filtered(args, time_zone: str):
    """The select of entries matching the request's filters, and the shift asked for (if any)."""
    query = select(DutyLogEntry)
    user = current_user()
    if user is None or user.role != "administrator":
        query = query.where(DutyLogEntry.kind != "audit")  # the audit trail is for administrators only
    incident = whole(args, "incident", 1, None, None)
    if incident is not None:
        query = query.where(DutyLogEntry.incident_id == incident)
    shift = whole(args, "shift", 1, None, None)
    if shift is not None:
        query = query.where(DutyLogEntry.shift_id == shift)
    kinds = listed(args, "kind", dutylog.KINDS)
    if kinds:
        query = query.where(DutyLogEntry.kind.in_(kinds))
    significant = flag(args, "significant")
    if significant is not None:
        now_significant, join = _significance_now()
        query = join(query).where(now_significant.is_(significant))
    for name, compare in (("since", DutyLogEntry.occurred_at.__ge__), ("until", DutyLogEntry.occurred_at.__lt__)):
        value = args.get(name, "").strip()
        if value:
            query = query.where(compare(_time(value, name, time_zone)))
    text = args.get("q", "").strip()
    if text:
        query = query.where(DutyLogEntry.summary.icontains(text[:TEXT_LIMIT], autoescape=True))
    author = args.get("author", "").strip()
    if author:
        query = query.where(DutyLogEntry.author == author)
    return query, shift


def _significance_now():
    """Each entry's current flag as SQL: its latest significant_flag entry's value, else its own."""
    latest = (select(DutyLogEntry.corrects_id.label("target"), func.max(DutyLogEntry.id).label("flag_id"))
              .where(DutyLogEntry.kind == "significant_flag").group_by(DutyLogEntry.corrects_id).subquery())
    flag = aliased(DutyLogEntry)
    value = case((latest.c.flag_id.is_(None), DutyLogEntry.significant),
                 else_=flag.data["significant"].as_boolean())

    def join(query):
        return (query.outerjoin(latest, latest.c.target == DutyLogEntry.id)
                .outerjoin(flag, flag.id == latest.c.flag_id))
    return value, join


def _time(value: str, name: str, time_zone: str) -> datetime:
    """An ISO date or date-time; without an offset it is the duty room's local time."""
    try:
        if len(value) == 10:
            parsed = datetime.combine(date.fromisoformat(value), time())
        else:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Malformed("bad_time", name, message="bad_date_time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(time_zone))
    return parsed.astimezone(timezone.utc)


def _required_text(body: dict, name: str, limit: int, code: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise Invalid(code, name, message="text_required", limit=limit)
    return value.strip()


def _csv_rows(sessions: sessionmaker, query, header: list[str], labels: dict[str, str], yes_no: tuple[str, str],
              zone: ZoneInfo) -> Iterator[str]:
    """Yield the CSV text: a BOM and the header, then one chunk per batch, each read in its own short session."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield "\ufeff" + flush()
    last = 0
    while True:
        with sessions() as session:
            rows = session.scalars(query.where(DutyLogEntry.id > last).order_by(DutyLogEntry.id)
                                   .limit(EXPORT_BATCH)).all()
            current = dutylog.significance(session, [row.id for row in rows]) if rows else {}
        for row in rows:
            writer.writerow([_cell(value) for value in (
                row.id, _local(row.occurred_at, zone), _local(row.written_at, zone), labels.get(row.kind, row.kind),
                row.kind, row.summary, row.author, row.shift_id, row.incident_id, row.escalation_id,
                yes_no[0] if current.get(row.id, row.significant) else yes_no[1], row.corrects_id,
                json.dumps(row.data, ensure_ascii=False, sort_keys=True) if row.data is not None else "",
                row.prev_hash, row.hash)])
        if rows:
            last = rows[-1].id
            yield flush()
        if len(rows) < EXPORT_BATCH:
            return


def _local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # text that starts like a formula stays text in a spreadsheet
    return value
