"""The closed vocabularies of events and incidents, as StrEnums: the one list of each word.

Two scales stay apart (DESIGN.md): the warning colour of a forecast (预警级别,
WarningLevel, carried as CAP Severity) and the grade of an incident by its actual
harm (事件分级, Grade). A colour never becomes a grade. This module imports only the
standard library, so feeds, playbooks, command and maps can all share it.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """CAP severity, gravest first; each known one stands for a warning colour."""

    EXTREME = "extreme"  # red 红色
    SEVERE = "severe"  # orange 橙色
    MODERATE = "moderate"  # yellow 黄色
    MINOR = "minor"  # blue 蓝色
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """4 for extreme down to 1 for minor; 0 for unknown."""
        return _SEVERITY_RANK[self]

    @property
    def warning_level(self) -> WarningLevel | None:
        """The warning colour this severity stands for; None for unknown."""
        return _SEVERITY_COLOUR.get(self)


class WarningLevel(StrEnum):
    """The warning colour of a forecast (预警级别), gravest first."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    BLUE = "blue"

    @property
    def severity(self) -> Severity:
        """The CAP severity this colour is carried as."""
        return _COLOUR_SEVERITY[self]


class Grade(StrEnum):
    """The incident grade (事件分级, by actual harm), I the gravest."""

    I = "I"  # noqa: E741  特别重大
    II = "II"  # 重大
    III = "III"  # 较大
    IV = "IV"  # 一般

    @property
    def rank(self) -> int:
        """4 for grade I down to 1 for IV."""
        return _GRADE_RANK[self]


class Category(StrEnum):
    """CAP event category."""

    GEO = "geo"
    MET = "met"
    SAFETY = "safety"
    SECURITY = "security"
    RESCUE = "rescue"
    FIRE = "fire"
    HEALTH = "health"
    ENV = "env"
    TRANSPORT = "transport"
    INFRA = "infra"
    CBRNE = "cbrne"
    OTHER = "other"


class MsgType(StrEnum):
    """CAP message type."""

    ALERT = "alert"
    UPDATE = "update"
    CANCEL = "cancel"
    ACK = "ack"
    ERROR = "error"


class CapStatus(StrEnum):
    """CAP status of a message (not an incident's lifecycle status)."""

    ACTUAL = "actual"
    EXERCISE = "exercise"
    TEST = "test"
    SYSTEM = "system"
    DRAFT = "draft"


class Urgency(StrEnum):
    """CAP urgency."""

    IMMEDIATE = "immediate"
    EXPECTED = "expected"
    FUTURE = "future"
    PAST = "past"
    UNKNOWN = "unknown"


class Certainty(StrEnum):
    """CAP certainty."""

    OBSERVED = "observed"
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"
    UNKNOWN = "unknown"


# Exercise, test and draft messages are shown with a banner and never page anyone.
DRILL_STATUSES = (CapStatus.EXERCISE, CapStatus.TEST, CapStatus.DRAFT)

_SEVERITY_RANK = {Severity.EXTREME: 4, Severity.SEVERE: 3, Severity.MODERATE: 2, Severity.MINOR: 1,
                  Severity.UNKNOWN: 0}
_GRADE_RANK = {Grade.I: 4, Grade.II: 3, Grade.III: 2, Grade.IV: 1}
_COLOUR_SEVERITY = {WarningLevel.RED: Severity.EXTREME, WarningLevel.ORANGE: Severity.SEVERE,
                    WarningLevel.YELLOW: Severity.MODERATE, WarningLevel.BLUE: Severity.MINOR}
_SEVERITY_COLOUR = {severity: colour for colour, severity in _COLOUR_SEVERITY.items()}
# Colour words as sources write them (lower-cased): English, Simplified and Traditional Chinese.
_COLOUR_WORDS = {
    "red": WarningLevel.RED, "红": WarningLevel.RED, "紅": WarningLevel.RED,
    "orange": WarningLevel.ORANGE, "橙": WarningLevel.ORANGE,
    "yellow": WarningLevel.YELLOW, "黄": WarningLevel.YELLOW, "黃": WarningLevel.YELLOW,
    "blue": WarningLevel.BLUE, "蓝": WarningLevel.BLUE, "藍": WarningLevel.BLUE,
}


def words(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    """Return the words of a vocabulary, in its order, as plain strings."""
    return tuple(member.value for member in vocabulary)


def severity_rank(severity: str | None) -> int:
    """4 for extreme down to 1 for minor; 0 for unknown, none or a word outside CAP."""
    return _SEVERITY_RANK.get(severity, 0)


def grade_rank(grade: str | None) -> int:
    """4 for grade I down to 1 for IV; 0 for no grade."""
    return _GRADE_RANK.get(grade, 0)


def warning_level(word: str | None) -> WarningLevel | None:
    """Return the warning colour a word names ('Red', '红', '紅色', '橙色'), or None."""
    word = (word or "").strip().lower()
    if len(word) == 2 and word.endswith("色"):
        word = word[0]
    return _COLOUR_WORDS.get(word)
