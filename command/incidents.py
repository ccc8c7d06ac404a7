"""Incidents from feed events: opened once, then updated or cancelled by what belongs to them.

An event belongs to an incident through its own (source, external_id) or, for
an Update or Cancel, through its references (CAP "sender,identifier,sent" or
a plain id): a CAP Update with a new identifier changes the incident of the
alert it references, never opening a new one. Opening is INSERT ... ON
CONFLICT on the unique key; every later change is a compare-and-set on the
incident's version, retried when another writer got there first. Every change
is written to the incident's log with its rule id.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from command.db import insert_for
from command.directory import departments_for
from command.enums import OPEN, Action, grade_rank
from command.errors import NotFound
from command.correlation import propose_for
from command.events import CorrelationProposed, IncidentOpened, IncidentUpdated
from command.grading import propose
from command.lifecycle import InvalidTransition, allowed_actions, transition
from command.models import FeedEventRecord, Incident, IncidentLog
from command.unit_of_work import announce
from feeds.event import iso
from feeds.geometry import count_positions
from feeds.vocabulary import severity_rank

if TYPE_CHECKING:
    from feeds.event import FeedEvent

OPEN_STATUSES = tuple(status.value for status in OPEN)
DRILL_STATUSES = ("exercise", "test", "draft")
MAX_RETRIES = 8


class IncidentNotFound(NotFound):
    """No incident has this id (or none the asker may see)."""

    def __init__(self, incident_id: int, field: str = "id"):
        super().__init__("incident", incident_id, field)


class ConcurrentChange(RuntimeError):
    """The incident kept changing under us; the caller's transaction should be retried."""


def apply_event(session: Session, event: "FeedEvent", received_at: datetime) -> int | None:
    """Open or change the incident ``event`` belongs to (announcing what changed); return its id, None for none."""
    actor = f"feed:{event.source}"
    incident_id = _belongs_to(session, event)
    if incident_id is None:
        if event.msg_type == "cancel":
            return None  # a cancel only closes what exists (a gauge back under its warning level)
        opened = _open(session, event, received_at, actor)
        if opened is not None:
            announce(session, IncidentOpened(feature(opened)))
            for proposal in propose_for(session, opened):
                announce(session, CorrelationProposed(proposal))
            return opened.id
        incident_id = _belongs_to(session, event)  # a concurrent writer opened it first
    _change(session, incident_id, event, received_at, actor)
    return incident_id


def _belongs_to(session: Session, event: "FeedEvent") -> int | None:
    own = session.scalar(select(Incident.id).where(Incident.source == event.source,
                                                   Incident.external_id == event.external_id))
    if own is not None or event.msg_type not in ("update", "cancel") or not event.references:
        return own
    return session.scalar(select(FeedEventRecord.incident_id).where(
        FeedEventRecord.source == event.source, FeedEventRecord.external_id.in_(referenced_ids(event.references)),
        FeedEventRecord.incident_id.is_not(None)).order_by(FeedEventRecord.id.desc()).limit(1))


def referenced_ids(references) -> list[str]:
    """The identifiers in references: CAP's "sender,identifier,sent" triples, or plain ids."""
    ids = []
    for reference in references:
        parts = reference.split(",")
        ids.append(parts[1].strip() if len(parts) == 3 else reference.strip())
    return [i for i in ids if i]


def _open(session: Session, event: "FeedEvent", received_at: datetime, actor: str) -> Incident | None:
    values = _values(event, received_at)
    proposal = propose(event.severity)
    opened = session.scalars(
        insert_for(session, Incident)
        .values(source=event.source, external_id=event.external_id, received_at=received_at,
                status="resolved" if _cancelled_later(session, event) else "new", version=1,
                updated_by=actor, grade_proposed=proposal.grade, grade_basis=proposal.basis,
                triage_at=received_at, **values)
        .on_conflict_do_nothing()
        .returning(Incident)
    ).first()
    if opened is not None:
        log(session, opened, actor, "opened", received_at, rule_id="FEED-OPEN", after=event.severity,
            reason=event.headline[:500])
    return opened


def _change(session: Session, incident_id: int, event: "FeedEvent", received_at: datetime, actor: str) -> None:
    for _ in range(MAX_RETRIES):
        current = session.get(Incident, incident_id, populate_existing=True)
        if current.sent_at and event.sent_at and event.sent_at < current.sent_at:
            return  # an older message arriving late: kept as an event, changes nothing
        changes, rule_id = _changes_for(current, event, received_at)
        if changes is None:
            return
        # Read before the update: its RETURNING refreshes ``current`` (the same object) to the new values.
        before = f"{current.status}/{current.severity}"
        changed = session.scalars(
            update(Incident).where(Incident.id == incident_id, Incident.version == current.version)
            .values(**changes, version=current.version + 1, updated_by=actor).returning(Incident),
            execution_options={"populate_existing": True, "synchronize_session": False}).first()
        if changed is not None:
            log(session, changed, actor, "status" if event.msg_type == "cancel" else "updated", received_at,
                rule_id=rule_id, before=before, after=f"{changed.status}/{changed.severity}",
                reason=event.headline[:500])
            announce(session, IncidentUpdated(feature(changed)))
            return
    raise ConcurrentChange(f"incident {incident_id} changed {MAX_RETRIES} times while applying an event")


