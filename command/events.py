"""Domain events: everything ``command`` announces, and so everything ``web`` can push.

Each carries the incident as a GeoJSON Feature, the shape the console map consumes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IncidentOpened:
    """A new incident was opened from a feed event."""

    feature: dict


@dataclass(frozen=True, slots=True)
class IncidentUpdated:
    """An incident changed (a newer event, an update or a cancel)."""

    feature: dict


DomainEvent = IncidentOpened | IncidentUpdated
