"""One intake for every payload: raw (an adapter reads it) or Vigil's own events, stored, refused, counted alike."""

from __future__ import annotations

import json

from sqlalchemy import select

from command.models import DeadLetter, FeedEventRecord, FeedHealth, Payload
from feeds.intake import NORMALIZED, take_payload
from tests.conftest import event_body
from tests.feeds.feed_samples import sample


def rows(runtime, model, order=None) -> list:
    with runtime.sessions() as session:
        return list(session.scalars(select(model).order_by(order if order is not None else model.id)))


def health(runtime, source: str) -> FeedHealth:
    with runtime.sessions() as session:
        return session.get(FeedHealth, source)


def test_vigils_own_events_are_stored_and_each_bad_one_is_its_own_dead_letter(runtime):
    items = [event_body("a"), event_body("b", lat=999), event_body("c")]
    body = json.dumps(items).encode()
    intake = take_payload(runtime, "river", body, NORMALIZED, items=items, content_type="application/json",
                          remote_addr="10.0.0.7")
    assert [(o.index, o.outcome, o.field) for o in intake.outcomes] == [
        (0, "accepted", None), (1, "rejected", "lat"), (2, "accepted", None)]  # in item order
    assert [e.external_id for e in intake.events] == ["a", "c"]
    [letter] = rows(runtime, DeadLetter)
    assert (letter.field, json.loads(letter.body)["external_id"], letter.remote_addr) == ("lat", "b", "10.0.0.7")
    assert letter.reason.startswith("lat: ")
    [payload] = rows(runtime, Payload)
    assert payload.body == body and len(rows(runtime, FeedEventRecord)) == 2
    row = health(runtime, "river")
    assert (row.format, row.last_status, row.accepted_total, row.rejected_total) == (NORMALIZED, "ok", 2, 1)


def test_a_raw_payload_with_an_unreadable_item_keeps_the_payload_once_as_a_dead_letter(runtime):
    document = json.loads(sample("geonet_nz_quakes_mmi4_2019.geojson"))
    document["features"] = document["features"][:3]
    document["features"][1]["geometry"] = None
    body = json.dumps(document).encode()
    intake = take_payload(runtime, "quakes", body, "geonet")
    assert [(o.outcome, o.field) for o in intake.outcomes] == [
        ("accepted", None), ("accepted", None), ("rejected", "(item)")]
    [letter] = rows(runtime, DeadLetter)
    assert (letter.field, letter.body) == ("(items)", body)
    assert letter.reason.startswith("1 item(s) skipped: item 1: geometry")
    row = health(runtime, "quakes")
    assert (row.format, row.accepted_total, row.rejected_total) == ("geonet", 2, 1)


def test_a_payload_refused_whole_is_a_dead_letter_and_a_refusal_in_the_health(runtime):
    intake = take_payload(runtime, "quakes", b"<not json/>", "geonet")
    assert intake.refused.startswith("not valid JSON") and intake.outcomes == []
    [letter] = rows(runtime, DeadLetter)
    assert (letter.field, letter.body) == ("(body)", b"<not json/>")
    row = health(runtime, "quakes")
    assert (row.last_status, row.format, row.rejected_total, row.last_error) == (
        "refused", "geonet", 1, intake.refused)
    assert rows(runtime, FeedEventRecord) == []
