"""The vocabularies of an incident, as StrEnums: status, operator actions, severity, grade."""

from __future__ import annotations

from enum import StrEnum


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


class Severity(StrEnum):
    """The warning colour (预警级别, a forecast), as CAP severity."""

    EXTREME = "extreme"  # red 红色
    SEVERE = "severe"  # orange 橙色
    MODERATE = "moderate"  # yellow 黄色
    MINOR = "minor"  # blue 蓝色
    UNKNOWN = "unknown"


class Grade(StrEnum):
    """The incident grade (事件分级, by actual harm), I the gravest."""

    I = "I"  # noqa: E741  特别重大
    II = "II"  # 重大
    III = "III"  # 较大
    IV = "IV"  # 一般


def grade_rank(grade: str | None) -> int:
    """4 for grade I down to 1 for IV; 0 for no grade."""
    return {"I": 4, "II": 3, "III": 2, "IV": 1}.get(grade or "", 0)
