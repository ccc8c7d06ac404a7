"""Feed health: every contact with a feed (push or poll) is counted; silence is noticed.

Counters are incremented in SQL (x = x + n), so concurrent ingest never loses a
count, and "feed silent" is raised by a guarded UPDATE, so with several
processes only one raises it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Iterable, Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from command.db import insert_for
from command.events import DomainEvent, FeedRecovered, FeedSilent
from command.models import FeedHealth
from command.unit_of_work import announce
from feeds.event import iso

log = logging.getLogger(__name__)

OK, NO_DATA, ERROR, REFUSED = "ok", "no_data", "error", "refused"
HEARD = (OK, NO_DATA, REFUSED)  # the feed answered, whatever it said
_ERROR_LIMIT = 500
_FRESH = {"populate_existing": True, "synchronize_session": False}  # the row returned is the row just written


def record_contact(session: Session, source: str, status: str, at: datetime, *, format: str | None = None,
                   error: str | None = None, accepted: int = 0, duplicate: int = 0, rejected: int = 0,
                   lag_seconds: float | None = None, last_event_at: datetime | None = None,
                   poll_state: Mapping | None = None) -> FeedHealth:
    """Count one contact with ``source`` and return its updated health row."""
    session.execute(insert_for(session, FeedHealth).values(source=source).on_conflict_do_nothing())
    changes = {
        "last_attempt_at": at,
        "last_status": status,
        "last_error": error[:_ERROR_LIMIT] if error else None,
        "accepted_total": FeedHealth.accepted_total + accepted,
        "duplicate_total": FeedHealth.duplicate_total + duplicate,
        "rejected_total": FeedHealth.rejected_total + rejected,
        "consecutive_failures": FeedHealth.consecutive_failures + 1 if status == ERROR else 0,
    }
    if status in HEARD:
        changes["last_heard_at"] = at
    if status in (OK, NO_DATA):
        changes["last_success_at"] = at
    if format:
        changes["format"] = format
    if lag_seconds is not None:
        changes["lag_seconds"] = lag_seconds
    if last_event_at is not None:
        changes["last_event_at"] = last_event_at
    changes.update(poll_state or {})
    return session.scalars(
        update(FeedHealth).where(FeedHealth.source == source).values(**changes).returning(FeedHealth),
        execution_options=_FRESH).one()


def clear_silence(session: Session, source: str) -> bool:
    """Mark ``source`` heard: True when this call ended its silence (only one process sees True)."""
    return _set_silence(session, source, None) is not None


def health_dict(row: FeedHealth, heartbeat_seconds: int | None = None) -> dict:
    """Return a health row as JSON for the API, the feeds page and the live channel."""
    return {
        "source": row.source, "format": row.format, "last_status": row.last_status,
        "last_error": row.last_error, "last_attempt_at": iso(row.last_attempt_at),
        "last_heard_at": iso(row.last_heard_at), "last_success_at": iso(row.last_success_at),
        "last_event_at": iso(row.last_event_at),
        "consecutive_failures": row.consecutive_failures, "accepted_total": row.accepted_total,
        "duplicate_total": row.duplicate_total, "rejected_total": row.rejected_total,
        "lag_seconds": row.lag_seconds, "silent_since": iso(row.silent_since),
        "heartbeat_seconds": heartbeat_seconds,
    }


def all_health(session: Session) -> list[FeedHealth]:
    """Return every feed's health row, by source name."""
    return list(session.scalars(select(FeedHealth).order_by(FeedHealth.source)))


def check_silence(session: Session, heartbeats: Mapping[str, int], now: datetime, started_at: datetime) -> int:
    """Announce FeedSilent for feeds quiet past their heartbeat, FeedRecovered for those heard again; count them."""
    known = set(session.scalars(select(FeedHealth.source).where(FeedHealth.source.in_(list(heartbeats)))))
    for source in set(heartbeats) - known:  # a configured feed never heard from gets its row once
        session.execute(insert_for(session, FeedHealth).values(source=source).on_conflict_do_nothing())
    changed = 0
    for row in session.scalars(select(FeedHealth).where(FeedHealth.source.in_(list(heartbeats)))).all():
        for change in _silence_change(session, row, timedelta(seconds=heartbeats[row.source]), now, started_at):
            log.warning("feed %s: %s", change.health["source"], type(change).__name__)
            announce(session, change)
            changed += 1
    return changed


def _silence_change(session: Session, row: FeedHealth, heartbeat: timedelta, now: datetime,
                    started_at: datetime) -> Iterable[DomainEvent]:
    heard = row.last_heard_at or started_at  # never heard: count from when we started listening
    quiet = now - heard > heartbeat
    if quiet and row.silent_since is None:
        raised = _set_silence(session, row.source, heard)
        if raised is not None:
            yield FeedSilent(health_dict(raised, int(heartbeat.total_seconds())))
    elif not quiet and row.silent_since is not None:
        cleared = _set_silence(session, row.source, None)
        if cleared is not None:
            yield FeedRecovered(health_dict(cleared, int(heartbeat.total_seconds())))


def _set_silence(session: Session, source: str, since: datetime | None) -> FeedHealth | None:
    """Raise a feed's silence (since when) or clear it (None); the row, or None when it already was so."""
    # Guarded, so that of several processes noticing the same change only one raises or clears it.
    other_state = FeedHealth.silent_since.is_(None) if since is not None else FeedHealth.silent_since.is_not(None)
    return session.scalars(
        update(FeedHealth).where(FeedHealth.source == source, other_state).values(silent_since=since)
        .returning(FeedHealth), execution_options=_FRESH).first()


def feed_overview(runtime, configured: Mapping) -> list[dict]:
    """Health of every feed heard from or configured, with its configuration, by source."""
    with runtime.sessions() as session:
        rows = {row.source: row for row in all_health(session)}
    overview = []
    for source in sorted(set(rows) | set(configured)):
        feed = configured.get(source)
        row = rows.get(source) or FeedHealth(source=source, consecutive_failures=0, accepted_total=0,
                                             duplicate_total=0, rejected_total=0)
        entry = health_dict(row, feed.heartbeat_seconds if feed else None)
        entry.update(configured=feed is not None, url=feed.url if feed else None,
                     interval_seconds=feed.interval_seconds if feed and feed.url else None,
                     format=entry["format"] or (feed.format if feed else None))
        overview.append(entry)
    return overview
