"""The console page: served whole from the app (no CDN), in English and Chinese."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlparse

import pytest

EXTERNAL_URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")


def _assets(html: str) -> list[str]:
    return re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']([^"']+)["']""", html)


def test_the_console_page_has_the_map_the_list_and_the_live_client(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="incident-list"' in html and 'id="live-status"' in html
    assert "map_vigil" in html and "realtime_vigil" in html
    assert "/static/vendor/socket.io/socket.io.min.js" in html
    assert "/maps/world_110m.geojson" in html


def test_the_page_names_no_other_host(client):
    html = client.get("/").get_data(as_text=True)
    found = [url for url in EXTERNAL_URL.findall(html) if urlparse(url if url.startswith("http") else "http:" + url).hostname not in ("localhost",)]
    assert found == []


def _get(client, path):
    response = client.get(path)
    body = response.get_data(as_text=path.endswith(".css"))
    response.close()
    return response.status_code, body


def test_every_asset_the_page_needs_is_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    needed = set(_assets(html)) | {"/maps/world_110m.geojson"}
    for path in sorted(needed):
        assert not urlparse(path).netloc, path
        status, body = _get(client, path)
        assert status == 200, path
        if path.endswith(".css"):  # images and fonts the stylesheets pull in
            for ref in re.findall(r"url\(['\"]?([^'\")]+)['\"]?\)", body):
                if ref.startswith("data:"):
                    continue
                assert not urlparse(ref).netloc, f"{path} loads {ref}"
                assert _get(client, urljoin(path, ref))[0] == 200, f"{path} -> {ref}"


def test_a_configured_tile_server_is_used(tmp_path):
    from command.migrate import upgrade
    from command.runtime import build_runtime
    from web import create_app
    rt = build_runtime({"DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", "SECRET_KEY": "t",
                        "TILE_URL": "http://tiles.duty.local/{z}/{x}/{y}.png", "TILE_ATTRIBUTION": "省测绘院"})
    from tests.conftest import log_in
    upgrade(rt.engine)
    client = create_app(runtime=rt).test_client()
    log_in(client, rt)
    html = client.get("/").get_data(as_text=True)
    assert "http://tiles.duty.local/{z}/{x}/{y}.png" in html
    assert "省测绘院" in html or json.dumps("省测绘院")[1:-1] in html  # folium writes JSON escapes


@pytest.mark.parametrize("how", [{"query_string": {"lang": "zh"}},
                                 {"headers": {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}}])
def test_the_console_speaks_chinese(client, how):
    html = client.get("/", **how).get_data(as_text=True)
    assert "<title>Vigil 值班台</title>" in html
    assert "暂无未结事件" in html and "连接中断，正在重连…" in html
    assert 'lang="zh-CN"' in html


def test_a_language_choice_is_remembered(client):
    client.get("/?lang=zh")
    assert "值班台" in client.get("/").get_data(as_text=True)
    client.get("/?lang=en")
    assert "Duty console" in client.get("/").get_data(as_text=True)


def test_the_incidents_api_lists_open_incidents_as_geojson(client, feed_token):
    from tests.conftest import FEED, event_body
    auth = {"Authorization": f"Bearer {feed_token}"}
    client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("a"), headers=auth)
    client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("b", lat=None, lon=None), headers=auth)
    client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("c", version="2", msg_type="cancel"), headers=auth)
    body = client.get("/api/v1/incidents").get_json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["headline"] for f in body["features"]] == ["River Qinhuai over warning level"] * 2
    geometries = [f["geometry"] for f in body["features"]]
    assert None in geometries and {"type": "Point", "coordinates": [118.78, 32.04]} in geometries
    assert client.get("/api/v1/incidents?limit=0").status_code == 400


@pytest.mark.parametrize("lang, text", [("en", "Last success"), ("zh", "最近成功")])
def test_the_feeds_page_renders_in_both_languages(client, lang, text):
    response = client.get(f"/feeds?lang={lang}")
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)


