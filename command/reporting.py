"""Reporting obligations (信息报送): what the duty room owes its superiors on an incident, and by when.

When an operator confirms a grade (or flags an incident sensitive), the rules
of a reporting profile (command/data/reporting_profiles.yaml) become
obligations in the database, each due a number of minutes after a named base
clock. Reports form a series per incident: 首报 (first), 续报 1, 2 … (follow-
ups), 终报 (final). Filing a report discharges the open obligations of its
channel; one filed after the due time is late (迟报) by N minutes, and one still
unfiled at the due time is marked missed (漏报) by ``check_due``. Everything
lands in the duty log as it happens.

Choices made here:
- only a confirmed grade obliges (a proposed one is the system's guess); a
  drill (CAP exercise/test) obliges nothing, it can still be reported;
- an upgrade (a graver grade than the confirmed one) adds the new grade's
  obligations, due from the upgrade when the profile says ``triggered_at``;
  a downgrade adds and cancels none;
- a report filed at or after an obligation's base time discharges it, even if
  filed before the obligation existed (reported first, graded later);
- a written report discharges phone obligations too when the profile says
  ``written_satisfies_phone`` (the superior has the facts in writing);
- a missed obligation filed later becomes late: the log keeps both facts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from command import dutylog
from command.db import insert_for
from command.enums import Grade, grade_rank
from command.models import Department, Incident, Report, ReportObligation

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "reporting_profiles.yaml"
DEFAULT_PROFILE = "default"
AUTHOR = "reporting"
DRILL_STATUSES = ("exercise", "test")

CHANNELS = ("phone", "written")
KINDS = ("first", "follow_up", "final")
BASE_CLOCKS = ("occurred_at", "received_at", "triggered_at")
UPGRADE_CLOCKS = ("triggered_at", "rule")
TRIGGERS = ("grade", "sensitive")
MAX_WITHIN_MINUTES = 7 * 24 * 60
SATISFIABLE = ("open", "missed")  # a missed obligation filed at last becomes late

# The series' required fields, and every field's label for pages and documents.
FIRST_REQUIRED = ("time", "place", "source", "nature")
FINAL_REQUIRED = ("casualties", "losses", "measures", "contact")
FIELD_LABELS = {
    "time": ("时间", "Time"), "place": ("地点", "Place"), "source": ("信息来源", "Source"),
    "nature": ("事件性质", "Nature"), "summary": ("基本情况", "Summary"), "trend": ("发展趋势", "Trend"),
    "progress": ("处置进展", "Progress"), "casualties": ("伤亡情况", "Casualties"), "losses": ("损失情况", "Losses"),
    "measures": ("已采取措施", "Measures taken"), "cause": ("原因", "Cause"), "contact": ("联系人", "Contact"),
}
TO_VERIFY = "待核实"
_TO_VERIFY_WORDS = {TO_VERIFY, "to be verified"}  # a value saying so marks the field, it is not a value
CHANNEL_LABELS = {"phone": ("电话报告", "phone report"), "written": ("书面报告", "written report")}
CLOCK_LABELS = {"occurred_at": ("事发", "the occurrence"), "received_at": ("接报", "receipt"),
                "triggered_at": ("定级或标记", "the grading or flag")}
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
PROFILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_FIELDS, MAX_VALUE = 30, 4000


# ---- profiles ---------------------------------------------------------------------------------

class ProfileError(ValueError):
    """The profiles file is wrong; the message names the file, the profile, the rule and the field."""


@dataclass(frozen=True)
class Rule:
    """One obligation a profile creates: ``channel`` due ``within_minutes`` after ``base_clock``."""

    rule: str
    trigger: str  # grade | sensitive
    grades: tuple[str, ...]
    channel: str
    within_minutes: int
    base_clock: str


@dataclass(frozen=True)
class Profile:
    """A jurisdiction's reporting rules."""

    name: str
    title: dict[str, str]
    upgrade_base_clock: str
    written_satisfies_phone: bool
    rules: tuple[Rule, ...]


