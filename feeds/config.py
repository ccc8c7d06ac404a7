"""Configured feeds (VIGIL_FEEDS_FILE, YAML): format, pull URL and interval, heartbeat, adapter options.

    feeds:
      - source: cma-warnings        # the feed's name in URLs, tokens and incidents
        format: qweather            # an adapter in feeds/registry.py
        url: http://relay.local/warning/now   # omit for a push-only feed
        interval_seconds: 300       # how often to poll
        heartbeat_seconds: 900      # silent longer than this -> "feed silent" in the duty room
        ttl_seconds: 86400          # an unattended incident with no news for this long expires
        timeout_seconds: 10
        withdraw_missing: false     # true: an open incident missing from the feed is cancelled
        options: {}                 # passed to the adapter's parse()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from feeds.adapters.registry import ADAPTERS
from feeds.event import SOURCE_PATTERN

_KEYS = {"source", "format", "url", "interval_seconds", "heartbeat_seconds", "timeout_seconds",
         "withdraw_missing", "ttl_seconds", "options"}


class FeedConfigError(ValueError):
    """The feeds file is wrong; the message names the file, the entry and the key."""


@dataclass(frozen=True)
class FeedConfig:
    """One configured feed."""

    source: str
    format: str | None = None
    url: str | None = None
    interval_seconds: float = 300
    heartbeat_seconds: int | None = None
    ttl_seconds: float | None = None
    timeout_seconds: float = 10
    withdraw_missing: bool = False
    options: dict = field(default_factory=dict)


def load_feeds(path: str | Path | None) -> dict[str, FeedConfig]:
    """Read and check the feeds file; an empty path means no configured feeds."""
    if not path:
        return {}
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise FeedConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise FeedConfigError(f"{path}: not valid YAML ({exc})") from None
    entries = document.get("feeds") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise FeedConfigError(f"{path}: expected a top-level 'feeds:' list")
    feeds: dict[str, FeedConfig] = {}
    for number, entry in enumerate(entries, 1):
        feed = _feed(entry, f"{path}: feed #{number}")
        if feed.source in feeds:
            raise FeedConfigError(f"{path}: feed #{number}: source {feed.source!r} is configured twice")
        feeds[feed.source] = feed
    return feeds


def _feed(entry: Any, where: str) -> FeedConfig:
    if not isinstance(entry, dict):
        raise FeedConfigError(f"{where}: must be a mapping")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise FeedConfigError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(sorted(_KEYS))}")
    source = entry.get("source")
    if not isinstance(source, str) or not SOURCE_PATTERN.match(source):
        raise FeedConfigError(f"{where}: source must be 1-64 of a-z 0-9 _ . -")
    where = f"{where} ({source})"
    fmt = entry.get("format")
    if fmt is not None and fmt not in ADAPTERS:
        raise FeedConfigError(f"{where}: unknown format {fmt!r}; known: {', '.join(sorted(ADAPTERS))}")
    url = entry.get("url")
    if url is not None:
        if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
            raise FeedConfigError(f"{where}: url must be an http(s) URL")
        if fmt is None:
            raise FeedConfigError(f"{where}: a polled feed needs a format")
    numbers = {key: entry[key] for key in ("interval_seconds", "heartbeat_seconds", "timeout_seconds", "ttl_seconds")
               if key in entry}
    for key, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise FeedConfigError(f"{where}: {key} must be a positive number")
    options = entry.get("options", {})
    if not isinstance(options, dict):
        raise FeedConfigError(f"{where}: options must be a mapping")
    check = getattr(ADAPTERS.get(fmt), "check_options", None)
    if check is not None:
        try:
            check(options)
        except ValueError as exc:  # the adapter's own error names the problem
            raise FeedConfigError(f"{where}: options: {exc}") from None
    return FeedConfig(source=source, format=fmt, url=url, options=options,
                      withdraw_missing=bool(entry.get("withdraw_missing", False)), **numbers)
