"""Reading one RSS item or Atom entry of a GeoRSS/CAP feed: elements by namespace, and feed times.

Namespaces are matched by a marker in their URI (CAP 1.1 and 1.2, GeoRSS with or
without a version suffix), so ``entry.text("cap", "severity")`` never confuses a
CAP category with an RSS ``<category>``. Times come as RFC 822 (RSS pubDate),
ISO 8601 (Atom) or day-first (IGN titles); a time without a UTC offset is read
in the agency's zone and the caller is told so, to put in ``guessed``.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from feeds.adapters import xml_util

CORE = "core"  # RSS 2.0 (no namespace), Atom, RSS 1.0
# (marker in the namespace URI, kind); dc before the RSS 1.0 URI, which is a prefix of its modules
_KINDS = (("emergency:cap", "cap"), ("georss", "georss"), ("wgs84_pos", "geo"), ("opengis.net/gml", "gml"),
          ("gdacs", "gdacs"), ("xmlns/dfes", "dfes"), ("purl.org/dc/elements", "dc"),
          ("w3.org/2005/atom", CORE), ("purl.org/rss/1.0/", CORE))
_TIME_LIMIT = 64  # longer "times" are not times; keeps every regex and parser here cheap
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")
_UT_SUFFIX = re.compile(r"\s*(?:UTC?|GMT|Z)$")


@dataclass(frozen=True)
class Zone:
    """The zone a feed's offset-less times are written in, and how to say so in ``guessed``."""

    offset: timedelta
    name: str


UTC_ZONE = Zone(timedelta(0), "UTC (the feed gives no zone)")


def kind(tag) -> str:
    """Return the namespace kind of a tag: core, cap, georss, geo, gml, gdacs, dfes, dc or other."""
    if not isinstance(tag, str):
        return "other"
    if not tag.startswith("{"):
        return CORE
    uri = tag[1:tag.find("}")].lower()
    return next((name for marker, name in _KINDS if marker in uri), "other")


class Entry:
    """One item or entry, its descendants indexed by (namespace kind, local name) in document order."""

    def __init__(self, element: xml_util.Element):
        self.element = element
        self._index: dict[tuple[str, str], list] = defaultdict(list)
        self._core: dict[str, list] = defaultdict(list)
        for node in element.iter():
            if node is not element:
                self._index[(kind(node.tag), xml_util.local(node.tag))].append(node)
        for node in element:
            if kind(node.tag) == CORE:
                self._core[xml_util.local(node.tag)].append(node)

    def elements(self, ns_kind: str, name: str) -> list:
        """Return every element of that kind and name, at any depth (direct children only for core)."""
        if ns_kind == CORE:
            return self._core.get(name, [])
        return self._index.get((ns_kind, name), [])

    def texts(self, ns_kind: str, name: str) -> list[str]:
        """Return the text of every such element ("" when empty)."""
        return [node.text or "" for node in self.elements(ns_kind, name)]

    def text(self, ns_kind: str, name: str) -> str | None:
        """Return the first non-empty text of such an element, whitespace collapsed, or None."""
        return next((" ".join(t.split()) for t in self.texts(ns_kind, name) if t.strip()), None)

    def has(self, ns_kind: str) -> bool:
        """True when the entry holds any element of that namespace kind."""
        return any(key[0] == ns_kind for key in self._index)

    def digest(self) -> str:
        """Return a short stable digest of the entry's content (a version when the item has no time)."""
        sha = hashlib.sha256()
        for node in self.element.iter():  # iterative, unlike ElementTree.tostring on deep trees
            for part in (node.tag, sorted(node.attrib.items()), node.text, node.tail):
                sha.update(repr(part).encode("utf-8", "replace"))
        return "sha256:" + sha.hexdigest()[:20]


def read_time(raw: str | None, label: str, zone: Zone = UTC_ZONE) -> tuple[datetime | None, str | None]:
    """Return (aware UTC time, note) for an RFC 822, ISO 8601 or day-first time; (None, note) when unreadable."""
    text = " ".join((raw or "").split())
    if not text:
        return None, None
    shown = text[:_TIME_LIMIT]
    if len(text) > _TIME_LIMIT:
        return None, f"{label} '{shown}…' is unreadable"
    moment, how = _parse(text)
    if moment is None:
        return None, f"{label} '{shown}' is unreadable"
    note = None
    if moment.tzinfo is None:
        not_rfc = " is not RFC 822 and" if label == "pubDate" and how != "rfc822" else ""
        note = f"{label} '{shown}'{not_rfc} has no UTC offset; read as {zone.name}"
        moment = moment.replace(tzinfo=timezone(zone.offset))
    try:
        return moment.astimezone(timezone.utc), note
    except (OverflowError, ValueError):
        return None, f"{label} '{shown}' is out of range"


def _parse(text: str) -> tuple[datetime | None, str]:
    explicit_utc = _UT_SUFFIX.search(text) is not None
    bare = _UT_SUFFIX.sub("", text) if explicit_utc else text
    for how, parser in (("iso", _parse_iso), ("rfc822", _rfc822), ("day-first", _day_first)):
        try:
            moment = parser(bare if how != "rfc822" else text)
        except (ValueError, TypeError, OverflowError, IndexError):
            continue
        if moment is not None:
            if explicit_utc and moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment, how
    return None, ""


def _parse_iso(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text[:1].isdigit() else None


def _rfc822(text: str) -> datetime:
    moment = parsedate_to_datetime(text)
    if moment.tzinfo is None and text.endswith("-0000"):  # RFC 5322: UTC, local zone unknown
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def _day_first(text: str) -> datetime | None:
    match = _DAY_FIRST.match(text)
    if not match:
        return None
    day, month, year, hour, minute, second, half = match.groups()
    year_number = int(year) + (2000 if len(year) == 2 else 0)
    hour_number = int(hour)
    if half:
        if not 1 <= hour_number <= 12:
            return None
        hour_number = hour_number % 12 + (12 if half.lower() == "pm" else 0)
    return datetime(year_number, int(month), int(day), hour_number, int(minute), int(second or 0))