def _changes_for(current: Incident, event: "FeedEvent", received_at: datetime) -> tuple[dict | None, str]:
    timing = {"last_msg_type": event.msg_type, "sent_at": event.sent_at or current.sent_at,
              "updated_at": received_at}
    if event.msg_type == "cancel":
        # A CAP Cancel often carries no headline or area: keep what the incident said.
        try:
            status, rule_id = transition(current.status, Action.FEED_CANCEL)
        except InvalidTransition:
            return dict(timing), "FEED-CANCEL-CLOSED"
        return dict(timing, status=status.value), rule_id
    values = _values(event, received_at)
    if event.occurred_at is None and current.occurred_at is not None:
        values["occurred_at"] = current.occurred_at  # 事发 does not move with later messages
    if current.grade is None:
        proposal = propose(event.severity, current.deaths, current.serious_injuries, current.direct_loss_yuan)
        values.update(grade_proposed=proposal.grade, grade_basis=proposal.basis)
    direction = severity_rank(event.severity) - severity_rank(current.severity)
    rule_id = "FEED-UPGRADE" if direction > 0 else "FEED-DOWNGRADE" if direction < 0 else "FEED-UPDATE"
    if direction > 0 or grade_rank(values.get("grade_proposed")) > grade_rank(current.grade_proposed):
        values["triage_at"] = received_at  # worse news may call for a stronger playbook; a downgrade pages nobody
    return values, rule_id


def _cancelled_later(session: Session, event: "FeedEvent") -> bool:
    """True when a cancel sent after ``event`` arrived first (feeds do deliver out of order)."""
    if event.sent_at is None:
        return False
    return session.scalar(select(FeedEventRecord.id).where(
        FeedEventRecord.source == event.source, FeedEventRecord.external_id == event.external_id,
        FeedEventRecord.msg_type == "cancel", FeedEventRecord.sent_at > event.sent_at).limit(1)) is not None


def _values(event: "FeedEvent", received_at: datetime) -> dict:
    point = event.point()
    return {
        "headline": event.headline,
        "event": event.event,
        "category": event.category,
        "severity": event.severity,
        "cap_status": event.status,
        "last_msg_type": event.msg_type,
        "lat": point[0] if point else None,
        "lon": point[1] if point else None,
        "area": event.area,
        "address": event.address,
        "region_code": event.region_code,
        "departments": departments_for(event.category, event.event, event.headline),
        "occurred_at": event.occurred_at or event.effective_at or event.sent_at,
        "sent_at": event.sent_at,
        "expires_at": event.expires_at,
        "updated_at": received_at,
    }


def log(session: Session, incident: Incident, actor: str, kind: str, at: datetime, *, rule_id: str | None = None,
        before: str | None = None, after: str | None = None, reason: str | None = None,
        reason_message: dict | None = None) -> None:
    """Append one entry to the incident's log (its timeline): a person's ``reason`` as given, the system's as a message."""
    session.add(IncidentLog(incident_id=incident.id, at=at, actor=actor, kind=kind, rule_id=rule_id,
                            before=before, after=after, reason=reason, reason_message=reason_message,
                            version=incident.version))


AREA_POSITIONS_PUSHED = 5000  # a bigger area is fetched with the incident's detail, not pushed to every console


def feature(incident: Incident) -> dict:
    """Return the incident as a GeoJSON Feature (geometry null when it has no position)."""
    area = incident.area if incident.area and count_positions(incident.area) <= AREA_POSITIONS_PUSHED else None
    geometry = None
    if incident.lat is not None and incident.lon is not None:
        geometry = {"type": "Point", "coordinates": [incident.lon, incident.lat]}
    return {
        "type": "Feature",
        "id": incident.id,
        "geometry": geometry,
        "properties": {
            "id": incident.id,
            "headline": incident.headline,
            "event": incident.event,
            "category": incident.category,
            "severity": incident.severity,
            "status": incident.status,
            "actions": allowed_actions(incident.status),
            "source": incident.source,
            "address": incident.address,
            "occurred_at": iso(incident.occurred_at),
            "received_at": iso(incident.received_at),
            "updated_at": iso(incident.updated_at),
            "updated_by": incident.updated_by,
            "drill": incident.cap_status in DRILL_STATUSES,
            "grade": incident.grade,
            "grade_proposed": incident.grade_proposed,
            "sensitive": bool(incident.sensitive),
            "departments": list(incident.departments or []),
            "area": area,
            "area_too_large": bool(incident.area) and area is None,
            "merged_into": incident.merged_into_id,
            "editing_by": incident.lease_holder,
            "editing_until": iso(incident.lease_until),
            "version": incident.version,
        },
    }


def open_incidents(session: Session, limit: int) -> list[Incident]:
    """Return open incidents, most recently changed first."""
    return list(session.scalars(
        select(Incident).where(Incident.status.in_(OPEN_STATUSES), Incident.merged_into_id.is_(None))
        .order_by(Incident.updated_at.desc(), Incident.id.desc()).limit(limit)))
