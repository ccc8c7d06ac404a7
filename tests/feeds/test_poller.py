"""Pollers against a real HTTP feed server on 127.0.0.1: conditional GETs, errors, backoff, restarts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from command.events import FeedRecovered, FeedSilent
from command.models import DeadLetter, FeedEventRecord, FeedHealth, Incident
from command.runtime import build_runtime
from feeds.config import FeedConfig
from feeds.poller import poll
from feeds.worker import FeedWorker
from tests.feeds.fake_feed_server import Answer, FakeFeedServer
from tests.feeds.feed_samples import sample


def quakes(count: int) -> bytes:
    """The first ``count`` quakes of the real USGS sample, as the feed would serve them."""
    document = json.loads(sample("usgs_all_day_2018-09-16.geojson"))
    document["features"] = document["features"][:count]
    return json.dumps(document).encode()


@pytest.fixture
def server():
    fake = FakeFeedServer()
    yield fake
    fake.close()


@pytest.fixture
def feed(server):
    return FeedConfig(source="usgs", format="usgs_quake", url=server.url, interval_seconds=60, timeout_seconds=2)


def stored(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(FeedEventRecord))


def health(runtime, source="usgs") -> FeedHealth:
    with runtime.sessions() as session:
        return session.get(FeedHealth, source)


def test_a_poll_stores_the_events_and_then_asks_conditionally(runtime, server, feed):
    server.answer = Answer(quakes(3), etag='"v1"')
    assert poll(runtime, feed) == "ok"
    assert stored(runtime) == 3
    row = health(runtime)
    assert (row.last_status, row.etag, row.accepted_total, row.format) == ("ok", '"v1"', 3, "usgs_quake")
    assert row.lag_seconds > 0  # received long after the 2018 sample was sent
    assert row.last_success_at == row.last_attempt_at == row.last_event_at

    assert poll(runtime, feed) == "no_data"
    assert server.requests[-1]["If-None-Match"] == '"v1"'
    assert stored(runtime) == 3
    assert health(runtime).last_status == "no_data"


def test_a_restarted_process_remembers_the_etag_and_stores_nothing_twice(runtime, server, feed, sqlite_url):
    server.answer = Answer(quakes(3), etag='"v1"')
    poll(runtime, feed)
    restarted = build_runtime({"DATABASE_URL": sqlite_url})
    assert poll(restarted, feed) == "no_data"
    assert server.requests[-1]["If-None-Match"] == '"v1"'
    server.answer = Answer(quakes(5), etag='"v2"')  # the feed changed: two new quakes
    assert poll(restarted, feed) == "ok"
    assert stored(restarted) == 5
    assert health(restarted).duplicate_total == 3
    restarted.engine.dispose()


def test_a_server_error_is_a_status_counted_as_a_failure(runtime, server, feed):
    server.answer = Answer(b"oops", status=500)
    assert poll(runtime, feed) == "error"
    assert poll(runtime, feed) == "error"
    row = health(runtime)
    assert (row.last_status, row.consecutive_failures) == ("error", 2)
    assert "HTTP 500" in row.last_error and row.last_heard_at is None and row.last_success_at is None
    server.answer = Answer(quakes(1))
    assert poll(runtime, feed) == "ok"
    assert health(runtime).consecutive_failures == 0


def test_a_slow_server_times_out_instead_of_hanging(runtime, server, feed):
    server.answer = Answer(quakes(1), delay=1.5)
    slow = FeedConfig(**{**feed.__dict__, "timeout_seconds": 0.3})
    assert poll(runtime, slow) == "error"
    assert "timed out" in health(runtime).last_error


def test_a_refused_payload_is_kept_as_a_dead_letter(runtime, server, feed):
    server.answer = Answer(b"<html>maintenance</html>", content_type="text/html")
    assert poll(runtime, feed) == "refused"
    with runtime.sessions() as session:
        letter = session.scalars(select(DeadLetter)).one()
    assert letter.body == b"<html>maintenance</html>" and "JSON" in letter.reason
    assert health(runtime).last_status == "refused"


def test_an_incident_the_feed_withdraws_is_cancelled(runtime, server):
    feed = FeedConfig(source="rfs", format="nsw_rfs", url=server.url, withdraw_missing=True)
    document = json.loads(sample("nsw_rfs_major_incidents_2018-09.geojson"))
    server.answer = Answer(json.dumps(document).encode())
    poll(runtime, feed)
    withdrawn = document["features"].pop(0)["properties"]["guid"]
    server.answer = Answer(json.dumps(document).encode())
    poll(runtime, feed)
    with runtime.sessions() as session:
        statuses = dict(session.execute(select(Incident.external_id, Incident.status)).all())
    assert statuses[withdrawn] == "resolved"
    assert sum(status == "new" for status in statuses.values()) == len(document["features"])


def test_backoff_doubles_with_each_failure(runtime, server, feed):
    server.answer = Answer(status=503)
    worker = FeedWorker(runtime, {"usgs": feed}, jitter=lambda: 0.0)
    intervals = []
    for _ in range(3):
        worker.due["usgs"] = worker.clock()
        worker.run_once()
        intervals.append(round((worker.due["usgs"] - worker.clock()).total_seconds() / 60))
    assert intervals == [2, 4, 8]  # minutes, from a 60 s interval


def test_a_silent_feed_is_raised_once_and_cleared_when_it_speaks(runtime, server):
    now = [datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)]
    feed = FeedConfig(source="cma", format="qweather", heartbeat_seconds=600)
    published = []
    runtime.publisher.subscribe(published.append)
    worker = FeedWorker(runtime, {"cma": feed}, clock=lambda: now[0])

    def tick(minutes):
        now[0] += timedelta(minutes=minutes)
        worker.next_silence_check = now[0]
        worker.run_once()

    tick(5)
    assert published == []
    tick(6)
    tick(1)
    silent = [e for e in published if isinstance(e, FeedSilent)]
    assert len(silent) == 1 and silent[0].health["source"] == "cma"
    assert silent[0].health["silent_since"] == "2026-11-24T03:00:00+00:00"

    server.answer = Answer(sample("qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json"))
    poll(runtime, FeedConfig(source="cma", format="qweather", url=server.url), clock=lambda: now[0])
    assert isinstance(published[-1], FeedRecovered)  # at once, not at the next check
    tick(0)
    assert sum(isinstance(e, FeedRecovered) for e in published) == 1
    assert health(runtime, "cma").silent_since is None


def test_the_feeds_file_is_checked_when_loaded(tmp_path):
    from feeds.config import FeedConfigError, load_feeds
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n  - source: county-110\n    format: cad\n    options: {mapping: example_110}\n"
                    "  - source: rivers\n    format: nwis\n    url: http://127.0.0.1:9/iv\n    interval_seconds: 60\n")
    feeds = load_feeds(path)
    assert feeds["county-110"].options == {"mapping": "example_110"} and feeds["rivers"].url.endswith("/iv")
    for text, message in [
        ("feeds:\n  - source: x\n    format: telex\n", "unknown format 'telex'"),
        ("feeds:\n  - source: x\n    format: cad\n", "needs options"),
        ("feeds:\n  - source: x\n    format: cad\n    options: {mapping: nowhere}\n", "options:"),
        ("feeds:\n  - source: x\n    url: ftp://a/b\n    format: cap\n", "http(s) URL"),
        ("feeds:\n  - source: x\n    url: http://a/b\n", "needs a format"),
        ("feeds:\n  - source: x\n    interval_seconds: 0\n", "positive"),
        ("feeds:\n  - source: x\n  - source: x\n", "configured twice"),
        ("feeds:\n  - source: x\n    colour: red\n", "unknown key 'colour'"),
        ("feeds: [", "not valid YAML"),
    ]:
        path.write_text(text)
        with pytest.raises(FeedConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load_feeds(path)
