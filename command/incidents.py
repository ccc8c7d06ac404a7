"""Incidents from feed events: open, update or cancel, race-safe under concurrent ingest.

For now an incident is keyed by (source, external_id): an Update or Cancel with
the same external id changes the incident it belongs to. The INSERT ... ON
CONFLICT plus a guarded UPDATE make two workers with the same event produce
one incident, never a read-then-write race.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from command.db import insert_for
from command.events import DomainEvent, IncidentOpened, IncidentUpdated
from command.models import FeedEventRecord, Incident

if TYPE_CHECKING:
    from feeds.event import FeedEvent

OPEN_STATUSES = ("new", "acknowledged", "responding")
DRILL_STATUSES = ("exercise", "test", "draft")


def apply_event(session: Session, event: "FeedEvent", received_at: datetime) -> tuple[int | None, DomainEvent | None]:
    """Open or update the incident for ``event``; return its id (None: none) and what changed (None: stale)."""
    values = _values(event, received_at)
    if event.msg_type == "cancel":
        return _cancel(session, event, values)
    status = "resolved" if _cancelled_later(session, event) else "new"
    opened = session.scalars(
        insert_for(session, Incident)
        .values(source=event.source, external_id=event.external_id, received_at=received_at,
                status=status, version=1, **values)
        .on_conflict_do_nothing()
        .returning(Incident)
    ).first()
    if opened is not None:
        return opened.id, IncidentOpened(feature(opened))

    return _update(session, event, values)


def _cancelled_later(session: Session, event: "FeedEvent") -> bool:
    """True when a cancel sent after ``event`` arrived first (feeds do deliver out of order)."""
    if event.sent_at is None:
        return False
    return bool(session.scalar(select(exists().where(
        FeedEventRecord.source == event.source, FeedEventRecord.external_id == event.external_id,
        FeedEventRecord.msg_type == "cancel", FeedEventRecord.sent_at > event.sent_at))))


def _cancel(session: Session, event: "FeedEvent", values: dict) -> tuple[int | None, DomainEvent | None]:
    # A cancel only closes what exists (a gauge back under its warning level that
    # never flooded opens nothing), and keeps what the incident said: a CAP Cancel
    # often carries no headline or area of its own.
    kept = {key: values[key] for key in ("last_msg_type", "sent_at", "updated_at")}
    return _update(session, event, dict(kept, status="resolved"))


def _update(session: Session, event: "FeedEvent", values: dict) -> tuple[int | None, DomainEvent | None]:
    newer = or_(Incident.sent_at.is_(None), Incident.sent_at <= event.sent_at) if event.sent_at else True
    changes = dict(values, version=Incident.version + 1)
    if event.occurred_at is None and "occurred_at" in values:  # 事发 does not move with later messages
        changes["occurred_at"] = func.coalesce(Incident.occurred_at, values["occurred_at"])
    updated = session.scalars(
        update(Incident)
        .where(Incident.source == event.source, Incident.external_id == event.external_id, newer)
        .values(**changes)
        .returning(Incident),
        execution_options={"populate_existing": True, "synchronize_session": False},
    ).first()
    if updated is not None:
        return updated.id, IncidentUpdated(feature(updated))
    # An older version arriving late: keep it as an event, change nothing.
    stale_id = session.scalar(select(Incident.id).where(Incident.source == event.source,
                                                       Incident.external_id == event.external_id))
    return stale_id, None


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
        "occurred_at": event.occurred_at or event.effective_at or event.sent_at,
        "sent_at": event.sent_at,
        "expires_at": event.expires_at,
        "updated_at": received_at,
    }


def feature(incident: Incident) -> dict:
    """Return the incident as a GeoJSON Feature (geometry null when it has no position)."""
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
            "source": incident.source,
            "address": incident.address,
            "occurred_at": _iso(incident.occurred_at),
            "received_at": _iso(incident.received_at),
            "updated_at": _iso(incident.updated_at),
            "drill": incident.cap_status in DRILL_STATUSES,
            "version": incident.version,
        },
    }


def open_incidents(session: Session, limit: int) -> list[Incident]:
    """Return open incidents, most recently changed first."""
    return list(session.scalars(
        select(Incident).where(Incident.status.in_(OPEN_STATUSES))
        .order_by(Incident.updated_at.desc(), Incident.id.desc()).limit(limit)))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
