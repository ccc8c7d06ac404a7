"""Incidents from events: opened once, updated in order, cancelled, and pushed as they change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from command.events import IncidentOpened, IncidentUpdated
from feeds.event import FeedEvent
from feeds.ingest import ingest

T0 = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)


def event(version: str, sent: datetime, **fields) -> FeedEvent:
    data = {"external_id": "quake-1", "version": version, "headline": "M5.1 near Tangshan",
            "sent_at": sent.isoformat(), "lat": 39.6, "lon": 118.2, "severity": "moderate"}
    data.update(fields)
    return FeedEvent.from_dict(data, "cenc")


def test_an_update_chain_keeps_one_incident_and_its_first_occurred_time(runtime):
    published = []
    runtime.publisher.subscribe(published.append)
    first = event("1", T0, occurred_at=(T0 - timedelta(minutes=2)).isoformat())
    second = event("2", T0 + timedelta(minutes=5), msg_type="update", severity="severe",
                   headline="M5.4 near Tangshan (revised)")
    ingest(runtime, "cenc", [(0, first)])
    ingest(runtime, "cenc", [(0, second)])
    assert [type(e) for e in published] == [IncidentOpened, IncidentUpdated]
    latest = published[-1].feature
    assert latest["properties"]["headline"] == "M5.4 near Tangshan (revised)"
    assert latest["properties"]["severity"] == "severe"
    assert latest["properties"]["occurred_at"] == "2026-11-24T02:58:00+00:00"  # 事发 stays put
    assert latest["properties"]["version"] == 2
    assert published[0].feature["id"] == latest["id"]


def test_a_cancel_resolves_the_incident_and_is_pushed(runtime):
    published = []
    runtime.publisher.subscribe(published.append)
    ingest(runtime, "cenc", [(0, event("1", T0))])
    ingest(runtime, "cenc",
           [(0, event("2", T0 + timedelta(minutes=1), msg_type="cancel"))])
    assert published[-1].feature["properties"]["status"] == "resolved"


def test_a_late_older_version_is_stored_but_pushes_nothing(runtime):
    published = []
    runtime.publisher.subscribe(published.append)
    ingest(runtime, "cenc", [(0, event("2", T0 + timedelta(minutes=5)))])
    outcomes = ingest(runtime, "cenc",
                      [(0, event("1", T0, headline="stale"))])
    assert outcomes[0].outcome == "accepted" and outcomes[0].incident_id == published[0].feature["id"]
    assert len(published) == 1


def test_a_failing_subscriber_does_not_stop_ingest_or_other_subscribers(runtime):
    published = []

    def broken(_event):
        raise RuntimeError("socket gone")

    runtime.publisher.subscribe(broken)
    runtime.publisher.subscribe(published.append)
    outcomes = ingest(runtime, "cenc", [(0, event("1", T0))])
    assert outcomes[0].outcome == "accepted" and len(published) == 1


def test_exercise_events_are_marked_as_drills(runtime):
    published = []
    runtime.publisher.subscribe(published.append)
    ingest(runtime, "cenc", [(0, event("1", T0, status="Exercise"))])
    assert published[0].feature["properties"]["drill"] is True


def test_a_cancel_for_an_unknown_incident_opens_nothing(runtime):
    published = []
    runtime.publisher.subscribe(published.append)
    outcomes = ingest(runtime, "cenc",
                      [(0, event("1", T0, msg_type="cancel"))])
    assert outcomes[0].outcome == "accepted" and outcomes[0].incident_id is None
    assert published == []


def test_a_cancel_keeps_what_the_incident_said(runtime):
    published = []
    runtime.publisher.subscribe(published.append)
    ingest(runtime, "cenc", [(0, event("1", T0, severity="severe"))])
    ingest(runtime, "cenc",
           [(0, event("2", T0 + timedelta(minutes=1), msg_type="cancel", headline="Cancelled", lat=None, lon=None))])
    properties = published[-1].feature["properties"]
    assert (properties["status"], properties["headline"], properties["severity"]) == (
        "resolved", "M5.1 near Tangshan", "severe")
    assert published[-1].feature["geometry"]["coordinates"] == [118.2, 39.6]


def test_a_feed_downgrade_shows_the_level_before_and_after_in_the_timeline(runtime, client):
    """Red → orange reads "extreme → severe", not "severe → severe": the before is read before the update."""
    ingest(runtime, "cenc", [(0, event("1", T0, severity="extreme"))])
    [outcome] = ingest(runtime, "cenc", [(0, event("2", T0 + timedelta(minutes=5), msg_type="update",
                                                   severity="severe"))])
    timeline = client.get(f"/api/v1/incidents/{outcome.incident_id}").get_json()["timeline"]
    assert [(e["rule_id"], e["before"], e["after"]) for e in timeline] == [
        ("FEED-OPEN", None, "extreme"), ("FEED-DOWNGRADE", "new/extreme", "new/severe")]
