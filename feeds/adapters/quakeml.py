"""QuakeML 1.2 (FDSN event web service XML, e.g. INGV, EMSC, USGS): one event per <event>.

Each <event publicID> names a preferred origin and magnitude by id (the first
of each when it does not, said in ``guessed``). Origin values sit in <value>
children: time (UTC by the QuakeML standard, even when written without an
offset), latitude, longitude, depth in metres. The event's <description> of
type "region name" (else any) is the place. An event whose <type> is "not
existing" was withdrawn by the agency: it becomes a cancel.

The version is the latest creationTime of the event, its preferred origin and
magnitude (a revision writes a new origin or magnitude), so a relocation or a
new magnitude is a new version; a withdrawal adds " not existing" so it is
never mistaken for a repeat of the last revision.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.usgs_quake import magnitude_severity
from feeds.adapters.xml_util import Element, child, child_text, children, parse_root

SOURCE = "quakeml"
TITLE = "QuakeML 1.2 earthquake events (FDSN event XML)"
FORMAT = "XML (QuakeML 1.2 <quakeml><eventParameters><event>…)"
DEFAULT_POLL_SECONDS = 60  # FDSN services publish a located quake within minutes
EXAMPLE = "ingv_italy_quakeml_2022-03-01.xml"

WITHDRAWN_TYPES = ("not existing",)  # QuakeML EventType for an event the agency deleted
REGION_TYPES = ("region name", "flinn-engdahl region")  # preferred <description> types, in order

_ROOT = "quakeml"
_EVENT_PARAMETERS = "eventParameters"
_EVENT = "event"
_PUBLIC_ID = "publicID"
_TYPE = "type"
_DESCRIPTION = "description"
_TEXT = "text"
_PREFERRED_ORIGIN = "preferredOriginID"
_PREFERRED_MAGNITUDE = "preferredMagnitudeID"
_ORIGIN = "origin"
_MAGNITUDE = "magnitude"
_CREATION_INFO = "creationInfo"
_CREATION_TIME = "creationTime"
_AGENCY = "agencyID"
_VALUE = "value"
_MARKERS = (b"quakeml.org/xmlns/bed/1.2", b"quakeml.org/xmlns/quakeml/1.2")
_HEAD_BYTES = 4096


def detect(payload: bytes) -> bool:
    """Return True when the head of the bytes declares the QuakeML 1.2 namespace."""
    head = bytes(payload[:_HEAD_BYTES])
    return b"<" in head and any(marker in head for marker in _MARKERS)


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (event index, reason) of the events that could not be mapped."""
    util.check_source(source)
    root, guesses = parse_root(payload, TITLE, _ROOT, "a QuakeML")
    parameters = child(root, _EVENT_PARAMETERS)
    if parameters is None:
        raise PayloadRefused("QuakeML document has no <eventParameters>")
    items = [{"element": element, "guesses": guesses} for element in children(parameters, _EVENT)]
    return util.map_items(items, _event, source, TITLE)


parse = util.events_only(parse_report)


def _event(item: dict) -> dict[str, Any]:
    element: Element = item["element"]
    guessed = list(item["guesses"])
    withdrawn = (child_text(element, _TYPE) or "").lower() in WITHDRAWN_TYPES
    origin = _preferred(element, _ORIGIN, _PREFERRED_ORIGIN, guessed)
    magnitude = _preferred(element, _MAGNITUDE, _PREFERRED_MAGNITUDE, guessed)
    lat, lon = _position(origin, withdrawn)
    mag = _value(magnitude, "mag")
    mag_type = child_text(magnitude, _TYPE)[:20] if magnitude is not None and child_text(magnitude, _TYPE) else None
    region = _region(element)
    sent_at = _sent_at(element, origin, magnitude)
    return {
        "external_id": _external_id(element),
        "version": _version(element, sent_at, withdrawn),
        "msg_type": "cancel" if withdrawn else "alert",
        "sender": _agency(element, origin),
        "category": "geo",
        "event": (child_text(element, _TYPE) or "earthquake").capitalize()[:256],
        "headline": _headline(mag, region, lat, lon, withdrawn),
        "description": _description(element, origin, mag, mag_type, region),
        "severity": magnitude_severity(mag),
        "certainty": "unknown" if withdrawn else "observed",
        "occurred_at": _time(origin, "time") if origin is not None else None,
        "sent_at": sent_at,
        "lat": lat,
        "lon": lon,
        "address": region,
        "language": "en",
        "raw_level": f"{mag_type or 'M'} {mag:g}" if mag is not None else None,
        "guessed": guessed,
    }


def _external_id(element: Element) -> str:
    value = (element.get(_PUBLIC_ID) or "").strip()
    if not value:
        raise util.SkipItem("publicID: a QuakeML event needs its publicID")
    return value


