"""GeoRSS feeds: RSS 2.0 / RSS 1.0 / Atom with GeoRSS, W3C geo, GML or embedded CAP fields; one event per item.

Read generically: external_id is the item's guid / Atom id (else its link),
version its updated / pubDate time (else a digest of the item), the position
comes from georss:point/polygon/line/box, geo:lat/long, gml:pos, cap:polygon/
circle or gdacs:bbox (``georss_geo``), and CAP fields (cap:msgType, status,
category, event, urgency, severity, certainty, effective, expires, areaDesc,
geocode, parameter…) map one to one, also when NAAD writes them as Atom
``<category term="severity=Minor"/>``. Agency profiles (``georss_agency``) add
what only one agency writes: GDACS alert levels, QFES and WA DFES warning levels,
magnitudes in IGN, NRCan and USGS text. An item with no position and no event
field at all is a news item and is skipped with that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters import xml_util
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.georss_agency import Profile, profile_for
from feeds.adapters.georss_entry import CORE, Entry, read_time
from feeds.adapters.georss_geo import place
from feeds.event import CATEGORIES, MSG_TYPES, STATUSES

SOURCE = "georss"
TITLE = "GeoRSS / CAP-in-Atom feed (RSS 2.0, RSS 1.0 or Atom)"
FORMAT = "XML: RSS or Atom with georss:, geo:, gml: or cap: elements (GDACS, QFES, WA DFES, IGN, NRCan, NAAD…)"
DEFAULT_POLL_SECONDS = 300  # these feeds refresh every few minutes; GDACS and USGS ask for no more
EXAMPLE = "gdacs_multi_hazard_rss_2019-12-30.xml"

CAP_FIELDS = ("msgType", "status", "scope", "category", "event", "urgency", "severity", "certainty",
              "responseType", "language", "sender", "identifier", "instruction", "references",
              "effective", "onset", "expires", "sent")
_ENTRY = "entry"  # map_items takes dicts: each element travels under this key
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?(rss|feed|RDF)[\s>/]")
_MARKERS = (b"georss", b"w3.org/2003/01/geo", b"urn:oasis:names:tc:emergency:cap", b"opengis.net/gml")
_SNIFF_BYTES = 8192
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,3}$")
_ITEM_TIMES = (("updated", CORE, "updated"), ("pubDate", CORE, "pubDate"), ("published", CORE, "published"),
               ("dc:date", "dc", "date"), ("cap:sent", "cap", "sent"))
_FEED_TIMES = (("updated", "updated"), ("lastBuildDate", "lastBuildDate"), ("pubDate", "pubDate"), ("dc:date", "date"))
_LIMITS = {"event": 256, "sender": 256, "address": 512, "raw_level": 256, "scope": 32, "response_type": 64}
_MAX_NOTES, _NOTE_CHARS, _DESCRIPTION_CHARS = 20, 300, 20000


@dataclass(frozen=True)
class Feed:
    """What the feed header says about every item: agency profile, language, author, time, decoding guesses."""

    profile: Profile
    language: str | None
    author: str | None
    time: tuple[datetime | None, str]
    guesses: tuple[str, ...]


def detect(payload: bytes) -> bool:
    """Return True for an RSS/Atom root carrying GeoRSS, W3C geo, GML or CAP namespaces (not a bare CAP alert)."""
    head = payload[:_SNIFF_BYTES]
    root = _root_tag(head)
    return root is not None and any(marker in payload for marker in _MARKERS)


def _root_tag(head: bytes) -> bytes | None:
    """Return the root element's name after the BOM, declaration, comments and processing instructions."""
    at = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    for _ in range(20):
        at = len(head) - len(head[at:].lstrip())
        if head.startswith(b"<?", at):
            at = head.find(b"?>", at) + 2
        elif head.startswith(b"<!--", at):
            at = head.find(b"-->", at) + 3
        else:
            match = _ROOT.match(head, at)
            return match.group(1) if match else None
        if at < 3:  # the closing ?> or --> is missing
            return None
    return None


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (index, reason) of the items that could not be mapped."""
    util.check_source(source)
    root, guesses = xml_util.parse_xml(payload, TITLE)
    head, elements = _items(root)
    feed = _feed(root, head, guesses)
    kept, news = _without_news(elements, feed)
    events, skipped = util.map_items([{_ENTRY: outcome} for _, outcome in kept], _unwrap, source, TITLE)
    skipped = [(kept[index][0], reason) for index, reason in skipped] + news
    return events, sorted(skipped)


parse = util.events_only(parse_report)


class _NewsItem(util.SkipItem):
    """An item that is not an event at all (a feed's news post): skipped, and never counted against the feed."""


def _without_news(elements: list, feed: Feed) -> tuple[list, list]:
    """Map every item; return ([(index, fields or SkipItem)], [(index, reason)] of the news items set aside).

    A quiet NRCan feed holds only its news post: leaving news out before map_items
    keeps such a feed from being refused as "no readable item".
    """
    kept, news = [], []
    for index, element in enumerate(elements):
        try:
            kept.append((index, _event(Entry(element), feed)))
        except _NewsItem as exc:
            news.append((index, exc.reason))
        except util.SkipItem as exc:
            kept.append((index, exc))
    return kept, news


def _unwrap(item: dict) -> dict[str, Any]:
    outcome = item[_ENTRY]
    if isinstance(outcome, util.SkipItem):
        raise outcome
    return outcome


def _items(root) -> tuple[Any, list]:
    """Return (header element, item elements) of an RSS or Atom document, or refuse it."""
    name = xml_util.local(root.tag)
    if name == "feed":
        return root, list(xml_util.children(root, "entry"))
    if name == "rss":
        channel = xml_util.child(root, "channel")
        if channel is None:
            raise PayloadRefused("RSS document has no <channel>")
        return channel, list(xml_util.children(channel, "item"))
    if name == "RDF":
        channel = xml_util.child(root, "channel")
        return (channel if channel is not None else root), list(xml_util.children(root, "item"))
    raise PayloadRefused(f"root element <{name[:40]}> is not an RSS or Atom feed, so not {TITLE}")


def _feed(root, head, guesses: list[str]) -> Feed:
    header = [node for node in head if xml_util.local(node.tag) not in ("item", "entry")]
    signature = " ".join(_header_texts(header, root)).lower()
    profile = profile_for(signature)
    language = (xml_util.child_text(head, "language") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
                or _first_descendant_text(header, "language"))
    author = _author(head)
    return Feed(profile, language, author, _feed_time(head, profile), tuple(guesses))


def _header_texts(header: list, root) -> list[str]:
    texts = []
    for node in header:
        for part in node.iter():
            texts.extend(filter(None, (part.text, part.get("href"), part.get("uri"))))
    namespaces = {node.tag[1:node.tag.find("}")] for node in root.iter()
                  if isinstance(node.tag, str) and node.tag.startswith("{")}
    return [text[:500] for text in texts[:200]] + sorted(namespaces)[:50]


def _first_descendant_text(nodes: list, name: str) -> str | None:
    for node in nodes:
        if xml_util.local(node.tag) == name and node.text and node.text.strip():
            return node.text.strip()
    return None


def _author(element) -> str | None:
    author = xml_util.child(element, "author")
    name = xml_util.child_text(author, "name") if author is not None else None
    return " ".join(name.split()) if name else None


def _feed_time(head, profile: Profile) -> tuple[datetime | None, str]:
    for label, name in _FEED_TIMES:
        for node in head:
            if xml_util.local(node.tag) == name and (node.text or "").strip():
                moment, _note = read_time(node.text, label, profile.zone)
                if moment:
                    return moment, label
    return None, ""


def _event(entry: Entry, feed: Feed) -> dict[str, Any]:
    """Map one item or entry to FeedEvent fields; raise SkipItem for a news item or an item with no id."""
    profile, notes = feed.profile, list(feed.guesses)
    cap = _cap_reader(entry)
    fields: dict[str, Any] = {
        "external_id": _external_id(entry, cap, notes),
        "headline": entry.text(CORE, "title"),
        "msg_type": _choice(cap("msgType"), MSG_TYPES, "cap:msgType", notes),
        "status": _choice(cap("status"), STATUSES, "cap:status", notes),
        "scope": cap("scope"),
        "sender": _meaningful(cap("sender")) or _author(entry.element) or profile.sender or feed.author,
        "category": _category(cap("category")),
        "event": cap("event"),
        "description": _description(entry, profile),
        "instruction": cap("instruction"),
        "response_type": cap("responseType"),
        "severity": cap("severity"),
        "urgency": cap("urgency"),
        "certainty": cap("certainty"),
        "address": "; ".join(entry.texts("cap", "areaDesc")).strip("; ") or entry.text("georss", "featurename"),
        "language": _language(cap("language") or feed.language),
        "references": (cap("references") or "").split(),
        "raw_level": cap("severity"),
    }
    _times(entry, feed, cap, fields, notes)
    _position(entry, profile, fields, notes)
    if profile.refine:
        profile.refine(entry, fields, notes, profile)
    _defaults(profile, fields, notes)
    if fields["lat"] is None and fields["area"] is None and not (entry.has("cap") or fields["raw_level"]):
        raise _NewsItem("not an event (a news item): no position, no CAP field and no level")
    fields["guessed"] = [note[:_NOTE_CHARS] for note in dict.fromkeys(notes)][:_MAX_NOTES]
    return fields


def _cap_reader(entry: Entry):
    """Return cap(name): the entry's cap:<name>, else NAAD's <category term="name=value"/>."""
    terms = {}
    for node in entry.elements(CORE, "category"):
        key, sep, value = (node.get("term") or "").partition("=")
        if sep and key.strip() in CAP_FIELDS and value.strip():
            terms.setdefault(key.strip(), " ".join(value.split()))

    def cap(name: str) -> str | None:
        return entry.text("cap", name) or terms.get(name)
    return cap


def _external_id(entry: Entry, cap, notes: list[str]) -> str:
    found = entry.text(CORE, "id") or entry.text(CORE, "guid")
    if found:
        return found
    link = _link(entry)
    if link:
        notes.append("the item has no guid or id; its link is used as the id")
        return link
    identifier = _meaningful(cap("identifier"))
    if identifier:
        notes.append("the item has no guid, id or link; its cap:identifier is used as the id")
        return identifier
    raise util.SkipItem("id: the item has no guid, id, link or cap:identifier")


def _link(entry: Entry, media_type: str | None = None) -> str | None:
    for node in entry.elements(CORE, "link"):
        if media_type and node.get("type") != media_type:
            continue
        href = node.get("href") or node.text
        if href and href.strip():
            return "".join(href.split())
    return None


def _meaningful(value: str | None) -> str | None:
    """Return the value when it has a letter or digit (NWS indexes write '!' as sender and identifier)."""
    return value if value and any(ch.isalnum() for ch in value) else None


def _choice(value: str | None, allowed: tuple, label: str, notes: list[str]) -> str | None:
    if value is None or value.lower() in allowed:
        return value.lower() if value else None
    notes.append(f"{label} '{value[:40]}' is not a CAP value; ignored")
    return None


def _category(value: str | None) -> str | None:
    words = [w.lower() for w in (value or "").split()]
    return next((w for w in words if w in CATEGORIES), None)


def _language(value: str | None) -> str | None:
    return value if value and _LANGUAGE.match(value) else None


def _description(entry: Entry, profile: Profile) -> str:
    """Return the item's text as plain lines, plus depth/elevation, CAP codes and the CAP link."""
    body = next((_joined(e) for name in ("content", "summary", "description")
                 for e in entry.elements(CORE, name) if _joined(e).strip()), "")
    lines = [util.plain_text(body)] if body else []
    elevation = entry.text("georss", "elev")
    if elevation and elevation not in body:
        lines.append(f"Depth: {elevation} km" if profile.depth_km else f"Elevation: {elevation} m")
    codes = _codes(entry)
    if codes:
        lines.append(f"Codes: {codes}")
    cap_link = _link(entry, "application/cap+xml") or entry.text("gdacs", "cap")
    if cap_link:
        lines.append(f"CAP message: {cap_link}")
    return "\n".join(line for line in lines if line)[:_DESCRIPTION_CHARS]


def _joined(element) -> str:
    return "".join(element.itertext())


def _codes(entry: Entry) -> str:
    """Return cap:geocode / cap:parameter valueName-value pairs as 'NAME value; …' (empty values left out)."""
    pairs = []
    for node in entry.elements("cap", "geocode") + entry.elements("cap", "parameter"):
        name = None
        for part in node:
            text = " ".join((part.text or "").split())
            if xml_util.local(part.tag) == "valueName":
                name = text
            elif xml_util.local(part.tag) == "value" and text and name:
                pairs.append(f"{name} {text}")
    return "; ".join(pairs)[:2000]


def _times(entry: Entry, feed: Feed, cap, fields: dict, notes: list[str]) -> None:
    """Set sent_at and version from the item's own time, else the feed's time (said in guessed), else a digest."""
    zone = feed.profile.zone
    failures, sent, note = [], None, None
    for label, ns_kind, name in _ITEM_TIMES:
        raw = entry.text(ns_kind, name)
        sent, note = read_time(raw, label, zone)
        if sent:
            break
        if note:
            failures.append(note)
    if sent:
        if failures:
            notes.append(f"{'; '.join(failures)}; used {label}")
        if note:
            notes.append(note)
        fields.update(sent_at=sent, version=util.version_stamp(sent))
    else:
        _no_item_time(entry, feed, fields, notes, failures)
    for field_name, cap_name in (("effective_at", "effective"), ("occurred_at", "onset"), ("expires_at", "expires")):
        moment, note = read_time(cap(cap_name), f"cap:{cap_name}", zone)
        fields[field_name] = moment
        notes.extend([note] if note else [])


def _no_item_time(entry: Entry, feed: Feed, fields: dict, notes: list[str], failures: list[str]) -> None:
    problem = "; ".join(failures) or "the item has no updated or pubDate time"
    feed_time, label = feed.time
    if feed_time:
        notes.append(f"{problem}; used the feed's {label} time, version is a digest of the item")
    else:
        notes.append(f"{problem}; sent time left empty, version is a digest of the item")
    fields.update(sent_at=feed_time, version=entry.digest())


def _position(entry: Entry, profile: Profile, fields: dict, notes: list[str]) -> None:
    where = place(lambda kind, name: entry.texts(kind, name), entry.text(CORE, "title") or "", profile.home)
    fields.update(lat=where.lat, lon=where.lon, area=where.area)
    notes.extend(where.notes)


def _defaults(profile: Profile, fields: dict, notes: list[str]) -> None:
    """Fill what neither the item nor the agency said: the feed's usual category and event, CAP defaults."""
    if fields.get("category") is None and profile.category:
        fields["category"] = profile.category
        event = f" and event '{profile.event}'" if profile.event and not fields.get("event") else ""
        notes.append(f"category {profile.category}{event} taken from the feed ({profile.sender}), not the item")
    fields["event"] = fields.get("event") or profile.event
    fields["msg_type"] = fields.get("msg_type") or "alert"
    fields["status"] = fields.get("status") or "actual"
    fields["category"] = fields.get("category") or "other"
    fields["severity"] = fields.get("severity") or "unknown"
    for name, limit in _LIMITS.items():
        if isinstance(fields.get(name), str):
            fields[name] = fields[name][:limit]
