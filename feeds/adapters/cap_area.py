"""CAP <area> blocks to one GeoJSON geometry, a point, an address and a region code.

Every <polygon> and <circle> of every <area> of an <info> goes into one
geometry: a Polygon, a MultiPolygon, or a GeometryCollection when points are
mixed in. A circle of radius 0 is a point: it becomes ``lat``/``lon`` (the
first one) rather than a 50 m disc; several points are also kept in the area.
Areas with geocodes only have no geometry; their areaDesc is the address and
the first geocode (``valueName=value``) the region code.

Krisinformation.se writes a non-standard ``<Polygon><Polygon><Polygons>``
holding "lon,lat" (the reverse of CAP); it is read the other way round and
said so in ``guessed``.
"""

from __future__ import annotations

from typing import Any

from feeds.adapters import geo
from feeds.adapters.xml_util import Element, child_text, children, descendants

MAX_SHAPES = 1000  # polygons + circles per info block; more is an attack or a mistake, not an area
MAX_CIRCLES = 2000  # circles drawn as polygons per payload: the geodesic maths is the costly part
MAX_RADIUS_KM = 20_000  # half the Earth's circumference; a bigger circle covers everything
_ADDRESS_LIMIT = 512
_REGION_LIMIT = 64
SWAPPED_GUESS = "non-standard <Polygon><Polygons> area read as lon,lat (Krisinformation order) and swapped"


class CircleBudget:
    """How many more circles one payload may draw as polygons, shared by all its <info> blocks."""

    def __init__(self, limit: int = MAX_CIRCLES):
        self.left = limit

    def take(self) -> bool:
        """Use one circle of the budget; False when it is spent."""
        self.left -= 1
        return self.left >= 0


def area_fields(info: Element, guessed: list[str], circles: CircleBudget) -> dict[str, Any]:
    """Return area, lat, lon, address and region_code for one <info>; notes go to ``guessed``."""
    polygons: list[dict] = []
    points: list[tuple[float, float]] = []
    descriptions: list[str] = []
    region_code = None
    for area in children(info, "area"):
        descriptions += [text for text in [child_text(area, "areaDesc")] if text]
        _read_shapes(area, polygons, points, guessed, circles)
        region_code = region_code or _region_code(area)
    lat, lon = points[0] if points else (None, None)
    return {
        "area": _geometry(polygons, points),
        "lat": lat,
        "lon": lon,
        "address": "; ".join(descriptions)[:_ADDRESS_LIMIT] or None,
        "region_code": region_code,
    }


def _read_shapes(area: Element, polygons: list[dict], points: list, guessed: list[str],
                 circles: CircleBudget) -> None:
    for polygon in children(area, "polygon"):
        if _room(polygons, points, guessed):
            _add_polygon(polygon.text, polygons, guessed)
    for circle in children(area, "circle"):
        if _room(polygons, points, guessed):
            _add_circle(circle.text, polygons, points, guessed, circles)
    for nonstandard in children(area, "Polygon"):
        for value in descendants(nonstandard, "Polygons"):
            if _room(polygons, points, guessed):
                _add_swapped(value.text, polygons, points, guessed)


def _room(polygons: list, points: list, guessed: list[str]) -> bool:
    if len(polygons) + len(points) < MAX_SHAPES:
        return True
    _note(guessed, f"only the first {MAX_SHAPES} polygons and circles were kept")
    return False


def _add_polygon(text: str | None, polygons: list[dict], guessed: list[str]) -> None:
    if not text or not text.strip():
        return  # an empty <polygon/> (NWS writes them) says nothing
    try:
        polygon = geo.cap_polygon(text)
    except ValueError as exc:
        _note(guessed, f"a <polygon> was ignored: {str(exc)[:80]}")
        return
    if polygon and _on_globe(polygon["coordinates"][0], guessed):
        polygons.append(polygon)


def _add_circle(text: str | None, polygons: list[dict], points: list, guessed: list[str],
                circles: CircleBudget) -> None:
    if not text or not text.strip():
        return
    try:
        lat, lon, radius_km = geo.cap_circle(text)
    except ValueError as exc:
        _note(guessed, f"a <circle> was ignored: {str(exc)[:80]}")
        return
    if not _on_globe([[lon, lat]], guessed):
        return
    if radius_km > MAX_RADIUS_KM:
        _note(guessed, f"a <circle> of radius {radius_km:g} km was ignored")
    elif radius_km == 0:
        points.append((lat, lon))
    elif circles.take():
        polygons.append(geo.circle_polygon(lat, lon, radius_km))
    else:
        _note(guessed, f"more than {MAX_CIRCLES} circles in one payload: the rest were ignored")


def _add_swapped(text: str | None, polygons: list[dict], points: list, guessed: list[str]) -> None:
    try:
        pairs = geo.cap_pairs(text or "")
    except ValueError:
        pairs = []
    ring = [[first, second] for first, second in pairs]  # the source wrote lon,lat: already GeoJSON order
    if not ring or not _on_globe(ring, guessed):
        return
    _note(guessed, SWAPPED_GUESS)
    if len(ring) == 1:
        points.append((ring[0][1], ring[0][0]))
    elif len(ring) >= 3:
        ring = ring if ring[0] == ring[-1] else [*ring, list(ring[0])]
        if len(ring) >= 4:
            polygons.append({"type": "Polygon", "coordinates": [ring]})


def _on_globe(ring: list[list[float]], guessed: list[str]) -> bool:
    """True when every [lon, lat] is a real position; otherwise the shape is dropped with a note."""
    if all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring):
        return True
    _note(guessed, "a shape with a position off the globe was ignored (CAP writes lat,lon)")
    return False


def _geometry(polygons: list[dict], points: list[tuple[float, float]]) -> dict | None:
    parts = []
    if len(polygons) == 1:
        parts.append(polygons[0])
    elif polygons:
        parts.append({"type": "MultiPolygon", "coordinates": [p["coordinates"] for p in polygons]})
    if len(points) > 1:
        parts.append({"type": "MultiPoint", "coordinates": [[lon, lat] for lat, lon in points]})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"type": "GeometryCollection", "geometries": parts}


def _region_code(area: Element) -> str | None:
    for geocode in children(area, "geocode"):
        name, value = child_text(geocode, "valueName"), child_text(geocode, "value")
        if value:
            code = f"{name}={value}" if name else value
            return code if len(code) <= _REGION_LIMIT else value if len(value) <= _REGION_LIMIT else None
    return None


def _note(guessed: list[str], note: str) -> None:
    if note not in guessed:
        guessed.append(note)
