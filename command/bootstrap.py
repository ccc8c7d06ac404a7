"""Wiring a process: who hears the domain events that its units of work publish.

Web processes (and ``serve --role all``, which runs the workers beside the web server) push to
their own Socket.IO server, which forwards through the message queue when there is one. A worker
process has no Socket.IO server: it emits through the message queue straight to the web
processes' consoles, or, without a queue, to nobody (there is no console it could reach).
"""

from __future__ import annotations

import logging
from typing import Callable

from command.events import DomainEvent
from command.live_routing import queue_emitter
from command.runtime import Runtime

log = logging.getLogger(__name__)

ROLES = ("all", "web", "worker")


def bootstrap(runtime: Runtime, role: str, live: Callable[[DomainEvent], None] | None = None) -> Runtime:
    """Subscribe the publisher of ``runtime`` for a process of ``role``; ``live`` is a web process's emitter."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role in ("all", "web"):
        if live is None:
            raise ValueError(f"a {role} process pushes through its Socket.IO server: pass its emitter")
        runtime.publisher.subscribe(live)
    elif runtime.settings["SOCKETIO_MESSAGE_QUEUE"]:
        runtime.publisher.subscribe(queue_emitter(runtime.settings["SOCKETIO_MESSAGE_QUEUE"],
                                                  runtime.settings["SOCKETIO_CHANNEL"]))
    else:
        log.info("worker without a message queue: live updates reach consoles only when they reload")
    return runtime
