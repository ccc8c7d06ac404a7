"""Every role against every route and the live channel: the allowed set is this table, nothing else."""

from __future__ import annotations

import re

import pytest

from command.users import ROLES
from tests.conftest import log_in

A, O, S, L, D = "administrator", "operator", "shift_leader", "liaison", "leader"  # D: leader on duty (带班领导)
STAFF = {A, O, S}
READERS = STAFF | {D}
EVERYONE = READERS | {L}

# endpoint: the roles that get past the gate ("feed" is a token-only role: it appears nowhere)
ALLOWED = {
    "admin.create_user": {A}, "admin.disable": {A}, "admin.index": {A}, "admin.reset_password": {A},
    "admin.set_departments": {A}, "admin.set_role": {A}, "admin.token": {A},
    "auth.logout": EVERYONE, "auth.me": EVERYONE,
    "console.index": READERS, "console.map_data": READERS,
    "correlations_api.list_proposals": READERS, "correlations_api.post_dismiss": STAFF,
    "documents_api.get_document": READERS, "documents_api.get_file": READERS,
    "documents_api.list_documents": READERS, "documents_api.post_document": READERS, "documents_page.index": READERS,
    "dutylog_api.correct": STAFF, "dutylog_api.export": READERS, "dutylog_api.list_entries": READERS,
    "dutylog_api.post_significant": {A, S, D}, "dutylog_api.record_phone_call": STAFF, "dutylog_api.verify": READERS,
    "dutylog_page.index": READERS,
    "escalations_api.answer": EVERYONE, "escalations_api.get_escalation": EVERYONE,
    "escalations_api.list_escalations": EVERYONE,
    "feeds_api.list_feeds": READERS, "feeds_page.index": READERS,
    "handover_page.current": STAFF | {D}, "handover_page.draft": STAFF, "handover_page.edit": STAFF,
    "handover_page.get_handover": STAFF | {D}, "handover_page.index": STAFF | {D}, "handover_page.sign": STAFF,
    "incidents_api.delete_lease": STAFF, "incidents_api.get_incident": EVERYONE,
    "incidents_api.list_incidents": EVERYONE, "incidents_api.post_action": STAFF, "incidents_api.post_grade": STAFF,
    "incidents_api.post_harm": STAFF, "incidents_api.post_lease": STAFF, "incidents_api.post_merge": STAFF,
    "incidents_api.post_note": STAFF, "incidents_api.post_sensitive": STAFF, "incidents_api.post_split": STAFF,
    "metrics.metrics": {A},
    "openapi.openapi_json": EVERYONE, "queue_page.index": EVERYONE,
    "reports_api.get_due": READERS, "reports_api.get_monthly": READERS, "reports_api.get_reports": READERS,
    "reports_api.post_report": STAFF,
    "roster_api.get_week": READERS, "roster_api.list_swaps": READERS, "roster_api.post_decision": {A, S},
    "roster_api.post_swap": STAFF, "roster_page.index": READERS,
}
# reachable by anyone: they check a signature, a feed token, or nothing at all
PUBLIC = {"static", "health.healthz", "auth.login", "auth.login_post", "feeds_api.post_events",
          "twilio_webhooks.gateway_status", "twilio_webhooks.inbound_sms", "twilio_webhooks.twilio_status"}


def _requests(app):
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "admin" if m.group(1) == "username" else "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_the_table_names_every_route(app):
    endpoints = {endpoint for endpoint, _, _ in _requests(app)}
    assert endpoints == set(ALLOWED) | PUBLIC


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_routes(app, runtime, role):
    client = app.test_client()
    log_in(client, runtime, f"user-{role}", role, departments=["water"] if role == "liaison" else ())
    wrong = []
    for endpoint, method, path in _requests(app):
        if endpoint in PUBLIC or endpoint == "auth.logout":
            continue
        answer = client.open(path, method=method, json={} if method != "GET" else None)
        refused = answer.status_code == 403 and (answer.get_json(silent=True) or {}).get("code") == "forbidden"
        if refused == (role in ALLOWED[endpoint]):
            wrong.append(f"{method} {path} ({endpoint}): {answer.status_code}")
    assert wrong == []


def test_nobody_logged_in_gets_nothing_but_the_public_routes(app):
    client = app.test_client()
    for endpoint, method, path in _requests(app):
        if endpoint in PUBLIC:
            continue
        answer = client.open(path, method=method, json={} if method != "GET" else None)
        assert answer.status_code in (302, 401), (method, path, answer.status_code)


@pytest.mark.parametrize("role, receives", [(A, {"fire", "water"}), (O, {"fire", "water"}), (D, {"fire", "water"}),
                                            (S, {"fire", "water"}), (L, {"water"})])
def test_the_live_channel_sends_each_role_its_own(app, runtime, role, receives):
    from command.events import IncidentOpened
    socketio = app.extensions["socketio"]
    client = app.test_client()
    log_in(client, runtime, f"live-{role}", role, departments=["water"] if role == L else ())
    live = socketio.test_client(app, namespace="/live", flask_test_client=client)
    assert live.is_connected("/live")
    for code in ("fire", "water"):
        runtime.publisher.publish(IncidentOpened({"type": "Feature", "id": code, "geometry": None,
                                                  "properties": {"departments": [code]}}))
    got = {args[0]["id"] for args in (m["args"] for m in live.get_received("/live") if m["name"] == "incident")}
    assert got == receives


def test_the_live_channel_refuses_strangers_and_feeds(app, runtime):
    socketio = app.extensions["socketio"]
    stranger = socketio.test_client(app, namespace="/live", flask_test_client=app.test_client())
    assert not stranger.is_connected("/live")
    feed = app.test_client()
    log_in(feed, runtime, "a-feed", "feed")
    assert not socketio.test_client(app, namespace="/live", flask_test_client=feed).is_connected("/live")
