"""The report series of an incident (信息报送): 首报 (first), 续报 1, 2 … (follow-ups), 终报 (final).

Filing a report discharges the open obligations of its channel (and phone ones too when the profile
says ``written_satisfies_phone``); one filed after the due time is late by whole minutes, rounded up.
A report out of order, or missing what its kind needs, is refused naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from command import dutylog
from command.errors import Invalid
from command.i18n import message, render
from command.incidents import IncidentNotFound
from command.models import Incident, Report, ReportObligation
from command.reporting.obligations import SATISFIABLE, late_minutes, lock_incident, log_late, obligation_dict
from command.reporting.profiles import CHANNELS, DEFAULT_PROFILE, Profile, get_profile
from feeds.event import iso

KINDS = ("first", "follow_up", "final")
# The series' required fields, and every field's label for pages and documents.
FIRST_REQUIRED = ("time", "place", "source", "nature")
FINAL_REQUIRED = ("casualties", "losses", "measures", "contact")
FIELDS = ("time", "place", "source", "nature", "summary", "trend", "progress", "casualties", "losses", "measures",
          "cause", "contact")  # each named by the message report.field.<name>
TO_VERIFY = "待核实"
_TO_VERIFY_WORDS = {TO_VERIFY, "to be verified"}  # a value saying so marks the field, it is not a value
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_FIELDS, MAX_VALUE = 30, 4000


@dataclass(frozen=True)
class Filed:
    """A filed report and the obligations it discharged."""

    report: Report
    obligations: list[ReportObligation]


def file_report(session: Session, incident_id: int, kind: str, channel: str, fields: dict,
                to_verify: list | None, actor: str, at: datetime, profile: str | Profile = DEFAULT_PROFILE) -> Filed:
    """File the next report of the incident's series and discharge the open obligations it answers."""
    profile = get_profile(profile)
    if kind not in KINDS:
        raise Invalid("bad_kind", "kind", choices=", ".join(KINDS))
    if channel not in CHANNELS:
        raise Invalid("bad_channel", "channel", choices=", ".join(CHANNELS))
    if not isinstance(actor, str) or not actor.strip():
        raise Invalid("actor_required", "actor")
    fields, marked = _clean(fields, to_verify)
    lock_incident(session, incident_id)
    existing = session.execute(select(Report.kind, func.max(Report.number)).where(Report.incident_id == incident_id)
                               .group_by(Report.kind)).all()
    number = _check_series(kind, {row[0]: row[1] for row in existing}, fields, marked)
    report = Report(incident_id=incident_id, kind=kind, number=number, channel=channel, fields=fields,
                    to_verify=marked or None, filed_by=actor.strip()[:128], filed_at=at)
    session.add(report)
    session.flush()
    channels = ("phone", "written") if channel == "written" and profile.written_satisfies_phone else (channel,)
    # Obligations first, the duty log after: check_due locks obligations and then the log, so the same order.
    discharged = session.scalars(
        update(ReportObligation).where(ReportObligation.incident_id == incident_id,
                                       ReportObligation.status.in_(SATISFIABLE),
                                       ReportObligation.channel.in_(channels))
        .values(status="filed", report_id=report.id, filed_at=at).returning(ReportObligation),
        execution_options={"populate_existing": True, "synchronize_session": False}).all()
    for obligation in discharged:
        obligation.late_minutes = late_minutes(obligation.due_at, at)
        if obligation.late_minutes:
            obligation.status = "late"
    session.flush()
    discharged.sort(key=lambda o: (o.due_at, o.id))
    filed = dict(report=report_name(report), channel=message(f"report.channel.{channel}"))
    said = (message("report.filed_to_verify", **filed, fields=[message(f"report.field.{n}") for n in marked])
            if marked else message("report.filed", **filed))
    dutylog.append(session, kind="report_filed", author=report.filed_by, at=at, incident_id=incident_id,
                   message=said, data={"report_id": report.id, "kind": kind, "number": number, "channel": channel,
                                       "to_verify": marked, "obligations": [o.id for o in discharged]})
    for obligation in discharged:
        if obligation.status == "late":
            log_late(session, obligation, at)
    return Filed(report, discharged)


