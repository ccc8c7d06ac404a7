"""Agency profiles for GeoRSS feeds: who publishes, their zone and home area, and where each keeps the level.

A feed is matched to a profile by markers in its header (title, links, author,
namespaces). A profile's ``refine`` reads what only that agency writes (GDACS
alert level, QFES "Alert Level:" lines, WA DFES titles, magnitudes in IGN and
NRCan text) and fills the event fields the generic CAP/GeoRSS reading left empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from feeds.adapters import adapter_util as util
from feeds.adapters.georss_entry import CORE, UTC_ZONE, Entry, Zone, read_time
from feeds.adapters.georss_geo import Box, without_dms
from feeds.adapters.usgs_quake import magnitude_severity

# GDACS alert level -> CAP severity. Green is GDACS's "no international assistance needed" (minor); Orange and
# Red both mean international help may or will be needed, a significant (severe) or extraordinary (extreme) threat.
GDACS_SEVERITY = {"green": "minor", "orange": "severe", "red": "extreme"}
GDACS_EVENTS = {"EQ": ("Earthquake", "geo"), "TC": ("Tropical cyclone", "met"), "FL": ("Flood", "met"),
                "VO": ("Volcano", "geo"), "DR": ("Drought", "met"), "WF": ("Forest fire", "fire"),
                "TS": ("Tsunami", "geo")}
# Australian warning levels (QFES, WA DFES) -> CAP severity, as in nsw_rfs; QFES "Notification" is below Advice.
AUS_SEVERITY = {"emergency warning": "extreme", "watch and act": "severe", "advice": "moderate",
                "notification": "minor", "all clear": "minor", "cancellation": "minor"}
AUS_ENDING = ("all clear", "cancellation")  # levels that end a warning: CAP msgType Cancel
DFES_CATEGORY = {"bushfire": "fire", "fire": "fire", "burn off": "fire", "active alarm": "fire",
                 "road crash": "transport", "rescue": "rescue", "smell of gas": "safety", "hazmat": "cbrne",
                 "storm damage": "met", "storm": "met", "cyclone": "met", "flood": "met", "tsunami": "geo",
                 "earthquake": "geo", "other": "other"}

_AUS_LEVEL = re.compile(r"\b(emergency warning|watch and act|advice|all clear|cancellation)\b", re.IGNORECASE)
_QFES_LABELS = re.compile(r"(Alert Level|Reported \(UTC\)|Current Status|Details):")
_PSEUDO_XML = re.compile(r"<([A-Za-z][A-Za-z0-9]{0,40})>([^<]{0,500})</\1>")
_DFES_TYPE = re.compile(r"^([^()]{1,80}?)\s*\((.*?),\s*FCAD:\s*(\d+)\s*\)\s*$")  # incidents, not warnings
_IGN_TEXT = re.compile(r"magnitud\s+(\d{1,2}(?:[.,]\d{1,3})?)\s+en\s+(.{1,120}?)\s+en la fecha", re.IGNORECASE)
_IGN_TITLE_TIME = re.compile(r"(\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}:\d{2})")
_NRCAN_MAG = re.compile(r"\bM\s*=\s*(\d{1,2}(?:[.,]\d{1,3})?)|magnitude:\s*(\d{1,2}(?:[.,]\d{1,3})?)", re.IGNORECASE)
_NRCAN_TIME = re.compile(r"time:\s*(\d{4}-\d{2}-\d{2} \d{1,2}:\d{2}(?::\d{2})?) UT\b")
_NRCAN_PLACE = re.compile(r"M\s*=\s*[\d.,]+\s*-\s*(.+?)(?:\s+-\s+|$)")
_USGS_TITLE_MAG = re.compile(r"^M\s*(\d{1,2}(?:\.\d{1,3})?)\b")
_NAAD_ENDED = re.compile(r"\b(annulée?|terminée?|cancell?ed|ended)\s*$", re.IGNORECASE)
_NWS_EVENT = re.compile(r"^(.{3,120}?) issued ")
_SUMMARY_LINE = re.compile(r"^(Expires|Area):\s*(.+)$")
_SCAN_LIMIT = 5000  # agency regexes read the first characters of a text only


@dataclass(frozen=True)
class Profile:
    """An agency whose feed needs more than the generic reading."""

    key: str
    sender: str
    markers: tuple[str, ...] = ()
    category: str | None = None  # the agency's usual category, a guess from the feed
    event: str | None = None
    zone: Zone = UTC_ZONE
    home: Box | None = None  # decides lat,lon vs lon,lat when both readings are valid
    depth_km: bool = False  # georss:elev is a depth in km (USGS), not a height in m
    refine: Callable[[Entry, dict, list[str], "Profile"], None] | None = None


def _fill(fields: dict, name: str, value) -> None:
    if value not in (None, "") and fields.get(name) in (None, ""):
        fields[name] = value


def _set_magnitude(fields: dict, text: str | None) -> None:
    try:
        magnitude = float(text.replace(",", ".")) if text else None
    except ValueError:
        return
    if magnitude is not None:
        _fill(fields, "severity", magnitude_severity(magnitude))
        _fill(fields, "raw_level", f"M{magnitude:g}")


def _gdacs(entry: Entry, fields: dict, notes: list[str], profile: Profile) -> None:
    """GDACS: alert level, event type, country and the event's start."""
    level = entry.text("gdacs", "alertlevel")
    if level:
        _fill(fields, "severity", GDACS_SEVERITY.get(level.lower(), "unknown"))
        _fill(fields, "raw_level", level)
    code = (entry.text("gdacs", "eventtype") or "").upper()
    event, category = GDACS_EVENTS.get(code, (code or None, None))
    _fill(fields, "event", event)
    _fill(fields, "category", category)
    _fill(fields, "address", entry.text("gdacs", "country"))
    started, note = read_time(entry.text("gdacs", "fromdate"), "gdacs:fromdate", profile.zone)
    _fill(fields, "occurred_at", started)
    notes.extend([note] if note else [])


