"""Where a GeoRSS/CAP feed entry is: GeoRSS, W3C geo, GML, CAP and GDACS geometry as GeoJSON ([lon, lat]).

GeoRSS writes "lat lon" (space), CAP writes "lat,lon" (comma), gdacs:bbox writes
"lonmin lonmax latmin latmax"; GeoJSON wants [lon, lat]. Some feeds swap CAP
pairs (Krisinformation writes cap:circle as lon,lat), so every lat-first pair is
checked: a first number outside ±90 must be a longitude; when both readings are
valid, the entry's other points or the agency's home box decide. Whatever was
swapped, dropped or read from a title is said in ``notes``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from feeds.adapters import geo

Pair = tuple[float, float]  # (lat, lon)
Box = tuple[float, float, float, float]  # lat_min, lat_max, lon_min, lon_max

MAX_RADIUS_KM = 5000.0  # a CAP circle wider than this is a typo, not an area
_TITLE_LIMIT = 1000  # DMS is looked for in the first characters of a title only
# 24°10'19.56"S  (QFES titles)
_DMS = re.compile(r"(\d{1,3})\s*°\s*(\d{1,2})\s*['′]\s*(\d{1,2}(?:\.\d{1,6})?)\s*[\"″]\s*([NSEW])")
# #212345S/1483231E  (QFES titles: ddmmss / dddmmss)
_PACKED = re.compile(r"#(\d{2})(\d{2})(\d{2})([NS])\s*/\s*(\d{3})(\d{2})(\d{2})([EW])")


@dataclass
class Place:
    """The entry's marker position, area and the notes on anything guessed."""

    lat: float | None = None
    lon: float | None = None
    area: dict | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Parts:
    points: list[Pair] = field(default_factory=list)
    centres: list[Pair] = field(default_factory=list)
    polygons: list[list[list[float]]] = field(default_factory=list)
    lines: list[list[list[float]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def place(find, title: str, home: Box | None) -> Place:
    """Return the Place of an entry; ``find(kind, name)`` yields its elements' texts in document order."""
    parts = _Parts()
    _read_points(find, parts, home)
    _read_georss_shapes(find, parts, home)
    _read_cap(find, parts, home)
    _read_gdacs_bbox(find, parts)
    if not (parts.points or parts.centres or parts.polygons or parts.lines):
        _read_title_dms(title, parts)
    return _assemble(parts)


def _read_points(find, parts: _Parts, home: Box | None) -> None:
    for text in find("georss", "point"):
        _add_pair(parts, _space_pairs(text), f"georss:point {_quote(text)}", home, parts.points)
    for text in find("gml", "pos"):
        _add_pair(parts, _space_pairs(text), f"gml:pos {_quote(text)}", home, parts.points)
    for lat_text, lon_text in zip(find("geo", "lat"), find("geo", "long")):
        pair = (_number(lat_text), _number(lon_text))
        if None in pair or not _valid(pair):
            parts.notes.append(f"geo:lat/long {_quote(lat_text)}, {_quote(lon_text)} ignored: not a position")
        else:
            parts.points.append(pair)


def _read_georss_shapes(find, parts: _Parts, home: Box | None) -> None:
    for text in find("georss", "polygon"):
        ring = _ring(parts, _space_pairs(text), f"georss:polygon {_quote(text)}", home)
        if ring:
            parts.polygons.append(ring)
    for text in find("georss", "line"):
        pairs = _oriented(parts, _space_pairs(text), f"georss:line {_quote(text)}", home, parts.points)
        if pairs and len(pairs) >= 2:
            parts.lines.append([[lon, lat] for lat, lon in pairs])
    for text in find("georss", "box"):
        pairs = _oriented(parts, _space_pairs(text), f"georss:box {_quote(text)}", home, parts.points)
        if pairs and len(pairs) == 2:
            (south, west), (north, east) = pairs
            parts.polygons.append(_box_ring(south, north, west, east))


def _read_cap(find, parts: _Parts, home: Box | None) -> None:
    for text in find("cap", "polygon"):
        if text.strip():  # NWS writes an empty <cap:polygon/> when it has none
            ring = _ring(parts, _comma_pairs(text), f"cap:polygon {_quote(text)}", home)
            if ring:
                parts.polygons.append(ring)
    for text in find("cap", "circle"):
        _add_circle(parts, text, home)


def _add_circle(parts: _Parts, text: str, home: Box | None) -> None:
    label = f"cap:circle {_quote(text)}"
    centre_text, _, radius_text = text.strip().partition(" ")
    radius = _number(radius_text or "0")
    if radius is None or radius < 0 or radius > MAX_RADIUS_KM:
        parts.notes.append(f"{label} ignored: radius is not 0..{MAX_RADIUS_KM:g} km")
        return
    pairs = _oriented(parts, _comma_pairs(centre_text), label, home, parts.points)
    if not pairs or len(pairs) != 1:
        return
    lat, lon = pairs[0]
    parts.centres.append((lat, lon))
    if radius > 0:
        try:
            parts.polygons.append(geo.circle_polygon(lat, lon, radius)["coordinates"][0])
        except (ValueError, ArithmeticError):
            parts.notes.append(f"{label}: circle could not be drawn; kept its centre")


def _read_gdacs_bbox(find, parts: _Parts) -> None:
    for text in find("gdacs", "bbox"):
        values = [_number(v) for v in text.split()]
        if len(values) != 4 or None in values:
            parts.notes.append(f"gdacs:bbox {_quote(text)} ignored: not 'lonmin lonmax latmin latmax'")
            continue
        west, east, south, north = values
        if not (_valid((south, west)) and _valid((north, east))) or south > north or west > east:
            parts.notes.append(f"gdacs:bbox {_quote(text)} ignored: not a box on the globe")
            continue
        parts.polygons.append(_box_ring(south, north, west, east))


def _read_title_dms(title: str, parts: _Parts) -> None:
    pair = dms_position(title)
    if pair:
        parts.points.append(pair)
        parts.notes.append(f"position read from the title's coordinates {_quote(title)} (the entry has no point)")


def dms_position(title: str) -> Pair | None:
    """Return (lat, lon) written in a title as degrees-minutes-seconds (24°10'19.56"S or #212345S/1483231E)."""
    title = title[:_TITLE_LIMIT]
    packed = _PACKED.search(title)
    if packed:
        d1, m1, s1, h1, d2, m2, s2, h2 = packed.groups()
        values = [(d1, m1, s1, h1), (d2, m2, s2, h2)]
    else:
        values = [m.groups() for m in _DMS.finditer(title)][:2]
    coords = {}
    for degrees, minutes, seconds, hemisphere in values:
        value = int(degrees) + int(minutes) / 60 + float(seconds) / 3600
        axis = "lat" if hemisphere in "NS" else "lon"
        coords[axis] = -value if hemisphere in "SW" else value
    pair = (coords.get("lat"), coords.get("lon"))
    return (round(pair[0], 6), round(pair[1], 6)) if None not in pair and _valid(pair) else None


def without_dms(title: str) -> str:
    """Return a title with its degrees-minutes-seconds coordinates taken out (the place name that is left)."""
    return _DMS.sub("", _PACKED.sub("", title[:_TITLE_LIMIT])).strip(" &,/;-")


def _assemble(parts: _Parts) -> Place:
    points = _distinct(parts.points + parts.centres)
    marker = points[0] if points else (None, None)
    shapes = []
    if parts.polygons:
        shapes.append(_multi("Polygon", [[ring] for ring in parts.polygons]))
    if parts.lines:
        shapes.append(_multi("LineString", parts.lines))
    if not shapes and len(points) > 1:
        shapes.append({"type": "MultiPoint", "coordinates": [[lon, lat] for lat, lon in points]})
    area = shapes[0] if len(shapes) == 1 else {"type": "GeometryCollection", "geometries": shapes} if shapes else None
    return Place(lat=marker[0], lon=marker[1], area=area, notes=parts.notes)


def _multi(kind: str, members: list) -> dict:
    if len(members) == 1:
        return {"type": kind, "coordinates": members[0]}
    if kind == "Polygon":
        return {"type": "MultiPolygon", "coordinates": members}
    return {"type": "MultiLineString", "coordinates": members}


def _ring(parts: _Parts, pairs: list[Pair] | None, label: str, home: Box | None) -> list[list[float]] | None:
    pairs = _oriented(parts, pairs, label, home, parts.points)
    if not pairs:
        return None
    ring = geo.closed_ring(pairs)
    if len(ring) < 4:
        parts.notes.append(f"{label[:80]} ignored: a polygon needs 3 or more points")
        return None
    return ring


def _add_pair(parts: _Parts, pairs: list[Pair] | None, label: str, home: Box | None, into: list) -> None:
    pairs = _oriented(parts, pairs, label, home, [])
    if pairs and len(pairs) == 1:
        into.append(pairs[0])
    elif pairs:
        parts.notes.append(f"{label[:80]} ignored: a point needs exactly one lat lon pair")


def _oriented(parts: _Parts, pairs: list[Pair] | None, label: str, home: Box | None,
              others: list[Pair]) -> list[Pair] | None:
    """Return the pairs as (lat, lon), swapped when the source evidently wrote lon,lat; None (noted) if unusable."""
    label = label[:120]
    if not pairs:
        parts.notes.append(f"{label} ignored: not a list of numbers")
        return None
    swapped = [(lon, lat) for lat, lon in pairs]
    as_written, reversed_ok = all(map(_valid, pairs)), all(map(_valid, swapped))
    if not as_written and not reversed_ok:
        parts.notes.append(f"{label} ignored: not positions on the globe")
        return None
    reason = _swap_reason(pairs, swapped, as_written, reversed_ok, home, others)
    if reason:
        parts.notes.append(f"{label} read as lon,lat ({reason})")
        return swapped
    return pairs


def _swap_reason(pairs, swapped, as_written: bool, reversed_ok: bool, home: Box | None, others) -> str | None:
    if not as_written:
        return "its first number is outside ±90, so it is a longitude"
    if not reversed_ok:
        return None
    if others:
        if _distance(swapped, others) < _distance(pairs, others):
            return "that reading lies next to the entry's other point"
        return None
    if home and all(_inside(p, home) for p in swapped) and not any(_inside(p, home) for p in pairs):
        return "the lat,lon reading falls outside the agency's area, the lon,lat reading inside it"
    return None


def _distance(pairs: list[Pair], others: list[Pair]) -> float:
    lat, lon = others[0]
    return min(math.hypot(p[0] - lat, p[1] - lon) for p in pairs)


def _inside(pair: Pair, box: Box) -> bool:
    return box[0] <= pair[0] <= box[1] and box[2] <= pair[1] <= box[3]


def _box_ring(south: float, north: float, west: float, east: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def _space_pairs(text: str) -> list[Pair] | None:
    values = [_number(v) for v in text.split()]
    if not values or len(values) % 2 or None in values:
        return None
    return list(zip(values[0::2], values[1::2]))


def _comma_pairs(text: str) -> list[Pair] | None:
    try:
        return geo.cap_pairs(text) or None
    except ValueError:
        return None


def _number(text: str) -> float | None:
    try:
        value = float(text.strip()) if len(text) < 40 else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _valid(pair: Pair) -> bool:
    return -90 <= pair[0] <= 90 and -180 <= pair[1] <= 180


def _distinct(pairs: list[Pair]) -> list[Pair]:
    seen, out = set(), []
    for lat, lon in pairs:
        key = (round(lat, 5), round(lon, 5))
        if key not in seen:
            seen.add(key)
            out.append((lat, lon))
    return out


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:37] + "...")
