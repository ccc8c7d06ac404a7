"""OASIS CAP 1.1 / 1.2 alerts (any namespace or prefix): one FeedEvent per <info> block.

The external id is the alert's <identifier> for every <info> block. A CAP alert
in several languages (Iceland's is-IS and en-US) is one message about one
hazard, and a duty room wants ONE incident for it, not one per language; so
the blocks share the external id and differ by version: the sent time, plus
"#<language>" when the alert has several blocks, plus "#<n>" when two blocks
share a language (CAP lets later same-language blocks add areas or details).
The id is therefore never made unique per block: the version always is.

Alert fields: sender, sent, status, msgType, scope, references (the CAP
"sender,identifier,sent" triples, one string each) and incidents (added to
references as "incident:<id>", FeedEvent has no field of its own). Info
fields: first category, event, responseType, urgency, severity, certainty,
effective, onset (the occurred time; else effective, else sent), expires,
headline (else event and areaDesc), description, instruction, parameters. The
sender stays the alert's <sender>; <senderName> only stands in for a missing
headline. A Cancel (or any alert) without <info> is one event with the
references as its headline. Areas: see ``feeds.adapters.cap_area``.

Levels: the CAP severity is kept. The source's own level (a colour or level
parameter such as Taiwan's 紅色 or Iceland's Yellow, else an NWS VTEC string,
else the severity word) is ``raw_level``; only when the CAP severity is Unknown
does a recognised colour decide the severity, with a note in ``guessed``.
XML signatures are ignored, not verified (noted in ``guessed``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters.cap_area import CircleBudget, area_fields
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.xml_util import Element, child, child_text, children, local, parse_root
from feeds.event import MSG_TYPES, STATUSES
from feeds.vocabulary import severity_rank, warning_level

SOURCE = "cap"
TITLE = "OASIS CAP 1.1/1.2 alert"
FORMAT = "XML (OASIS CAP 1.1 or 1.2 <alert>, any namespace prefix)"
DEFAULT_POLL_SECONDS = 60  # CAP feeds carry warnings with minutes of lead time
EXAMPLE = "nws_hurricane_laura_warning_update_multipolygon_2020-08-26.cap"

CAP_NAMESPACE = b"urn:oasis:names:tc:emergency:cap:"
DEFAULT_LANGUAGE = "en-US"  # CAP 1.2 section 3.2.2: <language> defaults to en-US
MAX_INFO_BLOCKS = 500  # real alerts carry one block per language; more is a broken or hostile payload
SIGNATURE_GUESS = "the XML signature was not verified"

_HEAD_BYTES = 4096
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_START_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_MARKUP = re.compile(r"<\s*/?\s*(br|p|div|li|a)\b[^<>]*>", re.IGNORECASE)  # HTML inside a CAP text
_WORDS = re.compile(r"[\s;,/()]+")
_COLOUR_NAME = re.compile(r"colou?r")  # Color, alert_color, awareness_colour
_LEVEL_NAME = re.compile(r"(alert|warning|severity|awareness|signal)[ _-]?level")  # not a water level
_LIMITS = {"sender": 256, "event": 256, "scope": 32, "response_type": 64, "raw_level": 256,
           "description": 20000, "instruction": 20000}
_ALERT_ELEMENTS = ("identifier", "sender", "sent", "status", "msgType", "scope", "references", "incidents", "note")
_MAX_REFERENCES = 200
_MAX_GUESSES = 20


def root_name(payload: bytes) -> bytes | None:
    """Return the local name of the first start tag in the payload's head (a cheap sniff, no parse)."""
    if not isinstance(payload, (bytes, bytearray)):
        return None
    match = _START_TAG.search(_COMMENT.sub(b"", bytes(payload[:_HEAD_BYTES])))
    return match.group(1) if match else None