def _preferred(element: Element, name: str, preferred_tag: str, guessed: list[str]) -> Element | None:
    """Return the origin or magnitude the event prefers, else the first one (noted in ``guessed``)."""
    candidates = list(children(element, name))
    wanted = child_text(element, preferred_tag)
    found = next((c for c in candidates if wanted and c.get(_PUBLIC_ID) == wanted), None)
    if found is None and candidates:
        found = candidates[0]
        reason = f"{preferred_tag} {wanted[:80]!r} matches no {name}" if wanted else f"no {preferred_tag}"
        guessed.append(f"{reason}; used the first {name}")
    return found


def _value(parent: Element | None, name: str) -> float | None:
    """Return the number in <name><value>…</value></name>, or None when absent or not a finite number."""
    quantity = child(parent, name) if parent is not None else None
    text = child_text(quantity, _VALUE) if quantity is not None else None
    try:
        return util.as_number(float(text)) if text else None
    except ValueError:
        return None


def _position(origin: Element | None, withdrawn: bool) -> tuple[float | None, float | None]:
    lat, lon = _value(origin, "latitude"), _value(origin, "longitude")
    if lat is None or lon is None:
        if withdrawn:  # a withdrawal must still reach the duty room, position or not
            return None, None
        raise util.SkipItem("origin: a quake needs an origin with numeric latitude and longitude")
    return lat, lon


def _time(parent: Element, name: str) -> datetime | None:
    """Return the aware UTC time of <name><value>; QuakeML times are UTC, so a missing offset means UTC."""
    quantity = child(parent, name)
    text = child_text(quantity, _VALUE) if quantity is not None else None
    return _utc(text, f"{name}/value")


def _utc(text: str | None, field: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise util.SkipItem(f"{field}: {text[:40]!r} is not an ISO 8601 time") from None
    if moment.utcoffset() is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise util.SkipItem(f"{field}: {text[:40]!r} is out of range") from None


def _creation_time(element: Element | None) -> datetime | None:
    info = child(element, _CREATION_INFO) if element is not None else None
    if info is None:
        return None
    try:
        return _utc(child_text(info, _CREATION_TIME), _CREATION_TIME)
    except util.SkipItem:  # a broken revision stamp costs the version its time, not the quake
        return None


def _sent_at(element: Element, origin: Element | None, magnitude: Element | None) -> datetime | None:
    """Return the latest creationTime of the event, its origin and its magnitude."""
    stamps = [t for t in (_creation_time(e) for e in (element, origin, magnitude)) if t is not None]
    return max(stamps, default=None)


def _version(element: Element, sent_at: datetime | None, withdrawn: bool) -> str:
    """The latest revision time, else a digest of the event's XML (the document gave no creation time)."""
    if sent_at is not None:
        base = util.version_stamp(sent_at)
    else:
        text = "".join(element.itertext())
        base = "digest:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{base} not existing" if withdrawn else base


def _agency(element: Element, origin: Element | None) -> str | None:
    for part in (element, origin):
        info = child(part, _CREATION_INFO) if part is not None else None
        agency = child_text(info, _AGENCY) if info is not None else None
        if agency:
            return agency[:256]
    return None


def _region(element: Element) -> str | None:
    """Return the event's region name (the 'region name' description first)."""
    texts = {}
    for description in children(element, _DESCRIPTION):
        kind = (child_text(description, _TYPE) or "").lower()
        texts.setdefault(kind, child_text(description, _TEXT))
    for kind in REGION_TYPES:
        if texts.get(kind):
            return texts[kind][:512]
    return next((text[:512] for text in texts.values() if text), None)


def _headline(mag: float | None, region: str | None, lat: float | None, lon: float | None, withdrawn: bool) -> str:
    where = region or (f"{lat:.3f}, {lon:.3f}" if lat is not None and lon is not None else "unknown place")
    headline = f"M{mag:.1f} – {where}" if mag is not None else f"Earthquake – {where}"
    return f"Withdrawn (not existing): {headline}" if withdrawn else headline


def _description(element: Element, origin: Element | None, mag: float | None, mag_type: str | None,
                 region: str | None) -> str:
    depth_m = _value(origin, "depth")
    mode = child_text(origin, "evaluationMode") if origin is not None else None
    status = child_text(origin, "evaluationStatus") if origin is not None else None
    lines = [
        f"Magnitude {mag:g} {mag_type or ''}".rstrip() if mag is not None else None,
        f"Depth {depth_m / 1000:g} km" if depth_m is not None else None,
        f"Region: {region}" if region else None,
        f"Evaluation: {mode}" + (f" ({status})" if status else "") if mode else None,
        f"Event type: {child_text(element, _TYPE)}" if child_text(element, _TYPE) else None,
    ]
    return "\n".join(line for line in lines if line)
