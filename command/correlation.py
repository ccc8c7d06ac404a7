"""Correlation proposals: a new incident close in space and time to an open one from another source.

Correlation only proposes (as data in correlation_proposals); the operator
merges or dismisses, and a merge can be split again. The proposal row's unique
pair key makes a repeated or concurrent proposal a no-op.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

import yaml
from geopy.distance import geodesic
from sqlalchemy import select
from sqlalchemy.orm import Session

from command.db import insert_for
from command.enums import OPEN
from command.models import CorrelationProposal, Incident, utcnow

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "correlation.yaml"
KM_PER_DEGREE = 111.0
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Rule:
    """Which categories are compatible, and how close in space and time is 'the same thing'."""

    name: str
    categories: frozenset[str]
    radius_km: float
    window: timedelta


@cache
def load_rules(path: str | Path = DEFAULT_FILE) -> tuple[Rule, ...]:
    """Read the correlation rules file."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return tuple(Rule(entry["name"], frozenset(entry["categories"]), float(entry["radius_km"]),
                      timedelta(minutes=float(entry["window_minutes"]))) for entry in document["rules"])


def propose_for(session: Session, incident: Incident, rules: tuple[Rule, ...] | None = None) -> list[dict]:
    """Record proposals pairing ``incident`` with nearby open incidents of other sources; return the new ones."""
    if incident.lat is None or incident.lon is None:
        return []
    rule = next((r for r in rules or load_rules() if incident.category in r.categories), None)
    if rule is None:
        return []
    when = incident.occurred_at or incident.received_at
    spread = rule.radius_km / KM_PER_DEGREE
    lon_spread = spread / max(math.cos(math.radians(incident.lat)), 0.01)
    candidates = session.scalars(select(Incident).where(
        Incident.id != incident.id, Incident.source != incident.source,
        Incident.status.in_([s.value for s in OPEN]), Incident.merged_into_id.is_(None),
        Incident.category.in_(rule.categories),
        Incident.lat.between(incident.lat - spread, incident.lat + spread),
        Incident.lon.between(incident.lon - lon_spread, incident.lon + lon_spread),
        Incident.received_at >= when - rule.window - timedelta(days=1)).limit(MAX_CANDIDATES))
    proposals = []
    for other in candidates:
        other_when = other.occurred_at or other.received_at
        minutes = abs((when - other_when).total_seconds()) / 60
        distance = geodesic((incident.lat, incident.lon), (other.lat, other.lon)).km
        if minutes > rule.window.total_seconds() / 60 or distance > rule.radius_km:
            continue
        first, second = sorted((other.id, incident.id))
        created = session.scalar(
            insert_for(session, CorrelationProposal)
            .values(incident_a=first, incident_b=second, rule=rule.name, distance_km=round(distance, 3),
                    minutes_apart=round(minutes, 1), status="proposed", created_at=utcnow())
            .on_conflict_do_nothing().returning(CorrelationProposal.id))
        if created is not None:
            proposals.append(proposal_dict(session.get(CorrelationProposal, created)))
    return proposals


def proposal_dict(proposal: CorrelationProposal) -> dict:
    """Return a proposal as JSON for the API and the live channel."""
    return {"id": proposal.id, "incidents": [proposal.incident_a, proposal.incident_b], "rule": proposal.rule,
            "distance_km": proposal.distance_km, "minutes_apart": proposal.minutes_apart,
            "status": proposal.status, "decided_by": proposal.decided_by,
            "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None}
