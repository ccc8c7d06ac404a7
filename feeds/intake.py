"""A feed's payload (pushed raw, pushed as Vigil's own events, or polled) into stored events, dead letters and health.

``take_payload`` is the one sequence every payload goes through: read it (the
adapter decides what the bytes mean, or each item of Vigil's own event JSON is
validated), store the events, keep a payload refused whole, and every item that
could not be read, as a dead letter with the reason, and count the contact in the
feed's health, which is pushed to the consoles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

from command.events import FeedHealthChanged, FeedRecovered
from command.models import utcnow
from command.runtime import Runtime
from command.unit_of_work import announce
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.registry import get_adapter
from feeds.event import FeedEvent, InvalidEvent
from feeds.health import HEARD, OK, REFUSED, clear_silence, health_dict, record_contact
from feeds.ingest import ACCEPTED, DUPLICATE, REJECTED, Outcome, dead_letter, ingest

NORMALIZED = "normalized"  # the feed's format when it sends Vigil's own event JSON


@dataclass
class Intake:
    """What became of one payload: per-item outcomes, or the reason it was refused whole."""

    outcomes: list[Outcome] = field(default_factory=list)
    events: list[FeedEvent] = field(default_factory=list)
    refused: str | None = None


@dataclass
class _Reading:
    """A payload read, nothing stored yet: its events by index, the items refused, the dead letters to keep."""

    events: list[tuple[int, FeedEvent]]
    rejected: list[Outcome]
    letters: list[tuple[str, str, bytes]]  # (reason, field, body)


def take_payload(runtime: Runtime, source: str, payload: bytes, format_name: str, *, items: list | None = None,
                 content_type: str = "", options: dict | None = None, remote_addr: str | None = None,
                 poll_state: dict | None = None, clock: Callable[[], datetime] = utcnow) -> Intake:
    """Read a feed's payload, store its events, keep what was refused as dead letters, count the contact.

    ``items`` are Vigil's own events already decoded from ``payload`` (format NORMALIZED); without them the
    ``format_name`` adapter reads the bytes.
    """
    try:
        reading = (_read_items(items, source) if items is not None
                   else _read_payload(payload, source, format_name, options))
    except PayloadRefused as exc:
        refuse_payload(runtime, source, exc.reason, "(body)", body=payload, format_name=format_name,
                       content_type=content_type, remote_addr=remote_addr, clock=clock)
        return Intake(refused=exc.reason)
    outcomes = ingest(runtime, source, reading.events, payload=payload, content_type=content_type,
                      clock=clock) if reading.events else []
    for reason, what, body in reading.letters:
        dead_letter(runtime.sessions, source, reason, field=what, body=body, content_type=content_type,
                    remote_addr=remote_addr)
    outcomes += reading.rejected
    if items is not None:  # Vigil's own events are numbered by item, so they are answered in item order
        outcomes.sort(key=lambda o: o.index)
    events = [event for _, event in reading.events]
    record(runtime, source, OK, format_name, outcomes=outcomes, events=events, poll_state=poll_state, clock=clock)
    return Intake(outcomes, events)


def refuse_payload(runtime: Runtime, source: str, reason: str, what: str, *, body: bytes | None = None,
                   size: int | None = None, format_name: str | None = None, content_type: str = "",
                   remote_addr: str | None = None, clock: Callable[[], datetime] = utcnow) -> dict:
    """Keep a payload refused whole as a dead letter, count the refusal in the feed's health, and return it."""
    dead_letter(runtime.sessions, source, reason, field=what, body=body, size=size, content_type=content_type,
                remote_addr=remote_addr)
    return record(runtime, source, REFUSED, format_name, error=reason, rejected=1, clock=clock)


def _read_payload(payload: bytes, source: str, format_name: str, options: dict | None) -> _Reading:
    """The adapter's events (numbered as it lists them); its skipped items are kept as one dead letter."""
    events, skipped = get_adapter(format_name).parse_report(payload, source=source, **(options or {}))
    if not skipped:
        return _Reading(list(enumerate(events)), [], [])
    reason = f"{len(skipped)} item(s) skipped: " + "; ".join(f"item {i}: {r}" for i, r in skipped[:20])
    return _Reading(list(enumerate(events)), [Outcome(index, REJECTED, field="(item)", error=why)
                                              for index, why in skipped], [(reason, "(items)", payload)])


def _read_items(items: list, source: str) -> _Reading:
    """Each item validated as a FeedEvent; an invalid one is kept as its own dead letter."""
    reading = _Reading([], [], [])
    for index, item in enumerate(items):
        try:
            reading.events.append((index, FeedEvent.from_dict(item, source)))
        except InvalidEvent as exc:
            reading.rejected.append(Outcome(index, REJECTED, field=exc.field, error=exc.message))
            reading.letters.append((str(exc), exc.field, json.dumps(item, ensure_ascii=False).encode()))
    return reading


def record(runtime: Runtime, source: str, status: str, format_name: str | None, *, error: str | None = None,
           outcomes: Sequence[Outcome] = (), events: Sequence[FeedEvent] = (), rejected: int = 0,
           poll_state: dict | None = None, clock: Callable[[], datetime] = utcnow) -> dict:
    """Count a contact in the feed's health, push the new health to the consoles, and return it."""
    now = clock()
    sent = [e.sent_at for e in events if e.sent_at]
    with runtime.unit_of_work() as session:
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
        announce(session, FeedHealthChanged(health))
        if recovered:
            announce(session, FeedRecovered(health))
    return health
