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




@dataclass(frozen=True, slots=True)
class FeedHealthChanged:
    """A feed was heard from, polled, or refused something: its health row as JSON."""

    health: dict


@dataclass(frozen=True, slots=True)
class FeedSilent:
    """A feed has been silent for longer than its heartbeat expectation: the duty room must know."""

    health: dict


@dataclass(frozen=True, slots=True)
class FeedRecovered:
    """A feed that was silent has spoken again."""

    health: dict


@dataclass(frozen=True, slots=True)
class CorrelationProposed:
    """Correlation thinks two incidents are one; the operator decides."""

    proposal: dict


@dataclass(frozen=True, slots=True)
class EscalationChanged:
    """An escalation started, moved a step, was acknowledged or ended."""

    escalation: dict


@dataclass(frozen=True, slots=True)
class EscalationOverdue:
    """An escalation step is late (a worker died or the clock jumped): the duty room must know."""

    escalation: dict


@dataclass(frozen=True, slots=True)
class NotificationChanged:
    """An SMS in the outbox was sent, retried, delivered, failed or cancelled: its row as JSON."""

    notification: dict


@dataclass(frozen=True, slots=True)
class DutyLogAppended:
    """A duty log entry was committed: the entry as JSON (command.dutylog.entry_dict)."""

    entry: dict


DomainEvent = (IncidentOpened | IncidentUpdated | FeedHealthChanged | FeedSilent | FeedRecovered
               | CorrelationProposed | EscalationChanged | EscalationOverdue | NotificationChanged | DutyLogAppended)
