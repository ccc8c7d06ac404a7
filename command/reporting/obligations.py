"""Reporting obligations: what a confirmed grade or the sensitive flag obliges the duty room to report, and by when.

Choices made here:
- only a confirmed grade obliges (a proposed one is the system's guess); a
  drill (CAP exercise/test) obliges nothing, it can still be reported;
- an upgrade (a graver grade than the confirmed one) adds the new grade's
  obligations, due from the upgrade when the profile says ``triggered_at``;
  a downgrade adds and cancels none;
- a report filed at or after an obligation's base time discharges it, even if
  filed before the obligation existed (reported first, graded later);
- a missed obligation filed later becomes late: the log keeps both facts.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from command import dutylog
from command.db import insert_for
from command.enums import Grade, grade_rank
from command.i18n import message
from command.incidents import IncidentNotFound
from command.models import Incident, Report, ReportObligation
from command.reporting.profiles import DEFAULT_PROFILE, TRIGGERS, Profile, get_profile
from feeds.event import iso

AUTHOR = "reporting"
DRILL_STATUSES = ("exercise", "test")
SATISFIABLE = ("open", "missed")  # a missed obligation filed at last becomes late
CHECK_BATCH = 500


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
    lock_incident(session, incident.id)  # filings of this incident wait: none slips between read and insert
    created = []
    for rule in rules:
        clock = "triggered_at" if upgrade and profile.upgrade_base_clock == "triggered_at" else rule.base_clock
        clock, base_at = _base(incident, clock, at)
        due_at = base_at + timedelta(minutes=rule.within_minutes)
        status, report_id, filed_at, late = "open", None, None, None
        earlier = _earliest_report(session, incident.id, _satisfying_channels(rule.channel, profile), base_at)
        if earlier is not None:  # reported before the grade was confirmed: that report counts
            report_id, filed_at = earlier.id, earlier.filed_at
            late = late_minutes(due_at, filed_at)
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
                log_late(session, obligation, at)
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


def late_minutes(due_at: datetime, filed_at: datetime) -> int | None:
    """Whole minutes late, rounded up (a report a few seconds late is 1 minute late); None when on time."""
    if filed_at <= due_at:
        return None
    return math.ceil((filed_at - due_at).total_seconds() / 60)


def lock_incident(session: Session, incident_id: int) -> None:
    """Lock the incident's row for this transaction (404 when there is none)."""
    # PostgreSQL: a row lock serialises obligation creation and filing per incident.
    # SQLite: every transaction already holds the write lock (BEGIN IMMEDIATE), the clause is dropped.
    if session.scalar(select(Incident.id).where(Incident.id == incident_id).with_for_update()) is None:
        raise IncidentNotFound(incident_id)


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
        dutylog.append(session, kind="report_missed", author=AUTHOR, occurred_at=obligation.due_at, at=now,
                       incident_id=obligation.incident_id,
                       message=message("report.missed", incident=obligation.incident_id, rule=obligation.rule,
                                       channel=message(f"report.channel.{obligation.channel}")),
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


def obligation_dict(obligation: ReportObligation) -> dict:
    """An obligation as JSON-ready data (times in UTC, ISO 8601)."""
    return {"id": obligation.id, "incident_id": obligation.incident_id, "profile": obligation.profile,
            "rule": obligation.rule, "trigger": obligation.trigger, "channel": obligation.channel,
            "base_clock": obligation.base_clock, "base_at": iso(obligation.base_at),
            "due_at": iso(obligation.due_at), "status": obligation.status, "report_id": obligation.report_id,
            "filed_at": iso(obligation.filed_at), "late_minutes": obligation.late_minutes,
            "created_at": iso(obligation.created_at)}


def _log_created(session: Session, incident: Incident, trigger: str, upgrade: bool, profile: Profile,
                 created: list[ReportObligation], author: str, at: datetime) -> None:
    duties = [message("report.duty", channel=message(f"report.channel.{o.channel}"), minutes=_minutes(o),
                      clock=message(f"report.clock.{o.base_clock}")) for o in created]
    if trigger == "sensitive":
        kind, what = "incident_updated", message("report.flagged_sensitive")
    else:
        kind = "incident_graded"
        what = message("report.upgraded" if upgrade else "report.graded", grade=trigger.partition(":")[2])
    dutylog.append(session, kind=kind, author=author, at=at, incident_id=incident.id,
                   message=message("report.obligations", incident=incident.id, what=what, duties=duties),
                   data={"trigger": trigger, "profile": profile.name, "upgrade": upgrade,
                         "obligations": [_log_data(o) for o in created]})


def log_late(session: Session, obligation: ReportObligation, at: datetime) -> None:
    """Write to the duty log that ``obligation`` was discharged late (迟报)."""
    dutylog.append(session, kind="report_late", author=AUTHOR, occurred_at=obligation.filed_at, at=at,
                   incident_id=obligation.incident_id,
                   message=message("report.late", minutes=obligation.late_minutes, incident=obligation.incident_id,
                                   rule=obligation.rule, channel=message(f"report.channel.{obligation.channel}")),
                   data=_log_data(obligation))


def _log_data(obligation: ReportObligation) -> dict:
    return {"obligation_id": obligation.id, "rule": obligation.rule, "trigger": obligation.trigger,
            "channel": obligation.channel, "base_clock": obligation.base_clock,
            "due_at": iso(obligation.due_at), "report_id": obligation.report_id,
            "late_minutes": obligation.late_minutes}


def _minutes(obligation: ReportObligation) -> int:
    return round((obligation.due_at - obligation.base_at).total_seconds() / 60)
