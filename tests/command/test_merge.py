"""A 110 report and a 119 call at the same place minutes apart are proposed as one; merge and split."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from feeds.adapters.registry import get_adapter
from feeds.demo import SAMPLES_DIR
from feeds.ingest import ingest

from tests.conftest import log_in


@pytest.fixture
def pair(runtime, app):
    """A real Seattle police call (110) and a fire call (119) built from it: 40 m away, 3 minutes later."""
    police = next(e for e in get_adapter("seattle_cad").parse(
        (SAMPLES_DIR / "seattle_spd_call_data_sector_c3_2018-2023.csv").read_bytes()) if e.lat is not None)
    fire = dataclasses.replace(police, source="fire-119", external_id="119-0001", version="1", category="fire",
                               headline="Structure fire reported", lat=police.lat + 0.00036,
                               occurred_at=police.occurred_at + timedelta(minutes=3),
                               sent_at=police.sent_at + timedelta(minutes=3))
    far = dataclasses.replace(fire, external_id="119-0002", lat=police.lat + 0.05)  # 5.5 km away
    published = []
    runtime.publisher.subscribe(published.append)
    ids = {}
    for event in (police, fire, far):
        [outcome] = ingest(runtime, event.source, [(0, event)])
        ids[event.external_id] = outcome.incident_id
    return ids[police.external_id], ids["119-0001"], ids["119-0002"], published


def test_the_pair_is_proposed_once_and_the_far_call_is_not(client, pair):
    police, fire, far, published = pair
    proposals = client.get("/api/v1/correlations").get_json()["proposals"]
    assert len(proposals) == 1
    [proposal] = proposals
    assert sorted(proposal["incidents"]) == sorted([police, fire])
    assert proposal["rule"] == "incident-at-an-address"
    assert proposal["distance_km"] == pytest.approx(0.04, abs=0.005) and proposal["minutes_apart"] == 3.0
    assert any(type(e).__name__ == "CorrelationProposed" for e in published)  # pushed to the consoles


def test_merge_then_split_is_reversible_and_logged(client, runtime, pair):
    police, fire, _far, _ = pair
    merged = client.post(f"/api/v1/incidents/{fire}/merge",
                         json={"into": police, "version": 1, "actor": "王值班", "reason": "同一地址同一起火情"})
    assert merged.status_code == 200
    listed = {f["id"] for f in client.get("/api/v1/incidents").get_json()["features"]}
    assert fire not in listed and police in listed
    detail = client.get(f"/api/v1/incidents/{police}").get_json()
    assert detail["merged"] == [fire] and len(detail["events"]) == 2
    assert detail["proposals"][0]["status"] == "merged"
    assert detail["timeline"][-1]["rule_id"] == "MERGE-IN"

    again = client.post(f"/api/v1/incidents/{fire}/merge", json={"into": police, "version": 2, "actor": "王值班"})
    assert again.status_code == 422 and "already merged" in again.get_json()["error"]

    log_in(client, runtime, "李值班", role="operator")  # another officer splits it again
    split = client.post(f"/api/v1/incidents/{fire}/split", json={"version": 2, "reason": "两起"})
    assert split.status_code == 200
    assert fire in {f["id"] for f in client.get("/api/v1/incidents").get_json()["features"]}
    fire_log = client.get(f"/api/v1/incidents/{fire}").get_json()["timeline"]
    assert [e["rule_id"] for e in fire_log[-2:]] == ["MERGE", "SPLIT"]
    assert client.get("/api/v1/correlations?status=split").get_json()["proposals"][0]["decided_by"] == "李值班"


def test_a_proposal_can_be_dismissed_once(client, pair):
    [proposal] = client.get("/api/v1/correlations").get_json()["proposals"]
    first = client.post(f"/api/v1/correlations/{proposal['id']}/dismiss", json={"actor": "王值班"})
    assert first.status_code == 200 and first.get_json()["proposal"]["status"] == "dismissed"
    assert client.post(f"/api/v1/correlations/{proposal['id']}/dismiss", json={"actor": "王值班"}).status_code == 409
    assert client.get("/api/v1/correlations").get_json()["proposals"] == []


def test_merging_into_itself_or_a_missing_incident_is_refused(client, pair):
    police, fire, _far, _ = pair
    assert client.post(f"/api/v1/incidents/{fire}/merge",
                       json={"into": fire, "version": 1, "actor": "x"}).get_json()["field"] == "into"
    assert client.post(f"/api/v1/incidents/{fire}/merge",
                       json={"into": 99999, "version": 1, "actor": "x"}).status_code == 422
