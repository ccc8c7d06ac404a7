"""The feed worker: polls due feeds with backoff, raises "feed silent" when a heartbeat is missed,
and expires warnings that never sent an all-clear."""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta
from typing import Callable, Mapping

from command.expiry import expire_due
from command.models import FeedHealth, utcnow
from command.runtime import Runtime
from feeds.config import FeedConfig
from feeds.health import check_silence
from feeds.poller import poll

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600
SILENCE_CHECK_SECONDS = 5


class FeedWorker:
    """Runs polls and silence checks for the configured feeds, one at a time."""

    def __init__(self, runtime: Runtime, feeds: Mapping[str, FeedConfig],
                 clock: Callable[[], datetime] = utcnow, jitter: Callable[[], float] = random.random):
        self.runtime, self.feeds, self.clock, self.jitter = runtime, dict(feeds), clock, jitter
        self.started_at = clock()
        self.due = {source: self.started_at for source, feed in self.feeds.items() if feed.url}
        self.next_silence_check = self.started_at

    def run_once(self) -> list[str]:
        """Poll every feed that is due and check for silence; return the sources polled."""
        now = self.clock()
        polled = [source for source, due in sorted(self.due.items()) if due <= now]
        for source in polled:
            feed = self.feeds[source]
            try:
                poll(self.runtime, feed, self.clock)
            except Exception:  # a database outage must not kill the loop; the next round retries
                log.exception("feed %s: poll failed", source)
            self.due[source] = self.clock() + self._interval(feed)
        if now >= self.next_silence_check:
            self._check_silence(now)
            self._expire(now)
            self.next_silence_check = now + timedelta(seconds=SILENCE_CHECK_SECONDS)
        return polled

    def run(self, sleep: Callable[[float], None] = time.sleep, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Loop forever (or while ``keep_going()``), waking when the next poll or check is due (at most 1 s)."""
        log.info("feed worker: %d polled feed(s), %d with a heartbeat", len(self.due),
                 sum(1 for f in self.feeds.values() if f.heartbeat_seconds))
        while keep_going():
            self.run_once()
            sleep(self._seconds_to_next())

    def _seconds_to_next(self) -> float:
        upcoming = min([*self.due.values(), self.next_silence_check])
        return min(1.0, max(0.05, (upcoming - self.clock()).total_seconds()))

    def _interval(self, feed: FeedConfig) -> timedelta:
        # Back off exponentially on failures (from the database, so a restart keeps it), with jitter
        # so that many feeds failing together do not retry in lockstep.
        with self.runtime.sessions() as session:
            row = session.get(FeedHealth, feed.source)
            failures = row.consecutive_failures if row else 0
        seconds = min(feed.interval_seconds * 2 ** min(failures, 10), max(MAX_BACKOFF_SECONDS, feed.interval_seconds))
        return timedelta(seconds=seconds * (1 + 0.1 * self.jitter()))

    def _expire(self, now: datetime) -> None:
        ttl = {s: f.ttl_seconds for s, f in self.feeds.items() if f.ttl_seconds}
        try:
            with self.runtime.unit_of_work() as session:
                expire_due(session, ttl, now)
        except Exception:
            log.exception("feed worker: expiry failed")

    def _check_silence(self, now: datetime) -> None:
        heartbeats = {s: f.heartbeat_seconds for s, f in self.feeds.items() if f.heartbeat_seconds}
        if not heartbeats:
            return
        try:
            with self.runtime.unit_of_work() as session:
                check_silence(session, heartbeats, now, self.started_at)
        except Exception:
            log.exception("feed worker: silence check failed")
