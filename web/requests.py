"""Reading a request: its JSON body, required and optional fields, numbers and times in the query string.

Every refusal is a typed error (command/errors.py) naming the field, so web/errors.py answers it with
the right status and the reader's language; no view builds an error body by hand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from flask import request

from command.errors import Malformed

_TRUE, _FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})


def json_body(empty_ok: bool = False) -> dict:
    """The request's JSON object; 400 when the body is not one (an empty body is {} when ``empty_ok``)."""
    body = request.get_json(silent=True)
    if body is None and empty_ok:
        return {}
    if not isinstance(body, dict):
        raise Malformed("not_json_object", "(body)")
    return body


def required(body: Mapping[str, Any], name: str, kind: type = str):
    """``body[name]`` of type ``kind``: 400 when it is missing, blank or of another type."""
    value = body.get(name)
    if value is None or (kind is str and isinstance(value, str) and not value.strip()):
        raise Malformed("required", name)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise Malformed("whole_number", name)
    if not isinstance(value, kind):
        raise Malformed("wrong_type", name)
    return value


def optional(body: Mapping[str, Any], name: str, kind: type = str):
    """``body[name]`` of type ``kind``, or None when absent."""
    return None if body.get(name) is None else required(body, name, kind)


def whole(args: Mapping[str, str], name: str, low: int, high: int | None, default: int | None) -> int | None:
    """A whole number query parameter within [low, high]; ``default`` when absent."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        raise Malformed(f"bad_{name}", name, message="bad_range" if high is not None else "bad_number",
                        low=low, high=high)
    return int(raw)


def flag(args: Mapping[str, str], name: str) -> bool | None:
    """A true/false query parameter; None when absent."""
    raw = (args.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw not in _TRUE | _FALSE:
        raise Malformed(f"bad_{name}", name, message="bad_flag")
    return raw in _TRUE


def listed(args, name: str, allowed: tuple[str, ...] | frozenset[str] | None = None) -> list[str]:
    """A comma-separated or repeated query parameter, each value checked against ``allowed``."""
    values = [v.strip() for value in args.getlist(name) for v in value.split(",") if v.strip()]
    if allowed is not None and any(v not in allowed for v in values):
        raise Malformed(f"bad_{name}", name, message="bad_choice", choices=", ".join(sorted(allowed)))
    return values


def parse_time(text: str, field: str) -> datetime:
    """An ISO 8601 time with a UTC offset ("Z" allowed)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Malformed("bad_time", field) from None
    if moment.tzinfo is None:
        raise Malformed("bad_time", field)
    return moment
