"""QWeather (和风天气) relays of China Meteorological Administration warnings, two schemas.

- v7 ``/v7/warning/now``: ``{"code": "200", "warning": [...]}``, each warning with
  id, sender, pubTime, title, startTime, endTime, status (active / update /
  cancel), severityColor, typeName, text, related (the id it updates or cancels).
- v1 ``/weatheralert/v1/current``: ``{"metadata": ..., "alerts": [...]}``, each
  alert with id, senderName, issuedTime, msgType + relatedAlertIds (Sept 2025
  schema) or messageType.code + messageType.supersedes (current schema),
  color.code, event or eventType.name, headline, description, instruction.

The warning colour (预警级别) is the severity: red/orange/yellow/blue map to
CAP extreme/severe/moderate/minor. The payloads carry no coordinates, so the
events have no position; the issuing office goes into ``address``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from feeds.adapters import adapter_util as util
from feeds.adapters.errors import PayloadRefused
from feeds.vocabulary import warning_level

SOURCE = "qweather"
TITLE = "QWeather relays of CMA weather warnings (v7 warning/now, v1 weatheralert)"
FORMAT = "JSON (QWeather v7 /warning/now or v1 /weatheralert)"
DEFAULT_POLL_SECONDS = 300  # QWeather bills per request; CMA warnings change in minutes, not seconds
EXAMPLE = "qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json"  # v7: see tests/feeds

# v7 status -> CAP msgType
V7_MSG_TYPES = {"active": "alert", "update": "update", "cancel": "cancel"}
LANGUAGE = "zh-CN"

_V7_LIST = "warning"
_V7_CODE = "code"
_V7_OK, _V7_NO_DATA = "200", "204"
_V7_ID = "id"
_V7_SENDER = "sender"
_V7_PUB_TIME = "pubTime"
_V7_TITLE = "title"
_V7_START = "startTime"
_V7_END = "endTime"
_V7_STATUS = "status"
_V7_LEVEL = "level"  # deprecated Chinese colour name, often ""
_V7_SEVERITY = "severity"
_V7_COLOUR = "severityColor"
_V7_TYPE_NAME = "typeName"
_V7_URGENCY = "urgency"
_V7_CERTAINTY = "certainty"
_V7_TEXT = "text"
_V7_RELATED = "related"

_V1_LIST = "alerts"
_V1_ERROR = "error"
_V1_ID = "id"
_V1_SENDER = "senderName"
_V1_ISSUED = "issuedTime"
_V1_MSG_TYPE = "msgType"  # Sept 2025 schema
_V1_RELATED = "relatedAlertIds"  # Sept 2025 schema
_V1_MESSAGE_TYPE = "messageType"  # current schema: {"code": ..., "supersedes": [...]}
_V1_EVENT = "event"  # Sept 2025 schema
_V1_EVENT_TYPE = "eventType"  # current schema: {"name": ..., "code": ...}
_V1_SEVERITY = "severity"
_V1_URGENCY = "urgency"
_V1_CERTAINTY = "certainty"
_V1_COLOUR = "color"
_V1_ONSET = "onsetTime"
_V1_EFFECTIVE = "effectiveTime"
_V1_EXPIRES = ("expireTime", "expiredTime")  # the example and the field list disagree
_V1_HEADLINE = "headline"
_V1_DESCRIPTION = "description"
_V1_CRITERIA = "criteria"
_V1_INSTRUCTION = "instruction"


def detect(payload: bytes) -> bool:
    """Return True when the bytes look like a QWeather warning answer (either schema)."""
    v7 = b'"warning"' in payload and (b'"fxLink"' in payload or b'"severityColor"' in payload)
    v1 = b'"alerts"' in payload and (b'"zeroResult"' in payload or b'"senderName"' in payload)
    return v7 or v1


def parse_report(payload: bytes, source: str = SOURCE) -> util.Report:
    """Return (events, skipped) where skipped lists (index, reason) of the warnings that could not be mapped."""
    document = util.load_json(payload, TITLE)
    if not isinstance(document, dict):
        raise PayloadRefused(f"not a JSON object, so not {TITLE}")
    if _V7_LIST in document or _V7_CODE in document:
        return util.map_items(_v7_items(document), _v7_event, source, TITLE)
    if _V1_LIST in document or _V1_ERROR in document:
        return util.map_items(_v1_items(document), _v1_event, source, TITLE)
    raise PayloadRefused(f"neither a v7 'warning' nor a v1 'alerts' list, so not {TITLE}")


parse = util.events_only(parse_report)


def _v7_items(document: dict) -> list:
    code = document.get(_V7_CODE)
    code = None if code is None else str(code)[:20]  # documented as a string; tolerate a number
    if code == _V7_NO_DATA:
        return []
    if code is not None and code != _V7_OK:
        raise PayloadRefused(f"QWeather answered error code {code!r}, not warnings")
    items = document.get(_V7_LIST)
    if not isinstance(items, list):
        raise PayloadRefused("QWeather v7 answer has no 'warning' list")
    return items


def _v1_items(document: dict) -> list:
    error = document.get(_V1_ERROR)
    if error is not None:
        detail = util.text(util.obj(error), "title") or util.text(util.obj(error), "detail") or "no detail"
        raise PayloadRefused(f"QWeather answered an error: {' '.join(detail[:200].split())}")
    items = document.get(_V1_LIST)
    if not isinstance(items, list):
        raise PayloadRefused("QWeather v1 answer has no 'alerts' list")
    return items


def _v7_event(item: dict) -> dict[str, Any]:
    colour = util.text(item, _V7_COLOUR) or util.text(item, _V7_LEVEL)
    sent_at = _time(item, _V7_PUB_TIME)
    return {
        "external_id": _external_id(item, _V7_ID),
        "version": util.version_stamp(sent_at),
        "msg_type": _v7_msg_type(item),
        "sender": util.text(item, _V7_SENDER),
        "category": "met",
        "event": util.text(item, _V7_TYPE_NAME),
        "headline": util.text(item, _V7_TITLE) or util.text(item, _V7_TYPE_NAME),
        "description": util.text(item, _V7_TEXT),
        "severity": _severity(colour, util.text(item, _V7_SEVERITY)),
        "urgency": util.text(item, _V7_URGENCY),
        "certainty": util.text(item, _V7_CERTAINTY),
        "occurred_at": _time(item, _V7_START),
        "sent_at": sent_at,
        "effective_at": _time(item, _V7_START),
        "expires_at": _time(item, _V7_END),
        "address": util.text(item, _V7_SENDER),
        "language": LANGUAGE,
        "references": util.strings(item.get(_V7_RELATED)),
        "raw_level": colour or util.text(item, _V7_SEVERITY),
    }


def _v1_event(item: dict) -> dict[str, Any]:
    colour = util.text(util.obj(item.get(_V1_COLOUR)), "code")
    message_type = util.obj(item.get(_V1_MESSAGE_TYPE))
    event = util.text(item, _V1_EVENT) or util.text(util.obj(item.get(_V1_EVENT_TYPE)), "name")
    sent_at = _time(item, _V1_ISSUED)
    return {
        "external_id": _external_id(item, _V1_ID),
        "version": util.version_stamp(sent_at),
        "msg_type": _v1_msg_type(util.text(item, _V1_MSG_TYPE) or util.text(message_type, "code")),
        "sender": util.text(item, _V1_SENDER),
        "category": "met",
        "event": event,
        "headline": util.text(item, _V1_HEADLINE) or event,
        "description": _v1_description(item),
        "instruction": util.text(item, _V1_INSTRUCTION),
        "severity": _severity(colour, util.text(item, _V1_SEVERITY)),
        "urgency": util.text(item, _V1_URGENCY),
        "certainty": util.text(item, _V1_CERTAINTY),
        "occurred_at": _time(item, _V1_ONSET),
        "sent_at": sent_at,
        "effective_at": _time(item, _V1_EFFECTIVE),
        "expires_at": util.first(_time(item, key) for key in _V1_EXPIRES),
        "address": util.text(item, _V1_SENDER),
        "language": LANGUAGE,
        "references": util.strings(item.get(_V1_RELATED)) or util.strings(message_type.get("supersedes")),
        "raw_level": colour or util.text(item, _V1_SEVERITY),
    }


def _external_id(item: dict, key: str) -> str:
    value = util.text(item, key)
    if not value:
        raise util.SkipItem(f"{key}: a warning needs its QWeather id")
    return value


def _time(item: dict, key: str) -> datetime | None:
    """An ISO 8601 time with offset (QWeather writes minutes only: 2023-04-03T10:30+08:00), aware UTC."""
    return util.iso_time(item, key)


def _severity(colour: str | None, source_severity: str | None) -> str:
    """The warning colour decides; without a known colour, the relay's own CAP severity word (or unknown)."""
    level = warning_level(colour)  # red / 红 / 红色 …: the colour words are feeds.vocabulary's
    if level:
        return level.severity.value
    return source_severity or "unknown"  # FeedEvent maps a non-CAP word to unknown


def _v7_msg_type(item: dict) -> str:
    status = util.text(item, _V7_STATUS)
    return V7_MSG_TYPES.get(status.lower(), "alert") if status else "alert"


def _v1_msg_type(value: str | None) -> str:
    value = (value or "alert").lower()
    return value if value in ("alert", "update", "cancel") else "alert"


def _v1_description(item: dict) -> str:
    description = util.text(item, _V1_DESCRIPTION) or ""
    criteria = util.text(item, _V1_CRITERIA)
    return f"{description}\n\n发布标准 (criteria): {criteria}" if criteria else description