def _qfes(entry: Entry, fields: dict, notes: list[str], profile: Profile) -> None:
    """QFES: level from <category term>, 'Reported (UTC)', status and the HTML details as text."""
    content = _labelled(entry.text(CORE, "content") or "")
    terms = [node.get("term") for node in entry.elements(CORE, "category") if node.get("term")]
    level = terms[0].strip() if terms else content.get("Alert Level")
    if level:
        _fill(fields, "severity", AUS_SEVERITY.get(level.lower(), "unknown"))
        _fill(fields, "raw_level", level)
    reported_text = content.get("Reported (UTC)")
    reported, note = read_time(f"{reported_text} UTC" if reported_text else None, "Reported (UTC)", UTC_ZONE)
    _fill(fields, "occurred_at", reported)
    notes.extend([note] if note else [])
    lines = [f"Status: {content['Current Status']}"] if content.get("Current Status") else []
    lines.append(util.plain_text(content.get("Details", "")))
    fields["description"] = "\n".join(line for line in lines if line) or fields.get("description")
    title = fields.get("headline") or ""
    _fill(fields, "address", without_dms(title))


def _labelled(content: str) -> dict[str, str]:
    """Return the "Label: value" parts of a QFES content block (the first of each label)."""
    parts = _QFES_LABELS.split(content)
    found: dict[str, str] = {}
    for label, value in zip(parts[1::2], parts[2::2]):
        found.setdefault(label, " ".join(value.split()))
    return found


