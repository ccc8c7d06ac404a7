"""Redis (the live channel's message queue) goes down and comes back while Vigil keeps running.

Two real web processes share a fresh PostgreSQL database and a private Redis (never the shared one
on 6379). A python-socketio client is connected to process A; feeds post to process B. With Redis
stopped, pages and APIs still answer from the database and ingest still stores; /healthz says the
live queue is down. Redis is started again on the same port, and what B ingests reaches the client
on A again without restarting anything.

The console's banner is driven by /healthz (web/static/degraded.js): the second test opens the real
console in Chromium and watches the banner come and go.
"""

from __future__ import annotations

import queue
import time

import pytest
import requests
import socketio

from command.migrate import upgrade
from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import ADMIN, ADMIN_TOKEN, FEED, ServerProcess, event_body, free_port, make_user
from tests.faults.servers import healthz, vigil_env

pytestmark = [pytest.mark.faults, pytest.mark.timeout(180)]

RESUME_SECONDS = 40  # the queue listener retries after 1, 2, 4 … s: back well within this after a short outage
PAGES = ("/", "/feeds", "/dutylog", "/queue", "/api/v1/incidents", "/api/v1/escalations", "/api/v1/feeds",
         "/api/v1/dutylog")


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout}s for {what}")


def _heard(headlines: queue.Queue, wanted: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            if headlines.get(timeout=left) == wanted:
                return True
        except queue.Empty:
            return False
    return False


@pytest.mark.postgres
def test_with_redis_down_pages_and_ingest_work_from_the_database_and_live_updates_come_back(
        private_redis, pg_url, tmp_path):
    runtime = build_runtime({"DATABASE_URL": pg_url})
    upgrade(runtime.engine)
    make_user(runtime, ADMIN, token=ADMIN_TOKEN)
    with runtime.unit_of_work() as session:
        feed_token = issue_feed_token(session, FEED)
    runtime.engine.dispose()
    env = vigil_env(tmp_path, pg_url, SOCKETIO_MESSAGE_QUEUE=private_redis.url)
    web_a = ServerProcess(env, free_port(), ["--role", "web"])
    web_b = ServerProcess(env, free_port(), ["--role", "web"])
    headlines: queue.Queue = queue.Queue()  # every incident pushed to the console on A
    client = socketio.Client(reconnection=True, reconnection_delay=0.5)
    client.on("incident", lambda feature: headlines.put(feature["properties"]["headline"]), namespace="/live")
    disconnects = []
    client.on("disconnect", lambda *args: disconnects.append(time.monotonic()), namespace="/live")

    def ingest_on_b(external_id: str, headline: str) -> requests.Response:
        return requests.post(f"{web_b.url}/api/v1/feeds/{FEED}/events", timeout=10,
                             json=event_body(external_id, headline=headline),
                             headers={"Authorization": f"Bearer {feed_token}"})

    try:
        client.connect(web_a.url, namespaces=["/live"], transports=["websocket"], auth={"token": ADMIN_TOKEN},
                       wait_timeout=10)
        assert ingest_on_b("up-1", "Redis up: gauge 1 over warning level").status_code == 201
        assert _heard(headlines, "Redis up: gauge 1 over warning level", 15), "live updates before the fault"

        private_redis.stop()
        health_a, health_b = healthz(web_a.url), healthz(web_b.url)
        started = time.monotonic()
        stored = ingest_on_b("down-1", "Redis down: gauge 2 over warning level")
        ingest_seconds = time.monotonic() - started
        pages = {}
        for path in PAGES:
            started = time.monotonic()
            answer = web_a.api.get(f"{web_a.url}{path}", timeout=10)
            pages[path] = (answer.status_code, time.monotonic() - started)
        incidents = web_a.api.get(f"{web_a.url}/api/v1/incidents", timeout=10).json()
        console = web_a.api.get(f"{web_a.url}/", timeout=10).text
        heard_while_down = _heard(headlines, "Redis down: gauge 2 over warning level", 2)

        private_redis.start()
        restarted = time.monotonic()
        health_back = _wait_for(lambda: (lambda h: h[1]["live"]["ok"] and h)(healthz(web_a.url)), 15,
                                "/healthz to see the queue again")
        attempt, resumed = 0, None
        while resumed is None and time.monotonic() - restarted < RESUME_SECONDS:
            attempt += 1
            headline = f"Redis back: gauge {attempt} over warning level"
            assert ingest_on_b(f"back-{attempt}", headline).status_code == 201
            if _heard(headlines, headline, 1.0):
                resumed = time.monotonic() - restarted
        dropped = len(disconnects)  # the console's socket to A while Redis was away (its own goodbye comes later)
    finally:
        client.disconnect()
        web_a.stop()
        web_b.stop()

    print(f"\nwith Redis down: ingest on B answered {stored.status_code} in {ingest_seconds:.2f}s; "
          f"pages on A: {', '.join(f'{p} {s} ({t:.2f}s)' for p, (s, t) in pages.items())}")
    print(f"/healthz on A while down: {health_a}")
    print(f"live updates resumed {resumed and round(resumed, 1)} s after Redis restarted "
          f"(after {attempt} event(s)); console disconnects during the outage: {dropped}; "
          f"an event ingested while down was pushed anyway: {heard_while_down}")

    for status, body in (health_a, health_b):
        assert status == 200, body  # the database is fine: keep this process in the load balancer
        assert body["status"] == "degraded" and body["database"]["ok"] is True, body
        assert body["live"]["ok"] is False and body["live"]["message_queue"] == "redis" and body["live"]["error"]
    assert stored.status_code == 201 and stored.json()["outcome"] == "accepted", stored.text
    assert ingest_seconds < 5, "ingest does not hang on the missing queue"
    assert all(status == 200 for status, _ in pages.values()), pages
    assert all(seconds < 5 for _, seconds in pages.values()), pages
    headlines_in_db = {f["properties"]["headline"] for f in incidents["features"]}
    assert "Redis down: gauge 2 over warning level" in headlines_in_db, "what B stored is served by A"
    assert "Redis up: gauge 1 over warning level" in headlines_in_db
    assert "degraded.js" in console, "the console page carries the degraded-mode banner's script"
    assert health_back[1]["status"] == "ok"
    assert resumed is not None, f"no live update reached the console on A within {RESUME_SECONDS}s of Redis " \
                                f"coming back:\n{web_a.output()[-3000:]}"


@pytest.mark.browser
def test_the_console_shows_a_banner_while_the_live_queue_is_down(private_redis, server_env, sqlite_url, open_page,
                                                                 page_errors):
    from playwright.sync_api import expect
    runtime = build_runtime({"DATABASE_URL": sqlite_url})
    with runtime.unit_of_work() as session:
        feed_token = issue_feed_token(session, FEED)
    runtime.engine.dispose()
    env = dict(server_env, VIGIL_SOCKETIO_MESSAGE_QUEUE=private_redis.url)
    web = ServerProcess(env, free_port(), ["--role", "web"])
    try:
        page = open_page(f"{web.url}/")
        banner = page.locator("#degraded-banner")
        expect(page.locator("#live-status")).to_have_text("Live", timeout=15000)
        expect(banner).to_be_hidden()

        private_redis.stop()
        started = time.monotonic()
        expect(banner).to_be_visible(timeout=25000)  # the console looks every 10 s
        shown_after = time.monotonic() - started
        expect(banner).to_contain_text("Live updates are interrupted")
        expect(page.locator("#live-status")).to_have_text("Live updates interrupted")
        answer = requests.post(f"{web.url}/api/v1/feeds/{FEED}/events", timeout=10,
                               json=event_body("down-1", headline="Gauge 9 over warning level while Redis is down"),
                               headers={"Authorization": f"Bearer {feed_token}"})
        assert answer.status_code == 201, answer.text
        # not pushed (every push goes through the queue), but the degraded console reloads from the database
        expect(page.locator("#incident-list")).to_contain_text("Gauge 9 over warning level while Redis is down",
                                                               timeout=15000)
        page.screenshot(path=str(server_env["VIGIL_LOG_DIR"]) + "/degraded.png")

        private_redis.start()
        started = time.monotonic()
        expect(banner).to_be_hidden(timeout=25000)  # every 5 s while degraded
        hidden_after = time.monotonic() - started
        expect(page.locator("#live-status")).to_have_text("Live")
    finally:
        web.stop()
    print(f"\nbanner shown {shown_after:.1f} s after Redis stopped, hidden {hidden_after:.1f} s after it came back")
    assert not page_errors, page_errors
