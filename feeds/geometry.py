"""GeoJSON coordinate walking in one place: a geometry's positions, how many, its box and its centre.

Positions are GeoJSON [lon, lat]. The walk is tolerant: a missing or malformed
part simply has no positions (FeedEvent validates what it takes in; stored areas
are walked as they are). Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString",
                  "Polygon", "MultiPolygon", "GeometryCollection")


def positions(geometry: Any) -> Iterator[list]:
    """Yield every position of a geometry (the members of a GeometryCollection included)."""
    for coordinates in _coordinates(geometry):
        yield from _walk(coordinates)


def count_positions(geometry: Any) -> int:
    """Return how many positions a geometry has."""
    return sum(_count(coordinates) for coordinates in _coordinates(geometry))


def bounding_box(geometry: Any) -> tuple[float, float, float, float] | None:
    """Return (west, south, east, north) of a geometry's positions, or None when it has none."""
    points = [p for p in positions(geometry) if len(p) >= 2]
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def box_centre(geometry: Any) -> tuple[float, float] | None:
    """Return the (lat, lon) centre of a geometry's bounding box, or None."""
    box = bounding_box(geometry)
    if box is None:
        return None
    west, south, east, north = box
    return (south + north) / 2, (west + east) / 2


def _coordinates(geometry: Any) -> Iterator[Any]:
    """The coordinates of a geometry, or of each member of a GeometryCollection."""
    if not isinstance(geometry, Mapping):
        return
    if geometry.get("type") == "GeometryCollection":
        members = geometry.get("geometries")
        for member in members if isinstance(members, list) else ():
            yield from _coordinates(member)
        return
    yield geometry.get("coordinates")


# A position is a list of numbers: a list whose first item is not a list. Anything deeper is a list of them.

def _walk(coordinates: Any) -> Iterator[list]:
    if not isinstance(coordinates, list) or not coordinates:
        return
    if not isinstance(coordinates[0], list):
        yield coordinates
        return
    for item in coordinates:
        yield from _walk(item)


def _count(coordinates: Any) -> int:
    # the count without building the positions: it runs on every incident pushed to the consoles
    if not isinstance(coordinates, list) or not coordinates:
        return 0
    if not isinstance(coordinates[0], list):
        return 1
    return sum(_count(item) for item in coordinates)
