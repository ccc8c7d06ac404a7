"""GeoNet (GNS Science, New Zealand) quake API (GeoJSON): one event per quake.

api.geonet.org.nz/quake?MMI=n answers a FeatureCollection; each quake has
publicID, time (ISO 8601 UTC), depth (km), magnitude, mmi (the modelled shaking
intensity, -1 when not computed), locality and quality (best / preliminary /
automatic / deleted). A ``deleted`` quake was retracted: it becomes a cancel.
The API gives no revision time, so the version is a digest of the quake's data:
any revision (or the deletion) is a new version, an identical repost is not.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters import geojson_feed as geojson

SOURCE = "geonet"
TITLE = "GeoNet New Zealand quakes (GeoJSON)"
FORMAT = "GeoJSON FeatureCollection (GeoNet /quake)"
DEFAULT_POLL_SECONDS = 60
EXAMPLE = "geonet_nz_quakes_mmi4_2019.geojson"

# Modified Mercalli intensity (lowest of each band, checked from the top); MMI 1-4 is minor.
MMI_BANDS = ((8, "extreme"), (7, "severe"), (5, "moderate"), (0, "minor"))

_PUBLIC_ID = "publicID"
_TIME = "time"
_DEPTH = "depth"
_MAGNITUDE = "magnitude"
_MMI = "mmi"
_LOCALITY = "locality"
_QUALITY = "quality"
_DELETED = "deleted"


def detect(payload: bytes) -> bool:
    """Return True when the bytes look like a GeoNet quake GeoJSON answer."""
    return b'"FeatureCollection"' in payload[:4096] and b'"publicID"' in payload and b'"locality"' in payload


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (index, reason) of the quakes that could not be mapped."""
    return geojson.report(payload, source, TITLE, _event)


parse = util.events_only(parse_report)


def _event(feature: dict) -> dict[str, Any]:
    props = geojson.properties(feature)
    lon, lat, _ = geojson.point(feature)
    deleted = util.text(props, _QUALITY) == _DELETED
    return {
        "external_id": _external_id(props),
        "version": _version(feature),
        "msg_type": "cancel" if deleted else "alert",
        "sender": "GeoNet",
        "category": "geo",
        "event": "Earthquake",
        "headline": _headline(props, deleted),
        "description": _description(props),
        "severity": _severity(props),
        "certainty": "unknown" if deleted else "observed",
        "occurred_at": _occurred_at(props),
        "lat": lat,
        "lon": lon,
        "address": util.text(props, _LOCALITY),
        "language": "en",
        "raw_level": _raw_level(props),
    }


def _external_id(props: dict) -> str:
    value = util.text(props, _PUBLIC_ID)
    if not value:
        raise util.SkipItem("publicID: a quake needs its GeoNet public id")
    return value


def _version(feature: dict) -> str:
    """Quality plus a digest of the quake's geometry and properties (the API has no revision time)."""
    canonical = json.dumps([feature.get(geojson.GEOMETRY), feature.get(geojson.PROPERTIES)], sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{util.text(geojson.properties(feature), _QUALITY) or 'unknown'}:{digest}"[:128]


def _occurred_at(props: dict) -> datetime | None:
    """Origin time of the quake, aware UTC."""
    return util.iso_time(props, _TIME)


def _severity(props: dict) -> str:
    mmi = util.number(props, _MMI)
    if mmi is None or mmi < 0:  # -1: GeoNet did not compute an intensity
        return "unknown"
    return next((severity for low, severity in MMI_BANDS if mmi >= low), "unknown")


def _raw_level(props: dict) -> str | None:
    mmi = util.number(props, _MMI)
    return f"MMI {mmi:g}" if mmi is not None else None


def _headline(props: dict, deleted: bool) -> str:
    magnitude = util.number(props, _MAGNITUDE)
    what = f"M{magnitude:.1f} quake" if magnitude is not None else "Quake"
    where = util.text(props, _LOCALITY)
    headline = f"{what}, {where}" if where else what
    return f"Deleted by GeoNet: {headline}" if deleted else headline


def _description(props: dict) -> str:
    magnitude = util.number(props, _MAGNITUDE)
    depth = util.number(props, _DEPTH)
    mmi = util.number(props, _MMI)
    lines = [
        f"Magnitude {magnitude:.2f}" if magnitude is not None else None,
        f"Depth {depth:.1f} km" if depth is not None else None,
        f"Intensity MMI {mmi:g}" if mmi is not None else None,
        f"Locality: {util.text(props, _LOCALITY)}" if util.text(props, _LOCALITY) else None,
        f"Quality: {util.text(props, _QUALITY)}" if util.text(props, _QUALITY) else None,
    ]
    return "\n".join(line for line in lines if line)
