"""The demo replays real agency payloads through the ingest API, marked as exercises."""

from __future__ import annotations

from datetime import timedelta


from command.models import utcnow
from command.runtime import build_runtime
from feeds.demo import DEMO_FEEDS, demo_events, replay


def test_demo_events_are_current_exercises_from_every_demo_feed():
    now = utcnow()
    events = demo_events(now)
    assert {e.source for e in events} == {"demo-" + adapter for adapter, _ in DEMO_FEEDS}
    assert all(e.status == "exercise" for e in events)  # demo data must never look like a real emergency
    latest = max(e.sent_at for e in events if e.sent_at)
    assert abs(latest - now) < timedelta(seconds=1)
    assert {e.severity for e in events[:12]} >= {"extreme", "moderate", "minor"}  # the first burst shows colours
    again = demo_events(now + timedelta(seconds=5))
    assert {e.version for e in again}.isdisjoint({e.version for e in events})  # a new run is new versions


def test_replay_stores_every_demo_event_through_the_api(start_server, sqlite_url):
    server = start_server("threading")
    runtime = build_runtime({"DATABASE_URL": sqlite_url})
    delivered = replay(runtime, server.url, interval=0)
    assert delivered == len(demo_events(utcnow()))
    feeds = server.api.get(f"{server.url}/api/v1/feeds", timeout=10).json()["feeds"]
    assert sum(f["accepted_total"] + f["duplicate_total"] for f in feeds) == delivered
    assert {f["format"] for f in feeds} == {"normalized"}
    runtime.engine.dispose()
