"""Per-source ingest rate limit: one token bucket per feed, in this process's memory.

A feed may push VIGIL_INGEST_RATE_PER_SOURCE events per second on average and VIGIL_INGEST_BURST at
once. A post is admitted while its source's bucket holds at least one token, and costs one token at
once (so even refused garbage drains it); its events are taken out as soon as they are counted (a
list of 100 costs 100, a raw payload's count is known once parsed). That may leave the bucket below
zero, and then the next post waits until it has refilled. One feed's flood never touches another
feed's bucket. With several web processes each keeps its own buckets: the limit applies per process.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable

LOG_EVERY_SECONDS = 60.0  # a flood is logged once a minute per feed, not once per refused post


class IngestLimiter:
    """Token buckets by source. ``clock`` is monotonic seconds (tests pass their own)."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = float(rate), float(burst), clock
        self._buckets: dict[str, tuple[float, float]] = {}  # source -> (tokens, when counted)
        self._logged: dict[str, float] = {}
        self._lock = threading.Lock()

    def admit(self, source: str) -> int:
        """Take one token and return 0 when ``source`` may post now, else the whole seconds to wait."""
        if self.rate <= 0:
            return 0
        with self._lock:
            tokens = self._refill(source)
            if tokens >= 1:
                self._buckets[source] = (tokens - 1, self._buckets[source][1])
                return 0
            return max(1, math.ceil((1 - tokens) / self.rate))

    def charge(self, source: str, events: int) -> None:
        """Take ``events`` more tokens (the post's events beyond the one ``admit`` took)."""
        if self.rate <= 0 or events <= 0:
            return
        with self._lock:
            tokens = self._refill(source)
            self._buckets[source] = (tokens - events, self._buckets[source][1])

    def should_log(self, source: str) -> bool:
        """True for the first refusal of ``source`` in LOG_EVERY_SECONDS."""
        with self._lock:
            now = self.clock()
            if now - self._logged.get(source, -math.inf) < LOG_EVERY_SECONDS:
                return False
            self._logged[source] = now
            return True

    def _refill(self, source: str) -> float:
        now = self.clock()
        tokens, counted = self._buckets.get(source, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - counted) * self.rate)
        self._buckets[source] = (tokens, now)
        return tokens
