"""Named hooks a CAD mapping may call where its YAML cannot say a source's quirk cleanly.

Two explicit tables, and the mapping loader refuses any name not in them:

- ``TIME_PARSERS``: ``time: {column: name, parser: polisen_name, timezone: ...}``.
  A parser gets the column text and the call's already-read main time (aware,
  or None while the main time itself is being read) and returns a datetime;
  a naive one is then read in the mapping's timezone. It raises ValueError
  when the text does not fit.
- ``DATUMS``: ``position: {..., datum: gcj02}``. Chinese web maps (AMap, Tencent)
  store GCJ-02 and Baidu stores BD-09, both offset by hundreds of metres from
  the WGS-84 our maps use; the converter returns WGS-84 (lat, lon).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Callable

# Polisen event names start with the event's local day and time: "06 juni 18.50, Trafikbrott, Kungsör".
_POLISEN_NAME = re.compile(r"\s*(\d{1,2}) ([a-zåäö]+) (\d{1,2})[.:](\d{2})\b")
_SWEDISH_MONTHS = {name: number for number, name in enumerate(
    ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
     "november", "december"), start=1)}

# GCJ-02 is published only as this forward formula (Krasovsky ellipsoid); the inverse is iterated.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0


def polisen_name(text: str, reference: datetime | None) -> datetime:
    """Return the naive local time at the start of a Polisen event name; the year is the publication's."""
    match = _POLISEN_NAME.match(text.lower())
    if not match or match[2] not in _SWEDISH_MONTHS or reference is None:
        raise ValueError(f"{text[:40]!r} does not start with 'day month HH.MM'")
    day, month, hour, minute = int(match[1]), _SWEDISH_MONTHS[match[2]], int(match[3]), int(match[4])
    year = reference.year
    moment = datetime(year, month, day, hour, minute)
    if moment - reference.replace(tzinfo=None) > timedelta(days=2):  # 31 december, published 1 january
        moment = moment.replace(year=year - 1)
    return moment


def _gcj_offset(lat: float, lon: float) -> tuple[float, float]:
    """Return the GCJ-02 (dlat, dlon) in degrees that the forward transform adds at a WGS-84 point."""
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _GCJ_EE * math.sin(rad) ** 2
    dlat = (dlat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * math.sqrt(magic)) * math.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / math.sqrt(magic) * math.cos(rad) * math.pi)
    return dlat, dlon


def _outside_china(lat: float, lon: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """Return the GCJ-02 position of a WGS-84 one (unchanged outside China)."""
    if _outside_china(lat, lon):
        return lat, lon
    dlat, dlon = _gcj_offset(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Return the WGS-84 position of a GCJ-02 one, to well under a metre (unchanged outside China)."""
    guess_lat, guess_lon = lat, lon
    for _ in range(5):
        shifted_lat, shifted_lon = wgs84_to_gcj02(guess_lat, guess_lon)
        guess_lat, guess_lon = guess_lat - (shifted_lat - lat), guess_lon - (shifted_lon - lon)
    return guess_lat, guess_lon


def bd09_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Return the WGS-84 position of a Baidu BD-09 one (via GCJ-02)."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _BD_X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_X_PI)
    return gcj02_to_wgs84(z * math.sin(theta), z * math.cos(theta))


def _same(lat: float, lon: float) -> tuple[float, float]:
    return lat, lon


TIME_PARSERS: dict[str, Callable[[str, datetime | None], datetime]] = {
    "polisen_name": polisen_name,
}
DATUMS: dict[str, Callable[[float, float], tuple[float, float]]] = {
    "wgs84": _same,
    "cgcs2000": _same,  # China's national datum; within centimetres of WGS-84
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