@cache
def load_profiles(path: str | Path = DEFAULT_FILE) -> dict[str, Profile]:
    """Read and check a profiles file; return its profiles by name."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: {exc}") from None
    if not isinstance(document, dict) or set(document) != {"profiles"} or not isinstance(document["profiles"], dict) \
            or not document["profiles"]:
        raise ProfileError(f"{path}: the file must hold one mapping, profiles, with at least one profile")
    return {name: _profile(path, name, body) for name, body in document["profiles"].items()}


def get_profile(profile: str | Profile = DEFAULT_PROFILE, path: str | Path = DEFAULT_FILE) -> Profile:
    """Return the named profile (a Profile is returned as it is)."""
    if isinstance(profile, Profile):
        return profile
    profiles = load_profiles(path)
    if profile not in profiles:
        raise ProfileError(f"{path}: no reporting profile {profile!r} (there are {', '.join(sorted(profiles))})")
    return profiles[profile]


def _profile(path, name, body) -> Profile:
    where = f"{path}: profile {name!r}"
    if not isinstance(name, str) or not PROFILE_NAME.match(name):
        raise ProfileError(f"{where}: a profile name is 1–64 lower-case letters, digits, - or _")
    if not isinstance(body, dict):
        raise ProfileError(f"{where}: must be a mapping")
    _known_keys(where, body, {"title", "upgrade_base_clock", "written_satisfies_phone", "rules"})
    title = body.get("title")
    if not isinstance(title, dict) or set(title) != {"en", "zh"} or \
            not all(isinstance(v, str) and v.strip() for v in title.values()):
        raise ProfileError(f"{where}: title: give both en and zh texts")
    upgrade_clock = body.get("upgrade_base_clock", "triggered_at")
    if upgrade_clock not in UPGRADE_CLOCKS:
        raise ProfileError(f"{where}: upgrade_base_clock: must be one of {', '.join(UPGRADE_CLOCKS)}")
    written = body.get("written_satisfies_phone", False)
    if not isinstance(written, bool):
        raise ProfileError(f"{where}: written_satisfies_phone: must be true or false")
    rules = body.get("rules")
    if not isinstance(rules, list) or not rules:
        raise ProfileError(f"{where}: rules: give a list of at least one rule")
    parsed = tuple(_rule(f"{where}, rule #{number}", entry) for number, entry in enumerate(rules, 1))
    seen = set()
    for rule in parsed:
        if rule.rule in seen:
            raise ProfileError(f"{where}: rule {rule.rule!r} appears twice; rule ids are unique in a profile")
        seen.add(rule.rule)
    return Profile(name, dict(title), upgrade_clock, written, parsed)


def _rule(where: str, entry) -> Rule:
    if not isinstance(entry, dict):
        raise ProfileError(f"{where}: must be a mapping")
    rule_id = entry.get("rule")
    if not isinstance(rule_id, str) or not PROFILE_NAME.match(rule_id):
        raise ProfileError(f"{where}: rule: an id of 1–64 lower-case letters, digits, - or _ is required")
    where = f"{where} ({rule_id})"
    _known_keys(where, entry, {"rule", "trigger", "grades", "channel", "within_minutes", "base_clock"})
    trigger = entry.get("trigger")
    if trigger not in TRIGGERS:
        raise ProfileError(f"{where}: trigger: must be one of {', '.join(TRIGGERS)}")
    grades = entry.get("grades")
    if trigger == "grade":
        if not isinstance(grades, list) or not grades or any(g not in {x.value for x in Grade} for g in grades):
            raise ProfileError(f"{where}: grades: give a list of grades among I, II, III, IV")
    elif grades is not None:
        raise ProfileError(f"{where}: grades: only a rule with trigger grade names grades")
    if entry.get("channel") not in CHANNELS:
        raise ProfileError(f"{where}: channel: must be one of {', '.join(CHANNELS)}")
    within = entry.get("within_minutes")
    if isinstance(within, bool) or not isinstance(within, int) or not 1 <= within <= MAX_WITHIN_MINUTES:
        raise ProfileError(f"{where}: within_minutes: must be a whole number from 1 to {MAX_WITHIN_MINUTES}")
    if entry.get("base_clock") not in BASE_CLOCKS:
        raise ProfileError(f"{where}: base_clock: must be one of {', '.join(BASE_CLOCKS)}")
    return Rule(rule_id, trigger, tuple(grades or ()), entry["channel"], within, entry["base_clock"])


def _known_keys(where: str, mapping: dict, known: set[str]) -> None:
    unknown = sorted(str(key) for key in set(mapping) - known)
    if unknown:  # YAML 1.1 reads a bare on/off/yes/no key as a boolean: say so
        hint = " (quote it: YAML reads on, off, yes and no as true/false)" if unknown[0] in ("True", "False") else ""
        raise ProfileError(f"{where}: unknown key {unknown[0]!r}{hint} (known: {', '.join(sorted(known))})")


# ---- obligations ------------------------------------------------------------------------------

def obligations_for(session: Session, incident: Incident, trigger: str, at: datetime,
                    profile: str | Profile = DEFAULT_PROFILE, *, previous_grade: str | None = None,
                    author: str = AUTHOR) -> list[ReportObligation]:
    """Create the obligations ``trigger`` ("grade:II", "sensitive") brings; return the ones created now.

    ``previous_grade`` is the confirmed grade before a grade change: the same or
    a graver one obliges nothing new (a downgrade cancels nothing either); a
    lighter one makes this an upgrade. Idempotent and safe against a concurrent
    caller: each (incident, rule, trigger) is inserted once (ON CONFLICT DO NOTHING).
    """
    profile = get_profile(profile)
    on, _, grade = trigger.partition(":")
    if on not in TRIGGERS or (on == "grade") != bool(grade) or (grade and grade not in {g.value for g in Grade}):
        raise ValueError(f"trigger must be 'sensitive' or 'grade:<I..IV>', not {trigger!r}")
    if incident.cap_status in DRILL_STATUSES:
        return []
    upgrade = False
    if on == "grade" and previous_grade:
        if grade_rank(grade) <= grade_rank(previous_grade):
            return []
        upgrade = True
    rules = [rule for rule in profile.rules if rule.trigger == on and (on == "sensitive" or grade in rule.grades)]
    if not rules:
        return []
    _lock_incident(session, incident.id)  # filings of this incident wait: none slips between read and insert
    created = []
    for rule in rules:
        clock = "triggered_at" if upgrade and profile.upgrade_base_clock == "triggered_at" else rule.base_clock
        clock, base_at = _base(incident, clock, at)
        due_at = base_at + timedelta(minutes=rule.within_minutes)
        status, report_id, filed_at, late = "open", None, None, None
        earlier = _earliest_report(session, incident.id, _satisfying_channels(rule.channel, profile), base_at)
        if earlier is not None:  # reported before the grade was confirmed: that report counts
            report_id, filed_at = earlier.id, earlier.filed_at
            late = _late_minutes(due_at, filed_at)
            status = "late" if late else "filed"
        obligation_id = session.scalar(
            insert_for(session, ReportObligation)
            .values(incident_id=incident.id, profile=profile.name, rule=rule.rule, trigger=trigger,
                    channel=rule.channel, base_clock=clock, base_at=base_at, due_at=due_at, status=status,
                    report_id=report_id, filed_at=filed_at, late_minutes=late, created_at=at)
            .on_conflict_do_nothing().returning(ReportObligation.id))
        if obligation_id is not None:
            created.append(session.get(ReportObligation, obligation_id))
    if created:
        _log_created(session, incident, trigger, upgrade, profile, created, author, at)
        for obligation in created:
            if obligation.status == "late":
                _log_late(session, obligation, at)
    return created


def _base(incident: Incident, clock: str, at: datetime) -> tuple[str, datetime]:
    if clock == "triggered_at":
        return clock, at
    if clock == "occurred_at" and incident.occurred_at is not None:
        return clock, incident.occurred_at
    return "received_at", incident.received_at  # no occurrence time known: the clock runs from receipt


def _satisfying_channels(channel: str, profile: Profile) -> tuple[str, ...]:
    return ("phone", "written") if channel == "phone" and profile.written_satisfies_phone else (channel,)


def _earliest_report(session: Session, incident_id: int, channels: tuple[str, ...], since: datetime) -> Report | None:
    return session.scalars(select(Report).where(Report.incident_id == incident_id, Report.channel.in_(channels),
                                                Report.filed_at >= since)
                           .order_by(Report.filed_at, Report.id).limit(1)).first()


def _late_minutes(due_at: datetime, filed_at: datetime) -> int | None:
    """Whole minutes late, rounded up (a report a few seconds late is 1 minute late); None when on time."""
    if filed_at <= due_at:
        return None
    return math.ceil((filed_at - due_at).total_seconds() / 60)


def _lock_incident(session: Session, incident_id: int) -> None:
    # PostgreSQL: a row lock serialises obligation creation and filing per incident.
    # SQLite: every transaction already holds the write lock (BEGIN IMMEDIATE), the clause is dropped.
    if session.scalar(select(Incident.id).where(Incident.id == incident_id).with_for_update()) is None:
        raise IncidentNotFound(f"no incident {incident_id}")


# ---- the series -------------------------------------------------------------------------------

class IncidentNotFound(LookupError):
    """No incident has this id."""


class ReportError(ValueError):
    """A report breaks a rule of the series; ``field`` names what is wrong, ``code`` is stable for consoles."""

    def __init__(self, field: str, code: str, message: str, **details: Any):
        super().__init__(message)
        self.field, self.code, self.details = field, code, details


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
        raise ReportError("kind", "bad_kind", f"kind must be one of {', '.join(KINDS)}")
    if channel not in CHANNELS:
        raise ReportError("channel", "bad_channel", f"channel must be one of {', '.join(CHANNELS)}")
    if not isinstance(actor, str) or not actor.strip():
        raise ReportError("actor", "actor_required", "a report needs who filed it")
    fields, marked = _clean(fields, to_verify)
    _lock_incident(session, incident_id)
    existing = session.execute(select(Report.kind, func.max(Report.number)).where(Report.incident_id == incident_id)
                               .group_by(Report.kind)).all()
    filed_kinds = {row[0]: row[1] for row in existing}
    number = _check_series(kind, filed_kinds, fields, marked)
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
        obligation.late_minutes = _late_minutes(obligation.due_at, at)
        if obligation.late_minutes:
            obligation.status = "late"
    session.flush()
    discharged.sort(key=lambda o: (o.due_at, o.id))
    zh, en = report_label(report)
    to_check_zh = f"；待核实：{'、'.join(field_label(name)[0] for name in marked)}" if marked else ""
    to_check_en = f"; to be verified: {', '.join(field_label(name)[1] for name in marked)}" if marked else ""
    dutylog.append(session, kind="report_filed", author=report.filed_by, at=at, incident_id=incident_id,
                   summary=f"{zh}（{CHANNEL_LABELS[channel][0]}）已报送{to_check_zh} / "
                           f"{en} filed ({CHANNEL_LABELS[channel][1]}){to_check_en}",
                   data={"report_id": report.id, "kind": kind, "number": number, "channel": channel,
                         "to_verify": marked, "obligations": [o.id for o in discharged]})
    for obligation in discharged:
        if obligation.status == "late":
            _log_late(session, obligation, at)
    return Filed(report, discharged)


def _clean(fields, to_verify) -> tuple[dict, list[str]]:
    if not isinstance(fields, dict):
        raise ReportError("fields", "bad_fields", "fields must be an object of field name to text")
    if len(fields) > MAX_FIELDS:
        raise ReportError("fields", "bad_fields", f"a report has at most {MAX_FIELDS} fields")
    if to_verify is None:
        to_verify = []
    if not isinstance(to_verify, list) or not all(isinstance(name, str) for name in to_verify):
        raise ReportError("to_verify", "bad_to_verify", "to_verify must be a list of field names")
    marked = list(dict.fromkeys(name.strip() for name in to_verify))
    clean = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            raise ReportError("fields", "bad_field_name",
                              f"field name {name!r} must be 1–32 lower-case letters, digits or _", name=str(name))
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ReportError(f"fields.{name}", "bad_field_value", f"{name} must be text or a number", name=name)
        if isinstance(value, str):
            value = value.strip()
            if len(value) > MAX_VALUE:
                raise ReportError(f"fields.{name}", "field_too_long", f"{name} is at most {MAX_VALUE} characters",
                                  name=name, limit=MAX_VALUE)
            if value.lower() in _TO_VERIFY_WORDS:
                marked.append(name)
                continue
            if not value:
                continue
        clean[name] = value
    for name in marked:
        if not FIELD_NAME.match(name):
            raise ReportError("to_verify", "bad_to_verify", f"to_verify names an unknown field {name!r}", name=name)
    return clean, list(dict.fromkeys(marked))


def _check_series(kind: str, filed: dict[str, int], fields: dict, marked: list[str]) -> int:
    """Refuse a report out of order or missing what its kind needs; return its number in the series."""
    if "final" in filed:
        raise ReportError("kind", "series_closed", "the final report (终报) is filed: nothing comes after it")
    if kind == "first":
        if "first" in filed:
            raise ReportError("kind", "first_exists", "the first report (首报) is already filed; file a follow-up")
        _require(fields, marked, FIRST_REQUIRED, "the first report (首报)")
        return 0
    if "first" not in filed:
        raise ReportError("kind", "first_missing", "file the first report (首报) before any other")
    if kind == "final":
        if marked:
            raise ReportError("to_verify", "final_unverified",
                              "the final report (终报) cannot leave fields 待核实 (to be verified)", name=marked[0])
        _require(fields, marked, FINAL_REQUIRED, "the final report (终报)")
        return 0
    if not fields:
        raise ReportError("fields", "fields_empty", "a follow-up (续报) needs at least one field")
    return (filed.get("follow_up") or 0) + 1


def _require(fields: dict, marked: list[str], names: tuple[str, ...], what: str) -> None:
    for name in names:
        if name in marked:
            raise ReportError(f"fields.{name}", "field_required",
                              f"{what} needs {name}; it cannot be left 待核实 (to be verified)", name=name)
        if name not in fields:
            raise ReportError(f"fields.{name}", "field_required", f"{what} needs {name}", name=name)


def report_label(report: Report) -> tuple[str, str]:
    """The report's name in the series: (首报, First report), (续报 2, Follow-up 2), (终报, Final report)."""
    if report.kind == "first":
        return "首报", "First report"
    if report.kind == "final":
        return "终报", "Final report"
    return f"续报 {report.number}", f"Follow-up {report.number}"


