"""A feed flooding at ten times its rate is refused with 429 + Retry-After; the other feeds carry on."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from command.migrate import upgrade
from command.models import DeadLetter, FeedEventRecord, FeedHealth, Payload
from command.runtime import build_runtime
from command.settings import SettingsError, load_settings
from command.tokens import issue_feed_token
from tests.conftest import event_body
from web.feeds_api import LIMITER
from web.ingest_limit import IngestLimiter

RATE, BURST = 10, 20  # events/s and events at once, per feed, for the app in these tests
FLOODING, STEADY = "river-gauges", "quake-net"
SAMPLES = Path(__file__).resolve().parents[2] / "feeds" / "samples"


class FakeClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# ---- the token buckets themselves ------------------------------------------------------------------

def test_a_burst_is_admitted_then_refused_until_the_bucket_refills():
    clock = FakeClock()
    limiter = IngestLimiter(rate=10, burst=5, clock=clock)
    assert [limiter.admit("a") for _ in range(5)] == [0] * 5
    assert limiter.admit("a") == 1  # empty: one token comes back in 0.1 s, said as 1 whole second
    clock.advance(0.1)
    assert limiter.admit("a") == 0
    assert limiter.admit("a") == 1
    clock.advance(3600)  # a long quiet spell refills to the burst, never beyond
    assert [limiter.admit("a") for _ in range(6)] == [0] * 5 + [1]


def test_a_list_of_100_events_costs_100_tokens():
    clock = FakeClock()
    limiter = IngestLimiter(rate=50, burst=150, clock=clock)
    assert limiter.admit("a") == 0
    limiter.charge("a", 99)  # the post's other 99 events: 50 tokens left
    assert limiter.admit("a") == 0  # admitted with tokens to spare ...
    limiter.charge("a", 99)  # ... and its 100 events leave the bucket 50 below zero
    assert limiter.admit("a") == 2  # 51 tokens short at 50/s
    clock.advance(2)
    assert limiter.admit("a") == 0


def test_retry_after_is_the_whole_seconds_until_a_post_is_admitted():
    clock = FakeClock()
    limiter = IngestLimiter(rate=2, burst=1, clock=clock)
    assert limiter.admit("a") == 0
    limiter.charge("a", 9)  # ten events at once: nine tokens below zero
    assert limiter.admit("a") == 5  # ten tokens short at 2/s; a refused post costs nothing
    clock.advance(4)
    assert limiter.admit("a") == 1
    clock.advance(1)
    assert limiter.admit("a") == 0


def test_each_source_has_its_own_bucket_and_rate_0_means_no_limit():
    clock = FakeClock()
    limiter = IngestLimiter(rate=1, burst=1, clock=clock)
    assert limiter.admit("a") == 0
    limiter.charge("a", 1000)
    assert limiter.admit("a") > 0
    assert limiter.admit("b") == 0  # a's flood leaves b alone
    unlimited = IngestLimiter(rate=0, burst=1, clock=clock)
    unlimited.charge("a", 10**6)
    assert [unlimited.admit("a") for _ in range(1000)] == [0] * 1000


def test_a_flood_is_logged_once_a_minute_per_feed():
    clock = FakeClock()
    limiter = IngestLimiter(rate=1, burst=1, clock=clock)
    assert [limiter.should_log("a") for _ in range(3)] == [True, False, False]
    assert limiter.should_log("b")
    clock.advance(59)
    assert not limiter.should_log("a")
    clock.advance(1)
    assert limiter.should_log("a")


def test_the_settings_are_read_from_the_environment_and_checked():
    settings = load_settings(environ={"VIGIL_INGEST_RATE_PER_SOURCE": "2.5", "VIGIL_INGEST_BURST": "40"})
    assert (settings["INGEST_RATE_PER_SOURCE"], settings["INGEST_BURST"]) == (2.5, 40)
    assert (load_settings(environ={})["INGEST_RATE_PER_SOURCE"], load_settings(environ={})["INGEST_BURST"]) == (50, 500)
    for bad in ({"VIGIL_INGEST_BURST": "0"}, {"VIGIL_INGEST_RATE_PER_SOURCE": "-1"}):
        with pytest.raises(SettingsError, match="INGEST"):
            load_settings(environ=bad)


# ---- through the app -------------------------------------------------------------------------------

@pytest.fixture
def runtime(sqlite_url, monkeypatch):
    """A migrated SQLite runtime whose feeds may push RATE events/s and BURST at once (set as an operator would)."""
    monkeypatch.setenv("VIGIL_INGEST_RATE_PER_SOURCE", str(RATE))
    monkeypatch.setenv("VIGIL_INGEST_BURST", str(BURST))
    rt = build_runtime({"DATABASE_URL": sqlite_url, "SECRET_KEY": "test"})
    upgrade(rt.engine)
    yield rt
    rt.engine.dispose()


@pytest.fixture
def clock(app) -> FakeClock:
    """The app's rate limit runs on this clock."""
    limiter = app.extensions[LIMITER]
    assert (limiter.rate, limiter.burst) == (RATE, BURST)
    limiter.clock = FakeClock()
    return limiter.clock


@pytest.fixture
def tokens(runtime) -> dict[str, str]:
    with runtime.unit_of_work() as session:
        return {source: issue_feed_token(session, source) for source in (FLOODING, STEADY)}


@pytest.fixture
def feeds(app):
    """What the feeds post with: no session, only their bearer tokens."""
    return app.test_client()


def post(client, source: str, token: str, body, content_type: str = "application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(f"/api/v1/feeds/{source}/events", data=data, content_type=content_type,
                       headers={"Authorization": f"Bearer {token}"})


def stored_ids(runtime, source: str) -> set[str]:
    with runtime.sessions() as session:
        return set(session.scalars(select(FeedEventRecord.external_id).where(FeedEventRecord.source == source)))


