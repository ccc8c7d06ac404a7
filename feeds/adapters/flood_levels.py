"""Flood thresholds per river gauge (feeds/adapters/water_thresholds/*.yaml), and the event a gauge reading becomes.

A gauge reading is a number, not an alert: it becomes one only against the
levels a file declares for its site and parameter (00065 gage height in ft,
00060 discharge in ft³/s). For each configured (site, parameter) the latest
reading of the payload decides, under one external id ``"<site>:<param>:flood"``:

- at or above ``record`` (optional): severity extreme;
- at or above ``danger``: severe;
- at or above ``warning``: moderate;
- below ``warning``: a **cancel** with the same external id.

``parse`` is pure and stateless, so it cannot know whether the gauge was over
its warning level before: every configured gauge under its warning level yields
a cancel on every poll. The ingest layer must ignore (or merely record) a
cancel for an incident that does not exist. ``version`` and ``sent_at`` are the
reading's time, so a later rise is newer than every earlier cancel. Sites and
parameters without thresholds produce nothing; that is not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterable

from feeds.adapters import adapter_util as util
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.yaml_config import ConfigError, Doc, read

THRESHOLDS_DIR = Path(__file__).resolve().parent / "water_thresholds"
DEFAULT_THRESHOLDS = "example"
# USGS parameter code -> (what it measures, the unit levels are given in, how feeds spell that unit)
PARAMETERS = {
    "00065": ("gage height", "ft", ("ft",)),
    "00060": ("discharge", "ft³/s", ("ft3/s", "ft^3/s", "cfs")),
}
DEFAULT_AGENCY = "USGS"
_SITE = re.compile(r"^(?:([A-Z]{2,10})-)?(\d{8,15})$")
_NAME = re.compile(r"^[a-z0-9_]{1,64}$")


class ThresholdError(ConfigError):
    """A flood-threshold file is wrong (unknown key, missing level, levels out of order); the message says where."""


@dataclass(frozen=True)
class Levels:
    """Flood levels of one parameter at one gauge, in the parameter's unit."""

    warning: float
    danger: float
    record: float | None = None


@dataclass(frozen=True)
class Site:
    """A configured gauge: its name, optional position, and levels by parameter code."""

    site_id: str
    name: str
    lat: float | None
    lon: float | None
    levels: dict[str, Levels]


@dataclass(frozen=True)
class Thresholds:
    """A checked thresholds file: sites by agency-prefixed id ("USGS-01491000")."""

    name: str
    sites: dict[str, Site]


@dataclass(frozen=True)
class Reading:
    """One gauge reading as an adapter found it (``index``: the payload item it came from)."""

    site_id: str
    param: str
    value: float
    text: str
    unit: str | None
    time: datetime
    index: int
    lat: float | None = None
    lon: float | None = None
    site_name: str | None = None
    approval: str | None = None
    notes: tuple[str, ...] = ()


def site_id(number: str, agency: str | None = None) -> str | None:
    """Return the agency-prefixed site id ("USGS-01491000") of "01491000" or "USGS-01491000", or None."""
    match = _SITE.match(number.strip())
    if not match:
        return None
    return f"{match[1] or agency or DEFAULT_AGENCY}-{match[2]}"


def load_thresholds(name_or_path: str | Path = DEFAULT_THRESHOLDS) -> Thresholds:
    """Return the checked thresholds named ``name_or_path`` (a file in water_thresholds/) or at that path."""
    if isinstance(name_or_path, Path) or not _NAME.match(str(name_or_path)):
        path = Path(name_or_path)
    else:
        path = THRESHOLDS_DIR / f"{name_or_path}.yaml"
        if not path.is_file():
            shipped = ", ".join(sorted(p.stem for p in THRESHOLDS_DIR.glob("*.yaml")))
            raise ThresholdError(str(name_or_path), f"no such thresholds file; shipped: {shipped}")
    doc = read(path, ThresholdError)
    top = doc.table((), doc.root, required=("sites",))
    sites = doc.pairs(("sites",), top["sites"])
    checked = [_site(doc, ("sites", key), key, value) for key, value in sites.items()]
    by_id = {}
    for site in checked:
        if site.site_id in by_id:
            doc.fail(("sites",), f"{site.site_id} is listed twice")
        by_id[site.site_id] = site
    return Thresholds(path.stem, by_id)


