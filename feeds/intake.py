"""A raw payload from a feed (pushed or polled) into stored events, dead letters and feed health.

The adapter decides what the bytes mean; a payload it refuses, and every item
it could not map, is kept as a dead letter with the reason. Every contact
updates the feed's health, which is pushed to the consoles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

from command.events import FeedHealthChanged, FeedRecovered
from command.models import utcnow
from command.runtime import Runtime
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.registry import get_adapter
from feeds.event import FeedEvent
from feeds.health import HEARD, OK, REFUSED, clear_silence, health_dict, record_contact
from feeds.ingest import ACCEPTED, DUPLICATE, REJECTED, Outcome, dead_letter, ingest


@dataclass
class Intake:
    """What became of one payload: per-item outcomes, or the reason it was refused whole."""

    outcomes: list[Outcome] = field(default_factory=list)
    events: list[FeedEvent] = field(default_factory=list)
    refused: str | None = None


def take_payload(runtime: Runtime, source: str, payload: bytes, format_name: str, *, content_type: str = "",
                 options: dict | None = None, remote_addr: str | None = None, poll_state: dict | None = None,
                 clock: Callable[[], datetime] = utcnow) -> Intake:
    """Parse ``payload`` with the ``format_name`` adapter and store what it holds."""
    adapter = get_adapter(format_name)
    try:
        events, skipped = adapter.parse_report(payload, source=source, **(options or {}))
    except PayloadRefused as exc:
        dead_letter(runtime.sessions, source, exc.reason, field="(body)", body=payload,
                    content_type=content_type, remote_addr=remote_addr)
        record(runtime, source, REFUSED, format_name, error=exc.reason, rejected=1, clock=clock)
        return Intake(refused=exc.reason)
    outcomes = ingest(runtime.sessions, runtime.publisher.publish, source, list(enumerate(events)),
                      payload=payload, content_type=content_type, clock=clock) if events else []
    if skipped:
        reason = f"{len(skipped)} item(s) skipped: " + "; ".join(f"item {i}: {r}" for i, r in skipped[:20])
        dead_letter(runtime.sessions, source, reason, field="(items)", body=payload,
                    content_type=content_type, remote_addr=remote_addr)
        outcomes += [Outcome(index, REJECTED, field="(item)", error=why) for index, why in skipped]
    record(runtime, source, OK, format_name, outcomes=outcomes, events=events, poll_state=poll_state, clock=clock)
    return Intake(outcomes, events)


def record(runtime: Runtime, source: str, status: str, format_name: str | None, *, error: str | None = None,
           outcomes: Sequence[Outcome] = (), events: Sequence[FeedEvent] = (), rejected: int = 0,
           poll_state: dict | None = None, clock: Callable[[], datetime] = utcnow) -> dict:
    """Count a contact in the feed's health, push the new health to the consoles, and return it."""
    now = clock()
    sent = [e.sent_at for e in events if e.sent_at]
    with runtime.sessions.begin() as session:
        recovered = status in HEARD and clear_silence(session, source)
        row = record_contact(
            session, source, status, now, format=format_name, error=error,
            accepted=sum(o.outcome == ACCEPTED for o in outcomes),
            duplicate=sum(o.outcome == DUPLICATE for o in outcomes),
            rejected=rejected + sum(o.outcome == REJECTED for o in outcomes),
            lag_seconds=(now - max(sent)).total_seconds() if sent else None,
            last_event_at=now if any(o.outcome == ACCEPTED for o in outcomes) else None,
            poll_state=poll_state)
        health = health_dict(row)
    runtime.publisher.publish(FeedHealthChanged(health))
    if recovered:
        runtime.publisher.publish(FeedRecovered(health))
    return health
