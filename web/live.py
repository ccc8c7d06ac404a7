"""The live channel: one Socket.IO namespace that pushes domain events to consoles.

Socket.IO is a notification channel only; the database is the truth. A console
refetches the incident list on every (re)connect, so nothing missed while it was
away is lost.
"""

from __future__ import annotations

from flask import Flask
from flask_socketio import Namespace, SocketIO, join_room

from command.events import (CorrelationProposed, DomainEvent, FeedHealthChanged, FeedRecovered, FeedSilent,
                            IncidentOpened, IncidentUpdated)

NAMESPACE = "/live"
ROOM_ALL = "all"
_EVENT_NAMES = {  # domain event -> (Socket.IO event, the attribute pushed)
    IncidentOpened: ("incident", "feature"),
    IncidentUpdated: ("incident", "feature"),
    FeedHealthChanged: ("feed_health", "health"),
    FeedSilent: ("feed_silent", "health"),
    FeedRecovered: ("feed_recovered", "health"),
    CorrelationProposed: ("correlation", "proposal"),
}


class LiveNamespace(Namespace):
    """Consoles connect here and are put in the room that receives every incident."""

    def on_connect(self, auth=None):
        join_room(ROOM_ALL)


def emitter(socketio: SocketIO):
    """Return a publisher subscriber that emits each domain event to the consoles."""
    def emit(event: DomainEvent) -> None:
        name, attribute = _EVENT_NAMES[type(event)]
        socketio.emit(name, getattr(event, attribute), namespace=NAMESPACE, to=ROOM_ALL)
    return emit


def init_app(app: Flask, socketio: SocketIO) -> None:
    """Register the namespace and subscribe the emitter to the app's publisher."""
    socketio.on_namespace(LiveNamespace(NAMESPACE))
    app.extensions["vigil"].publisher.subscribe(emitter(socketio))
