"""NASA FIRMS active-fire CSV (MODIS C6/C6.1 or VIIRS 375 m): one event per fire, not per hotspot.

A FIRMS file lists satellite hotspots (one row per fire pixel per overpass);
a large fire is hundreds of rows. Rows are grouped by single-linkage
clustering: two hotspots are one fire when they are at most LINK_HOURS apart
in acquisition time and at most LINK_KM apart (great-circle), or further when
their pixels are large enough to touch (off-nadir MODIS pixels are up to
4.8 x 2 km, so a fixed 2 km would cut one fire front seen at the swath edge
into pieces); chains of links join. ``feeds.adapters.point_clusters`` does this with a
grid index on the sphere, near linear: the 2575 hotspots of the sample
cluster in about 0.03 s.

Per fire: lat/lon = centroid of the hotspots; area = convex hull of the
hotspot pixel footprints (scan x track km each, scan taken east-west), so even
one hotspot is a small polygon; occurred_at = earliest acquisition, sent_at =
latest; severity from the fire's strongest overpass (SEVERITY_BANDS).

The external id is the earliest hotspot's instrument, acquisition time and
position rounded to 0.01 degrees: it stays the same across polls while that
hotspot is in the file, and a fire that swallows another keeps the older id.
It changes when the earliest hotspot ages out of the feed window (poll the
48 h or 7 day product to keep fires stable longer). Ids cannot collide: two
hotspots of the same time in the same 0.01 degree cell are < 1.6 km apart,
so LINK_KM (>= 1.6) puts them in the same fire. The version is the hotspot
count plus the latest acquisition time.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from typing import Any, NamedTuple

from feeds.adapters import adapter_util as util
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.point_clusters import TimedPoint, TooDense, centroid, convex_hull, single_linkage

SOURCE = "firms"
TITLE = "NASA FIRMS active fires (MODIS / VIIRS CSV)"
FORMAT = "CSV (FIRMS MODIS C6 or VIIRS 375 m active-fire text format)"
DEFAULT_POLL_SECONDS = 900  # FIRMS adds new overpasses every few hours; NRT latency is about 3 h
EXAMPLE = "nasa_firms_modis_usa_24h_2020-09-30.csv"

LINK_KM = 2.0  # about two MODIS pixels: neighbouring fire pixels of one front link, separate farms do not
LINK_HOURS = 24.0  # a fire still burning at the next day's overpass stays the same fire
# Severity from the fire's strongest single overpass (FRP is instantaneous power, so summing it over
# overpasses means nothing): (lowest summed FRP in MW, lowest pixel count, severity), checked from
# the top, either bound suffices. On the Sept 2020 US sample: extreme = 2 megafires (Mullen WY, one
# in Baja California), severe = 16 large fronts (Glass, August Complex…), moderate = 82 fires worth
# a look, minor = 385 field burns and flares (half of all fires are one pixel under 25 MW).
SEVERITY_BANDS = ((5000.0, 50, "extreme"), (1000.0, 15, "severe"), (100.0, 4, "moderate"))
# FIRMS confidence: MODIS 0-100 (FIRMS: < 30 low, 30-79 nominal, >= 80 high), VIIRS l / n / h.
MODIS_CONFIDENCE = ((80, "high"), (30, "nominal"), (0, "low"))
VIIRS_CONFIDENCE = {"l": "low", "low": "low", "n": "nominal", "nominal": "nominal", "h": "high", "high": "high"}
CONFIDENCE_RANK = {"unknown": 0, "low": 1, "nominal": 2, "high": 3}
CERTAINTY = {"high": "observed", "nominal": "likely", "low": "possible", "unknown": "unknown"}
PIXEL_KM = {"MODIS": 1.0, "VIIRS": 0.375}  # nominal pixel size when scan/track are missing
MAX_PIXEL_KM = 5.0  # MODIS reaches 4.8 km along scan at the swath edge; a larger value is taken as missing
SATELLITES = {"T": "Terra", "A": "Aqua", "N": "Suomi NPP", "1": "NOAA-20", "N20": "NOAA-20",
              "2": "NOAA-21", "N21": "NOAA-21"}
MAX_LINK_WORK = 5_000_000  # distance tests one payload may cost (a few seconds); only a crafted file comes near

_REQUIRED = ("latitude", "longitude", "acq_date", "acq_time")
_MODIS_BRIGHTNESS = "brightness"
_VIIRS_BRIGHTNESS = "bright_ti4"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KM_PER_DEGREE_LAT = 110.574
_KM_PER_DEGREE_LON = 111.320


class Hotspot(NamedTuple):
    """One FIRMS row: a fire pixel seen by one overpass."""

    row: int
    lat: float
    lon: float
    at: datetime
    frp: float | None
    brightness: float | None
    scan_km: float
    track_km: float
    confidence: str  # low / nominal / high / unknown
    raw_confidence: str
    satellite: str
    daynight: str
    version: str


def detect(payload: bytes) -> bool:
    """Return True when the first line is a FIRMS MODIS or VIIRS CSV header."""
    head = bytes(payload[:400]).removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].lower()
    return (head.startswith(b"latitude,longitude,") and b"acq_date" in head and b"acq_time" in head
            and (b"bright_ti4" in head or b"brightness" in head))


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (data row index, reason) of the rows that could not be read."""
    util.check_source(source)
    instrument, hotspots, skipped = read_hotspots(payload)
    groups = clusters(hotspots)
    items = [{"instrument": instrument, "hotspots": group} for group in groups]
    events, failed = util.map_items(items, _event, source, TITLE)
    skipped += [(groups[index][0].row, f"fire of {len(groups[index])} hotspots: {reason}")
                for index, reason in failed]
    return events, sorted(skipped)


