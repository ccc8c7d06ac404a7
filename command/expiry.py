"""Warnings that never send an all-clear: expire them when their message expires or their source's TTL passes.

Only unattended incidents expire (new, acknowledged); one people are responding
to stays open. Each expiry is a compare-and-set on the version, logged with its rule.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Mapping

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from command.enums import Action, Status
from command.events import IncidentUpdated
from command.i18n import message
from command.incidents import feature, log
from command.lifecycle import transition
from command.models import Incident
from command.unit_of_work import announce

ACTOR = "system:expiry"
BATCH = 500


def expire_due(session: Session, ttl_seconds: Mapping[str, float], now: datetime) -> int:
    """Resolve unattended incidents past their message's expiry or their source's TTL; return how many."""
    unattended = Incident.status.in_([Status.NEW.value, Status.ACKNOWLEDGED.value])
    due = [and_(Incident.expires_at.is_not(None), Incident.expires_at < now)]
    due += [and_(Incident.source == source, Incident.updated_at < now - timedelta(seconds=ttl))
            for source, ttl in ttl_seconds.items()]
    expired = 0
    for incident in session.scalars(select(Incident).where(unattended, or_(*due)).limit(BATCH)).all():
        before, expires_at = incident.status, incident.expires_at  # the update below refreshes ``incident``
        status, rule_id = transition(before, Action.EXPIRE)
        changed = session.scalars(
            update(Incident).where(Incident.id == incident.id, Incident.version == incident.version)
            .values(status=status.value, version=incident.version + 1, updated_by=ACTOR, updated_at=now)
            .returning(Incident),
            execution_options={"populate_existing": True, "synchronize_session": False}).first()
        if changed is None:
            continue  # someone acted on it meanwhile: their change wins, the next round re-checks
        why = (message("reason.expired_message", at=expires_at.isoformat()) if expires_at and expires_at < now
               else message("reason.expired_ttl", seconds=f"{ttl_seconds[changed.source]:g}"))
        log(session, changed, ACTOR, "status", now, rule_id=rule_id, before=before, after=status.value,
            reason_message=why)
        announce(session, IncidentUpdated(feature(changed)))
        expired += 1
    return expired
