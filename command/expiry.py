"""Warnings that never send an all-clear: expire them when their message expires or their source's TTL passes.

Only unattended incidents expire (new, acknowledged); one people are responding
to stays open. Each expiry is a compare-and-set on the version, logged with its rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Mapping

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from command.enums import Action, Status
from command.events import DomainEvent, IncidentUpdated
from command.incidents import feature, log
from command.lifecycle import transition
from command.models import Incident

ACTOR = "system:expiry"
BATCH = 500


def expire_due(sessions: sessionmaker[Session], ttl_seconds: Mapping[str, float], now: datetime) -> list[DomainEvent]:
    """Resolve unattended incidents past their message's expiry or their source's TTL; return the changes."""
    unattended = Incident.status.in_([Status.NEW.value, Status.ACKNOWLEDGED.value])
    due = [and_(Incident.expires_at.is_not(None), Incident.expires_at < now)]
    due += [and_(Incident.source == source, Incident.updated_at < now - timedelta(seconds=ttl))
            for source, ttl in ttl_seconds.items()]
    changes: list[DomainEvent] = []
    with sessions.begin() as session:
        for incident in session.scalars(select(Incident).where(unattended, or_(*due)).limit(BATCH)):
            status, rule_id = transition(incident.status, Action.EXPIRE)
            changed = session.scalars(
                update(Incident).where(Incident.id == incident.id, Incident.version == incident.version)
                .values(status=status.value, version=incident.version + 1, updated_by=ACTOR, updated_at=now)
                .returning(Incident),
                execution_options={"populate_existing": True, "synchronize_session": False}).first()
            if changed is None:
                continue  # someone acted on it meanwhile: their change wins, the next round re-checks
            why = (f"message expired at {incident.expires_at.isoformat()}"
                   if incident.expires_at and incident.expires_at < now
                   else f"no all-clear within the source's time to live ({ttl_seconds[incident.source]:g} s)")
            log(session, changed, ACTOR, "status", now, rule_id=rule_id, before=incident.status,
                after=status.value, reason=why)
            changes.append(IncidentUpdated(feature(changed)))
    return changes
