"""Pull feeds: conditional GETs that return a status instead of raising, then intake.

The poller's memory (ETag, Last-Modified, failures) lives in the feed's health
row, so a restarted process asks the source exactly what the last one would have.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import select

from command.incidents import OPEN_STATUSES
from command.models import FeedHealth, Incident, utcnow
from command.runtime import Runtime
from feeds.adapters.adapter_util import MAX_PAYLOAD_BYTES
from feeds.config import FeedConfig
from feeds.event import FeedEvent
from feeds.health import ERROR, NO_DATA
from feeds.ingest import ingest
from feeds.intake import Intake, record, take_payload

log = logging.getLogger(__name__)

USER_AGENT = "Vigil feed poller"


@dataclass(frozen=True)
class Fetched:
    """The answer to one poll: ok (a payload), no_data (304 or empty) or error (why)."""

    status: str
    payload: bytes | None = None
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          timeout: float = 10, max_bytes: int = MAX_PAYLOAD_BYTES) -> Fetched:
    """GET ``url`` conditionally; never raises."""
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as answer:
            body = answer.read(max_bytes + 1)
            if len(body) > max_bytes:
                return Fetched("error", error=f"answer larger than {max_bytes} bytes")
            if not body.strip():
                return Fetched(NO_DATA)
            return Fetched("ok", body, answer.headers.get("Content-Type", ""),
                           answer.headers.get("ETag"), answer.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(NO_DATA, etag=etag, last_modified=last_modified)
        return Fetched("error", error=f"HTTP {exc.code} {exc.reason}")
    except (urllib.error.URLError, OSError, ValueError) as exc:  # refused, timeout, DNS, bad URL
        reason = getattr(exc, "reason", exc)
        return Fetched("error", error=f"{type(exc).__name__}: {reason}")


def poll(runtime: Runtime, feed: FeedConfig, clock: Callable[[], datetime] = utcnow) -> str:
    """Poll one feed, store what is new, cancel what was withdrawn; return ok / no_data / error / refused."""
    with runtime.sessions() as session:
        state = session.get(FeedHealth, feed.source)
        etag, modified = (state.etag, state.last_modified) if state else (None, None)
    fetched = fetch(feed.url, etag=etag, last_modified=modified, timeout=feed.timeout_seconds)
    if fetched.status != "ok":
        if fetched.status == ERROR:
            log.warning("feed %s: poll of %s failed: %s", feed.source, feed.url, fetched.error)
        record(runtime, feed.source, fetched.status, feed.format, error=fetched.error, clock=clock)
        return fetched.status
    intake = take_payload(runtime, feed.source, fetched.payload, feed.format, content_type=fetched.content_type,
                          options=feed.options, clock=clock,
                          poll_state={"etag": fetched.etag, "last_modified": fetched.last_modified})
    if intake.refused:
        log.warning("feed %s: payload from %s refused: %s", feed.source, feed.url, intake.refused)
        return "refused"
    if feed.withdraw_missing:
        _cancel_withdrawn(runtime, feed, intake, clock())
    return "ok"


def _cancel_withdrawn(runtime: Runtime, feed: FeedConfig, intake: Intake, now: datetime) -> None:
    """An open incident that the feed no longer lists has been withdrawn by its source."""
    current = {event.external_id for event in intake.events}
    with runtime.sessions() as session:
        gone = session.scalars(select(Incident.external_id).where(
            Incident.source == feed.source, Incident.status.in_(OPEN_STATUSES))).all()
    cancels = [FeedEvent.from_dict({"external_id": external_id, "version": f"withdrawn@{now.isoformat()}",
                                    "headline": "Withdrawn from the feed", "msg_type": "cancel",
                                    "sent_at": now, "guessed": ["no longer listed by the feed"]}, feed.source)
               for external_id in gone if external_id not in current]
    if cancels:
        log.info("feed %s: %d incident(s) withdrawn by the source", feed.source, len(cancels))
        ingest(runtime, feed.source, list(enumerate(cancels)))