def detect(payload: bytes) -> bool:
    """Return True when the root element is a CAP <alert>."""
    return root_name(payload) == b"alert" and CAP_NAMESPACE in payload[:_HEAD_BYTES]


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (info index, reason) of the blocks that could not be mapped."""
    util.check_source(source)
    root, guesses = parse_root(payload, TITLE, "alert", "a CAP")
    return events_from_alert(root, source, guesses)


parse = util.events_only(parse_report)


def events_from_alert(alert: Element, source: str, guesses: list[str] = ()) -> util.Report:
    """Return (events, skipped) for one parsed CAP <alert> element."""
    return util.map_items(alert_items(alert, guesses), event_mapping, source, TITLE)


def alert_items(alert: Element, guesses: list[str] = (), circles: CircleBudget | None = None) -> list[dict]:
    """Return one item per <info> block (one for an alert without <info>), to map with ``event_mapping``.

    Pass one ``circles`` budget for all the alerts of a payload (EDXL-DE) so a payload's work stays bounded.
    """
    circles = CircleBudget() if circles is None else circles
    infos: list[Element | None] = list(children(alert, "info")) or [None]
    if len(infos) > MAX_INFO_BLOCKS:
        raise PayloadRefused(f"a CAP alert with {len(infos)} <info> blocks (more than {MAX_INFO_BLOCKS}) is refused")
    notes = [*guesses, *([SIGNATURE_GUESS] if child(alert, "Signature") is not None else [])]
    texts = _alert_texts(alert)  # read once, not once per <info> block
    languages = [_language(info) if info is not None else None for info in infos]
    suffixes = _version_suffixes(languages)
    return [{"alert": texts, "info": info, "language": language, "suffix": suffix, "guessed": notes,
             "circles": circles}
            for info, language, suffix in zip(infos, languages, suffixes)]


def event_mapping(item: dict) -> dict[str, Any]:
    """Return the FeedEvent fields of one alert item (raise SkipItem when it has no identifier or sent time)."""
    guessed = list(item["guessed"])
    fields = _alert_fields(item["alert"], guessed)
    fields["version"] = util.version_stamp(fields["sent_at"]) + item["suffix"]
    info = item["info"]
    fields.update(_info_fields(info, item, fields["sent_at"], guessed) if info is not None
                  else _no_info_fields(item["alert"], fields))
    fields["guessed"] = [note[:300] for note in list(dict.fromkeys(guessed))[:_MAX_GUESSES]]
    return fields


def _version_suffixes(languages: list[str | None]) -> list[str]:
    if len(languages) == 1:
        return [""]
    named = [language or "und" for language in languages]
    if len(set(named)) == len(named):
        return [f"#{language}" for language in named]
    return [f"#{language}#{number}" for number, language in enumerate(named, 1)]


def _alert_texts(alert: Element) -> dict[str, str | None]:
    """The text of the first of each alert-level element, in one pass over the alert's children."""
    texts: dict[str, str | None] = {}
    for element in alert:
        name = local(element.tag)
        if name in _ALERT_ELEMENTS and name not in texts:
            texts[name] = (element.text or "").strip() or None
    return texts


def _alert_fields(texts: dict[str, str | None], guessed: list[str]) -> dict[str, Any]:
    identifier = texts.get("identifier")
    if not identifier:
        raise util.SkipItem("identifier: a CAP alert needs its <identifier>")
    sent = texts.get("sent")
    if not sent:
        raise util.SkipItem("sent: a CAP alert needs its <sent> time")
    return {
        "external_id": identifier,
        "sender": _clip(texts.get("sender"), "sender", guessed),
        "sent_at": util.iso_time({"sent": sent}, "sent"),
        "status": _choice(texts, "status", STATUSES, "actual", guessed),
        "msg_type": _choice(texts, "msgType", MSG_TYPES, "alert", guessed),
        "scope": _clip(texts.get("scope"), "scope", guessed),
        "references": _references(texts, guessed),
    }


def _info_fields(info: Element, item: dict, sent_at: datetime, guessed: list[str]) -> dict[str, Any]:
    event = child_text(info, "event")
    area = area_fields(info, guessed, item["circles"])
    effective = _time(info, "effective", guessed)
    parameters = _parameters(info)
    cap_severity = child_text(info, "severity")
    return {
        "language": item["language"],
        "category": child_text(info, "category"),
        "event": _clip(event, "event", guessed),
        "response_type": _clip(child_text(info, "responseType"), "response_type", guessed),
        "urgency": child_text(info, "urgency"),
        "severity": _severity(cap_severity, parameters, guessed),
        "certainty": child_text(info, "certainty"),
        "occurred_at": _occurred_at(_time(info, "onset", guessed), effective, sent_at, guessed),
        "effective_at": effective or sent_at,  # CAP: effective defaults to sent
        "expires_at": _time(info, "expires", guessed),
        "headline": _headline(info, event, area["address"], guessed),
        "description": _text(info, "description", guessed),
        "instruction": _text(info, "instruction", guessed),
        "raw_level": _clip(_raw_level(parameters) or cap_severity, "raw_level", guessed),
        **area,
    }


def _no_info_fields(texts: dict[str, str | None], fields: dict[str, Any]) -> dict[str, Any]:
    triples = [ref for ref in fields["references"] if not ref.startswith("incident:")]
    cited = "; ".join(_cited(triple) for triple in triples)
    note = texts.get("note")
    if fields["msg_type"] == "cancel":
        headline = f"Cancelled: {cited or fields['external_id']}"
    else:
        headline = f"{fields['msg_type'].capitalize()} from {fields['sender'] or 'unknown sender'}: " \
                   f"{note or cited or fields['external_id']}"
    return {"headline": headline, "description": note, "severity": "unknown"}


def _cited(triple: str) -> str:
    """'sender,identifier,sent' as 'identifier (sender, sent …)' for a headline."""
    parts = triple.split(",")
    if len(parts) != 3:
        return triple
    sender, identifier, sent = parts
    return f"{identifier} ({sender}, sent {sent})"