def _zh_strings(app) -> dict:
    from web.console import _client_strings
    with app.test_request_context("/?lang=zh"):
        return _client_strings()


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_refusal_the_console_meets_has_a_code_with_chinese_text(app, client, feed_token, runtime):
    from command.tokens import issue_feed_token
    from tests.conftest import FEED, event_body, log_in
    with runtime.unit_of_work() as session:
        gauge_token = issue_feed_token(session, "river-gauges")
    one = client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("one"),
                      headers={"Authorization": f"Bearer {feed_token}"}).get_json()["incident_id"]
    two = client.post("/api/v1/feeds/river-gauges/events", json=event_body("two"),  # proposed as the same flood
                      headers={"Authorization": f"Bearer {gauge_token}"}).get_json()["incident_id"]
    proposal = client.get("/api/v1/correlations").get_json()["proposals"][0]

    def post(incident_id, what, **body):
        return client.post(f"/api/v1/incidents/{incident_id}/{what}", json={"actor": "王值班", **body})

    answers = [
        post(one, "grade", grade="II", version=1),                  # reason_required
        post(one, "actions", action="close", version=1),            # invalid_transition
        post(one, "actions", action="fly", version=1),              # bad_action
        post(one, "grade", grade="V", version=1, reason="x"),       # bad_grade
        post(one, "harm", deaths=-1, version=1, reason="x"),        # not_negative_whole
        post(one, "merge", into=one, version=1),                    # merge_into_itself
        post(one, "merge", into=99999, version=1),                  # merge_target_missing
        post(one, "split", version=1),                              # not_merged
        post(one, "notes", text="x" * 5000),                        # note_too_long
        post(one, "actions", action="acknowledge"),                 # required (version)
        post(one, "actions", action="acknowledge", version="1"),    # whole_number
        post(99999, "actions", action="acknowledge", version=1),    # not_found
        client.post(f"/api/v1/incidents/{one}/actions", data="x"),  # not_json_object
    ]
    assert post(two, "merge", into=one, version=1).status_code == 200
    answers += [
        post(one, "merge", into=two, version=2),                    # merge_target_merged
        post(two, "merge", into=one, version=2),                    # already_merged
        post(one, "actions", action="acknowledge", version=1),      # stale_version
    ]
    colleague = app.test_client()  # someone else at the next desk is already editing it
    log_in(colleague, runtime, "李值班", role="operator")
    assert colleague.post(f"/api/v1/incidents/{one}/lease", json={}).status_code == 200
    answers.append(client.post(f"/api/v1/incidents/{one}/lease", json={"actor": "王值班"}))  # lease_held
    answers.append(client.post(f"/api/v1/correlations/{proposal['id']}/dismiss", json={"actor": "王值班"}))

    bodies = [a.get_json() for a in answers]
    codes = [b["code"] for b in bodies]
    assert codes == ["reason_required", "invalid_transition", "bad_action", "bad_grade", "not_negative_whole",
                     "merge_into_itself", "merge_target_missing", "not_merged", "note_too_long", "required",
                     "whole_number", "not_found", "not_json_object", "merge_target_merged", "already_merged",
                     "stale_version", "lease_held", "proposal_decided"]
    assert (bodies[1]["status"], bodies[1]["action"]) == ("new", "close")
    assert (bodies[13]["into"], bodies[13]["parent"]) == (two, one) and bodies[8]["limit"] == 4000
    assert bodies[17]["decision"] == "merged" and answers[17].status_code == 409
    assert all(b["error"] for b in bodies)  # the English message stays, for logs and old clients
    texts = _zh_strings(app)["errors"]
    assert [c for c in codes if not _chinese(texts.get(c, ""))] == []


def test_the_systems_own_reasons_are_stored_as_codes_the_console_says_in_chinese(app):
    from command.grading import propose
    from command.i18n import render
    from web.incidents_api import parts
    strings = _zh_strings(app)
    for args in [("severe",), ("unknown",), ("severe", 4, None, None), ("minor", 0, 0, 0),
                 ("extreme", 40, 200, 2 * 10**8)]:
        basis = propose(*args).basis
        assert _chinese(strings["grade_reasons"][parts(basis)["code"]])
        assert _chinese(render(basis, "zh")) and not _chinese(render(basis, "en"))
    harm = propose("severe", 4, 12, None).basis
    assert parts(harm) == {"code": "harm", "reached": [
        {"code": "harm_item", "name": "deaths", "value": 4, "limit": 3},
        {"code": "harm_item", "name": "serious_injuries", "value": 12, "limit": 10}]}
    assert render(harm) == "harm: deaths 4 ≥ 3, serious injuries 12 ≥ 10"
    assert set(strings["harm_names"]) == {"deaths", "serious_injuries", "direct_loss_yuan"}


def test_expiry_reasons_and_rule_ids_reach_the_timeline_in_a_form_the_console_can_say(app, client, feed_token, runtime):
    from datetime import timedelta
    from command.expiry import expire_due
    from command.lifecycle import RULES
    from command.models import utcnow
    from tests.conftest import FEED, event_body
    auth = {"Authorization": f"Bearer {feed_token}"}
    past = (utcnow() - timedelta(hours=1)).isoformat()
    expired = client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("old", expires_at=past),
                          headers=auth).get_json()["incident_id"]
    quiet = client.post(f"/api/v1/feeds/{FEED}/events", json=event_body("quiet"),
                        headers=auth).get_json()["incident_id"]
    with runtime.unit_of_work() as session:
        expire_due(session, {FEED: 60}, utcnow() + timedelta(minutes=5))
    strings = _zh_strings(app)
    for incident_id, code in ((expired, "expired_message"), (quiet, "expired_ttl")):
        last = client.get(f"/api/v1/incidents/{incident_id}").get_json()["timeline"][-1]
        assert last["rule_id"] == "EXPIRE-NEW" and last["reason_parts"]["code"] == code
        assert _chinese(strings["system_reasons"][code])
    note = client.post(f"/api/v1/incidents/{quiet}/notes", json={"actor": "王值班", "text": "message expired at noon"})
    assert note.status_code == 201
    assert client.get(f"/api/v1/incidents/{quiet}").get_json()["timeline"][-1]["reason_parts"] is None
    labelled = strings["rules"]
    assert [rule for _to, rule in RULES.values() if not _chinese(labelled.get(rule, ""))] == []
