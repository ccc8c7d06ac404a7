"""Demo feeds: replay real agency payloads (feeds/samples/) into a running Vigil over its ingest API.

The demo is an ordinary feed client: it gets tokens, then POSTs normalized
events one by one, so what you see on the console went through the same path
as a real feed. Times are shifted so the replay looks current, each run gets
new versions, and every event is marked as an exercise: demo data must never
be mistaken for a real emergency.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from command.models import utcnow
from command.runtime import Runtime
from command.tokens import issue_feed_token
from feeds.adapters.registry import get_adapter
from feeds.event import TIME_FIELDS, FeedEvent

log = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
SOURCE_PREFIX = "demo-"
DEMO_FEEDS = (  # (adapter, sample file); interleaved so every kind shows up early
    ("usgs_quake", "usgs_all_day_2018-09-16.geojson"),
    ("nsw_rfs", "nsw_rfs_major_incidents_2018-09.geojson"),
    ("geonet", "geonet_nz_quakes_mmi4_2019.geojson"),
    ("qweather", "qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json"),
    ("qweather", "qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json"),
    ("cap", "nws_hurricane_laura_warning_update_multipolygon_2020-08-26.cap"),
    ("cap", "nws_wcatwc_tsunami_warning_update_2011-09-02.cap"),
    ("cap", "wra_taiwan_reservoir_discharge_2014-05-14.cap"),
    ("georss", "gdacs_multi_hazard_rss_2019-12-30.xml"),
    ("georss", "qld_qfes_bushfire_alerts_2018-09.xml"),
    ("seattle_cad", "seattle_spd_call_data_sector_c3_2018-2023.csv"),
    ("firms", "nasa_firms_modis_usa_24h_2020-09-30.csv"),
)
INITIAL_BURST = 12  # events sent at once so the map is not empty at first
_OMIT_ON_POST = ("received_at", "raw_ref", "source")


def demo_events(now: datetime) -> list[FeedEvent]:
    """Parse the demo samples, shift their times to end at ``now``, and interleave the feeds."""
    stamp = now.strftime("%Y%m%dT%H%M%S")
    per_feed = []
    for adapter_name, sample in DEMO_FEEDS:
        adapter = get_adapter(adapter_name)
        events = adapter.parse((SAMPLES_DIR / sample).read_bytes(), source=SOURCE_PREFIX + adapter_name)
        latest = max((e.sent_at or e.occurred_at for e in events if e.sent_at or e.occurred_at), default=now)
        per_feed.append([_shifted(e, now - latest, stamp) for e in events])
    per_feed.sort(key=len)  # the small feeds first, so the severe CAP warnings appear in the first burst
    interleaved = itertools.chain.from_iterable(itertools.zip_longest(*per_feed))
    return [event for event in interleaved if event is not None]


def _shifted(event: FeedEvent, delta: timedelta, stamp: str) -> FeedEvent:
    times = {name: getattr(event, name) + delta for name in TIME_FIELDS
             if getattr(event, name) is not None and name != "received_at"}
    return dataclasses.replace(event, version=f"{event.version[:100]}~{stamp}", status="exercise", **times)


def replay(runtime: Runtime, base_url: str, interval: float | None = None,
           sleep: Callable[[float], None] = time.sleep, clock: Callable[[], datetime] = utcnow) -> int:
    """POST every demo event to ``base_url``; return how many were accepted or duplicates."""
    interval = runtime.settings["DEMO_INTERVAL_SECONDS"] if interval is None else interval
    events = demo_events(clock())
    with runtime.unit_of_work() as session:
        tokens = {source: issue_feed_token(session, source) for source in {e.source for e in events}}
    if not _wait_until_up(base_url, sleep):
        log.error("demo: no Vigil answered at %s; nothing replayed", base_url)
        return 0
    log.info("demo: replaying %d events from %d feeds into %s", len(events), len(tokens), base_url)
    delivered = 0
    for index, event in enumerate(events):
        if index >= INITIAL_BURST:
            sleep(interval)
        delivered += _post(base_url, tokens[event.source], event)
    log.info("demo: replay finished, %d of %d events stored", delivered, len(events))
    return delivered


def _post(base_url: str, token: str, event: FeedEvent) -> bool:
    body = {k: v for k, v in event.to_dict().items() if k not in _OMIT_ON_POST and v not in (None, [], "")}
    request = urllib.request.Request(
        f"{base_url}/api/v1/feeds/{event.source}/events", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status in (200, 201)
    except (urllib.error.URLError, OSError) as exc:
        log.warning("demo: %s %s not stored: %s", event.source, event.external_id, exc)
        return False


def _wait_until_up(base_url: str, sleep: Callable[[float], None], attempts: int = 60) -> bool:
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            sleep(0.5)
    return False