def _dfes(entry: Entry, fields: dict, notes: list[str], profile: Profile) -> None:
    """WA DFES: incident type and place from the title, or a warning's level and category."""
    title = fields.get("headline") or ""
    incident = _DFES_TYPE.match(title[:_SCAN_LIMIT])
    if incident:
        kind, where, _number = incident.groups()
        _fill(fields, "event", kind)
        _fill(fields, "address", ", ".join(p.strip() for p in where.split(",") if p.strip()))
        _fill(fields, "category", DFES_CATEGORY.get(kind.lower()))
        raw = entry.texts(CORE, "description")
        fields["description"] = _pseudo_xml_text(raw[0]) if raw else fields.get("description")
    else:
        _dfes_warning(entry, fields, notes, title)
    _fill(fields, "address", entry.text("dfes", "region"))


def _dfes_warning(entry: Entry, fields: dict, notes: list[str], title: str) -> None:
    """A DFES warning: level word in the title (Cancellation / All Clear end it), category line."""
    body = fields.get("description") or ""
    category = next((line.split(":", 1)[1].strip() for line in body.splitlines()[:5]
                     if line.startswith("Category:")), None)
    _fill(fields, "category", DFES_CATEGORY.get((category or "").lower()))
    match = _AUS_LEVEL.search(title[:_SCAN_LIMIT])
    if not match:
        _fill(fields, "event", category)
        return
    level = match.group(1)
    _fill(fields, "event", title[:match.start()].strip(" :-") or category)
    _fill(fields, "severity", AUS_SEVERITY[level.lower()])
    _fill(fields, "raw_level", level)
    if level.lower() in AUS_ENDING and fields.get("msg_type") is None:
        fields["msg_type"] = "cancel"
        notes.append(f"msgType cancel read from the title's level '{level}' (it ends the warning)")


def _pseudo_xml_text(raw: str) -> str:
    """Return DFES's '<region>X</region>…' description as 'Region: X' lines, after its leading words."""
    lead = raw.split("<", 1)[0].strip()
    pairs = _PSEUDO_XML.findall(raw[:_SCAN_LIMIT])
    lines = [f"{_words(tag)}: {' '.join(value.split())}" for tag, value in pairs if value.strip()]
    return "\n".join([lead, *lines] if lead else lines) or util.plain_text(raw)


