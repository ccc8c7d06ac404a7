"""US National Weather Service alerts API (api.weather.gov/alerts, GeoJSON-LD): one event per alert.

Each feature's properties are CAP 1.2 mapped to JSON: id, sent, effective,
onset, expires, ends, status, messageType, category, severity, certainty,
urgency, event, headline, description, instruction, response, areaDesc,
geocode {UGC, SAME}, affectedZones, references [{identifier, sender, sent}]
and parameters (NWSheadline, VTEC…, each a list). Most alerts carry no
geometry: their area is only the listed forecast zones, so ``area`` stays None,
``address`` is areaDesc and ``region_code`` the first UGC zone (said in
``guessed``). The plain JSON-LD form (``@graph`` of alert objects) and a single
alert (one Feature) are read too; an API problem answer is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters import geojson_feed as geojson
from feeds.adapters.cap_json import MSG_TYPES, STATUSES, capped, choice, cut, optional_time
from feeds.adapters.errors import PayloadRefused

SOURCE = "nws_api"
TITLE = "US National Weather Service alerts API (api.weather.gov)"
FORMAT = "GeoJSON-LD FeatureCollection (api.weather.gov /alerts)"
DEFAULT_POLL_SECONDS = 60  # warnings (tornado, flash flood) have minutes of lead time
EXAMPLE = "nws_api_flood_watch_update_no_geometry_2019-12-20.json"

LANGUAGE = "en-US"  # the API has no language field; CAP's default

_GRAPH = "@graph"
_ID = "id"
_SENT = "sent"
_EFFECTIVE = "effective"
_ONSET = "onset"
_EXPIRES = "expires"
_ENDS = "ends"
_STATUS = "status"
_MESSAGE_TYPE = "messageType"
_CATEGORY = "category"
_SEVERITY = "severity"
_CERTAINTY = "certainty"
_URGENCY = "urgency"
_EVENT = "event"
_SENDER = "sender"
_SENDER_NAME = "senderName"
_HEADLINE = "headline"
_DESCRIPTION = "description"
_INSTRUCTION = "instruction"
_RESPONSE = "response"
_AREA_DESC = "areaDesc"
_GEOCODE = "geocode"
_UGC = "UGC"
_REFERENCES = "references"
_IDENTIFIER = "identifier"
_PARAMETERS = "parameters"
_NWS_HEADLINE = "NWSheadline"
_VTEC = "VTEC"


def detect(payload: bytes) -> bool:
    """Return True when the bytes look like an api.weather.gov alerts answer."""
    return b"api.weather.gov" in payload[:4096] and b'"areaDesc"' in payload and b'"messageType"' in payload


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (index, reason) of the alerts that could not be mapped."""
    document = util.load_json(payload, TITLE)
    _refuse_problem(document)
    if isinstance(document, dict) and isinstance(document.get(_GRAPH), list):
        items = [{geojson.PROPERTIES: alert} for alert in document[_GRAPH]]
    else:
        items = geojson.features(document, TITLE)
    return util.map_items(items, _event, source, TITLE)


parse = util.events_only(parse_report)


def _refuse_problem(document: Any) -> None:
    """The API answers errors as application/problem+json: {type, title, status, detail}."""
    if (isinstance(document, dict) and "features" not in document and _GRAPH not in document
            and isinstance(document.get("status"), int) and ("title" in document or "detail" in document)):
        detail = util.text(document, "detail") or util.text(document, "title") or "no detail"
        raise PayloadRefused(f"api.weather.gov answered {document['status']}: {' '.join(detail[:200].split())}")