parse = util.events_only(parse_report)


def read_hotspots(payload: bytes) -> tuple[str, list[Hotspot], list[util.Skipped]]:
    """Return (instrument, readable hotspots, skipped rows) of a FIRMS CSV, or refuse it."""
    instrument, rows = _rows(payload)
    hotspots, skipped = _hotspots(rows, instrument)
    if rows and not hotspots:
        index, reason = skipped[0]
        raise PayloadRefused(f"none of the {len(rows)} rows is a readable hotspot; row {index}: {reason}")
    return instrument, hotspots, skipped


def _rows(payload: bytes) -> tuple[str, list[dict]]:
    """Return (instrument, rows as dicts) or refuse a payload that is not a FIRMS CSV."""
    if not isinstance(payload, (bytes, bytearray)):
        raise TypeError("payload must be bytes")
    if len(payload) > util.MAX_PAYLOAD_BYTES:
        raise PayloadRefused(f"payload is {len(payload)} bytes, more than {util.MAX_PAYLOAD_BYTES}")
    try:
        text = bytes(payload).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PayloadRefused("not UTF-8 text, so not a FIRMS CSV") from None
    if not text.strip():
        raise PayloadRefused("payload is empty")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in _REQUIRED if name not in header]
        if missing or not {_MODIS_BRIGHTNESS, _VIIRS_BRIGHTNESS} & set(header):
            first = " ".join(text.strip().splitlines()[0][:80].split())
            raise PayloadRefused(f"not a FIRMS active-fire CSV (first line {first!r})")
        reader.fieldnames = header
        rows = list(reader)
    except csv.Error as exc:
        raise PayloadRefused(f"unreadable CSV: {str(exc)[:200]}") from None
    return ("VIIRS" if _VIIRS_BRIGHTNESS in header else "MODIS"), rows


def _hotspots(rows: list[dict], instrument: str) -> tuple[list[Hotspot], list[util.Skipped]]:
    hotspots, skipped = [], []
    for index, row in enumerate(rows):
        try:
            hotspots.append(_hotspot(index, row, instrument))
        except util.SkipItem as exc:
            skipped.append((index, f"line {index + 2}: {exc.reason}"))
    return hotspots, skipped


def _hotspot(index: int, row: dict, instrument: str) -> Hotspot:
    """Read one CSV row; SkipItem names the bad field."""
    lat, lon = _number(row, "latitude", required=True), _number(row, "longitude", required=True)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise util.SkipItem(f"latitude/longitude {lat:g},{lon:g} is off the globe")
    raw_confidence = _cell(row, "confidence")
    brightness_key = _VIIRS_BRIGHTNESS if instrument == "VIIRS" else _MODIS_BRIGHTNESS
    return Hotspot(
        row=index, lat=lat, lon=lon, at=_acquired_at(row),
        frp=_number(row, "frp"), brightness=_number(row, brightness_key),
        scan_km=_pixel(row, "scan", instrument), track_km=_pixel(row, "track", instrument),
        confidence=_confidence(raw_confidence), raw_confidence=raw_confidence[:20],
        satellite=_cell(row, "satellite")[:20], daynight=_cell(row, "daynight")[:1].upper(),
        version=_cell(row, "version")[:20],
    )


