"""Warnings without an all-clear expire by their message's expiry or their source's TTL, unless attended."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from command.expiry import expire_due
from command.i18n import render
from command.incident_actions import act
from command.models import Incident, IncidentLog
from feeds.event import FeedEvent
from feeds.ingest import ingest
from tests.conftest import pushed_by

T0 = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)


def _open(runtime, external_id, source="cma", **fields):
    event = FeedEvent.from_dict({"external_id": external_id, "headline": f"warning {external_id}",
                                 "sent_at": T0.isoformat(), "severity": "moderate", **fields}, source)
    [outcome] = ingest(runtime, source, [(0, event)], clock=lambda: T0)
    return outcome.incident_id


def _status(runtime, incident_id):
    with runtime.sessions() as session:
        return session.get(Incident, incident_id).status


def _expire(runtime, ttl, at) -> list:
    def run():
        with runtime.unit_of_work() as session:
            expire_due(session, ttl, at)
    return pushed_by(runtime, run)


def test_a_warning_expires_with_its_message_and_by_its_source_ttl(runtime):
    by_message = _open(runtime, "a", expires_at=(T0 + timedelta(hours=6)).isoformat())
    by_ttl = _open(runtime, "b", source="quakes")
    untouched = _open(runtime, "c", source="other")
    assert _expire(runtime, {"quakes": 86400}, T0 + timedelta(hours=5)) == []
    changes = _expire(runtime, {"quakes": 86400}, T0 + timedelta(hours=7))
    assert [c.feature["id"] for c in changes] == [by_message]
    changes = _expire(runtime, {"quakes": 86400}, T0 + timedelta(hours=25))
    assert [c.feature["id"] for c in changes] == [by_ttl]
    assert [_status(runtime, i) for i in (by_message, by_ttl, untouched)] == ["resolved", "resolved", "new"]
    with runtime.sessions() as session:
        entry = session.scalars(select(IncidentLog).where(IncidentLog.incident_id == by_ttl,
                                                          IncidentLog.kind == "status")).one()
    assert (entry.rule_id, entry.actor) == ("EXPIRE-NEW", "system:expiry")
    assert entry.reason_message == {"msg": "reason.expired_ttl", "seconds": "86400"}
    assert "time to live" in render(entry.reason_message) and "有效期" in render(entry.reason_message, "zh")


def test_an_incident_people_respond_to_does_not_expire(runtime):
    incident_id = _open(runtime, "d", expires_at=(T0 + timedelta(hours=1)).isoformat())
    with runtime.unit_of_work() as session:
        act(session, incident_id, "respond", "duty", 1, T0)
    assert _expire(runtime, {}, T0 + timedelta(days=2)) == []
    assert _status(runtime, incident_id) == "responding"
