"""Which Socket.IO event, payload and rooms each domain event goes to.

Shared by the web processes (Flask-SocketIO) and the worker processes, which emit through the
message queue without a Flask app. Everyone watching is in ROOM_ALL; a liaison is only in the
rooms of their departments, so an incident or escalation also goes to its departments' rooms.
"""

from __future__ import annotations

from command.events import (CorrelationProposed, DomainEvent, DutyLogAppended, EscalationChanged, EscalationOverdue,
                            FeedHealthChanged, FeedRecovered, FeedSilent, IncidentOpened, IncidentUpdated,
                            NotificationChanged)

NAMESPACE = "/live"
ROOM_ALL = "all"
EVENT_NAMES = {  # domain event -> (Socket.IO event, the attribute pushed)
    IncidentOpened: ("incident", "feature"),
    IncidentUpdated: ("incident", "feature"),
    FeedHealthChanged: ("feed_health", "health"),
    FeedSilent: ("feed_silent", "health"),
    FeedRecovered: ("feed_recovered", "health"),
    CorrelationProposed: ("correlation", "proposal"),
    EscalationChanged: ("escalation", "escalation"),
    EscalationOverdue: ("escalation_overdue", "escalation"),
    NotificationChanged: ("notification", "notification"),
    DutyLogAppended: ("dutylog", "entry"),
}


def department_room(code: str) -> str:
    return f"dept:{code}"


def route(event: DomainEvent) -> tuple[str, dict, list[str]]:
    """(Socket.IO event name, payload, rooms) for a domain event."""
    name, attribute = EVENT_NAMES[type(event)]
    payload = getattr(event, attribute)
    if name == "incident":
        departments = (payload.get("properties") or {}).get("departments") or []
    elif name in ("escalation", "escalation_overdue"):
        departments = payload.get("departments") or []
    else:
        departments = []
    return name, payload, [ROOM_ALL, *(department_room(code) for code in departments)]


def queue_emitter(url: str, channel: str):
    """A publisher subscriber that emits through the Socket.IO message queue (for processes without a web server)."""
    import socketio  # python-socketio: no Flask
    manager_class = socketio.RedisManager if url.startswith(("redis://", "rediss://")) else socketio.KombuManager
    manager = manager_class(url, channel=channel, write_only=True)  # the channel the web processes listen on

    def emit(event: DomainEvent) -> None:
        name, payload, rooms = route(event)
        for room in rooms:
            manager.emit(name, payload, namespace=NAMESPACE, room=room)
    return emit