def field_label(name: str) -> tuple[str, str]:
    """A report field's (Chinese, English) label; a field the table does not know is shown by its name."""
    return FIELD_LABELS.get(name, (name, name))


def next_kinds(session: Session, incident_id: int) -> list[str]:
    """What may be filed next: first; or follow_up and final; or nothing after the final."""
    kinds = set(session.scalars(select(Report.kind).where(Report.incident_id == incident_id)))
    if "final" in kinds:
        return []
    return ["follow_up", "final"] if "first" in kinds else ["first"]


# ---- due and missed ---------------------------------------------------------------------------

CHECK_BATCH = 500


def check_due(session: Session, now: datetime, limit: int = CHECK_BATCH) -> list[dict]:
    """Mark open obligations past their due time as missed (漏报), once each, and log them.

    Safe with several workers: each row is claimed by one UPDATE … WHERE
    status = 'open' … RETURNING (rows another transaction holds are skipped on
    PostgreSQL). Returns the obligations marked now.
    """
    due = (select(ReportObligation.id)
           .where(ReportObligation.status == "open", ReportObligation.due_at < now)
           .order_by(ReportObligation.due_at, ReportObligation.id).limit(limit).with_for_update(skip_locked=True))
    missed = session.scalars(
        update(ReportObligation).where(ReportObligation.id.in_(due.scalar_subquery()),
                                       ReportObligation.status == "open", ReportObligation.due_at < now)
        .values(status="missed").returning(ReportObligation),
        execution_options={"populate_existing": True, "synchronize_session": False}).all()
    missed.sort(key=lambda o: (o.due_at, o.id))
    for obligation in missed:
        zh, en = CHANNEL_LABELS[obligation.channel]
        dutylog.append(session, kind="report_missed", author=AUTHOR, occurred_at=obligation.due_at, at=now,
                       incident_id=obligation.incident_id,
                       summary=f"漏报：事件 #{obligation.incident_id} 的{zh}（{obligation.rule}）到期未报 / "
                               f"Missed: the {en} on incident #{obligation.incident_id} ({obligation.rule}) "
                               f"was not filed by its due time",
                       data=_log_data(obligation))
    return [obligation_dict(o) for o in missed]


