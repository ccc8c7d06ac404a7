"""USGS earthquake summary feeds (GeoJSON): one event per quake.

The summary feeds (earthquake.usgs.gov/earthquakes/feed/v1.0/summary/*.geojson)
and the FDSN event query in GeoJSON share this shape. Times are milliseconds
since 1970; coordinates are [lon, lat, depth km]. A quake is revised in place:
``updated`` moves, so it is the version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters import geojson_feed as geojson

SOURCE = "usgs_quake"
TITLE = "USGS earthquakes (GeoJSON summary feed)"
FORMAT = "GeoJSON FeatureCollection (USGS summary feed / FDSN event geojson)"
DEFAULT_POLL_SECONDS = 60  # the summary feeds are regenerated every minute
EXAMPLE = "usgs_all_day_2018-09-16.geojson"

# Lowest magnitude of each band, checked from the top; below the last band a quake is minor.
MAGNITUDE_BANDS = ((7.0, "extreme"), (6.0, "severe"), (4.5, "moderate"))
# PAGER (estimated losses) wins over magnitude when USGS has issued it.
PAGER_SEVERITY = {"red": "extreme", "orange": "severe", "yellow": "moderate", "green": "minor"}

_ID = "id"
_MAG = "mag"
_MAG_TYPE = "magType"
_PLACE = "place"
_TIME = "time"
_UPDATED = "updated"
_TITLE = "title"
_ALERT = "alert"
_STATUS = "status"  # automatic / reviewed / deleted: review state, not CAP status
_TYPE = "type"
_NET = "net"
_URL = "url"
_TSUNAMI = "tsunami"
_FELT = "felt"
_MARKERS = (b"earthquake.usgs.gov", b'"magType"')


def detect(payload: bytes) -> bool:
    """Return True when the bytes look like a USGS earthquake GeoJSON feed."""
    return b'"FeatureCollection"' in payload[:4096] and any(m in payload for m in _MARKERS)


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (index, reason) of the quakes that could not be mapped."""
    return geojson.report(payload, source, TITLE, _event)


parse = util.events_only(parse_report)


def _event(feature: dict) -> dict[str, Any]:
    props = geojson.properties(feature)
    lon, lat, rest = geojson.point(feature, "[lon, lat, depth]")
    depth = util.as_number(rest[0]) if rest else None
    occurred_at = _occurred_at(props)
    updated = _sent_at(props)
    return {
        "external_id": _external_id(feature),
        "version": util.version_stamp(updated or occurred_at),
        "msg_type": "cancel" if util.text(props, _STATUS) == "deleted" else "alert",
        "sender": _sender(props),
        "category": "geo",
        "event": _event_type(props),
        "headline": util.text(props, _TITLE) or _fallback_headline(props),
        "description": _description(props, depth),
        "severity": _severity(props),
        "certainty": "observed",
        "occurred_at": occurred_at,
        "sent_at": updated,
        "lat": lat,
        "lon": lon,
        "address": util.text(props, _PLACE),
        "language": "en",
        "raw_level": _raw_level(props),
    }


def _external_id(feature: dict) -> str:
    value = feature.get(_ID)
    if not isinstance(value, str) or not value.strip():
        raise util.SkipItem("id: a quake needs its USGS event id")
    return value


def _occurred_at(props: dict) -> datetime | None:
    """Origin time of the quake, aware UTC."""
    return util.epoch_ms(props, _TIME)


def _sent_at(props: dict) -> datetime | None:
    """Time USGS last revised the quake, aware UTC."""
    return util.epoch_ms(props, _UPDATED)


def _severity(props: dict) -> str:
    alert = util.text(props, _ALERT)
    if alert and alert.lower() in PAGER_SEVERITY:
        return PAGER_SEVERITY[alert.lower()]
    return magnitude_severity(util.number(props, _MAG))


def magnitude_severity(magnitude: float | None) -> str:
    """Return the CAP severity of a quake's magnitude (MAGNITUDE_BANDS); unknown without one."""
    if magnitude is None:
        return "unknown"
    return next((severity for low, severity in MAGNITUDE_BANDS if magnitude >= low), "minor")


def _raw_level(props: dict) -> str | None:
    magnitude = util.number(props, _MAG)
    alert = util.text(props, _ALERT)
    parts = ([f"M{magnitude:g}"] if magnitude is not None else []) + ([f"alert={alert}"] if alert else [])
    return " ".join(parts) or None


def _event_type(props: dict) -> str:
    kind = util.text(props, _TYPE)
    return kind.title() if kind else "Earthquake"


def _sender(props: dict) -> str:
    net = util.text(props, _NET)
    return f"USGS ({net})" if net else "USGS"


def _fallback_headline(props: dict) -> str:
    magnitude = util.number(props, _MAG)
    place = util.text(props, _PLACE) or "unknown place"
    return f"M {magnitude:.1f} - {place}" if magnitude is not None else f"Earthquake - {place}"


def _description(props: dict, depth: float | None) -> str:
    magnitude = util.number(props, _MAG)
    lines = [
        f"Magnitude {magnitude:g} {util.text(props, _MAG_TYPE) or ''}".rstrip() if magnitude is not None else None,
        f"Depth {depth:g} km" if depth is not None else None,
        f"Place: {util.text(props, _PLACE)}" if util.text(props, _PLACE) else None,
        f"Review status: {util.text(props, _STATUS)}" if util.text(props, _STATUS) else None,
        f"PAGER alert: {util.text(props, _ALERT)}" if util.text(props, _ALERT) else None,
        "Tsunami flag set (oceanic region; check the tsunami warning centres)"
        if util.number(props, _TSUNAMI) == 1 else None,
        f"Felt reports: {util.number(props, _FELT):g}" if util.number(props, _FELT) is not None else None,
        util.text(props, _URL),
    ]
    return "\n".join(line for line in lines if line)

