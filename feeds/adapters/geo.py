"""Geometry helpers shared by XML adapters: CAP polygons and circles to GeoJSON.

CAP writes "lat,lon" pairs; GeoJSON writes [lon, lat]. GeoJSON has no circle,
so a CAP circle becomes a polygon of points on the geodesic circle (geopy).
"""

from __future__ import annotations

import math

from geopy.distance import geodesic
from geopy.point import Point

CIRCLE_POINTS = 32
MIN_RADIUS_KM = 0.05  # a radius-0 circle is a point; draw it as a 50 m disc so it shows as an area


def cap_pairs(text: str) -> list[tuple[float, float]]:
    """Parse CAP "lat,lon lat,lon …" into [(lat, lon), …]; raise ValueError on anything else."""
    pairs = []
    for token in text.split():
        lat_text, _, lon_text = token.partition(",")
        lat, lon = float(lat_text), float(lon_text)
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise ValueError(f"not a number in {token[:40]!r}")
        pairs.append((lat, lon))
    return pairs


def cap_polygon(text: str) -> dict | None:
    """Return a GeoJSON Polygon from a CAP polygon, closed if the source forgot; None when empty."""
    pairs = cap_pairs(text)
    if not pairs:
        return None
    ring = closed_ring(pairs)
    if len(ring) < 4:
        raise ValueError(f"a polygon needs at least 3 distinct points, got {len(ring) - 1}")
    return {"type": "Polygon", "coordinates": [ring]}


def closed_ring(pairs: list[tuple[float, float]]) -> list[list[float]]:
    """Return the GeoJSON ring [[lon, lat], …] of (lat, lon) pairs, closed if the source forgot."""
    ring = [[lon, lat] for lat, lon in pairs]
    if ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return ring


def cap_circle(text: str) -> tuple[float, float, float]:
    """Parse CAP "lat,lon radius_km" into (lat, lon, radius_km); raise ValueError otherwise."""
    centre, _, radius = text.strip().partition(" ")
    [(lat, lon)] = cap_pairs(centre)
    radius_km = float(radius or "0")
    if not math.isfinite(radius_km) or radius_km < 0:
        raise ValueError(f"bad circle radius {radius!r}")
    return lat, lon, radius_km


def circle_polygon(lat: float, lon: float, radius_km: float, points: int = CIRCLE_POINTS) -> dict:
    """Return a GeoJSON Polygon approximating the geodesic circle (raises ValueError off the globe)."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # geopy would warn, then raise
        raise ValueError(f"circle centre {lat},{lon} is off the globe")
    centre = Point(lat, lon)
    radius = geodesic(kilometers=max(radius_km, MIN_RADIUS_KM))
    ring = []
    for step in range(points):
        here = radius.destination(centre, bearing=360.0 * step / points)
        ring.append([round(_wrap(here.longitude), 6), round(here.latitude, 6)])
    ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0
