"""The vocabularies of an incident, as StrEnums: status, operator actions, severity, grade."""

from __future__ import annotations

from enum import StrEnum

from feeds.vocabulary import Grade, Severity, grade_rank  # noqa: F401  (the one list of each; re-exported)


class Status(StrEnum):
    """Where an incident is in its life."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESPONDING = "responding"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN = (Status.NEW, Status.ACKNOWLEDGED, Status.RESPONDING)


class Action(StrEnum):
    """What an operator (or a feed) can do to an incident's status."""

    ACKNOWLEDGE = "acknowledge"
    RESPOND = "respond"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    FEED_CANCEL = "feed_cancel"
    EXPIRE = "expire"
