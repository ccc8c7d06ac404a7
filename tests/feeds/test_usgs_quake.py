"""USGS earthquake summary GeoJSON -> FeedEvents, on the real 'all day' feed of 2018-09-16."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from feed_samples import dumps, sample, sample_json

from feeds.adapters import usgs_quake
from feeds.adapters.errors import PayloadRefused
from feeds.event import InvalidEvent

SAMPLE = "usgs_all_day_2018-09-16.geojson"
UTC = timezone.utc


@pytest.fixture(scope="module")
def events():
    return {e.external_id: e for e in usgs_quake.parse(sample(SAMPLE))}


def _one(**props) -> usgs_quake.FeedEvent:
    """Parse the sample's first quake with some properties replaced."""
    doc = sample_json(SAMPLE)
    doc["features"] = doc["features"][:1]
    doc["features"][0]["properties"].update(props)
    (event,) = usgs_quake.parse(dumps(doc))
    return event


def test_every_quake_becomes_one_event():
    events, skipped = usgs_quake.parse_report(sample(SAMPLE))
    assert len(events) == 188 and skipped == []
    assert len({e.external_id for e in events}) == 188


def test_first_quake_fields(events):
    quake = events["ak20255160"]
    assert quake.source == "usgs_quake"
    assert quake.headline == "M 2.0 - 132km WNW of Arctic Village, Alaska"
    assert quake.occurred_at == datetime(2018, 9, 16, 4, 0, 31, 969000, tzinfo=UTC)
    assert quake.sent_at == datetime(2018, 9, 16, 4, 7, 6, 993000, tzinfo=UTC)
    assert quake.version == "2018-09-16T04:07:06.993+00:00"
    assert (quake.lat, quake.lon) == (68.7636, -148.2799)  # GeoJSON [-148.2799, 68.7636, 0.1]
    assert quake.severity == "minor" and quake.raw_level == "M2"
    assert (quake.category, quake.event, quake.msg_type, quake.status) == ("geo", "Earthquake", "alert", "actual")
    assert quake.address == "132km WNW of Arctic Village, Alaska"
    assert quake.region_code is None and quake.area is None
    assert quake.sender == "USGS (ak)"
    assert "Depth 0.1 km" in quake.description and "Review status: automatic" in quake.description


def test_largest_quake_pager_green_wins_over_magnitude(events):
    quake = events["us2000hf24"]
    assert quake.headline == "M 5.6 - 158km E of Nago, Japan"
    assert (quake.lat, quake.lon) == (26.6579, 129.5633)
    assert quake.raw_level == "M5.6 alert=green"
    assert quake.severity == "minor"  # PAGER green: no losses expected, though M5.6 alone would be moderate
    assert quake.occurred_at == datetime(2018, 9, 15, 8, 5, 29, 280000, tzinfo=UTC)
    assert "PAGER alert: green" in quake.description and "Depth 10 km" in quake.description


def test_magnitude_without_pager_uses_the_bands(events):
    assert events["us2000hf6l"].raw_level == "M5.4"
    assert events["us2000hf6l"].severity == "moderate"
    assert sum(e.severity == "moderate" for e in events.values()) == 20
    assert sum(e.severity == "minor" for e in events.values()) == 168


def test_positions_span_the_feed_bbox(events):
    # metadata bbox is [min lon, min lat, min depth, max lon, max lat, max depth]: catches a lat/lon swap
    bbox = sample_json(SAMPLE)["bbox"]
    lats = [e.lat for e in events.values()]
    lons = [e.lon for e in events.values()]
    assert (min(lons), min(lats), max(lons), max(lats)) == (bbox[0], bbox[1], bbox[3], bbox[4])


def test_times_are_aware_utc(events):
    for event in events.values():
        assert event.occurred_at.utcoffset() == timedelta(0)
        assert event.sent_at >= event.occurred_at


@pytest.mark.parametrize(("mag", "alert", "severity"), [
    (7.0, None, "extreme"), (6.2, None, "severe"), (4.5, None, "moderate"), (4.49, None, "minor"),
    (None, None, "unknown"), (3.0, "red", "extreme"), (3.0, "orange", "severe"), (8.0, "yellow", "moderate"),
    (6.5, "purple", "severe"),
])
def test_severity_mapping(mag, alert, severity):
    assert _one(mag=mag, alert=alert).severity == severity


def test_deleted_quake_is_a_cancel():
    event = _one(status="deleted")
    assert event.msg_type == "cancel" and event.status == "actual"


def test_reviewed_status_is_not_cap_status():
    assert _one(status="reviewed").status == "actual"


def test_bad_quakes_are_skipped_with_reasons_and_the_rest_kept():
    doc = sample_json(SAMPLE)
    doc["features"][3]["geometry"] = None
    doc["features"][5]["properties"]["time"] = "yesterday"
    doc["features"][7]["geometry"]["coordinates"] = [12.0, 95.0, 1.0]  # lat 95: impossible
    events, skipped = usgs_quake.parse_report(dumps(doc))
    assert len(events) == 185
    assert [index for index, _ in skipped] == [3, 5, 7]
    assert skipped[0][1].startswith("geometry:")
    assert skipped[1][1].startswith("time:")
    assert skipped[2][1].startswith("lat:")


def test_source_is_passed_in():
    assert {e.source for e in usgs_quake.parse(sample(SAMPLE), source="demo-usgs_quake")} == {"demo-usgs_quake"}
    with pytest.raises(InvalidEvent):
        usgs_quake.parse(sample(SAMPLE), source="Not A Name")


def test_empty_feed_is_no_events():
    assert usgs_quake.parse(b'{"type": "FeatureCollection", "features": []}') == []


@pytest.mark.parametrize("payload", [
    b"", b"\x00\xff\xfe garbage", b"<rss></rss>", b"[]", b'{"type": "Topology"}',
    b'{"type": "FeatureCollection", "features": {}}', b"[" * 100_000, b'{"a": NaN}',
    sample("qweather_cn_warning_now_shanghai_gale_blue_2023-04-03.json"),
    sample("geonet_nz_quakes_mmi4_2019.geojson"),  # a FeatureCollection, but no quake has a USGS id
])
def test_refused_payloads(payload):
    with pytest.raises(PayloadRefused) as refused:
        usgs_quake.parse(payload)
    assert refused.value.reason and "\n" not in refused.value.reason


def test_detect():
    assert usgs_quake.detect(sample(SAMPLE))
    assert not usgs_quake.detect(sample("geonet_nz_quakes_mmi4_2019.geojson"))
    assert not usgs_quake.detect(b"garbage")


def test_out_of_range_coordinate_skips_the_quake():
    doc = sample_json(SAMPLE)
    doc["features"][0]["geometry"]["coordinates"][1] = 10 ** 400
    events, skipped = usgs_quake.parse_report(dumps(doc))
    assert len(events) == 187
    assert skipped == [(0, "geometry: coordinates must be numbers [lon, lat, depth]")]