def _event(feature: dict) -> dict[str, Any]:
    props = geojson.properties(feature)
    guessed: list[str] = []
    zones = util.strings(util.obj(props.get(_GEOCODE)).get(_UGC))
    area = _area(feature)
    sent_at = _sent_at(props)
    effective = optional_time(props, _EFFECTIVE, guessed)
    return {
        "external_id": _external_id(feature, props),
        "version": util.version_stamp(sent_at),
        "msg_type": choice(props, _MESSAGE_TYPE, MSG_TYPES, "alert", guessed),
        "status": choice(props, _STATUS, STATUSES, "actual", guessed),
        "sender": cut(util.text(props, _SENDER), "sender"),
        "category": util.text(props, _CATEGORY),
        "event": cut(util.text(props, _EVENT), "event"),
        "headline": util.text(props, _HEADLINE) or _parameter(props, _NWS_HEADLINE) or util.text(props, _EVENT),
        "description": _description(props, zones),
        "instruction": cut(util.text(props, _INSTRUCTION), "instruction"),
        "response_type": cut(util.text(props, _RESPONSE), "response_type"),
        "severity": util.text(props, _SEVERITY),
        "urgency": util.text(props, _URGENCY),
        "certainty": util.text(props, _CERTAINTY),
        "occurred_at": optional_time(props, _ONSET, guessed) or effective,
        "sent_at": sent_at,
        "effective_at": effective,
        "expires_at": optional_time(props, _EXPIRES, guessed),
        "area": area,
        "address": cut(util.text(props, _AREA_DESC), "address"),
        "region_code": _region_code(zones, area, guessed),
        "language": LANGUAGE,
        "references": capped(_references(props), guessed),
        "raw_level": cut(_parameter(props, _VTEC) or util.text(props, _SEVERITY), "raw_level"),
        "guessed": guessed,
    }


def _external_id(feature: dict, props: dict) -> str:
    value = util.text(props, _ID) or util.text(feature, _ID)
    if not value:
        raise util.SkipItem("id: an alert needs its NWS id")
    return value


def _sent_at(props: dict) -> datetime:
    """The alert's sent time, aware UTC: it is the version, so an alert without one is skipped."""
    sent_at = util.iso_time(props, _SENT)
    if sent_at is None:
        raise util.SkipItem("sent: an alert needs its sent time")
    return sent_at


def _parameter(props: dict, name: str) -> str | None:
    """Return the first value of an NWS parameter (the API gives every parameter as a list)."""
    values = util.strings(util.obj(props.get(_PARAMETERS)).get(name))
    return values[0] if values else None


def _area(feature: dict) -> dict | None:
    geometry = feature.get(geojson.GEOMETRY)
    return geometry if isinstance(geometry, dict) else None  # FeedEvent validates it (or it is dropped, noted)


def _region_code(zones: list[str], area: dict | None, guessed: list[str]) -> str | None:
    if not zones:
        return None
    if area is None:
        shown = ", ".join(zones[:6]) + ("…" if len(zones) > 6 else "")
        guessed.append(f"no geometry in the alert; area only by {len(zones)} zone codes ({shown}); "
                       "region_code is the first")
    return cut(zones[0], "region_code")


def _references(props: dict) -> list[str]:
    """Return CAP 'sender,identifier,sent' strings for the alerts this one updates or cancels."""
    raw = props.get(_REFERENCES)
    references = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and util.text(item, _IDENTIFIER):
            references.append(",".join(util.text(item, key) or "" for key in (_SENDER, _IDENTIFIER, _SENT)))
        elif isinstance(item, str) and item.strip():  # an older API answer listed alert URLs
            references.append(item.strip())
    return references


def _description(props: dict, zones: list[str]) -> str:
    ends = util.text(props, _ENDS)
    sender_name = util.text(props, _SENDER_NAME)
    lines = [
        _parameter(props, _NWS_HEADLINE),
        util.text(props, _DESCRIPTION),
        f"Hazard ends: {ends}" if ends else None,
        f"Issued by: {sender_name}" if sender_name else None,
        f"Zones (UGC): {', '.join(zones)}" if zones else None,
    ]
    return cut("\n\n".join(line for line in lines if line), "description")