@cache
def default_thresholds() -> Thresholds:
    """Return the shipped example thresholds (read once)."""
    return load_thresholds(DEFAULT_THRESHOLDS)


def resolve(thresholds: Thresholds | str | Path | None) -> Thresholds:
    """Return loaded thresholds for a Thresholds, a name, a path, or None (the shipped example)."""
    if thresholds is None:
        return default_thresholds()
    return thresholds if isinstance(thresholds, Thresholds) else load_thresholds(thresholds)


def _site(doc: Doc, path: tuple, key: str, value: Any) -> Site:
    spec = doc.table(path, value, required=("name", "levels"), optional=("lat", "lon"))
    identifier = site_id(key)
    if identifier is None:
        doc.fail(path, f"{key!r} is not a site number such as \"01491000\" or \"USGS-01491000\"")
    lat = doc.number((*path, "lat"), spec["lat"]) if spec.get("lat") is not None else None
    lon = doc.number((*path, "lon"), spec["lon"]) if spec.get("lon") is not None else None
    if (lat is None) != (lon is None) or (lat is not None and not (abs(lat) <= 90 and abs(lon) <= 180)):
        doc.fail(path, "give both lat and lon, as WGS-84 degrees (lat -90..90, lon -180..180)")
    levels = doc.pairs((*path, "levels"), spec["levels"])
    if not levels:
        doc.fail((*path, "levels"), "give levels for at least one parameter code")
    return Site(identifier, doc.text((*path, "name"), spec["name"]), lat, lon,
                {code: _levels(doc, (*path, "levels", code), code, item) for code, item in levels.items()})


def _levels(doc: Doc, path: tuple, code: str, value: Any) -> Levels:
    if code not in PARAMETERS:
        known = ", ".join(f"{c} ({what}, {unit})" for c, (what, unit, _) in PARAMETERS.items())
        doc.fail(path, f"unknown parameter code {code!r} (known: {known})")
    spec = doc.table(path, value, required=("warning", "danger"), optional=("record",))
    warning = doc.number((*path, "warning"), spec["warning"])
    danger = doc.number((*path, "danger"), spec["danger"])
    record = doc.number((*path, "record"), spec["record"]) if spec.get("record") is not None else None
    if not warning < danger or (record is not None and not danger < record):
        doc.fail(path, "levels must rise: warning < danger < record")
    return Levels(warning, danger, record)


def latest(readings: Iterable[Reading]) -> list[Reading]:
    """Return the latest reading per (site, parameter); at the same time the higher value (two sensors)."""
    best: dict[tuple[str, str], Reading] = {}
    for reading in readings:
        key = (reading.site_id, reading.param)
        if key not in best or (reading.time, reading.value) > (best[key].time, best[key].value):
            best[key] = reading
    return list(best.values())


def read_payload(payload: bytes, source: str, thresholds: Thresholds | str | Path | None,
                 items_of: Callable[[Any], list], read: Callable[[Any, int], Reading], none_usable: str,
                 title: str) -> util.Report:
    """Return ``report`` of a gauge payload: ``items_of`` its JSON, each read by ``read``; refuse it if none is usable."""
    thresholds = resolve(thresholds)
    util.check_source(source)
    items = items_of(util.load_json(payload, title))
    readings, skipped = [], []
    for index, item in enumerate(items):
        try:
            readings.append(read(item, index))
        except util.SkipItem as exc:
            skipped.append((index, exc.reason))
    if items and not readings:
        raise PayloadRefused(f"none of the {len(items)} {none_usable}; item {skipped[0][0]}: {skipped[0][1]}")
    return report(readings, skipped, thresholds, source, title)


