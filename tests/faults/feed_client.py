"""A feed pushing batches of events to a Vigil server without pause, the way a well-behaved feed does.

Each batch is sent until the server answers 201/207 (or something that says
"do not retry"); a 503 means "try again" and the same batch goes again after a
short pause. The client records every answer, the time it took, and each event
the server confirmed as stored (outcome accepted, or duplicate of an earlier
store whose answer was lost).
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import requests

from tests.conftest import event_body

CLIENT_TIMEOUT = 10.0  # a feed's patience for one request: longer than this is a hang
RETRY_PAUSE = 0.1  # shorter than the server's Retry-After, so the outage is probed many times
STORED = ("accepted", "duplicate")


class FeedClient(threading.Thread):
    """Posts batches of ``size`` events (every ``bad_every``-th batch carries one invalid event too)."""

    def __init__(self, url: str, source: str, token: str, prefix: str, size: int = 3, bad_every: int = 4):
        super().__init__(daemon=True, name=f"feed-{prefix}")
        self.endpoint = f"{url}/api/v1/feeds/{source}/events"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.prefix, self.size, self.bad_every = prefix, size, bad_every
        self.phase = "before"  # set by the test; every answer is filed under the phase it came in
        self.answers: list[tuple[str, int, float]] = []  # (phase, HTTP status, seconds)
        self.errors: list[tuple[str, str]] = []  # (phase, what went wrong without an HTTP answer)
        self.stored: dict[str, str] = {}  # external_id -> the outcome the server confirmed
        self.batches_done = Counter()  # phase -> batches the server confirmed
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=CLIENT_TIMEOUT + 5)

    def statuses(self, phase: str | None = None) -> Counter:
        return Counter(status for p, status, _ in self.answers if phase in (None, p))

    def run(self) -> None:
        with requests.Session() as session:
            number = 0
            while not self._halt.is_set():
                number += 1
                self._send(session, self._batch(number))

    def _batch(self, number: int) -> list[dict]:
        batch = [event_body(f"{self.prefix}-{number}-{i}", headline=f"Gauge {number}.{i} over warning level",
                            lat=30 + number % 7 + i / 10, lon=110 + number % 11) for i in range(self.size)]
        if number % self.bad_every == 0:
            batch.append(event_body(f"{self.prefix}-{number}-bad", lat=999.0))  # rejected: a 207
        return batch

    def _send(self, session: requests.Session, batch: list[dict]) -> None:
        while not self._halt.is_set():
            phase, started = self.phase, time.monotonic()
            try:
                answer = session.post(self.endpoint, json=batch, headers=self.headers, timeout=CLIENT_TIMEOUT)
            except requests.RequestException as exc:
                self.errors.append((phase, f"{type(exc).__name__}: {exc}"[:300]))
                time.sleep(RETRY_PAUSE)
                continue  # a feed tries again; the test fails on any of these anyway
            self.answers.append((phase, answer.status_code, time.monotonic() - started))
            if answer.status_code == 503:
                time.sleep(RETRY_PAUSE)
                continue
            if answer.status_code in (201, 207):
                for result in answer.json()["results"]:
                    if result["outcome"] in STORED:
                        self.stored[result["external_id"]] = result["outcome"]
                self.batches_done[phase] += 1
            return
