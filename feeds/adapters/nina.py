"""German federal warning app NINA (BBK warning.bund.de API, JSON): one event per warning.

Three shapes are read:

- a list of summary entries (mapData / dashboard): id, sent, onset?, expires?
  (or startDate / expiresDate), i18nTitle {de, en…}, and either top-level
  severity / type / transKeys or a ``payload.data`` object with headline,
  provider (MOWAS, DWD, BIWAPP…), severity, msgType, transKeys and area
  codes (compressed ZGEM, which only NINA's own tables can expand);
- one warning detail: CAP 1.2 mapped to JSON (identifier, sender, sent, status,
  msgType, scope, references, info[] with category list, event, urgency,
  severity, certainty, headline, HTML description and instruction, parameter[]
  and area[] with areaDesc and geocode[] {valueName, value});
- an object of such details keyed by identifier.

No shape carries geometry. ``region_code`` is the first real area code of the
detail (an ARS/AGS or warn-cell number; NINA's placeholder "AreaId 0" is not
one), else the single ARS of ``warnVerwaltungsbereiche``. Times are kept as
given, even the odd ones (a test fixture has sent 1999, expires 3021).
"""

from __future__ import annotations

from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters.cap_json import MSG_TYPES, STATUSES, capped, choice, cut, optional_time
from feeds.adapters.errors import PayloadRefused

SOURCE = "nina"
TITLE = "German NINA warnings (BBK warning.bund.de JSON)"
FORMAT = "JSON (NINA mapData/dashboard list, or warning details: CAP 1.2 as JSON)"
DEFAULT_POLL_SECONDS = 120  # NINA's own app refreshes every few minutes; MoWaS sirens go out separately
EXAMPLE = "nina_bbk_warning_details_corona_avian_flu.json"

PREFERRED_LANGUAGES = ("en", "de")  # the duty room reads English; NINA writes German first
# A summary entry has no CAP category: the provider says what kind of warning it is.
PROVIDER_CATEGORY = {"dwd": "met", "lhp": "met", "police": "security"}
WARN_AREAS_PARAMETER = "warnVerwaltungsbereiche"  # comma-separated ARS of the warned districts
SENDER_NAME_PARAMETER = "sender_langname"

_ID = "id"
_IDENTIFIER = "identifier"
_INFO = "info"
_PAYLOAD = "payload"
_DATA = "data"
_SENT = "sent"
_ONSET = "onset"
_EFFECTIVE = "effective"
_EXPIRES = "expires"
_START_DATE = "startDate"
_EXPIRES_DATE = "expiresDate"
_I18N_TITLE = "i18nTitle"
_TRANS_KEYS = "transKeys"
_PROVIDER = "provider"
_LANGUAGE = "language"
_AREA = "area"
_AREA_DESC = "areaDesc"
_GEOCODE = "geocode"
_PARAMETER = "parameter"
_REFERENCES = "references"
_MARKERS = (b'"i18nTitle"', b'"transKeys"', b"BBK-EVC-", b'"warnVerwaltungsbereiche"', b"mow.DE-", b"biw.BIWAPP")