def _words(tag: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", tag).capitalize()


def _ign(entry: Entry, fields: dict, notes: list[str], profile: Profile) -> None:
    """IGN: magnitude and region from the Spanish description, origin time from the title."""
    match = _IGN_TEXT.search((fields.get("description") or "")[:_SCAN_LIMIT])
    if match:
        magnitude, region = match.groups()
        _set_magnitude(fields, magnitude)
        _fill(fields, "address", region)
        fields["headline"] = f"M {magnitude.replace(',', '.')} - {region}"  # IGN's own title is only a time
    when = _IGN_TITLE_TIME.search(entry.text(CORE, "title") or "")
    if when:
        occurred, note = read_time(when.group(1), "title time", profile.zone)
        _fill(fields, "occurred_at", occurred)
        notes.extend([note] if note else [])


def _nrcan(entry: Entry, fields: dict, notes: list[str], profile: Profile) -> None:
    """NRCan: magnitude (French decimal comma), origin time in UT and place from the title."""
    text = f"{fields.get('headline') or ''}\n{fields.get('description') or ''}"[:_SCAN_LIMIT]
    magnitude = _NRCAN_MAG.search(text)
    if magnitude:
        _set_magnitude(fields, magnitude.group(1) or magnitude.group(2))
    when = _NRCAN_TIME.search(text)
    if when:
        occurred, _note = read_time(when.group(1) + " UT", "time", UTC_ZONE)
        _fill(fields, "occurred_at", occurred)
    where = _NRCAN_PLACE.search(fields.get("headline") or "")
    _fill(fields, "address", where.group(1).strip() if where else None)


def _usgs(entry: Entry, fields: dict, notes: list[str], profile: Profile) -> None:
    """USGS Atom: magnitude from <category label="Magnitude">, origin time from dc:date."""
    labelled = [node.get("term") for node in entry.elements(CORE, "category")
                if (node.get("label") or "").lower() == "magnitude"]
    title_mag = _USGS_TITLE_MAG.match(fields.get("headline") or "")
    _set_magnitude(fields, labelled[0] if labelled else title_mag.group(1) if title_mag else None)
    occurred, note = read_time(entry.text("dc", "date"), "dc:date", profile.zone)
    _fill(fields, "occurred_at", occurred)
    notes.extend([note] if note else [])


def _naad(entry: Entry, fields: dict, notes: list[str], profile: Profile) -> None:
    """NAAD: expiry and area from the summary lines; an 'annulé' bulletin with urgency Past ends the alert."""
    for line in (fields.get("description") or "").splitlines()[:10]:
        match = _SUMMARY_LINE.match(line)
        if match and match.group(1) == "Expires":
            expires, note = read_time(match.group(2), "summary Expires", profile.zone)
            _fill(fields, "expires_at", expires)
            notes.extend([note] if note else [])
        elif match:
            _fill(fields, "address", match.group(2))
    title = fields.get("headline") or ""
    ended = _NAAD_ENDED.search(title[:_SCAN_LIMIT])
    if ended and fields.get("msg_type") in (None, "update") and (fields.get("urgency") or "").lower() == "past":
        notes.append(f"msgType {fields.get('msg_type') or 'missing'} read as cancel: the headline ends in "
                     f"'{ended.group(1)}' and urgency is Past")
        fields["msg_type"] = "cancel"


def _nws(entry: Entry, fields: dict, notes: list[str], profile: Profile) -> None:
    """NWS index: without cap:event, the event is the title before ' issued '."""
    if not fields.get("event"):
        match = _NWS_EVENT.match(fields.get("headline") or "")
        if match:
            fields["event"] = match.group(1)
            notes.append("no cap:event; event read from the title")


GENERIC = Profile("generic", sender="")
PROFILES = (
    Profile("gdacs", "GDACS (European Commission JRC / UN OCHA)", ("gdacs.org",), refine=_gdacs),
    Profile("qfes", "Queensland Fire and Emergency Services",
            ("queensland fire and emergency", "ruralfire.qld.gov.au", "qfes"), category="fire", event="Bushfire",
            zone=Zone(timedelta(0), "UTC (the entry's 'Reported (UTC)' line shows the feed's times are UTC)"),
            refine=_qfes),
    Profile("dfes", "Department of Fire and Emergency Services, Western Australia",
            ("emergency.wa.gov", "dfes"), category="fire",
            zone=Zone(timedelta(hours=8), "Western Australia time (AWST, UTC+08:00)"),
            refine=_dfes),
    Profile("ign", "Instituto Geográfico Nacional, Spain", ("ign.es",), category="geo", event="Earthquake",
            zone=Zone(timedelta(0), "UTC (the IGN catalogue's time base)"), refine=_ign),
    Profile("nrcan", "Natural Resources Canada", ("rncan.gc.ca", "nrcan.gc.ca", "earthquakescanada"),
            category="geo", event="Earthquake", refine=_nrcan),
    Profile("usgs", "U.S. Geological Survey", ("earthquake.usgs.gov",), category="geo", event="Earthquake",
            depth_km=True, refine=_usgs),
    Profile("naad", "Pelmorex NAAD System", ("naad-adna", "pelmorex"), refine=_naad),
    Profile("nws", "National Weather Service", ("alerts.weather.gov",), refine=_nws),
    # Krisinformation writes cap:circle as lon,lat; Sweden's box tells the two readings apart
    Profile("krisinformation", "Krisinformation.se", ("krisinformation.se",), home=(55.0, 69.2, 10.5, 24.3)),
)


def profile_for(signature: str) -> Profile:
    """Return the profile whose marker appears in the feed header (lower-cased), else the generic one."""
    return next((p for p in PROFILES if any(marker in signature for marker in p.markers)), GENERIC)