def due(session: Session, now: datetime, statuses: tuple[str, ...] = ("open",), limit: int = 500) -> list[dict]:
    """Obligations not yet filed, soonest due first, with their incident's headline and grade.

    ``overdue`` is true once the due time has passed, before check_due has marked the obligation missed.
    """
    rows = session.execute(
        select(ReportObligation, Incident.headline, Incident.grade, Incident.departments)
        .join(Incident, Incident.id == ReportObligation.incident_id)
        .where(ReportObligation.status.in_(statuses))
        .order_by(ReportObligation.due_at, ReportObligation.id).limit(limit)).all()
    return [dict(obligation_dict(o), headline=headline, grade=grade, departments=list(departments or []),
                 overdue=o.due_at < now) for o, headline, grade, departments in rows]


# ---- the monthly report -----------------------------------------------------------------------

NO_DEPARTMENT = "none"
COUNTS = ("obligations", "on_time", "late", "missed", "open")


def monthly(session: Session, year: int, month: int, time_zone: str) -> dict:
    """Count the obligations due in a month (in the duty room's time zone) per department.

    An incident concerning two departments counts in both; one concerning none
    counts under "none". ``total`` counts every obligation once.
    """
    if not 1 <= month <= 12:
        raise ValueError("month must be from 1 to 12")
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {time_zone!r}") from None
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    rows = session.execute(
        select(ReportObligation.status, ReportObligation.late_minutes, Incident.departments)
        .join(Incident, Incident.id == ReportObligation.incident_id)
        .where(ReportObligation.due_at >= start.astimezone(timezone.utc),
               ReportObligation.due_at < end.astimezone(timezone.utc))).all()
    names = {d.code: (d.name_zh, d.name_en) for d in session.scalars(select(Department))}
    per: dict[str, dict[str, int]] = {}
    total = _zero()
    for status, late_minutes, departments in rows:
        for code in dict.fromkeys(departments or [NO_DEPARTMENT]):
            _count(per.setdefault(code, _zero()), status, late_minutes)
        _count(total, status, late_minutes)
    departments = [dict(department=code, name_zh=names.get(code, (None, None))[0],
                        name_en=names.get(code, (None, None))[1], **counts)
                   for code, counts in sorted(per.items(), key=lambda item: (item[0] == NO_DEPARTMENT, item[0]))]
    return {"month": f"{year:04d}-{month:02d}", "time_zone": time_zone, "from": start.isoformat(),
            "to": end.isoformat(), "departments": departments, "total": total}


