"""USGS NWIS instantaneous values (waterservices.usgs.gov/nwis/iv, format=json) -> flood events via thresholds.

The answer is WaterML 1.1 as JSON: ``value.timeSeries[]``, one per site and
parameter, each with ``sourceInfo`` (siteName, siteCode[{value, agencyCode}],
geoLocation.geogLocation {srs, latitude, longitude}), ``variable``
(variableCode[{value}], unit.unitCode, noDataValue) and ``values[].value[]``
({value as text, dateTime with offset, qualifiers}). Several ``values`` blocks
are several sensors (methods).

Readings become events only through flood thresholds (``flood_levels``, files in
``feeds/adapters/water_thresholds/``): at or above warning an alert, below it a cancel
with the same external id ``"USGS-<site>:<param>:flood"``, on every poll. The
ingest layer must ignore a cancel for an incident that never existed. Sites
without thresholds produce nothing. Readings equal to noDataValue (-999999,
e.g. equipment failure) are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters import flood_levels
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.flood_levels import Reading, Thresholds, load_thresholds

__all__ = ["SOURCE", "load_thresholds", "detect", "parse", "parse_report"]

SOURCE = "nwis"
TITLE = "USGS NWIS instantaneous values (JSON) against flood thresholds"
FORMAT = "JSON (WaterML 1.1 timeSeriesResponseType, NWIS IV service)"
DEFAULT_POLL_SECONDS = 900  # gauges report every 15 min (some every 5); faster polling sees nothing new
EXAMPLE = "usgs_nwis_iv_choptank_seneca_2019-02-14.json"

# Position reference systems read as WGS-84: NAD83 is within about a metre of it in North America.
WGS84_LIKE = ("EPSG:4326", "EPSG:4269", "WGS84", "NAD83")

_VALUE = "value"
_SERIES = "timeSeries"
_SOURCE_INFO = "sourceInfo"
_SITE_NAME = "siteName"
_SITE_CODE = "siteCode"
_AGENCY = "agencyCode"
_GEO = "geoLocation"
_GEOG = "geogLocation"
_SRS = "srs"
_VARIABLE = "variable"
_VARIABLE_CODE = "variableCode"
_UNIT = "unit"
_UNIT_CODE = "unitCode"
_NO_DATA = "noDataValue"
_VALUES = "values"
_DATE_TIME = "dateTime"
_QUALIFIERS = "qualifiers"
_QUALIFIER_WORDS = {"P": "provisional", "A": "approved", "e": "estimated"}


def detect(payload: bytes) -> bool:
    """Return True when the bytes look like an NWIS WaterML-JSON answer."""
    head = payload[:4096]
    return b'"timeSeriesResponseType"' in head or (b'"timeSeries"' in payload and b'"sourceInfo"' in payload
                                                   and b'"variableCode"' in payload)


def parse_report(payload: bytes, source: str = SOURCE, thresholds: Thresholds | str | Path | None = None
                 ) -> util.Report:
    """Return (events, skipped) where skipped lists (timeSeries index, reason) of unreadable series."""
    return flood_levels.read_payload(payload, source, thresholds, _series, _reading,
                                     "time series has a usable reading", TITLE)


parse = util.events_only(parse_report)


def _series(document: Any) -> list:
    value = util.obj(document).get(_VALUE)
    series = util.obj(value).get(_SERIES)
    if not isinstance(series, list):
        raise PayloadRefused(f"no value.timeSeries list, so not {TITLE}")
    return series


def _reading(item: Any, index: int) -> Reading:
    """The latest usable reading of one time series (over all its sensors)."""
    if not isinstance(item, dict):
        raise util.SkipItem("item is not a JSON object")
    info = util.obj(item.get(_SOURCE_INFO))
    variable = util.obj(item.get(_VARIABLE))
    site, param = _site(info), _first_code(variable.get(_VARIABLE_CODE))
    if site is None or param is None:
        raise util.SkipItem("sourceInfo.siteCode or variable.variableCode is missing")
    values = [entry for block in _list(item.get(_VALUES)) for entry in _list(util.obj(block).get(_VALUE))]
    best = max(_readings(values, util.number(variable, _NO_DATA)), default=None)
    if best is None:
        raise util.SkipItem(f"{site} {param}: no usable reading")
    moment, number, text, qualifiers = best
    lat, lon, notes = _position(info)
    return Reading(site, param, number, text, util.text(util.obj(variable.get(_UNIT)), _UNIT_CODE), moment, index,
                   lat, lon, util.text(info, _SITE_NAME), _approval(qualifiers), notes)


def _site(info: dict) -> str | None:
    code = util.obj(next(iter(_list(info.get(_SITE_CODE))), None))
    number = util.text(code, _VALUE)
    return flood_levels.site_id(number, util.text(code, _AGENCY)) if number else None


def _first_code(codes: Any) -> str | None:
    return util.text(util.obj(next(iter(_list(codes)), None)), _VALUE)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _readings(values: list, no_data: float | None) -> list[tuple]:
    """(time, value, text, qualifiers) of every readable value that is not the no-data marker."""
    out = []
    for entry in values:
        entry = util.obj(entry)
        text = util.text(entry, _VALUE)
        try:
            number = float(text) if text else None
            moment = util.iso_time(entry, _DATE_TIME)
        except (ValueError, util.SkipItem):
            continue
        if number is None or moment is None or not abs(number) < 1e12 or number == no_data:
            continue
        shown = text if len(text) <= 20 else f"{number:g}"
        out.append((moment, number, shown, tuple(util.strings(entry.get(_QUALIFIERS)))))
    return out


def _approval(qualifiers: tuple[str, ...]) -> str | None:
    words = [_QUALIFIER_WORDS.get(code, code[:20]) for code in qualifiers[:5]]
    return ", ".join(words) or None


def _position(info: dict) -> tuple[float | None, float | None, tuple[str, ...]]:
    geog = util.obj(util.obj(info.get(_GEO)).get(_GEOG))
    lat, lon = flood_levels.gauge_position(util.number(geog, "latitude"), util.number(geog, "longitude"))
    if lat is None:
        return None, None, ()
    srs = util.text(geog, _SRS)
    if srs and srs.upper() not in WGS84_LIKE:
        return None, None, (f"the feed's position is in {srs[:40]}, not WGS-84; not used",)
    return lat, lon, ()
