"""FeedEvent validation: one place decides what a valid normalized event is."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from feeds.event import FeedEvent, InvalidEvent


def make(**fields) -> FeedEvent:
    data = {"external_id": "e1", "headline": "Gale warning", "sent_at": "2026-11-24T08:00:00+08:00"}
    data.update(fields)
    return FeedEvent.from_dict({k: v for k, v in data.items() if v is not None}, "cma")


def test_times_become_aware_utc_and_version_defaults_to_sent_at():
    event = make(occurred_at="2026-11-24T07:55:00+08:00")
    assert event.sent_at == datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)
    assert event.occurred_at == datetime(2026, 11, 23, 23, 55, tzinfo=timezone.utc)
    assert event.version == "2026-11-24T00:00:00+00:00"


def test_levels_are_lowercased_and_unknown_ones_kept_as_unknown():
    event = make(severity="Severe", urgency="Soon", certainty="Very Likely", category="Weather")
    assert (event.severity, event.urgency, event.certainty, event.category) == (
        "severe", "unknown", "likely", "other")


def test_headline_falls_back_to_the_event_type():
    assert make(headline=None, event="大风").headline == "大风"


@pytest.mark.parametrize("fields, field", [
    ({"external_id": None}, "external_id"),
    ({"sent_at": None}, "version"),
    ({"lat": 31.2}, "lon"),
    ({"lat": float("nan"), "lon": 1.0}, "lat"),
    ({"lat": True, "lon": 1.0}, "lat"),
    ({"lon": 181.0, "lat": 1.0}, "lon"),
    ({"msg_type": "Bulletin"}, "msg_type"),
    ({"references": "a,b"}, "references"),
    ({"area": {"type": "Circle", "coordinates": [1, 2]}}, "area"),
    ({"area": {"type": "Point", "coordinates": [121.5, 95.0]}}, "area.coordinates"),
    ({"area": {"type": "GeometryCollection", "geometries": []}}, "area"),
    ({"external_id": "x" * 300}, "external_id"),
    ({"lat": 10 ** 400, "lon": 1.0}, "lat"),
    ({"area": {"type": "Point", "coordinates": [10 ** 400, 1]}}, "area.coordinates"),
    ({"sent_at": "0001-01-01T00:00:00+08:00"}, "sent_at"),
])
def test_a_bad_field_is_named(fields, field):
    with pytest.raises(InvalidEvent) as caught:
        make(**fields)
    assert caught.value.field == field


def test_an_area_gives_the_marker_position_when_no_point_is_given():
    ring = [[121.0, 31.0], [122.0, 31.0], [122.0, 32.0], [121.0, 32.0], [121.0, 31.0]]
    event = make(area={"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "coordinates": [ring]}, {"type": "Point", "coordinates": [121.5, 31.5]}]})
    assert event.point() == (31.5, 121.5)
    assert make(lat=30.0, lon=120.0).point() == (30.0, 120.0)
    assert make().point() is None


def test_exercise_test_and_draft_are_drills():
    assert [make(status=s).is_drill for s in ("Actual", "Exercise", "Test", "Draft", "System")] == [
        False, True, True, True, False]


def test_to_dict_is_json_and_round_trips():
    event = make(lat=31.2, lon=121.5, references=["cma,e0,2026-11-24T07:00:00+08:00"], guessed=["x"])
    data = json.loads(json.dumps(event.to_dict()))
    assert FeedEvent.from_dict(data, "cma") == event
