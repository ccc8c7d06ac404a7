"""The normalized feed event (CAP-shaped), its validation, and ``iso()``, the one way a time is written.

Every adapter and the JSON ingest API build events through ``FeedEvent.from_dict``,
so one function decides what a valid event is. A bad field raises ``InvalidEvent``
naming the field; an unknown level or type is mapped to ``unknown`` and kept.
The words come from feeds.vocabulary and the coordinate walking from feeds.geometry.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from feeds.geometry import GEOMETRY_TYPES, box_centre, count_positions
from feeds.vocabulary import DRILL_STATUSES, CapStatus, Category, Certainty, MsgType, Severity, Urgency, words

MSG_TYPES = words(MsgType)
STATUSES = words(CapStatus)
CATEGORIES = words(Category)
SEVERITIES = words(Severity)
URGENCIES = words(Urgency)
CERTAINTIES = words(Certainty)
TIME_FIELDS = ("occurred_at", "sent_at", "effective_at", "expires_at", "received_at")

SOURCE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_TEXT_LIMITS = {
    "external_id": 256, "version": 128, "scope": 32, "sender": 256, "event": 256,
    "headline": 512, "description": 20000, "instruction": 20000,
    "response_type": 64, "address": 512, "region_code": 64, "language": 35,
    "raw_level": 256, "raw_ref": 128,
}
_MAX_REFERENCES = 200
_MAX_GUESSES = 20
_MAX_AREA_POSITIONS = 100_000


class InvalidEvent(ValueError):
    """An event field is missing or wrong; ``field`` names it for the sender."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One normalized message from a feed, fields as in DESIGN.md."""

    source: str
    external_id: str
    version: str
    headline: str
    msg_type: str = "alert"
    status: str = "actual"
    scope: str | None = None
    sender: str | None = None
    category: str = "other"
    event: str = ""
    description: str = ""
    instruction: str = ""
    response_type: str | None = None
    severity: str = "unknown"
    urgency: str = "unknown"
    certainty: str = "unknown"
    occurred_at: datetime | None = None
    sent_at: datetime | None = None
    effective_at: datetime | None = None
    expires_at: datetime | None = None
    received_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None
    area: dict | None = None
    address: str | None = None
    region_code: str | None = None
    language: str | None = None
    references: tuple[str, ...] = ()
    raw_level: str | None = None
    raw_ref: str | None = None
    guessed: tuple[str, ...] = field(default=())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str) -> "FeedEvent":
        """Validate a mapping (JSON or adapter output) into a FeedEvent."""
        if not isinstance(data, Mapping):
            raise InvalidEvent("(body)", "an event must be a JSON object")
        unknown = sorted(set(data) - _FIELD_NAMES)
        if unknown:
            raise InvalidEvent(unknown[0], "unknown field")
        given_source = data.get("source", source)
        if given_source != source:
            raise InvalidEvent("source", f"is {given_source!r} but the feed is {source!r}")
        if not isinstance(source, str) or not SOURCE_PATTERN.match(source):
            raise InvalidEvent("source", "must be 1-64 of a-z 0-9 _ . - starting with a letter or digit")

        times = {name: _time(data, name) for name in TIME_FIELDS}
        headline = _text(data, "headline") or _text(data, "event")
        if not headline:
            raise InvalidEvent("headline", "is required (or give event)")
        external_id = _text(data, "external_id")
        if not external_id:
            raise InvalidEvent("external_id", "is required")
        version = _text(data, "version")
        if not version:
            if times["sent_at"] is None:
                raise InvalidEvent("version", "is required when sent_at is absent")
            version = iso(times["sent_at"])
        lat, lon = _position(data)
        return cls(
            source=source,
            external_id=external_id,
            version=version,
            headline=headline[:_TEXT_LIMITS["headline"]],
            msg_type=_strict_choice(data, "msg_type", MSG_TYPES, "alert"),
            status=_strict_choice(data, "status", STATUSES, "actual"),
            scope=_lower(_text(data, "scope")),
            sender=_text(data, "sender"),
            category=_lenient_choice(data, "category", CATEGORIES, "other"),
            event=_text(data, "event") or "",
            description=_text(data, "description") or "",
            instruction=_text(data, "instruction") or "",
            response_type=_lower(_text(data, "response_type")),
            severity=_lenient_choice(data, "severity", SEVERITIES, "unknown"),
            urgency=_lenient_choice(data, "urgency", URGENCIES, "unknown"),
            certainty=_lenient_choice(data, "certainty", CERTAINTIES, "unknown",
                                      aliases={"very likely": "likely"}),
            lat=lat,
            lon=lon,
            area=_area(data.get("area")),
            address=_text(data, "address"),
            region_code=_text(data, "region_code"),
            language=_text(data, "language"),
            references=_string_list(data, "references", _MAX_REFERENCES),
            raw_level=_text(data, "raw_level"),
            raw_ref=_text(data, "raw_ref"),
            guessed=_string_list(data, "guessed", _MAX_GUESSES),
            **times,
        )

    def to_dict(self) -> dict:
        """Return a JSON-ready dict (times as ISO 8601 UTC strings)."""
        out = asdict(self)
        for name in TIME_FIELDS:
            out[name] = iso(out[name])
        out["references"] = list(self.references)
        out["guessed"] = list(self.guessed)
        return out

    def point(self) -> tuple[float, float] | None:
        """Return (lat, lon) for a marker: the given position, else the area's centre."""
        if self.lat is not None and self.lon is not None:
            return self.lat, self.lon
        return box_centre(self.area)

    @property
    def is_drill(self) -> bool:
        """True for exercise, test and draft messages, which must never page anyone."""
        return self.status in DRILL_STATUSES


