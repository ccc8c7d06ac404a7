"""The one publish function through which domain events leave ``command``.

``web`` subscribes a Socket.IO emitter; workers subscribe a message-queue emitter.
A failing subscriber is logged and never stops the others: the database is the
truth and clients refetch on reconnect.
"""

from __future__ import annotations

import logging
from typing import Callable

from command.events import DomainEvent

log = logging.getLogger(__name__)

Subscriber = Callable[[DomainEvent], None]


class Publisher:
    """Delivers domain events to every subscriber, in order."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        """Add a subscriber called with every published event."""
        self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Stop calling ``subscriber`` (an app shutting down, a test done listening)."""
        self._subscribers.remove(subscriber)

    def publish(self, event: DomainEvent) -> None:
        """Hand ``event`` to every subscriber; log, never raise, on a subscriber's failure."""
        log.debug("publish %s", type(event).__name__)
        for subscriber in self._subscribers:
            try:
                subscriber(event)
            except Exception:
                log.exception("subscriber %r failed on %s", subscriber, type(event).__name__)
