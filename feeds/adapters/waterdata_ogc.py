"""USGS Water Data OGC API (api.waterdata.usgs.gov/ogcapi), latest-continuous readings -> flood events via thresholds.

The successor of NWIS answers OGC API - Features GeoJSON. The
``collections/latest-continuous/items`` FeatureCollection has one feature per
time series: properties monitoring_location_id ("USGS-06904500"),
parameter_code, statistic_id ("00011" = instantaneous), time (ISO with offset),
value (a string), unit_of_measure, approval_status, qualifier; the geometry is
the gauge as a GeoJSON Point [lon, lat] (sometimes null). A bundle object keyed
by collection name is read through its ``latest-continuous`` member; a
``continuous`` collection works too (the latest reading per series decides).
Daily statistics are not instantaneous readings and are skipped.

Readings become events only through flood thresholds, exactly as in ``nwis``
(see ``flood_levels``): at or above warning an alert, below it a cancel under the
same external id "<site>:<param>:flood", on every poll; the ingest layer must
ignore a cancel for an incident that never existed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters import flood_levels
from feeds.adapters import geojson_feed as geojson
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.flood_levels import Reading, Thresholds, load_thresholds

__all__ = ["SOURCE", "load_thresholds", "detect", "parse", "parse_report"]

SOURCE = "waterdata_ogc"
TITLE = "USGS Water Data OGC API latest-continuous readings against flood thresholds"
FORMAT = "GeoJSON FeatureCollection (OGC API - Features, latest-continuous), or a bundle keyed by collection"
DEFAULT_POLL_SECONDS = 900  # gauges report every 15 min
EXAMPLE = "usgs_waterdata_ogcapi_bundle_2026-08-07.json"

BUNDLE_MEMBER = "latest-continuous"
INSTANTANEOUS = "00011"

_SITE = "monitoring_location_id"
_PARAM = "parameter_code"
_STATISTIC = "statistic_id"
_TIME = "time"
_VALUE = "value"
_UNIT = "unit_of_measure"
_APPROVAL = "approval_status"
_QUALIFIER = "qualifier"


def detect(payload: bytes) -> bool:
    """Return True when the bytes look like OGC API water readings (a collection or a bundle)."""
    return (b'"monitoring_location_id"' in payload and b'"parameter_code"' in payload
            and b'"time_series_id"' in payload and b'"statistic_id"' in payload)


def parse_report(payload: bytes, source: str = SOURCE, thresholds: Thresholds | str | Path | None = None
                 ) -> util.Report:
    """Return (events, skipped) where skipped lists (feature index, reason) of unreadable features."""
    return flood_levels.read_payload(payload, source, thresholds, _features, _reading,
                                     "features is a usable reading", TITLE)


parse = util.events_only(parse_report)


def _features(document: Any) -> list:
    return geojson.features(_collection(document), TITLE)


def _collection(document: Any) -> Any:
    """The FeatureCollection itself, or a bundle's latest-continuous member."""
    if isinstance(document, dict) and "type" not in document and BUNDLE_MEMBER in document:
        return document[BUNDLE_MEMBER]
    if isinstance(document, dict) and "type" not in document:
        raise PayloadRefused(f"neither a FeatureCollection nor a bundle with {BUNDLE_MEMBER!r}, so not {TITLE}")
    return document


def _reading(feature: Any, index: int) -> Reading:
    if not isinstance(feature, dict):
        raise util.SkipItem("item is not a JSON object")
    props = geojson.properties(feature)
    site = flood_levels.site_id(util.text(props, _SITE) or "")
    param = util.text(props, _PARAM)
    if site is None or param is None:
        raise util.SkipItem(f"{_SITE} or {_PARAM} is missing or not a USGS site id")
    statistic = util.text(props, _STATISTIC)
    if statistic and statistic != INSTANTANEOUS:
        raise util.SkipItem(f"{site} {param}: statistic {statistic[:10]} is not an instantaneous reading")
    text = util.text(props, _VALUE) or _number_text(props.get(_VALUE))
    moment = util.iso_time(props, _TIME)
    try:
        number = float(text) if text else None
    except ValueError:
        number = None
    if number is None or moment is None or not abs(number) < 1e12:
        raise util.SkipItem(f"{site} {param}: no usable value and time")
    lat, lon = _point(feature.get(geojson.GEOMETRY))
    approval = util.first([util.text(props, _APPROVAL), ", ".join(util.strings(props.get(_QUALIFIER)))])
    return Reading(site, param, number, text if len(text) <= 20 else f"{number:g}", util.text(props, _UNIT),
                   moment, index, lat, lon, None, approval)


def _number_text(value: Any) -> str | None:
    number = util.as_number(value)
    return None if number is None else repr(number)


def _point(geometry: Any) -> tuple[float | None, float | None]:
    """(lat, lon) of a GeoJSON Point [lon, lat]; (None, None) for null or anything else."""
    geometry = util.obj(geometry)
    position = geojson.lon_lat(geometry.get(geojson.COORDINATES)) if geometry.get("type") == "Point" else None
    return flood_levels.gauge_position(position[1], position[0]) if position else (None, None)