def _zero() -> dict[str, int]:
    return dict.fromkeys((*COUNTS, "late_minutes"), 0)


def _count(counts: dict[str, int], status: str, late_minutes: int | None) -> None:
    counts["obligations"] += 1
    counts[{"filed": "on_time"}.get(status, status)] += 1
    counts["late_minutes"] += late_minutes or 0


# ---- shapes and log entries -------------------------------------------------------------------

def obligation_dict(obligation: ReportObligation) -> dict:
    """An obligation as JSON-ready data (times in UTC, ISO 8601)."""
    return {"id": obligation.id, "incident_id": obligation.incident_id, "profile": obligation.profile,
            "rule": obligation.rule, "trigger": obligation.trigger, "channel": obligation.channel,
            "base_clock": obligation.base_clock, "base_at": _iso(obligation.base_at),
            "due_at": _iso(obligation.due_at), "status": obligation.status, "report_id": obligation.report_id,
            "filed_at": _iso(obligation.filed_at), "late_minutes": obligation.late_minutes,
            "created_at": _iso(obligation.created_at)}


def report_dict(report: Report) -> dict:
    """A report as JSON-ready data, with its name in the series in both languages."""
    zh, en = report_label(report)
    return {"id": report.id, "incident_id": report.incident_id, "kind": report.kind, "number": report.number,
            "label_zh": zh, "label_en": en, "channel": report.channel, "fields": report.fields,
            "to_verify": list(report.to_verify or []), "filed_by": report.filed_by,
            "filed_at": _iso(report.filed_at)}


