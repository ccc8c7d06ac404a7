"""The skeleton GeoJSON feeds share: a FeatureCollection (or one Feature) whose features are mapped one by one.

An adapter hands ``report`` its function from one feature to FeedEvent fields and
reads each feature through ``properties`` and ``point``; a feature it cannot map
is skipped with the reason, never the payload (``adapter_util.map_items``).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from feeds.adapters import adapter_util as util
from feeds.adapters.errors import PayloadRefused

PROPERTIES = "properties"
GEOMETRY = "geometry"
COORDINATES = "coordinates"


def report(payload: bytes, source: str, title: str, to_event: Callable[[dict], Mapping[str, Any]]) -> util.Report:
    """Return (events, skipped) of a GeoJSON payload, each feature mapped by ``to_event``."""
    return util.map_items(features(util.load_json(payload, title), title), to_event, source, title)


def features(document: Any, title: str) -> list:
    """Return the features of a GeoJSON FeatureCollection (or a lone Feature), or refuse the payload."""
    if isinstance(document, dict) and document.get("type") == "Feature":
        return [document]
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise PayloadRefused(f"not a GeoJSON FeatureCollection, so not {title}")
    items = document.get("features")
    if not isinstance(items, list):
        raise PayloadRefused(f"FeatureCollection has no features list, so not {title}")
    return items


def properties(feature: dict) -> dict:
    """Return a feature's properties, or an empty dict when it has none."""
    return util.obj(feature.get(PROPERTIES))


def point(feature: dict, form: str = "[lon, lat]", what: str = "a quake") -> tuple[float, float, list]:
    """Return (lon, lat, the rest of the position) of a feature's Point; SkipItem without one."""
    coordinates = util.obj(feature.get(GEOMETRY)).get(COORDINATES)
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise util.SkipItem(f"geometry: {what} needs Point coordinates {form}")
    position = lon_lat(coordinates)
    if position is None:
        raise util.SkipItem(f"geometry: coordinates must be numbers {form}")
    return (*position, coordinates[2:])


def lon_lat(coordinates: Any) -> tuple[float, float] | None:
    """Return (lon, lat) of a GeoJSON position when both are numbers, else None (FeedEvent checks the ranges)."""
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return None
    lon, lat = util.as_number(coordinates[0]), util.as_number(coordinates[1])
    return (lon, lat) if lon is not None and lat is not None else None
