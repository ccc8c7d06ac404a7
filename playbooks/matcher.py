"""Pick the playbook for an incident: every given criterion must hold; the best match wins.

Best = highest priority, then the most criteria (the more specific playbook), then
the name (so the choice never depends on file order). Criteria are compiled once
when a playbook is loaded; matching is pure and runs for every new or changed incident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playbooks.loader import Playbook


@dataclass(frozen=True)
class Criteria:
    """A checked match block in the form matching wants; None = not a criterion of this playbook."""

    categories: frozenset[str] | None = None
    events: tuple[str, ...] | None = None  # casefolded substrings of event or headline
    severities: frozenset[str] | None = None
    grades: frozenset[str] | None = None
    region_prefixes: tuple[str, ...] | None = None
    areas: tuple[tuple[float, float, float, float], ...] | None = None
    sources: frozenset[str] | None = None
    departments: frozenset[str] | None = None
    sensitive: bool | None = None
    minutes: tuple[int, int] | None = None  # time of day as minutes after local midnight: [from, to)
    count: int = 0  # how many criteria are given: the specificity tie-break

    def holds(self, facts: Mapping[str, Any], local_time: datetime) -> bool:
        """Whether an incident with these facts matches at this local time."""
        if self.categories is not None and _lower(facts.get("category")) not in self.categories:
            return False
        if self.severities is not None and _lower(facts.get("severity")) not in self.severities:
            return False
        if self.grades is not None and (facts.get("grade") or facts.get("grade_proposed")) not in self.grades:
            return False
        if self.sources is not None and facts.get("source") not in self.sources:
            return False
        if self.sensitive is not None and bool(facts.get("sensitive")) != self.sensitive:
            return False
        if self.region_prefixes is not None and not str(facts.get("region_code") or "").startswith(
                self.region_prefixes):
            return False
        if self.departments is not None and self.departments.isdisjoint(facts.get("departments") or ()):
            return False
        if self.events is not None and not _any_in(self.events, facts.get("event"), facts.get("headline")):
            return False
        if self.areas is not None and not _inside(self.areas, facts.get("lat"), facts.get("lon")):
            return False
        return self.minutes is None or _within(self.minutes, local_time)


def compile_criteria(match: Mapping[str, Any]) -> Criteria:
    """Turn a checked match block (see match_schema) into Criteria."""
    window = match.get("time_of_day")
    return Criteria(
        categories=_set(match.get("category")),
        events=tuple(e.casefold() for e in match["event"]) if "event" in match else None,
        severities=_set(match.get("severity")),
        grades=_set(match.get("grade")),
        region_prefixes=tuple(match["region_code"]) if "region_code" in match else None,
        areas=tuple(tuple(box) for box in match["area"]) if "area" in match else None,
        sources=_set(match.get("source")),
        departments=_set(match.get("departments")),
        sensitive=match.get("sensitive"),
        minutes=(_minutes(window["from"]), _minutes(window["to"])) if window else None,
        count=len(match),
    )


def match(playbooks: Iterable[Playbook], facts: Mapping[str, Any], local_time: datetime) -> Playbook | None:
    """Return the best playbook for the incident ``facts`` at ``local_time`` (aware, duty-room zone), or None."""
    _check_aware(local_time)
    best, best_key = None, None
    for playbook in playbooks:
        if playbook.criteria.holds(facts, local_time):
            key = _rank(playbook)
            if best_key is None or key < best_key:
                best, best_key = playbook, key
    return best


def ranked(playbooks: Iterable[Playbook], facts: Mapping[str, Any], local_time: datetime) -> list[Playbook]:
    """Every matching playbook, best first (the first is what ``match`` returns)."""
    _check_aware(local_time)
    return sorted((p for p in playbooks if p.criteria.holds(facts, local_time)), key=_rank)


def _rank(playbook: Playbook) -> tuple:
    return -playbook.priority, -playbook.criteria.count, playbook.name


def _check_aware(local_time: datetime) -> None:
    if local_time.tzinfo is None or local_time.utcoffset() is None:
        raise ValueError("local_time must be an aware datetime in the duty room's time zone")


def _lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def _set(values: list | None) -> frozenset[str] | None:
    return frozenset(values) if values is not None else None


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _any_in(needles: tuple[str, ...], *texts: Any) -> bool:
    haystacks = [t.casefold() for t in texts if isinstance(t, str)]
    return any(needle in text for needle in needles for text in haystacks)


def _inside(boxes: tuple, lat: Any, lon: Any) -> bool:
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return False
    for west, south, east, north in boxes:
        if south <= lat <= north and (west <= lon <= east if west <= east else lon >= west or lon <= east):
            return True
    return False


def _within(window: tuple[int, int], local_time: datetime) -> bool:
    start, end = window
    now = local_time.hour * 60 + local_time.minute
    return start <= now < end if start < end else now >= start or now < end
