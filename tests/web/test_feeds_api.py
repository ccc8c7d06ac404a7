"""POST /api/v1/feeds/<source>/events: stored once, refused clearly, nothing lost."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import func, select

from command.models import DeadLetter, FeedEventRecord, Incident, Payload
from command.tokens import issue_feed_token
from tests.conftest import FEED, event_body, log_in

URL = f"/api/v1/feeds/{FEED}/events"


def post(client, token, body, **kwargs):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    return client.post(URL, data=data, content_type=kwargs.pop("content_type", "application/json"),
                       headers=headers, **kwargs)


def count(runtime, model, *where):
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def dead_letters(runtime) -> list[DeadLetter]:
    with runtime.sessions() as session:
        return list(session.scalars(select(DeadLetter).order_by(DeadLetter.id)))


def test_an_event_is_stored_and_opens_an_incident(client, runtime, feed_token):
    response = post(client, feed_token, event_body())
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["outcome"] == "accepted"
    with runtime.sessions() as session:
        incident = session.get(Incident, answer["incident_id"])
        stored = session.get(FeedEventRecord, answer["event_id"])
        assert (incident.headline, incident.severity, incident.status) == (
            "River Qinhuai over warning level", "severe", "new")
        assert (incident.lat, incident.lon) == (32.04, 118.78)
        assert incident.occurred_at.isoformat() == "2026-11-23T19:00:00+00:00"  # 03:00 +08:00 is 19:00 UTC
        assert stored.data["raw_ref"] == f"payload:{stored.payload_id}"
        assert json.loads(session.get(Payload, stored.payload_id).body) == event_body()


def test_the_same_event_twice_is_stored_once_and_called_a_duplicate(client, runtime, feed_token):
    first = post(client, feed_token, event_body())
    second = post(client, feed_token, event_body())
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.get_json()["outcome"] == "duplicate"
    assert second.get_json()["event_id"] == first.get_json()["event_id"]
    assert count(runtime, FeedEventRecord) == 1
    assert count(runtime, Incident) == 1
    assert count(runtime, Payload) == 1  # the duplicate's body added nothing


def test_a_new_version_updates_the_same_incident(client, runtime, feed_token):
    post(client, feed_token, event_body())
    response = post(client, feed_token, event_body(version="2", msg_type="update", severity="extreme",
                                                   sent_at="2026-11-24T03:20:00+08:00"))
    assert response.status_code == 201
    assert count(runtime, FeedEventRecord) == 2
    with runtime.sessions() as session:
        incident = session.scalars(select(Incident)).one()
        assert (incident.severity, incident.version) == ("extreme", 2)


def test_a_cancel_that_overtakes_its_alert_still_wins(client, runtime, feed_token):
    post(client, feed_token, event_body(version="2", sent_at="2026-11-24T04:00:00+08:00", msg_type="cancel"))
    assert count(runtime, Incident) == 0  # nothing to cancel yet
    post(client, feed_token, event_body(version="1", sent_at="2026-11-24T03:00:00+08:00", headline="late alert"))
    assert count(runtime, FeedEventRecord) == 2
    with runtime.sessions() as session:
        incident = session.scalars(select(Incident)).one()
        assert (incident.status, incident.headline) == ("resolved", "late alert")


@pytest.mark.parametrize("token", [None, "wrong", "vgf_notatoken"])
def test_without_a_valid_token_nothing_is_stored(client, runtime, feed_token, token):
    response = post(client, token, event_body())
    assert response.status_code == 401
    assert "bearer token" in response.get_json()["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert count(runtime, FeedEventRecord) == 0


def test_a_token_works_only_for_its_own_feed_and_until_rotated(client, runtime, feed_token):
    with runtime.unit_of_work() as session:
        other = issue_feed_token(session, "other-feed")
    assert post(client, other, event_body()).status_code == 401
    with runtime.unit_of_work() as session:
        rotated = issue_feed_token(session, FEED)
    assert post(client, feed_token, event_body()).status_code == 401
    assert post(client, rotated, event_body()).status_code == 201


@pytest.mark.parametrize("field, value, message", [
    ("lat", 999, "outside -90..90"),
    ("severity", 3, "must be a string"),
    ("sent_at", "2026-11-24 03:00", "UTC offset"),
    ("sent_at", "yesterday", "ISO 8601"),
    ("status", "real", "one of actual"),
    ("headline", None, "required"),
    ("sevrity", "severe", "unknown field"),
    ("area", {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "polygon ring"),
])
def test_a_malformed_event_gets_422_naming_the_field_and_is_dead_lettered(
        client, runtime, feed_token, field, value, message):
    body = event_body(event=None, **{field: value})
    if value is None:
        body.pop(field, None)
    response = post(client, feed_token, body)
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["field"].split(".")[0] == field
    assert message in answer["error"]
    assert count(runtime, FeedEventRecord) == 0
    [letter] = dead_letters(runtime)
    assert json.loads(letter.body) == body
    assert letter.field.split(".")[0] == field and message in letter.reason


def test_an_unknown_severity_is_kept_as_unknown_not_rejected(client, runtime, feed_token):
    response = post(client, feed_token, event_body(severity="Catastrophic", raw_level="Level 9"))
    assert response.status_code == 201
    with runtime.sessions() as session:
        assert session.scalars(select(Incident.severity)).one() == "unknown"
        assert session.scalars(select(FeedEventRecord)).one().data["raw_level"] == "Level 9"


@pytest.mark.parametrize("body, status, field", [
    (b'{"external_id": "x", ', 400, "(body)"),
    (b"\xff\xfe not json", 400, "(body)"),
    (b"[]", 400, "(body)"),
    (b'"just a string"', 400, "(body)"),
    (b"[" * 100_000 + b"]" * 100_000, 400, "(body)"),
])
def test_a_body_that_is_not_events_gets_400_and_is_dead_lettered(client, runtime, feed_token, body, status, field):
    response = post(client, feed_token, body)
    assert response.status_code == status
    assert response.get_json()["field"] == field
    [letter] = dead_letters(runtime)
    assert letter.body == body and letter.source == FEED


def test_a_body_over_the_limit_gets_413_and_the_refusal_is_recorded(client, runtime, feed_token):
    limit = runtime.settings["MAX_BODY_BYTES"]
    huge = json.dumps(event_body(description="x" * limit)).encode()
    response = post(client, feed_token, huge)
    assert response.status_code == 413
    assert str(limit) in response.get_json()["error"]
    [letter] = dead_letters(runtime)
    assert letter.size == len(huge) and letter.body is None
    assert count(runtime, FeedEventRecord) == 0


def test_a_body_that_is_not_json_by_content_type_gets_415(client, runtime, feed_token):
    response = post(client, feed_token, "<alert/>", content_type="application/xml")
    assert response.status_code == 415
    assert len(dead_letters(runtime)) == 1


def test_a_list_stores_the_good_events_and_reports_each_bad_one(client, runtime, feed_token):
    body = [event_body("a"), event_body("b", lat=999), event_body("c"), event_body("a")]
    response = post(client, feed_token, body)
    assert response.status_code == 207
    answer = response.get_json()
    assert (answer["accepted"], answer["duplicate"], answer["rejected"]) == (2, 1, 1)
    assert [r["outcome"] for r in answer["results"]] == ["accepted", "rejected", "accepted", "duplicate"]
    assert answer["results"][1]["field"] == "lat"
    assert count(runtime, FeedEventRecord) == 2
    [letter] = dead_letters(runtime)
    assert json.loads(letter.body)["external_id"] == "b"


def test_a_list_of_only_duplicates_answers_200(client, feed_token):
    assert post(client, feed_token, [event_body("a"), event_body("b")]).status_code == 201
    again = post(client, feed_token, [event_body("a"), event_body("b")])
    assert again.status_code == 200
    assert again.get_json()["duplicate"] == 2


def test_a_source_in_the_body_must_match_the_url(client, runtime, feed_token):
    response = post(client, feed_token, event_body(source="someone-else"))
    assert response.status_code == 422
    assert response.get_json()["field"] == "source"


def test_concurrent_posts_of_the_same_event_store_it_once(app, runtime, feed_token):
    barrier = threading.Barrier(8)
    statuses = []

    def send():
        client = app.test_client()
        barrier.wait()
        statuses.append(post(client, feed_token, event_body()).status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 7 + [201]
    assert count(runtime, FeedEventRecord) == 1
    assert count(runtime, Incident) == 1


def _sample(name: str) -> bytes:
    from tests.feeds.feed_samples import sample
    return sample(name)


def test_a_raw_payload_is_detected_and_parsed_by_its_adapter(client, runtime, feed_token):
    body = _sample("geonet_nz_quakes_mmi4_2019.geojson")
    response = post(client, feed_token, body, content_type="application/geo+json")
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["format"] == "geonet"
    assert (answer["accepted"], answer["rejected"]) == (88, 0)
    assert count(runtime, FeedEventRecord) == 88
    assert count(runtime, Payload) == 1  # the raw body is kept once, every event points at it
    again = post(client, feed_token, body, content_type="application/geo+json")
    assert again.status_code == 200 and again.get_json()["duplicate"] == 88


def test_the_format_can_be_named_and_a_payload_it_refuses_is_a_dead_letter(client, runtime, feed_token):
    body = _sample("qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json")
    response = client.post(URL + "?format=usgs_quake", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {feed_token}"})
    assert response.status_code == 422
    assert response.get_json()["field"] == "(body)"
    [letter] = dead_letters(runtime)
    assert letter.body == body
    unknown = client.post(URL + "?format=telex", data=body, headers={"Authorization": f"Bearer {feed_token}"})
    assert unknown.status_code == 400 and "known:" in unknown.get_json()["error"]


def test_a_configured_feed_format_decides_the_adapter(tmp_path):
    from command.migrate import upgrade
    from command.runtime import build_runtime
    from web import create_app
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text("feeds:\n  - source: test-feed\n    format: qweather\n    heartbeat_seconds: 900\n")
    rt = build_runtime({"DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}", "SECRET_KEY": "t",
                        "FEEDS_FILE": str(feeds_file)})
    upgrade(rt.engine)
    with rt.unit_of_work() as session:
        token = issue_feed_token(session, FEED)
    client = create_app(runtime=rt).test_client()
    log_in(client, rt, "chen", role="operator")  # reading the feeds' health takes a login; posting only the feed token
    body = _sample("qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json")
    response = post(client, token, body, content_type="text/plain")
    assert response.status_code == 201 and response.get_json()["format"] == "qweather"
    feeds = client.get("/api/v1/feeds").get_json()["feeds"]
    [row] = [f for f in feeds if f["source"] == FEED]
    assert (row["format"], row["accepted_total"], row["heartbeat_seconds"], row["last_status"]) == (
        "qweather", 2, 900, "ok")


def test_an_xxe_payload_is_refused_without_reading_anything(client, runtime, feed_token):
    body = _sample("SECURITY_xxe_attack_on_nws_thunderstorm.cap")
    response = post(client, feed_token, body, content_type="application/cap+xml")
    assert response.status_code == 422
    assert "DTD" in response.get_json()["error"]
    assert b"root:" not in response.get_data()  # /etc/passwd was never read into anything
    assert count(runtime, FeedEventRecord) == 0
    [letter] = dead_letters(runtime)
    assert letter.body == body


def test_a_cap_alert_pushed_as_xml_opens_an_incident_with_its_area(client, runtime, feed_token):
    body = _sample("nws_hurricane_laura_warning_update_multipolygon_2020-08-26.cap")
    response = post(client, feed_token, body, content_type="application/cap+xml")
    assert response.status_code == 201 and response.get_json()["format"] == "cap"
    with runtime.sessions() as session:
        incident = session.scalars(select(Incident)).one()
    assert incident.severity == "extreme" and incident.area["type"] == "MultiPolygon"
    assert "Hurricane Warning" in incident.headline
