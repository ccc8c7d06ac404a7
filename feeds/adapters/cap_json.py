"""Helpers for CAP 1.2 fields written as JSON (api.weather.gov alerts, German NINA warnings).

Both feeds copy CAP's words and times into JSON objects; these helpers read
them the way ``feeds.adapters.cap`` reads the XML: an odd status or message type is
read as a real alert (said in ``guessed``), one broken optional time is
ignored (said in ``guessed``), and a text longer than FeedEvent allows is cut
instead of losing the event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Mapping

from feeds.adapters import adapter_util as util
from feeds.event import MSG_TYPES, STATUSES  # noqa: F401  (the CAP words, for nina and nws_api)

MAX_REFERENCES = 200  # FeedEvent's limit
LIMITS = {"scope": 32, "address": 512, "sender": 256, "event": 256, "response_type": 64, "raw_level": 256,
          "region_code": 64, "description": 20000, "instruction": 20000}


def choice(data: Mapping, key: str, allowed: tuple, default: str, guessed: list[str]) -> str:
    """Return the CAP word at ``key`` lower-cased, or ``default`` with a note in ``guessed``."""
    value = util.text(data, key)
    if value and value.lower() in allowed:
        return value.lower()
    # A missing or odd word is read as a real alert: missing a real one is worse than paging on a broken one.
    guessed.append(f"{key} {(value or '(missing)')[:40]!r} is not a CAP value; read as {default.capitalize()}")
    return default


def optional_time(data: Mapping, key: str, guessed: list[str]) -> datetime | None:
    """Return the aware UTC time at ``key``; a broken one is ignored with a note in ``guessed``."""
    try:
        return util.iso_time(data, key)
    except util.SkipItem as exc:
        guessed.append(f"{exc.reason}; ignored")
        return None


def cut(value: str | None, field: str) -> str | None:
    """Return ``value`` cut to FeedEvent's limit for ``field`` (ending in …), None stays None."""
    limit = LIMITS[field]
    if value is None or len(value) <= limit:
        return value
    return value[:limit - 1] + "…"


def capped(references: list[str], guessed: list[str]) -> list[str]:
    """Return at most MAX_REFERENCES references, saying in ``guessed`` when some were dropped."""
    if len(references) > MAX_REFERENCES:
        guessed.append(f"only the first {MAX_REFERENCES} of {len(references)} references were kept")
    return [reference[:500] for reference in references[:MAX_REFERENCES]]
