"""The ingest pipeline: store each FeedEvent once, open or update its incident, publish.

Dedup is a unique constraint on (source, external_id, version) with INSERT ...
ON CONFLICT DO NOTHING, so two concurrent posts of the same event store it once.
Everything refused is kept as a dead letter with its reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from command.db import insert_for
from command.incidents import apply_event
from command.models import DeadLetter, FeedEventRecord, Payload, utcnow
from command.runtime import Runtime
from feeds.event import FeedEvent

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one event of a submission."""

    index: int
    outcome: str
    external_id: str | None = None
    event_id: int | None = None
    incident_id: int | None = None
    field: str | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        """Return the outcome as a JSON-ready dict without empty keys."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


def ingest(runtime: Runtime, source: str, events: Sequence[tuple[int, FeedEvent]], *, payload: bytes | None = None,
           content_type: str = "", clock: Callable[[], datetime] = utcnow) -> list[Outcome]:
    """Store ``events`` (index, event) in one unit of work: what changed is pushed once it is committed."""
    outcomes: list[Outcome] = []
    with runtime.unit_of_work() as session:
        payload_id = None
        for index, event in events:
            received_at = clock()
            if payload is not None and payload_id is None:
                payload_id = _store_payload(session, source, payload, content_type, received_at)
            event = dataclasses.replace(event, received_at=received_at,
                                        raw_ref=f"payload:{payload_id}" if payload_id else event.raw_ref)
            event_id = _insert_event(session, event, payload_id)
            if event_id is None:
                outcomes.append(_duplicate(session, index, event))
                continue
            incident_id = apply_event(session, event, received_at)
            session.execute(update(FeedEventRecord).where(FeedEventRecord.id == event_id)
                            .values(incident_id=incident_id))
            outcomes.append(Outcome(index, ACCEPTED, event.external_id, event_id=event_id,
                                    incident_id=incident_id))
        if payload_id is not None and all(o.outcome == DUPLICATE for o in outcomes):
            session.delete(session.get(Payload, payload_id))  # nothing new came from it
    return outcomes


def dead_letter(sessions: sessionmaker[Session], source: str, reason: str, *, field: str | None = None,
                body: bytes | None = None, size: int | None = None, content_type: str = "",
                remote_addr: str | None = None) -> int:
    """Keep a refused body (or one refused item) with the reason; return its id."""
    with sessions.begin() as session:
        row = DeadLetter(source=source[:64], reason=reason, field=field, body=body,
                         size=len(body) if body is not None else (size or 0),
                         content_type=content_type[:128], remote_addr=remote_addr)
        session.add(row)
        session.flush()
        return row.id


def _store_payload(session: Session, source: str, body: bytes, content_type: str, received_at: datetime) -> int:
    row = Payload(source=source, content_type=content_type[:128], sha256=hashlib.sha256(body).hexdigest(),
                  size=len(body), body=body, received_at=received_at)
    session.add(row)
    session.flush()
    return row.id


def _insert_event(session: Session, event: FeedEvent, payload_id: int | None) -> int | None:
    return session.scalar(
        insert_for(session, FeedEventRecord)
        .values(source=event.source, external_id=event.external_id, version=event.version,
                msg_type=event.msg_type, status=event.status, severity=event.severity,
                headline=event.headline, sent_at=event.sent_at, received_at=event.received_at,
                data=event.to_dict(), payload_id=payload_id)
        .on_conflict_do_nothing()
        .returning(FeedEventRecord.id))


def _duplicate(session: Session, index: int, event: FeedEvent) -> Outcome:
    event_id, incident_id = session.execute(
        select(FeedEventRecord.id, FeedEventRecord.incident_id).where(
            FeedEventRecord.source == event.source, FeedEventRecord.external_id == event.external_id,
            FeedEventRecord.version == event.version)).one()
    return Outcome(index, DUPLICATE, event.external_id, event_id=event_id, incident_id=incident_id)