def detect(payload: bytes) -> bool:
    """Return True when the bytes look like a NINA warning list or warning detail."""
    return payload[:64].lstrip()[:1] in (b"[", b"{") and any(marker in payload for marker in _MARKERS)


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (index, reason) of the warnings that could not be mapped."""
    document = util.load_json(payload, TITLE)
    if isinstance(document, list):
        return util.map_items(document, _summary_event, source, TITLE)
    if not isinstance(document, dict):
        raise PayloadRefused(f"neither a list of warnings nor a warning object, so not {TITLE}")
    if _IDENTIFIER in document or _INFO in document:
        return util.map_items([document], _detail_event, source, TITLE)
    if document and all(isinstance(value, dict) and _IDENTIFIER in value for value in document.values()):
        return util.map_items(list(document.values()), _detail_event, source, TITLE)
    raise PayloadRefused(f"not a NINA warning list, warning detail or details keyed by identifier, so not {TITLE}")


parse = util.events_only(parse_report)


def _summary_event(entry: dict) -> dict[str, Any]:
    data = util.obj(util.obj(entry.get(_PAYLOAD)).get(_DATA))
    both = {**entry, **data}  # the dashboard nests fields in payload.data; mapData keeps them at the top
    guessed: list[str] = []
    sent_at = optional_time(entry, _SENT, guessed) or optional_time(entry, _START_DATE, guessed)
    onset = optional_time(entry, _ONSET, guessed)
    title, language = _title(entry)
    provider = util.text(data, _PROVIDER)
    event_code = util.text(util.obj(both.get(_TRANS_KEYS)), "event")
    return {
        "external_id": _external_id(entry, _ID),
        "version": util.version_stamp(sent_at) or _summary_version(entry),
        "msg_type": choice(both, "msgType" if "msgType" in both else "type", MSG_TYPES, "alert", guessed),
        "sender": cut(provider, "sender"),
        "category": PROVIDER_CATEGORY.get((provider or "").lower(), "other"),
        "event": cut(event_code, "event"),
        "headline": util.text(data, "headline") or title,
        "description": _summary_description(data, provider, event_code),
        "severity": util.text(both, "severity"),
        "urgency": util.text(both, "urgency"),
        "occurred_at": onset or sent_at,
        "sent_at": sent_at,
        "expires_at": optional_time(entry, _EXPIRES, guessed) or optional_time(entry, _EXPIRES_DATE, guessed),
        "language": language,
        "raw_level": cut(util.text(both, "severity"), "raw_level"),
        "guessed": guessed,
    }


def _detail_event(alert: dict) -> dict[str, Any]:
    guessed: list[str] = []
    info = _info(alert)
    parameters = _pairs(info.get(_PARAMETER))
    sent_at = util.iso_time(alert, _SENT)
    onset, effective = optional_time(info, _ONSET, guessed), optional_time(info, _EFFECTIVE, guessed)
    areas = [util.obj(area) for area in (info.get(_AREA) if isinstance(info.get(_AREA), list) else [])]
    return {
        "external_id": _external_id(alert, _IDENTIFIER),
        "version": util.version_stamp(sent_at),
        "msg_type": choice(alert, "msgType", MSG_TYPES, "alert", guessed),
        "status": choice(alert, "status", STATUSES, "actual", guessed),
        "scope": cut(util.text(alert, "scope"), "scope"),
        "sender": cut(util.text(alert, "sender"), "sender"),
        "category": _first(info.get("category")),
        "event": cut(util.text(info, "event"), "event"),
        "headline": util.text(info, "headline") or util.text(info, "event"),
        "description": _detail_description(info, parameters),
        "instruction": cut(_plain(util.text(info, "instruction")), "instruction"),
        "response_type": cut(_first(info.get("responseType")), "response_type"),
        "severity": util.text(info, "severity"),
        "urgency": util.text(info, "urgency"),
        "certainty": util.text(info, "certainty"),
        "occurred_at": onset or effective or sent_at,
        "sent_at": sent_at,
        "effective_at": effective,
        "expires_at": optional_time(info, _EXPIRES, guessed),
        "address": cut("; ".join(filter(None, (util.text(a, _AREA_DESC) for a in areas))) or None, "address"),
        "region_code": _region_code(areas, parameters, guessed),
        "language": _language(util.text(info, _LANGUAGE)),
        "references": capped(_references(util.text(alert, _REFERENCES), guessed), guessed),
        "raw_level": cut(util.text(info, "severity"), "raw_level"),
        "guessed": guessed,
    }


def _external_id(item: dict, key: str) -> str:
    value = util.text(item, key)
    if not value:
        raise util.SkipItem(f"{key}: a NINA warning needs its id")
    return value


def _summary_version(entry: dict) -> str | None:
    """Without a sent time, NINA's own version number (or content hash) tells revisions apart."""
    payload = util.obj(entry.get(_PAYLOAD))
    number = util.number(entry, "version") or util.number(payload, "version")
    return f"v{number:g}" if number is not None else util.text(payload, "hash")


def _title(entry: dict) -> tuple[str | None, str | None]:
    """Return (title, language) from i18nTitle, English first."""
    titles = {key.lower(): value for key, value in util.obj(entry.get(_I18N_TITLE)).items()
              if isinstance(value, str) and value.strip()}
    for language in (*PREFERRED_LANGUAGES, *titles):
        if language in titles:
            return titles[language].strip(), language[:35]
    return None, None


