"""The live channel: one Socket.IO namespace that pushes domain events to consoles.

Socket.IO is a notification channel only; the database is the truth. A console
refetches the incident list on every (re)connect, so nothing missed while it was
away is lost.
"""

from __future__ import annotations

from flask import Flask
from flask_socketio import Namespace, SocketIO, join_room

from command.live_routing import NAMESPACE, ROOM_ALL, department_room, route
from command.metrics import LIVE_CLIENTS, LIVE_CONNECTS, LIVE_DISCONNECTS
from web.access import READERS
from web.auth import load_user

WATCHERS = READERS  # roles that receive everything; a liaison receives their departments' items only


class LiveNamespace(Namespace):
    """Consoles connect here with their session (or a personal token) and are put in the rooms their role allows.

    Rooms come from the server's record of who connected, never from anything the client asks for.
    The engine only accepts connections from the page's own origin (Flask-SocketIO's default).
    """

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) and isinstance(auth.get("token"), str) else None
        user = load_user(token)
        if user is None or (user.role not in WATCHERS and user.role != "liaison"):
            raise ConnectionRefusedError("login required")
        if user.role in WATCHERS:
            join_room(ROOM_ALL)
        for code in user.departments if user.role == "liaison" else ():
            join_room(department_room(code))
        LIVE_CONNECTS.inc()  # counted once accepted: a refused connection never disconnects
        LIVE_CLIENTS.inc()

    def on_disconnect(self, reason=None):
        LIVE_DISCONNECTS.inc()
        LIVE_CLIENTS.dec()


def emitter(socketio: SocketIO):
    """Return a publisher subscriber that emits each domain event to the rooms that may see it."""
    def emit(event) -> None:
        name, payload, rooms = route(event)
        socketio.emit(name, payload, namespace=NAMESPACE, to=rooms)
    return emit


def init_app(app: Flask, socketio: SocketIO) -> None:
    """Register the live namespace (its emitter is subscribed by command.bootstrap)."""
    socketio.on_namespace(LiveNamespace(NAMESPACE))