def series(session: Session, incident_id: int) -> dict:
    """An incident's reports in order, its obligations soonest due first, and what may be filed next."""
    if session.get(Incident, incident_id) is None:
        raise IncidentNotFound(f"no incident {incident_id}")
    reports = session.scalars(select(Report).where(Report.incident_id == incident_id)
                              .order_by(Report.filed_at, Report.id)).all()
    obligations = session.scalars(select(ReportObligation).where(ReportObligation.incident_id == incident_id)
                                  .order_by(ReportObligation.due_at, ReportObligation.id)).all()
    return {"incident_id": incident_id, "reports": [report_dict(r) for r in reports],
            "obligations": [obligation_dict(o) for o in obligations], "next_kinds": next_kinds(session, incident_id)}


def _log_created(session: Session, incident: Incident, trigger: str, upgrade: bool, profile: Profile,
                 created: list[ReportObligation], author: str, at: datetime) -> None:
    duties_zh = "；".join(f"{CHANNEL_LABELS[o.channel][0]} {_minutes(o)} 分钟内（自{CLOCK_LABELS[o.base_clock][0]}起）"
                         for o in created)
    duties_en = "; ".join(f"{CHANNEL_LABELS[o.channel][1]} within {_minutes(o)} min of "
                          f"{CLOCK_LABELS[o.base_clock][1]}" for o in created)
    if trigger == "sensitive":
        kind, zh, en = "incident_updated", "标记为敏感事件", "flagged sensitive"
    else:
        grade = trigger.partition(":")[2]
        kind = "incident_graded"
        zh, en = (f"升级为 {grade} 级", f"upgraded to grade {grade}") if upgrade else \
            (f"定为 {grade} 级", f"graded {grade}")
    dutylog.append(session, kind=kind, author=author, at=at, incident_id=incident.id,
                   summary=f"事件 #{incident.id} {zh}，须报送：{duties_zh} / "
                           f"Incident #{incident.id} {en}; reports due: {duties_en}",
                   data={"trigger": trigger, "profile": profile.name, "upgrade": upgrade,
                         "obligations": [_log_data(o) for o in created]})


def _log_late(session: Session, obligation: ReportObligation, at: datetime) -> None:
    zh, en = CHANNEL_LABELS[obligation.channel]
    n = obligation.late_minutes
    dutylog.append(session, kind="report_late", author=AUTHOR, occurred_at=obligation.filed_at, at=at,
                   incident_id=obligation.incident_id,
                   summary=f"迟报 {n} 分钟：事件 #{obligation.incident_id} 的{zh}（{obligation.rule}） / "
                           f"Late by {n} minute{'s' if n != 1 else ''}: the {en} on incident "
                           f"#{obligation.incident_id} ({obligation.rule})",
                   data=_log_data(obligation))


def _log_data(obligation: ReportObligation) -> dict:
    return {"obligation_id": obligation.id, "rule": obligation.rule, "trigger": obligation.trigger,
            "channel": obligation.channel, "base_clock": obligation.base_clock,
            "due_at": _iso(obligation.due_at), "report_id": obligation.report_id,
            "late_minutes": obligation.late_minutes}


def _minutes(obligation: ReportObligation) -> int:
    return round((obligation.due_at - obligation.base_at).total_seconds() / 60)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
