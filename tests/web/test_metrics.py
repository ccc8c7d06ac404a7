"""GET /metrics: what a Prometheus server scraping Vigil sees, and who may scrape it."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families
from prometheus_client.parser import text_string_to_metric_families


from command import escalation
from command.directory import department_codes
from command.escalation_worker import EscalationWorker
from command.live_routing import NAMESPACE
from command.metrics import exposition
from command.migrate import upgrade
from command.models import utcnow
from command.runtime import build_runtime
from command.sms import outbox
from command.sms.senders import SendError, SendResult
from playbooks.loader import load_dir
from tests.conftest import ADMIN_TOKEN, FEED, event_body, log_in, make_user, pg_database_down
from tests.duty_room import FLOOD_PLAYBOOK, seed_duty_room

# What Prometheus itself sends: it prefers OpenMetrics, and takes the classic text format.
PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                     "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
LIU_NUMBER = "+8613800000001"  # the water liaison's phone in tests.duty_room


@pytest.fixture
def runtime(sqlite_url, tmp_path):
    """A migrated SQLite runtime with the duty room's flood playbook and an SMS gateway that is down."""
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    (playbooks / "flood.yaml").write_text(FLOOD_PLAYBOOK, encoding="utf-8")
    with socket.socket() as gateway:  # bound, never listening: every connection to it is refused
        gateway.bind(("127.0.0.1", 0))
        rt = build_runtime({"DATABASE_URL": sqlite_url, "SECRET_KEY": "test", "PLAYBOOKS_DIR": str(playbooks),
                            "SMS_BACKEND": "http", "SMS_HTTP_URL": f"http://127.0.0.1:{gateway.getsockname()[1]}/sms"})
        upgrade(rt.engine)
        yield rt
        rt.engine.dispose()