def report(readings: list[Reading], skipped: list[util.Skipped], thresholds: Thresholds, source: str,
           title: str) -> util.Report:
    """Return (events, skipped) for the configured readings; skipped indices are the payload's items."""
    util.check_source(source)
    chosen = [r for r in latest(readings) if r.param in _site_levels(thresholds, r.site_id)]
    events, failed = util.map_items([{"reading": r} for r in chosen],
                                    lambda item: flood_event(item["reading"], thresholds), source, title)
    skipped = skipped + [(chosen[index].index, reason) for index, reason in failed]
    return events, sorted(skipped)


def gauge_position(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """Return (lat, lon) of a gauge as a feed gives it, or (None, None) when missing or off the globe ((0, 0) too)."""
    if lat is None or lon is None or not (abs(lat) <= 90 and abs(lon) <= 180) or (lat == 0 and lon == 0):
        return None, None
    return lat, lon


def _site_levels(thresholds: Thresholds, identifier: str) -> dict[str, Levels]:
    site = thresholds.sites.get(identifier)
    return site.levels if site else {}


def flood_event(reading: Reading, thresholds: Thresholds) -> dict[str, Any]:
    """Map a configured reading to FeedEvent fields: an alert at or above warning, else a cancel."""
    site = thresholds.sites[reading.site_id]
    levels = site.levels[reading.param]
    what, unit, spellings = PARAMETERS[reading.param]
    if reading.unit and reading.unit.casefold() not in spellings:
        raise util.SkipItem(f"{reading.site_id} {reading.param}: unit {reading.unit[:20]!r}, thresholds are in {unit}")
    severity, stage, threshold = _stage(reading.value, levels)
    guessed = list(reading.notes)
    lat, lon = reading.lat, reading.lon
    if lat is None and site.lat is not None:
        lat, lon = site.lat, site.lon
        guessed.append(f"position from the thresholds file {thresholds.name}; the feed gave none usable")
    value = f"{reading.text} {unit}"
    if severity is None:
        headline = f"{site.name}: {what} {value}, below the warning level ({levels.warning:g} {unit})"
    else:
        headline = f"{site.name}: {what} {value}, at or above the {stage} level ({threshold:g} {unit})"
    return {
        "external_id": f"{reading.site_id}:{reading.param}:flood",
        "version": util.version_stamp(reading.time),
        "msg_type": "alert" if severity else "cancel",
        "sender": reading.site_id.split("-")[0],
        "category": "met",  # CAP 1.2: "Met - Meteorological (inc. flood)"
        "event": f"{what} above {stage} level" if severity else f"{what} below warning level",
        "headline": headline,
        "description": _description(reading, site, levels, unit),
        "severity": severity or "unknown",
        "certainty": "observed",
        "occurred_at": reading.time,
        "sent_at": reading.time,
        "lat": lat,
        "lon": lon,
        "address": site.name,
        "raw_level": value,
        "guessed": guessed,
    }


def _stage(value: float, levels: Levels) -> tuple[str | None, str, float]:
    if levels.record is not None and value >= levels.record:
        return "extreme", "record", levels.record
    if value >= levels.danger:
        return "severe", "danger", levels.danger
    if value >= levels.warning:
        return "moderate", "warning", levels.warning
    return None, "warning", levels.warning


def _description(reading: Reading, site: Site, levels: Levels, unit: str) -> str:
    record = f", record {levels.record:g}" if levels.record is not None else ""
    lines = [
        f"Reading {reading.text} {unit} at {reading.time.isoformat()} "
        f"(site {reading.site_id}, parameter {reading.param})",
        f"Levels ({unit}): warning {levels.warning:g}, danger {levels.danger:g}{record}",
    ]
    if reading.site_name:
        lines.append(f"Station: {reading.site_name}")
    if reading.approval:
        lines.append(f"Data: {reading.approval}")
    return "\n".join(lines)