def _cell(row: dict, key: str) -> str:
    value = row.get(key)
    return value.strip() if isinstance(value, str) else ""


def _number(row: dict, key: str, required: bool = False) -> float | None:
    """Return the finite number in column ``key``; empty is None (or SkipItem when required)."""
    text = _cell(row, key)
    if not text:
        if required:
            raise util.SkipItem(f"{key}: missing")
        return None
    try:
        value = float(text)
    except ValueError:
        raise util.SkipItem(f"{key}: {text[:30]!r} is not a number") from None
    if not math.isfinite(value):
        raise util.SkipItem(f"{key}: {text[:30]!r} is not a finite number")
    return value


def _pixel(row: dict, key: str, instrument: str) -> float:
    """Pixel size in km along scan or track; the instrument's nominal size when absent or absurd."""
    value = _number(row, key)
    return value if value is not None and 0 < value <= MAX_PIXEL_KM else PIXEL_KM[instrument]


def _acquired_at(row: dict) -> datetime:
    """acq_date YYYY-MM-DD plus acq_time HHMM (FIRMS sometimes drops leading zeros: 5 is 00:05), UTC."""
    return _moment(_cell(row, "acq_date"), _cell(row, "acq_time").replace(":", ""))


@functools.lru_cache(maxsize=4096)  # a file has a few dozen overpass times, repeated on every row
def _moment(date_text: str, time_text: str) -> datetime:
    if not (time_text.isascii() and time_text.isdigit() and len(time_text) <= 4):
        raise util.SkipItem(f"acq_time: {time_text[:20]!r} is not HHMM")
    hour, minute = divmod(int(time_text), 100)
    try:
        if not _DATE.fullmatch(date_text) or hour > 23 or minute > 59:
            raise ValueError
        day = date.fromisoformat(date_text)
    except ValueError:
        raise util.SkipItem(f"acq_date/acq_time: {date_text[:20]!r} {time_text!r} "
                            "is not a UTC date and HHMM") from None
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


def _confidence(raw: str) -> str:
    """Return low / nominal / high from MODIS 0-100 or VIIRS l/n/h, else unknown."""
    if raw.lower() in VIIRS_CONFIDENCE:
        return VIIRS_CONFIDENCE[raw.lower()]
    try:
        value = float(raw)
    except ValueError:
        return "unknown"
    if not 0 <= value <= 100:
        return "unknown"
    return next(level for low, level in MODIS_CONFIDENCE if value >= low)


def clusters(hotspots: list[Hotspot]) -> list[list[Hotspot]]:
    """Group hotspots into fires by single linkage; each fire time-sorted, fires by first sighting."""
    points = [TimedPoint(h.lat, h.lon, h.at.timestamp(), _half_diagonal(h)) for h in hotspots]
    try:
        groups = single_linkage(points, LINK_KM, LINK_HOURS * 3600, MAX_LINK_WORK)
    except TooDense as exc:
        raise PayloadRefused(f"hotspots too dense to cluster: {exc}") from None
    fires = [sorted((hotspots[i] for i in group), key=lambda h: (h.at, h.lat, h.lon)) for group in groups]
    return sorted(fires, key=lambda fire: (fire[0].at, fire[0].lat, fire[0].lon))


def _half_diagonal(h: Hotspot) -> float:
    """Half the pixel footprint's diagonal: two pixels whose footprints touch, even corner to corner, link."""
    return math.hypot(h.scan_km, h.track_km) / 2


def _event(item: dict) -> dict[str, Any]:
    instrument, fire = item["instrument"], item["hotspots"]
    first, last = fire[0], max(fire, key=lambda h: h.at)
    lat, lon = centroid((h.lat, h.lon) for h in fire)
    best = max(fire, key=_confidence_order)
    guessed = []
    area = _area(fire, lon)
    if area["type"] == "MultiPoint":
        guessed.append("the fire straddles the 180th meridian; area is its hotspots, not a hull")
    return {
        "external_id": _external_id(instrument, first),
        "version": f"{len(fire)}@{last.at:%Y-%m-%dT%H%MZ}",
        "sender": "NASA FIRMS",
        "category": "fire",
        "event": "Active fire (satellite hotspots)",
        "headline": _headline(fire, lat, lon),
        "description": _description(instrument, fire),
        "severity": _severity(fire),
        "certainty": CERTAINTY[best.confidence],
        "occurred_at": first.at,
        "sent_at": last.at,
        "lat": round(lat, 5),
        "lon": round(lon, 5),
        "area": area,
        "language": "en",
        "raw_level": f"confidence {best.raw_confidence}" if best.raw_confidence else None,
        "guessed": guessed,
    }