def parse(body: str, families=text_string_to_metric_families) -> dict[tuple, float]:
    """Every sample of an exposition as {(name, sorted labels): value}."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in families(body) for sample in family.samples}


def scrape(client, **headers) -> dict[tuple, float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert "version=0.0.4" in response.content_type
    return parse(response.get_data(as_text=True))


def value(samples: dict, name: str, **labels) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def moved(before: dict, after: dict, name: str, **labels) -> float:
    """How far a series moved between two scrapes (the in-memory series are shared by every app in this process)."""
    return (value(after, name, **labels) or 0.0) - (value(before, name, **labels) or 0.0)


def post(client, token: str, body, source: str = FEED):
    return client.post(f"/api/v1/feeds/{source}/events", data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def test_an_administrator_reads_prometheus_text_with_every_family(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=0.0.4")
    assert response.headers["Cache-Control"] == "no-store"
    families = {family.name: family.type for family in text_string_to_metric_families(response.get_data(as_text=True))
                if not family.name.endswith("_created")}  # prometheus_client's creation time of each series
    assert families == {
        "vigil_ingest_request_seconds": "histogram", "vigil_ingest_throttled_posts": "counter",
        "vigil_escalation_step_lateness_seconds": "histogram", "vigil_live_clients": "gauge",
        "vigil_live_connects": "counter", "vigil_live_disconnects": "counter",
        "vigil_database_up": "gauge", "vigil_sms_pending": "gauge", "vigil_sms_notifications": "gauge",
        "vigil_escalation_steps_due": "gauge", "vigil_escalation_oldest_due_seconds": "gauge",
        "vigil_documents_queued": "gauge", "vigil_report_obligations_open": "gauge",
        "vigil_report_obligations_overdue": "gauge", "vigil_feed_events": "counter", "vigil_feed_lag_seconds": "gauge"}
    samples = parse(response.get_data(as_text=True))
    assert value(samples, "vigil_database_up") == 1
    assert value(samples, "vigil_sms_pending") == 0
    assert value(samples, "vigil_sms_notifications", status="failed") == 0  # every status, even with no rows


def test_feed_posts_are_counted_timed_and_their_lag_shown(client, runtime, feed_token):
    sent = (utcnow() - timedelta(seconds=100)).replace(microsecond=0).isoformat()
    before = scrape(client)
    assert value(before, "vigil_feed_events_total", source=FEED, outcome="accepted") is None  # it has not spoken
    assert value(before, "vigil_feed_lag_seconds", source=FEED) is None

    assert post(client, feed_token, event_body("a", sent_at=sent)).status_code == 201
    assert post(client, feed_token, [event_body(f"b{i}", sent_at=sent) for i in range(3)]).status_code == 201
    assert post(client, feed_token, event_body("a", sent_at=sent)).status_code == 200  # a duplicate
    assert post(client, feed_token, [event_body("c", sent_at=sent), event_body("d", lat=999)]).status_code == 207
    assert post(client, "wrong-token", event_body("e")).status_code == 401
    assert post(client, "wrong-token", event_body("e"), source="made-up-feed").status_code == 401

    after = scrape(client)
    assert moved(before, after, "vigil_ingest_request_seconds_count", source=FEED) == 4  # the refused stranger: not
    assert moved(before, after, "vigil_ingest_request_seconds_bucket", source=FEED, le="+Inf") == 4
    assert moved(before, after, "vigil_ingest_request_seconds_sum", source=FEED) > 0
    assert value(after, "vigil_feed_events_total", source=FEED, outcome="accepted") == 5
    assert value(after, "vigil_feed_events_total", source=FEED, outcome="duplicate") == 1
    assert value(after, "vigil_feed_events_total", source=FEED, outcome="rejected") == 1
    assert 100 <= value(after, "vigil_feed_lag_seconds", source=FEED) < 160
    assert not [key for key in after if ("source", "made-up-feed") in key[1]]  # no series for a made-up name


class GatewayBack:
    """The SMS gateway once it answers again: it takes every message except to a number it cannot reach."""

    name, callback_path = "fake", None

    def __init__(self, refuses: str):
        self.refuses, self.sent = refuses, []

    def send(self, to, body, status_callback):
        if to == self.refuses:
            raise SendError(False, 21211, "not a mobile number")
        self.sent.append(to)
        return SendResult(f"fake-{len(self.sent)}", "sent")

    def lookup(self, to, body, since, exclude):
        return None


def test_queue_depths_follow_a_late_escalation_and_the_sms_outbox(client, runtime, feed_token):
    now = utcnow().replace(microsecond=0)
    seed_duty_room(runtime, around=now)
    flood = event_body("flood-1", sent_at=(now - timedelta(seconds=100)).isoformat())
    assert post(client, feed_token, flood).status_code == 201
    quiet = scrape(client)
    assert value(quiet, "vigil_escalation_steps_due") == 0
    assert value(quiet, "vigil_escalation_oldest_due_seconds") == 0

    # The incident is triaged: its first step (tell the leader and the liaison) is due now, not done yet.
    triaged = utcnow()
    with runtime.unit_of_work() as session:
        playbooks = load_dir(runtime.settings["PLAYBOOKS_DIR"], department_codes())
        escalation.triage(session, playbooks, triaged, runtime.settings["TIME_ZONE"])
    due = scrape(client)
    assert value(due, "vigil_escalation_steps_due") == 1
    assert 0 <= value(due, "vigil_escalation_oldest_due_seconds") < 60
    later, _ = exposition(runtime.sessions, clock=lambda: triaged + timedelta(seconds=90))  # the same, 90 s on
    assert value(parse(later.decode()), "vigil_escalation_oldest_due_seconds") == pytest.approx(90)

    # A worker claims it 90 s late; the two SMS it writes cannot go out: the gateway is down.
    EscalationWorker(runtime, clock=lambda: triaged + timedelta(seconds=90)).run_once()
    waiting = scrape(client)
    assert moved(due, waiting, "vigil_escalation_step_lateness_seconds_count") == 1
    assert moved(due, waiting, "vigil_escalation_step_lateness_seconds_sum") == pytest.approx(90)
    assert moved(due, waiting, "vigil_escalation_step_lateness_seconds_bucket", le="60.0") == 0
    assert moved(due, waiting, "vigil_escalation_step_lateness_seconds_bucket", le="120.0") == 1
    assert value(waiting, "vigil_escalation_steps_due") == 0  # the next step waits five minutes
    assert value(waiting, "vigil_escalation_oldest_due_seconds") == 0
    assert value(waiting, "vigil_sms_pending") == 2
    assert value(waiting, "vigil_sms_notifications", status="pending") == 2
    assert value(waiting, "vigil_sms_notifications", status="sent") == 0

    # The gateway is back: the leader's message goes, the liaison's number is refused for good.
    gateway = GatewayBack(refuses=LIU_NUMBER)
    outbox.run_once(runtime, "worker-b", triaged + timedelta(minutes=5), sender=gateway)
    assert len(gateway.sent) == 1
    settled = scrape(client)
    assert value(settled, "vigil_sms_pending") == 0
    assert value(settled, "vigil_sms_notifications", status="pending") == 0
    assert value(settled, "vigil_sms_notifications", status="sent") == 1
    assert value(settled, "vigil_sms_notifications", status="failed") == 1


def test_connected_live_clients_are_counted(app, client):
    socketio = app.extensions["socketio"]
    before = scrape(client)
    console = socketio.test_client(app, namespace=NAMESPACE, flask_test_client=client)
    assert console.is_connected(NAMESPACE)
    connected = scrape(client)
    assert moved(before, connected, "vigil_live_clients") == 1
    assert moved(before, connected, "vigil_live_connects_total") == 1
    console.disconnect(namespace=NAMESPACE)
    gone = scrape(client)
    assert moved(before, gone, "vigil_live_clients") == 0
    assert moved(before, gone, "vigil_live_disconnects_total") == 1


def test_only_administrators_may_scrape(app, runtime, anonymous):
    refused = anonymous.get("/metrics")
    assert refused.status_code == 401
    assert refused.get_json()["code"] == "login_required"

    liaison = app.test_client()
    log_in(liaison, runtime, "liu", role="liaison", departments=("water",))
    refused = liaison.get("/metrics")
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "forbidden"

    make_user(runtime, "lead", role="shift_leader", token="vgu_shift-leader-token")
    assert anonymous.get("/metrics", headers={"Authorization": "Bearer vgu_shift-leader-token"}).status_code == 403
    assert anonymous.get("/metrics", headers={"Authorization": "Bearer vgu_nobodys-token"}).status_code == 401


def test_prometheus_scrapes_with_an_administrators_personal_token(app, runtime, anonymous):
    make_user(runtime, "prometheus", token=ADMIN_TOKEN)
    response = anonymous.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}",
                                                  "Accept": PROMETHEUS_ACCEPT})
    assert response.status_code == 200
    assert response.content_type.startswith("application/openmetrics-text; version=1.0.0")
    samples = parse(response.get_data(as_text=True), openmetrics_families)
    assert value(samples, "vigil_database_up") == 1
    assert value(samples, "vigil_sms_pending") == 0
    # and a plain scraper that asks for nothing in particular gets the classic text format
    assert value(scrape(anonymous, Authorization=f"Bearer {ADMIN_TOKEN}"), "vigil_database_up") == 1


@pytest.mark.postgres
def test_with_the_database_down_a_known_scraper_still_gets_this_processs_series(pg_url):
    from web import create_app
    runtime = build_runtime({"DATABASE_URL": pg_url, "SECRET_KEY": "test"})
    upgrade(runtime.engine)
    make_user(runtime, "prometheus", token=ADMIN_TOKEN)
    make_user(runtime, "other-admin", token="vgu_never-scraped")
    scraper = create_app(runtime=runtime).test_client()
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert value(scrape(scraper, **auth), "vigil_database_up") == 1

    with pg_database_down(pg_url):
        down = scrape(scraper, **auth)
        assert value(down, "vigil_database_up") == 0
        assert value(down, "vigil_live_clients") is not None  # this process's own series are still there
        assert value(down, "vigil_escalation_step_lateness_seconds_count") is not None
        assert value(down, "vigil_sms_pending") is None  # the database's are not: nothing made up

        stranger = scraper.get("/metrics", headers={"Authorization": "Bearer vgu_never-scraped"})
        assert stranger.status_code == 503  # never admitted by this process: it cannot be checked now
        assert stranger.headers["Retry-After"] == "5"
        assert stranger.get_json()["code"] == "database_unavailable"
        assert scraper.get("/metrics").status_code == 401  # no credential at all: refused as ever
    assert value(scrape(scraper, **auth), "vigil_database_up") == 1  # back
    runtime.engine.dispose()