_FIELD_NAMES = frozenset(FeedEvent.__dataclass_fields__)


def iso(moment: datetime | None, timespec: str = "auto") -> str | None:
    """Return a time as ISO 8601 text (``datetime.isoformat``), or None for no time."""
    return moment.isoformat(timespec=timespec) if moment is not None else None


def _text(data: Mapping, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name in ("external_id", "version"):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidEvent(name, "must be a string")
    value = value.strip()
    limit = _TEXT_LIMITS.get(name)
    if limit and len(value) > limit and name != "headline":
        raise InvalidEvent(name, f"is longer than {limit} characters")
    return value or None


def _lower(value: str | None) -> str | None:
    return value.lower() if value else None


def _strict_choice(data: Mapping, name: str, allowed: tuple, default: str) -> str:
    value = _text(data, name)
    if value is None:
        return default
    if value.lower() not in allowed:
        raise InvalidEvent(name, f"must be one of {', '.join(allowed)}")
    return value.lower()


def _lenient_choice(data: Mapping, name: str, allowed: tuple, default: str,
                    aliases: Mapping[str, str] | None = None) -> str:
    # A source's own unknown level maps to the default; it never rejects the event.
    value = _text(data, name)
    if value is None:
        return default
    value = value.lower()
    value = (aliases or {}).get(value, value)
    return value if value in allowed else default


def _time(data: Mapping, name: str) -> datetime | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidEvent(name, "must be an ISO 8601 time such as 2026-11-24T03:00:00+08:00") from None
    if not isinstance(value, datetime):
        raise InvalidEvent(name, "must be an ISO 8601 time string")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidEvent(name, "must carry a UTC offset (Z or +08:00)")
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise InvalidEvent(name, "is outside the years 1..9999 in UTC") from None


def _number(data: Mapping, name: str, low: float, high: float) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidEvent(name, "must be a number")
    if not _finite(value) or not low <= value <= high:
        raise InvalidEvent(name, f"{value} is outside {low:g}..{high:g}")
    return float(value)


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int of hundreds of digits
        return False


def _position(data: Mapping) -> tuple[float | None, float | None]:
    lat = _number(data, "lat", -90, 90)
    lon = _number(data, "lon", -180, 180)
    if (lat is None) != (lon is None):
        raise InvalidEvent("lat" if lat is None else "lon", "lat and lon must be given together")
    return lat, lon


def _string_list(data: Mapping, name: str, limit: int) -> tuple[str, ...]:
    value = data.get(name)
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise InvalidEvent(name, "must be a list of strings")
    if len(value) > limit:
        raise InvalidEvent(name, f"has more than {limit} items")
    if not all(isinstance(item, str) for item in value):
        raise InvalidEvent(name, "must be a list of strings")
    return tuple(value)


def _area(value: Any) -> dict | None:
    if value is None:
        return None
    _check_geometry(value, "area", depth=0)
    if count_positions(value) > _MAX_AREA_POSITIONS:
        raise InvalidEvent("area", f"has more than {_MAX_AREA_POSITIONS} positions")
    return value


def _check_geometry(geometry: Any, path: str, depth: int) -> None:
    if not isinstance(geometry, Mapping) or geometry.get("type") not in GEOMETRY_TYPES:
        raise InvalidEvent(path, f"must be a GeoJSON geometry ({', '.join(GEOMETRY_TYPES)})")
    kind = geometry["type"]
    if kind == "GeometryCollection":
        parts = geometry.get("geometries")
        if depth > 0 or not isinstance(parts, list) or not parts:
            raise InvalidEvent(path, "GeometryCollection needs a non-empty geometries list (not nested)")
        for i, part in enumerate(parts):
            _check_geometry(part, f"{path}.geometries[{i}]", depth + 1)
        return
    nesting = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
               "Polygon": 2, "MultiPolygon": 3}[kind]
    coords = geometry.get("coordinates")
    _check_nesting(coords, nesting, f"{path}.coordinates", kind)


def _check_nesting(coords: Any, nesting: int, path: str, kind: str) -> None:
    if nesting == 0:
        _check_position(coords, path)
        return
    if not isinstance(coords, list) or not coords:
        raise InvalidEvent(path, f"{kind} coordinates must be a non-empty list")
    for i, item in enumerate(coords):
        _check_nesting(item, nesting - 1, f"{path}[{i}]", kind)
    if kind in ("Polygon", "MultiPolygon") and nesting == 1:
        if len(coords) < 4 or coords[0] != coords[-1]:
            raise InvalidEvent(path, "a polygon ring needs 4 or more positions and must be closed")


def _check_position(position: Any, path: str) -> None:
    if (not isinstance(position, list) or not 2 <= len(position) <= 4
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and _finite(v)
                       for v in position)):
        raise InvalidEvent(path, "a position must be [lon, lat] numbers")
    lon, lat = position[0], position[1]
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        raise InvalidEvent(path, f"[{lon}, {lat}] is not a valid [lon, lat]")