def _info(alert: dict) -> dict:
    """Return the English info block when there is one, else the German, else the first."""
    raw = alert.get(_INFO)
    blocks = [block for block in raw if isinstance(block, dict)] if isinstance(raw, list) else []
    if not blocks:
        raise util.SkipItem("info: a NINA warning detail needs an info block")
    for language in PREFERRED_LANGUAGES:
        for block in blocks:
            if (util.text(block, _LANGUAGE) or "").lower().startswith(language):
                return block
    return blocks[0]


def _pairs(value: Any) -> list[tuple[str, str]]:
    """Return CAP valueName/value pairs of a JSON list as (name, value) tuples."""
    items = value if isinstance(value, list) else []
    pairs = [(util.text(util.obj(item), "valueName"), util.text(util.obj(item), "value")) for item in items]
    return [(name, text) for name, text in pairs if name and text]


def _first(value: Any) -> str | None:
    """Return the first string of a JSON list (CAP category and responseType are lists in NINA)."""
    values = util.strings(value) if isinstance(value, list) else []
    return values[0] if values else None


def _plain(text: str | None) -> str | None:
    """NINA texts are HTML (<br/>, &nbsp;): return plain lines."""
    return (util.plain_text(text) or None) if text else None


def _language(tag: str | None) -> str | None:
    """NINA writes 'DE' or 'de-DE'; return it in the usual case."""
    if not tag or len(tag) > 35 or not all(part.isascii() and part.isalnum() for part in tag.split("-")):
        return None
    head, *rest = tag.split("-")
    return "-".join([head.lower(), *(part.upper() for part in rest)])


def _region_code(areas: list[dict], parameters: list[tuple[str, str]], guessed: list[str]) -> str | None:
    codes = [value for area in areas for _, value in _pairs(area.get(_GEOCODE)) if _is_area_code(value)]
    if not codes:
        codes = [code.strip() for name, value in parameters if name == WARN_AREAS_PARAMETER
                 for code in value.split(",") if _is_area_code(code.strip())]
        if len(codes) > 1:  # several districts: no single code is honest
            return None
    if len(codes) > 1:
        guessed.append(f"region_code is the first of {len(codes)} area codes")
    return cut(codes[0], "region_code") if codes else None


def _is_area_code(value: str) -> bool:
    """An ARS/AGS or warn-cell number; 'AreaId 0' is NINA's placeholder for 'see areaDesc'."""
    return value.isascii() and value.isdigit() and value.strip("0") != "" and len(value) <= 64


def _references(text: str | None, guessed: list[str]) -> list[str]:
    """Return CAP 'sender,identifier,sent' references from NINA's space-separated string."""
    tokens = (text or "").split()
    if all(token.count(",") == 2 for token in tokens):
        return tokens
    parts = (text or "").split(",")
    firsts, seconds = (parts[0].split(), parts[1].split()) if len(parts) == 3 else ([], [])
    if firsts and len(firsts) == len(seconds) and len(parts[2].split()) == 1:
        # MoWaS has been seen writing three lists joined by commas: ids, "mow." ids, one sent time.
        guessed.append(f"references were three comma-joined lists, not CAP triples; "
                       f"paired them into {len(firsts)} references")
        return [f"{first},{second},{parts[2].strip()}" for first, second in zip(firsts, seconds)]
    guessed.append("references are not CAP 'sender,identifier,sent' triples; kept as given")
    return tokens


def _summary_description(data: dict, provider: str | None, event_code: str | None) -> str:
    area = util.obj(data.get(_AREA))
    area_type, area_data = util.text(area, "type"), util.text(area, _DATA)
    lines = [
        f"Provider: {provider}" if provider else None,
        f"Event code: {event_code}" if event_code else None,
        f"Area codes ({area_type or 'unknown type'}, compressed): {area_data}" if area_data else None,
    ]
    return cut("\n".join(line for line in lines if line), "description")


def _detail_description(info: dict, parameters: list[tuple[str, str]]) -> str:
    named = dict(parameters)
    sender_name = named.get(SENDER_NAME_PARAMETER) or util.text(info, "senderName")
    warn_areas = named.get(WARN_AREAS_PARAMETER)
    lines = [
        _plain(util.text(info, "description")),
        f"Issued by: {sender_name}" if sender_name else None,
        f"Contact: {util.text(info, 'contact')}" if util.text(info, "contact") else None,
        f"Web: {util.text(info, 'web')}" if util.text(info, "web") else None,
        f"Warned districts (ARS): {warn_areas.replace(',', ', ')}" if warn_areas else None,
    ]
    return cut("\n\n".join(line for line in lines if line), "description")
