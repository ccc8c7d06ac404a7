"""The live channel: an ingested event reaches every connected console over Socket.IO."""

from __future__ import annotations

import queue

import pytest
import requests
import socketio

from command.runtime import build_runtime
from command.tokens import issue_feed_token
from tests.conftest import ADMIN_TOKEN, FEED, event_body


def _token(sqlite_url: str) -> str:
    rt = build_runtime({"DATABASE_URL": sqlite_url})
    with rt.unit_of_work() as session:
        token = issue_feed_token(session, FEED)
    rt.engine.dispose()
    return token


def _listener(url: str, transport: str):
    received: queue.Queue = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("incident", received.put, namespace="/live")
    client.connect(url, namespaces=["/live"], transports=[transport], wait_timeout=10, auth={"token": ADMIN_TOKEN})
    return client, received


@pytest.mark.parametrize("async_mode", ["threading", "eventlet"])
def test_an_ingested_event_reaches_every_connected_client(start_server, sqlite_url, async_mode):
    server = start_server(async_mode)
    token = _token(sqlite_url)
    listeners = [_listener(server.url, "websocket"), _listener(server.url, "polling")]
    try:
        response = requests.post(f"{server.url}/api/v1/feeds/{FEED}/events", json=event_body(),
                                 headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 201
        for _, received in listeners:
            feature = received.get(timeout=10)
            assert feature["id"] == response.json()["incident_id"]
            assert feature["geometry"] == {"type": "Point", "coordinates": [118.78, 32.04]}
            assert feature["properties"]["headline"] == "River Qinhuai over warning level"
            assert feature["properties"]["severity"] == "severe"
        duplicate = requests.post(f"{server.url}/api/v1/feeds/{FEED}/events", json=event_body(),
                                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert duplicate.status_code == 200
        for _, received in listeners:
            with pytest.raises(queue.Empty):
                received.get(timeout=1)  # a duplicate changes nothing, so nothing is pushed
    finally:
        for client, _ in listeners:
            client.disconnect()
    health = requests.get(f"{server.url}/healthz", timeout=5).json()
    assert health["live"]["async_mode"] == async_mode


def test_the_in_process_socketio_server_pushes_updates(app, client, feed_token):
    stranger = app.extensions["socketio"].test_client(app, namespace="/live")  # no session: refused
    assert not stranger.is_connected("/live")
    live = app.extensions["socketio"].test_client(app, namespace="/live", flask_test_client=client)
    assert live.is_connected("/live")
    client.post(f"/api/v1/feeds/{FEED}/events", json=event_body(),
                headers={"Authorization": f"Bearer {feed_token}"})
    client.post(f"/api/v1/feeds/{FEED}/events", json=event_body(version="2", severity="extreme"),
                headers={"Authorization": f"Bearer {feed_token}"})
    pushed = [m["args"][0] for m in live.get_received("/live") if m["name"] == "incident"]
    assert [f["properties"]["severity"] for f in pushed] == ["severe", "extreme"]
    assert pushed[0]["id"] == pushed[1]["id"]
