"""Shared plumbing for the feed adapters: read JSON safely, map items one by one, read typed fields.

Every adapter works the same way: ``parse_report`` loads the payload (refusing it
as a whole with ``PayloadRefused`` when it is not the expected shape), maps each
item to a mapping for ``FeedEvent.from_dict``, and returns the valid events plus
the (index, reason) of every item it had to skip. A single bad item never sinks
the payload; a payload in which no item at all can be read is refused.
"""

from __future__ import annotations

import html
import json
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping

from feeds.adapters.errors import PayloadRefused
from feeds.event import SOURCE_PATTERN, FeedEvent, InvalidEvent, iso

MAX_PAYLOAD_BYTES = 20 * 1024 * 1024  # far above any real feed answer; bigger is refused unread
Skipped = tuple[int, str]
Report = tuple[list[FeedEvent], list[Skipped]]


def events_only(parse_report: Callable[..., Report]) -> Callable[..., list[FeedEvent]]:
    """An adapter's ``parse``: the events its ``parse_report`` reads, without the list of what it skipped."""
    def parse(payload: bytes, *args, **kwargs) -> list[FeedEvent]:
        return parse_report(payload, *args, **kwargs)[0]
    parse.__doc__ = f"The events of {parse_report.__module__}.parse_report, without what it skipped."
    return parse

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TAG = re.compile(r"<[^<>]*>")  # [^<>] keeps every regex here linear on hostile text
_BREAK = re.compile(r"<\s*(br|/p|p|/div|/li)\b[^<>]*>", re.IGNORECASE)
_LINK = re.compile(r"""<a\b[^<>]*?href\s*=\s*["']([^"'<>]*)["'][^<>]*>([^<]*)</a\s*>""", re.IGNORECASE)
_MARKUP_LIMIT = 100_000  # longer feed text is cut before the regexes see it


class SkipItem(ValueError):
    """One item of a payload cannot be mapped; ``reason`` says why (it is skipped, the rest goes on)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def load_json(payload: bytes, title: str) -> Any:
    """Return the decoded JSON document, or raise PayloadRefused with a one-line reason."""
    if not isinstance(payload, (bytes, bytearray)):
        raise TypeError("payload must be bytes")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PayloadRefused(f"payload is {len(payload)} bytes, more than {MAX_PAYLOAD_BYTES}")
    if not payload.strip():
        raise PayloadRefused("payload is empty")
    try:
        return json.loads(payload, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise PayloadRefused("JSON is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int too long, NaN/Infinity
        reason = str(exc).splitlines()[0][:200]
        raise PayloadRefused(f"not valid JSON for {title}: {reason}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def map_items(items: list, to_mapping: Callable[[dict], Mapping[str, Any]], source: str, title: str) -> Report:
    """Build a FeedEvent from each item; return (events, skipped) or refuse when no item is readable."""
    check_source(source)
    events: list[FeedEvent] = []
    skipped: list[Skipped] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise SkipItem("item is not a JSON object")
            events.append(_build(to_mapping(item), source))
        except (SkipItem, InvalidEvent) as exc:
            skipped.append((index, str(exc)))
    if items and not events:
        index, reason = skipped[0]
        raise PayloadRefused(f"none of the {len(items)} items is readable as {title}; item {index}: {reason}")
    return events, skipped


def _build(mapping: Mapping[str, Any], source: str) -> FeedEvent:
    """FeedEvent.from_dict, but a bad area is dropped (and said so in ``guessed``) instead of losing the event."""
    try:
        return FeedEvent.from_dict(mapping, source)
    except InvalidEvent as exc:
        if not exc.field.startswith("area") or mapping.get("area") is None:
            raise
        reason = str(exc)
    note = f"area dropped, the source's geometry is not valid GeoJSON: {reason}"[:300]
    guessed = [*mapping.get("guessed", ()), note]
    return FeedEvent.from_dict({**mapping, "area": None, "guessed": guessed}, source)


def check_source(source: str) -> None:
    """Raise InvalidEvent when ``source`` is not a valid feed name (a caller's mistake, not the payload's)."""
    if not isinstance(source, str) or not SOURCE_PATTERN.match(source):
        raise InvalidEvent("source", f"{source!r} must be 1-64 of a-z 0-9 _ . - starting with a letter or digit")


def obj(value: Any) -> dict:
    """Return ``value`` when it is a JSON object, else an empty dict (a missing or broken sub-object)."""
    return value if isinstance(value, dict) else {}


def text(data: Mapping, key: str) -> str | None:
    """Return the stripped string at ``key``, or None when it is absent, empty or not a string."""
    value = data.get(key)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def number(data: Mapping, key: str) -> float | None:
    """Return the number at ``key`` as a finite float (JSON booleans are not numbers), or None."""
    return as_number(data.get(key))


def as_number(value: Any) -> float | None:
    """Return a JSON number as a finite float, or None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:  # an integer too big for a float
        return None
    return value if math.isfinite(value) else None


def epoch_ms(data: Mapping, key: str) -> datetime | None:
    """Return the aware UTC time of a milliseconds-since-epoch field; None when absent; SkipItem when broken."""
    value = data.get(key)
    if value is None:
        return None
    ms = number(data, key)
    if ms is None:
        raise SkipItem(f"{key}: must be milliseconds since 1970 as a number")
    try:
        return _EPOCH + timedelta(milliseconds=ms)
    except OverflowError:
        raise SkipItem(f"{key}: {ms} is not a plausible time") from None


def iso_time(data: Mapping, key: str) -> datetime | None:
    """Return the aware UTC time of an ISO 8601 field; None when absent or empty; SkipItem when broken or naive."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise SkipItem(f"{key}: must be an ISO 8601 time string")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise SkipItem(f"{key}: {value[:40]!r} is not an ISO 8601 time") from None
    if parsed.utcoffset() is None:
        raise SkipItem(f"{key}: {value[:40]!r} has no UTC offset")
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        raise SkipItem(f"{key}: {value[:40]!r} is out of range") from None


def version_stamp(moment: datetime | None) -> str | None:
    """Return a UTC time as a version: ISO 8601 with milliseconds, or None."""
    # Always milliseconds: a stored version written another way would make a repeat look new.
    return iso(moment, timespec="milliseconds")


def strings(value: Any) -> list[str]:
    """Return the non-empty strings of a JSON list (or of a comma-separated string)."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def plain_text(markup: str, limit: int = 20000) -> str:
    """Return HTML-ish feed text as plain lines (breaks become newlines, links keep their address), cut at ``limit``."""
    markup = _LINK.sub(lambda m: f"{m.group(2).strip()} ({m.group(1)})", markup[:_MARKUP_LIMIT])
    markup = _TAG.sub("", _BREAK.sub("\n", markup))
    lines = (" ".join(line.split()) for line in html.unescape(markup).splitlines())
    return "\n".join(line for line in lines if line)[:limit]


def first(values: Iterable[Any]) -> Any:
    """Return the first value that is not None or empty, else None."""
    return next((v for v in values if v not in (None, "", [], {})), None)