def _clean(fields, to_verify) -> tuple[dict, list[str]]:
    if not isinstance(fields, dict):
        raise Invalid("bad_fields", "fields")
    if len(fields) > MAX_FIELDS:
        raise Invalid("too_many_fields", "fields", limit=MAX_FIELDS)
    if to_verify is None:
        to_verify = []
    if not isinstance(to_verify, list) or not all(isinstance(name, str) for name in to_verify):
        raise Invalid("bad_to_verify", "to_verify")
    marked = list(dict.fromkeys(name.strip() for name in to_verify))
    clean = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            raise Invalid("bad_field_name", "fields", name=str(name)[:64])
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise Invalid("bad_field_value", f"fields.{name}", name=name)
        if isinstance(value, str):
            value = value.strip()
            if len(value) > MAX_VALUE:
                raise Invalid("field_too_long", f"fields.{name}", name=name, limit=MAX_VALUE)
            if value.lower() in _TO_VERIFY_WORDS:
                marked.append(name)
                continue
            if not value:
                continue
        clean[name] = value
    for name in marked:
        if not FIELD_NAME.match(name):
            raise Invalid("bad_to_verify_name", "to_verify", name=name[:64])
    return clean, list(dict.fromkeys(marked))


def _check_series(kind: str, filed: dict[str, int], fields: dict, marked: list[str]) -> int:
    """Refuse a report out of order or missing what its kind needs; return its number in the series."""
    if "final" in filed:
        raise Invalid("series_closed", "kind")
    if kind == "first":
        if "first" in filed:
            raise Invalid("first_exists", "kind")
        _require(fields, marked, FIRST_REQUIRED)
        return 0
    if "first" not in filed:
        raise Invalid("first_missing", "kind")
    if kind == "final":
        if marked:
            raise Invalid("final_unverified", "to_verify", name=marked[0])
        _require(fields, marked, FINAL_REQUIRED)
        return 0
    if not fields:
        raise Invalid("fields_empty", "fields")
    return (filed.get("follow_up") or 0) + 1


def _require(fields: dict, marked: list[str], names: tuple[str, ...]) -> None:
    for name in names:
        if name in marked or name not in fields:
            raise Invalid("field_required", f"fields.{name}", name=name, label=message(f"report.field.{name}"))


def report_name(report: Report) -> dict:
    """The report's name in the series as a message: 首报 / First report, 续报 2 / Follow-up 2, 终报 / Final report."""
    return message(f"report.kind.{report.kind}", number=report.number)


def report_label(report: Report, language: str) -> str:
    """The report's name in the series in ``language``: 首报 / First report, 续报 2 / Follow-up 2, 终报 / Final report."""
    return render(report_name(report), language)


def field_label(name: str, language: str) -> str:
    """A report field's label in ``language``; a field Vigil does not know is shown by its name."""
    return render(message(f"report.field.{name}"), language) if name in FIELDS else name


def next_kinds(session: Session, incident_id: int) -> list[str]:
    """What may be filed next: first; or follow_up and final; or nothing after the final."""
    kinds = set(session.scalars(select(Report.kind).where(Report.incident_id == incident_id)))
    if "final" in kinds:
        return []
    return ["follow_up", "final"] if "first" in kinds else ["first"]


def report_dict(report: Report) -> dict:
    """A report as JSON-ready data, with its name in the series in both languages."""
    return {"id": report.id, "incident_id": report.incident_id, "kind": report.kind, "number": report.number,
            "label_zh": report_label(report, "zh"), "label_en": report_label(report, "en"), "channel": report.channel, "fields": report.fields,
            "to_verify": list(report.to_verify or []), "filed_by": report.filed_by,
            "filed_at": iso(report.filed_at)}


def series(session: Session, incident_id: int) -> dict:
    """An incident's reports in order, its obligations soonest due first, and what may be filed next."""
    if session.get(Incident, incident_id) is None:
        raise IncidentNotFound(incident_id)
    reports = session.scalars(select(Report).where(Report.incident_id == incident_id)
                              .order_by(Report.filed_at, Report.id)).all()
    obligations = session.scalars(select(ReportObligation).where(ReportObligation.incident_id == incident_id)
                                  .order_by(ReportObligation.due_at, ReportObligation.id)).all()
    return {"incident_id": incident_id, "reports": [report_dict(r) for r in reports],
            "obligations": [obligation_dict(o) for o in obligations], "next_kinds": next_kinds(session, incident_id)}
