"""NSW Rural Fire Service major incidents (GeoJSON): one event per fire.

www.rfs.nsw.gov.au/feeds/majorIncidents.json is a FeatureCollection of RSS-like
items: title, guid, pubDate ("15/09/2018 4:08:00 AM", UTC: the description's
UPDATED field is the same instant in Sydney time), category (the alert level)
and an HTML description of "KEY: value <br />" lines. The geometry is a Point,
or a GeometryCollection of the point and a nested collection of fire-perimeter
polygons; the nesting is flattened because FeedEvent takes one level only.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters import geojson_feed as geojson

SOURCE = "nsw_rfs"
TITLE = "NSW Rural Fire Service major incidents (GeoJSON)"
FORMAT = "GeoJSON FeatureCollection (NSW RFS majorIncidents.json)"
DEFAULT_POLL_SECONDS = 300
EXAMPLE = "nsw_rfs_major_incidents_2018-09.geojson"

# Australian Warning System level -> CAP severity (compared lower-cased).
ALERT_SEVERITY = {
    "emergency warning": "extreme",
    "watch and act": "severe",
    "advice": "moderate",
    "not applicable": "minor",
}
# pubDate as the feed writes it (day first, 12-hour clock, UTC); parsed by hand because strptime's %p follows the locale
PUB_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ?([AaPp][Mm])$")
_MAX_NESTING = 3  # GeometryCollection depth we flatten; deeper is not a fire perimeter

_TITLE = "title"
_GUID = "guid"
_PUB_DATE = "pubDate"
_UPDATED = "updated"
_CATEGORY = "category"
_DESCRIPTION = "description"
_ALERT_LEVEL = "ALERT LEVEL"
_LOCATION = "LOCATION"
_TYPE = "TYPE"
_AGENCY = "RESPONSIBLE AGENCY"
_FIELD_LINE = re.compile(r"^([A-Z][A-Z ]{1,40}):\s*(.*)$")


def detect(payload: bytes) -> bool:
    """Return True when the bytes look like the NSW RFS major incidents feed."""
    return b'"FeatureCollection"' in payload[:4096] and (
        b"rfs.nsw.gov.au" in payload or b'"guid_isPermaLink"' in payload)


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (index, reason) of the incidents that could not be mapped."""
    return geojson.report(payload, source, TITLE, _event)


parse = util.events_only(parse_report)


def _event(feature: dict) -> dict[str, Any]:
    props = geojson.properties(feature)
    fields = _fields(util.text(props, _DESCRIPTION) or "")
    level = util.text(props, _CATEGORY) or fields.get(_ALERT_LEVEL)
    sent_at = _sent_at(props)
    geometry = _flattened(feature.get(geojson.GEOMETRY))
    lon, lat = _point(geometry)
    return {
        "external_id": _external_id(props),
        "version": util.version_stamp(sent_at),
        "sender": fields.get(_AGENCY) or "NSW Rural Fire Service",
        "category": "fire",
        "event": fields.get(_TYPE) or "Fire",
        "headline": util.text(props, _TITLE) or fields.get(_LOCATION),
        "description": util.plain_text(util.text(props, _DESCRIPTION) or ""),
        "severity": _severity(level),
        "sent_at": sent_at,
        "lat": lat,
        "lon": lon,
        "address": fields.get(_LOCATION),
        "language": "en",
        "raw_level": level,
        "area": geometry if isinstance(geometry, dict) and geometry.get("type") != "Point" else None,
    }


def _external_id(props: dict) -> str:
    value = util.text(props, _GUID)
    if not value:
        raise util.SkipItem("guid: an incident needs its RFS guid")
    return value


def _sent_at(props: dict) -> datetime | None:
    """pubDate ("15/09/2018 4:08:00 AM", UTC) or an ISO 8601 ``updated``, aware UTC."""
    pub_date = util.text(props, _PUB_DATE)
    if pub_date is None:
        return util.iso_time(props, _UPDATED)
    match = PUB_DATE.match(pub_date)
    try:
        if not match:
            raise ValueError(pub_date)
        day, month, year, hour, minute, second, half = match.groups()
        if not 1 <= int(hour) <= 12:
            raise ValueError(hour)
        hour24 = int(hour) % 12 + (12 if half.upper() == "PM" else 0)
        return datetime(int(year), int(month), int(day), hour24, int(minute), int(second), tzinfo=timezone.utc)
    except ValueError:
        raise util.SkipItem(f"pubDate: {pub_date[:40]!r} is not a time like 15/09/2018 4:08:00 AM") from None


def _severity(level: str | None) -> str:
    return ALERT_SEVERITY.get(level.lower(), "unknown") if level else "unknown"


def _fields(description: str) -> dict[str, str]:
    """The "KEY: value" lines of the description, as plain text."""
    fields: dict[str, str] = {}
    for line in util.plain_text(description).splitlines():
        match = _FIELD_LINE.match(line)
        if match and match.group(2):
            fields.setdefault(match.group(1).strip(), match.group(2).strip())
    return fields


def _flattened(geometry: Any) -> Any:
    """The geometry with nested GeometryCollections flattened into one (RFC 7946 asks producers not to nest)."""
    if not isinstance(geometry, dict) or geometry.get("type") != "GeometryCollection":
        return geometry
    parts = _parts(geometry, 0)
    return {"type": "GeometryCollection", "geometries": parts} if parts is not None else geometry


def _parts(geometry: dict, depth: int) -> list | None:
    """The non-collection members of a collection, in order; None when nested too deep or malformed."""
    members = geometry.get("geometries")
    if depth >= _MAX_NESTING or not isinstance(members, list):
        return None
    parts: list = []
    for member in members:
        if isinstance(member, dict) and member.get("type") == "GeometryCollection":
            inner = _parts(member, depth + 1)
            if inner is None:
                return None
            parts.extend(inner)
        else:
            parts.append(member)
    return parts


def _point(geometry: Any) -> tuple[float | None, float | None]:
    """(lon, lat) of the Point, or of the first Point in a collection; (None, None) when there is none."""
    if not isinstance(geometry, dict):
        return None, None
    candidates = [geometry] if geometry.get("type") == "Point" else geometry.get("geometries")
    for part in candidates if isinstance(candidates, list) else []:
        if isinstance(part, dict) and part.get("type") == "Point":
            coords = part.get(geojson.COORDINATES)
            if isinstance(coords, list) and len(coords) >= 2:
                return geojson.lon_lat(coords) or (None, None)
    return None, None