def _confidence_order(h: Hotspot) -> tuple[int, float]:
    """Sort key: the confidence class, then MODIS's number (so 100 beats 99, not as text)."""
    try:
        number = float(h.raw_confidence)
    except ValueError:
        number = 0.0
    return CONFIDENCE_RANK[h.confidence], number if math.isfinite(number) else 0.0


def _external_id(instrument: str, first: Hotspot) -> str:
    return f"firms:{instrument.lower()}:{first.at:%Y-%m-%dT%H%MZ}:{first.lat:.2f},{first.lon:.2f}"


def _area(fire: list[Hotspot], centre_lon: float) -> dict:
    """Return the convex hull of the hotspot pixel footprints as a GeoJSON Polygon."""
    corners = []
    for h in fire:
        offset = (h.lon - centre_lon + 180) % 360 - 180  # lon relative to the centre, unwrapped
        half_lat = h.track_km / 2 / _KM_PER_DEGREE_LAT
        half_lon = h.scan_km / 2 / (_KM_PER_DEGREE_LON * max(math.cos(math.radians(h.lat)), 0.01))
        corners += [(offset + sx * half_lon, h.lat + sy * half_lat) for sx in (-1, 1) for sy in (-1, 1)]
    ring = [[round(centre_lon + x, 5), round(max(-90.0, min(90.0, y)), 5)] for x, y in convex_hull(corners)]
    if any(not -180 <= x <= 180 for x, _ in ring):
        return {"type": "MultiPoint", "coordinates": [[h.lon, h.lat] for h in fire]}
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def _severity(fire: list[Hotspot]) -> str:
    power, pixels = _peak_overpass(fire)
    return next((severity for frp, count, severity in SEVERITY_BANDS if power >= frp or pixels >= count), "minor")


def _peak_overpass(fire: list[Hotspot]) -> tuple[float, int]:
    """Return the largest summed FRP (MW) and the largest pixel count of any one overpass (satellite + time)."""
    overpasses: dict[tuple[str, datetime], list[Hotspot]] = defaultdict(list)
    for h in fire:
        overpasses[(h.satellite, h.at)].append(h)
    groups = overpasses.values()
    return max(sum(h.frp or 0.0 for h in group) for group in groups), max(len(group) for group in groups)


def _headline(fire: list[Hotspot], lat: float, lon: float) -> str:
    powers = [h.frp for h in fire if h.frp is not None]
    power = f"max FRP {max(powers):.0f} MW" if powers else "FRP unknown"
    return f"Active fire: {_count(len(fire), 'hotspot')}, {power}, near {lat:.2f},{lon:.2f}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _description(instrument: str, fire: list[Hotspot]) -> str:
    first, last = fire[0].at, max(h.at for h in fire)
    satellites = sorted({SATELLITES.get(h.satellite.upper(), h.satellite) for h in fire if h.satellite})
    powers = [h.frp for h in fire if h.frp is not None]
    levels = Counter(h.confidence for h in fire)
    day = Counter(h.daynight for h in fire)
    brightness = [h.brightness for h in fire if h.brightness is not None]
    versions = sorted({h.version for h in fire if h.version})
    peak_power, peak_pixels = _peak_overpass(fire)
    lines = [
        f"{_count(len(fire), 'hotspot')} seen by {instrument} ({', '.join(satellites) or 'satellite not given'}) "
        f"from {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC",
        f"Strongest overpass {peak_power:.1f} MW; largest overpass {_count(peak_pixels, 'pixel')}",
        f"Max pixel fire radiative power {max(powers):.1f} MW" if powers else None,
        "Confidence: " + ", ".join(f"{levels[k]} {k}" for k in ("high", "nominal", "low", "unknown") if levels[k]),
        f"Day/night: {day['D']} day, {day['N']} night" if day["D"] or day["N"] else None,
        f"Max brightness temperature {max(brightness):.1f} K" if brightness else None,
        f"Product version {', '.join(versions)}" if versions else None,
    ]
    return "\n".join(line for line in lines if line)[:20000]