def _choice(texts: dict[str, str | None], name: str, allowed: tuple, default: str, guessed: list[str]) -> str:
    value = texts.get(name)
    if value and value.lower() in allowed:
        return value.lower()
    # A missing or odd status is shown as real: missing a real alert is worse than paging on a broken one.
    guessed.append(f"{name} {(value or '(missing)')[:40]!r} is not a CAP value; read as {default.capitalize()}")
    return default


def _references(texts: dict[str, str | None], guessed: list[str]) -> list[str]:
    triples = (texts.get("references") or "").split()
    incidents = [f"incident:{name}" for name in (texts.get("incidents") or "").split()]
    references = [ref[:500] for ref in triples + incidents]
    if len(references) > _MAX_REFERENCES:
        guessed.append(f"only the first {_MAX_REFERENCES} of {len(references)} references were kept")
    return references[:_MAX_REFERENCES]


def _language(info: Element) -> str | None:
    """The <language> tag in its usual case (zh-tw -> zh-TW), CAP's en-US when absent, None when absurd."""
    tag = child_text(info, "language") or DEFAULT_LANGUAGE
    parts = tag.split("-")
    if len(tag) > 35 or not all(part.isascii() and part.isalnum() for part in parts):
        return None
    return "-".join([parts[0].lower()] + [_subtag(part) for part in parts[1:]])


def _subtag(part: str) -> str:
    return part.upper() if len(part) == 2 else part.title() if len(part) == 4 else part


def _time(info: Element, name: str, guessed: list[str]) -> datetime | None:
    try:
        return util.iso_time({name: child_text(info, name)}, name)
    except util.SkipItem as exc:  # one bad optional time must not lose the warning
        guessed.append(f"{exc.reason}; ignored")
        return None


def _occurred_at(onset: datetime | None, effective: datetime | None, sent_at: datetime,
                 guessed: list[str]) -> datetime:
    if onset:
        return onset
    guessed.append(f"no <onset>: the occurred time is the {'effective' if effective else 'sent'} time")
    return effective or sent_at


def _headline(info: Element, event: str | None, address: str | None, guessed: list[str]) -> str:
    headline = child_text(info, "headline")
    if headline:
        return headline
    guessed.append("no <headline>: made from the event and the area description")
    parts = [text for text in (event, address) if text]
    if len(parts) == 2:
        return f"{event} ({address})"
    return (parts or [child_text(info, "senderName") or "CAP alert without headline"])[0]


def _text(info: Element, name: str, guessed: list[str]) -> str | None:
    value = child_text(info, name)
    if value and _MARKUP.search(value):  # NSW RFS escapes HTML into plain CAP text
        value = util.plain_text(value, limit=_LIMITS[name] + 1)
    return _clip(value, name, guessed)


def _clip(value: str | None, name: str, guessed: list[str]) -> str | None:
    limit = _LIMITS[name]
    if value is None or len(value) <= limit:
        return value
    guessed.append(f"<{name}> cut to {limit} characters")
    return value[:limit]


def _parameters(info: Element) -> list[tuple[str, str]]:
    pairs = ((child_text(p, "valueName") or "", child_text(p, "value")) for p in children(info, "parameter"))
    return [(name.lower(), value) for name, value in pairs if value]


def _raw_level(parameters: list[tuple[str, str]]) -> str | None:
    """The source's own level: a colour parameter, else a level parameter, else the first line of NWS VTEC."""
    for wanted in (_COLOUR_NAME, _LEVEL_NAME):
        for name, value in parameters:
            if wanted.search(name):
                return value
    vtec = next((value for name, value in parameters if name.endswith("vtec")), None)
    return vtec.splitlines()[0].strip() if vtec else None


def _severity(cap_severity: str | None, parameters: list[tuple[str, str]], guessed: list[str]) -> str:
    if cap_severity and severity_rank(cap_severity.lower()):  # a CAP word other than Unknown
        return cap_severity.lower()
    for name, value in parameters:
        severity = _colour_severity(value) if _COLOUR_NAME.search(name) or _LEVEL_NAME.search(name) else None
        if severity:
            guessed.append(f"severity {cap_severity or '(missing)'!s:.20} replaced by {severity} "
                           f"from the {value[:20]!r} colour parameter")
            return severity
    return cap_severity or "unknown"  # FeedEvent maps a word outside CAP to unknown


def _colour_severity(value: str) -> str | None:
    """CAP severity of a colour word ('Yellow', '紅色', '2; yellow; Moderate', '橙色预警'), or None."""
    value = value.strip().lower()
    for word in [value, *_WORDS.split(value), value[:1] if value[1:2] == "色" else ""]:
        colour = warning_level(word)
        if colour:
            return colour.severity.value
    return None