def count(runtime, model) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def metrics(client) -> dict[tuple, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True)) for s in family.samples}


def throttled(samples, source: str) -> float:
    return samples.get(("vigil_ingest_throttled_posts_total", (("source", source),)), 0.0)


def timed(samples, source: str) -> float:
    return samples.get(("vigil_ingest_request_seconds_count", (("source", source),)), 0.0)


def assert_rate_limited(response, source: str) -> int:
    """A 429 as a feed's client sees it; return its Retry-After seconds."""
    assert response.status_code == 429
    assert response.is_json
    body = response.get_json()
    assert body["code"] == "rate_limited"
    assert f"feed '{source}' is over its rate limit of {RATE} events/s (burst {BURST})" in body["error"]
    wait = int(response.headers["Retry-After"])
    assert wait >= 1 and body["retry_after_seconds"] == wait
    return wait


def test_a_feed_flooding_at_ten_times_its_rate_is_refused_and_the_other_feed_is_not(
        app, client, runtime, clock, tokens, feeds, caplog):
    before = metrics(client)
    flood, steady = {}, {}
    for i in range(100):  # one second of the flooding feed at 100 events/s, ten times its 10/s
        flood[f"a-{i}"] = post(feeds, FLOODING, tokens[FLOODING], event_body(f"a-{i}"))
        if i % 10 == 0:  # the other feed at its normal 10 events/s, at the same time
            steady[f"b-{i}"] = post(feeds, STEADY, tokens[STEADY], event_body(f"b-{i}"))
        clock.advance(0.01)

    accepted = {key for key, response in flood.items() if response.status_code == 201}
    refused = {key: response for key, response in flood.items() if response.status_code != 201}
    assert {f"a-{i}" for i in range(BURST)} <= accepted  # the burst goes through at once
    assert BURST + RATE * 0.99 - 2 <= len(accepted) <= BURST + RATE * 0.99 + 1  # then the rate, not the flood
    waits = [assert_rate_limited(response, FLOODING) for response in refused.values()]
    assert set(waits) == {1}  # one token comes back every 0.1 s

    assert [response.status_code for response in steady.values()] == [201] * 10
    assert stored_ids(runtime, STEADY) == set(steady)
    assert stored_ids(runtime, FLOODING) == accepted  # nothing from a refused post is stored ...
    assert count(runtime, Payload) == len(accepted) + len(steady)
    assert count(runtime, DeadLetter) == 0  # ... not even as a dead letter
    with runtime.sessions() as session:
        assert session.get(FeedHealth, FLOODING).accepted_total == len(accepted)

    after = metrics(client)
    assert throttled(after, FLOODING) - throttled(before, FLOODING) == len(refused)
    assert throttled(after, STEADY) - throttled(before, STEADY) == 0
    assert timed(after, FLOODING) - timed(before, FLOODING) == len(accepted)  # refusals are not ingest time
    assert timed(after, STEADY) - timed(before, STEADY) == 10
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "over its rate limit" in r.getMessage()]
    assert len(warnings) == 1  # once a minute, not once per refused post
    assert FLOODING in warnings[0].getMessage()

    clock.advance(waits[-1])  # the flooding feed waited as it was told
    again = post(feeds, FLOODING, tokens[FLOODING], event_body("a-again"))
    assert again.status_code == 201
    assert "a-again" in stored_ids(runtime, FLOODING)


def test_a_list_is_charged_per_event_and_retry_after_is_kept(runtime, clock, tokens, feeds):
    first = post(feeds, FLOODING, tokens[FLOODING], [event_body(f"one-{i}") for i in range(15)])
    assert first.status_code == 201 and first.get_json()["accepted"] == 15  # 5 of the 20 tokens left
    second = post(feeds, FLOODING, tokens[FLOODING], [event_body(f"two-{i}") for i in range(15)])
    assert second.status_code == 201  # admitted while a token was left; now 10 below zero
    late = [event_body(f"three-{i}") for i in range(3)]
    assert assert_rate_limited(post(feeds, FLOODING, tokens[FLOODING], late), FLOODING) == 2  # 11 short at 10/s
    clock.advance(1)
    assert assert_rate_limited(post(feeds, FLOODING, tokens[FLOODING], late), FLOODING) == 1
    assert not stored_ids(runtime, FLOODING) & {e["external_id"] for e in late}
    clock.advance(1)
    assert post(feeds, FLOODING, tokens[FLOODING], late).status_code == 201
    assert len(stored_ids(runtime, FLOODING)) == 33


def test_a_raw_payload_is_charged_for_every_event_it_held(runtime, clock, tokens, feeds):
    body = (SAMPLES / "geonet_nz_quakes_mmi4_2019.geojson").read_bytes()
    response = post(feeds, FLOODING, tokens[FLOODING], body, content_type="application/geo+json")
    assert response.status_code == 201 and response.get_json()["accepted"] == 88
    refused = post(feeds, FLOODING, tokens[FLOODING], event_body("after-the-quakes"))
    assert assert_rate_limited(refused, FLOODING) == 7  # 20 - 88 = 68 below zero: 69 tokens short at 10/s
    assert post(feeds, STEADY, tokens[STEADY], event_body("meanwhile")).status_code == 201


def test_posts_without_the_feeds_token_do_not_drain_its_bucket(clock, tokens, feeds):
    for i in range(3 * BURST):
        assert post(feeds, FLOODING, "not-the-token", event_body(f"x-{i}")).status_code == 401
    statuses = [post(feeds, FLOODING, tokens[FLOODING], event_body(f"a-{i}")).status_code for i in range(BURST + 1)]
    assert statuses == [201] * BURST + [429]  # the whole burst was still there for the feed itself
