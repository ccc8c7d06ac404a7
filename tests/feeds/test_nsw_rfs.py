"""NSW RFS major incidents GeoJSON -> FeedEvents, on the real feed of 15 Sept 2018."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from feed_samples import dumps, sample, sample_json

from feeds.adapters import nsw_rfs
from feeds.adapters.errors import PayloadRefused

SAMPLE = "nsw_rfs_major_incidents_2018-09.geojson"
UTC = timezone.utc
GUID = "https://incidents.rfs.nsw.gov.au/api/v1/incidents/"


@pytest.fixture(scope="module")
def events():
    return {e.external_id.removeprefix(GUID): e for e in nsw_rfs.parse(sample(SAMPLE))}


def _one(index: int = 1, **props) -> nsw_rfs.FeedEvent:
    doc = sample_json(SAMPLE)
    doc["features"] = [doc["features"][index]]
    doc["features"][0]["properties"].update(props)
    (event,) = nsw_rfs.parse(dumps(doc))
    return event


def test_every_incident_becomes_one_event(events):
    assert len(events) == 49
    levels = [(e.raw_level, e.severity) for e in events.values()]
    assert levels.count(("Advice", "moderate")) == 37
    assert levels.count(("Not Applicable", "minor")) == 11
    assert levels.count(("Watch and Act", "severe")) == 1


def test_watch_and_act_fire_with_perimeter(events):
    fire = events["309400"]
    assert fire.headline == "Yankees Gap Rd, Bemboka"
    assert fire.severity == "severe" and fire.raw_level == "Watch and Act"
    assert fire.sent_at == datetime(2018, 9, 15, 9, 37, tzinfo=UTC)  # pubDate 15/09/2018 9:37:00 AM
    assert fire.version == "2018-09-15T09:37:00.000+00:00"
    assert (fire.lat, fire.lon) == (-36.57059663599995, 149.70279693600003)
    assert (fire.category, fire.event, fire.msg_type, fire.status) == ("fire", "Bush Fire", "alert", "actual")
    assert fire.address == "1382 Yankees Gap Rd, Bemboka, NSW 2550"
    assert fire.sender == "Rural Fire Service"
    assert fire.area["type"] == "GeometryCollection"
    types = [part["type"] for part in fire.area["geometries"]]
    assert types == ["Point"] + ["Polygon"] * 23  # the nested perimeter collection, flattened
    assert fire.area["geometries"][0]["coordinates"] == [149.70279693600003, -36.57059663599995]
    assert fire.guessed == ()


def test_description_is_plain_text(events):
    lines = events["309400"].description.splitlines()
    assert lines[0] == "ALERT LEVEL: Watch and Act"
    assert "STATUS: Out of control" in lines and "SIZE: 15499 ha" in lines
    assert ("MAJOR FIRE UPDATE AS AT 15 Sep 2018 7:06PM: More information "
            "(http://www.rfs.nsw.gov.au/fire-information/major-fire-updates/mfu?id=2165)") in lines
    assert not any("<" in line for e in events.values() for line in e.description.splitlines())


def test_point_incident_has_no_area(events):
    fire = events["313121"]
    assert fire.headline == "218 Canobolas Rd"
    assert (fire.lat, fire.lon) == (-33.30215222399994, 149.05571937600007)
    assert fire.area is None
    assert fire.severity == "moderate" and fire.event == "Grass Fire"
    assert fire.sent_at == datetime(2018, 9, 15, 4, 8, tzinfo=UTC)


def test_areas_and_positions(events):
    with_area = [e for e in events.values() if e.area is not None]
    assert len(with_area) == 13
    assert all(e.area["type"] == "GeometryCollection" for e in with_area)
    for event in events.values():
        assert -38 < event.lat < -28 and 140 < event.lon < 154, event.external_id  # New South Wales


def test_pub_date_is_utc_ten_hours_before_the_sydney_updated_field(events):
    for event in events.values():
        updated = re.search(r"UPDATED: (.+)", event.description).group(1)
        local = datetime.strptime(updated, "%d %b %Y %H:%M")
        assert event.sent_at.utcoffset() == timedelta(0)
        assert event.sent_at.replace(tzinfo=None) == local - timedelta(hours=10)  # AEST, before DST


@pytest.mark.parametrize(("level", "severity"), [
    ("Emergency Warning", "extreme"), ("Watch and Act", "severe"), ("Advice", "moderate"),
    ("Not Applicable", "minor"), ("Planned Burn", "unknown"),
])
def test_severity_from_alert_level(level, severity):
    event = _one(category=level)
    assert event.severity == severity and event.raw_level == level


def test_pm_pub_date():
    assert _one(pubDate="15/09/2018 12:30:00 PM").sent_at == datetime(2018, 9, 15, 12, 30, tzinfo=UTC)
    assert _one(pubDate="15/09/2018 12:30:00 AM").sent_at == datetime(2018, 9, 15, 0, 30, tzinfo=UTC)


def test_invalid_perimeter_drops_the_area_not_the_fire():
    doc = sample_json(SAMPLE)
    feature = doc["features"][0]
    ring = feature["geometry"]["geometries"][1]["geometries"][0]["coordinates"][0]
    ring.pop()  # the ring is no longer closed
    events, skipped = nsw_rfs.parse_report(dumps(doc))
    assert skipped == [] and len(events) == 49
    fire = events[0]
    assert fire.area is None
    assert (fire.lat, fire.lon) == (-36.57059663599995, 149.70279693600003)
    assert len(fire.guessed) == 1 and fire.guessed[0].startswith("area dropped")


def test_bad_incidents_are_skipped():
    doc = sample_json(SAMPLE)
    doc["features"][2]["properties"]["pubDate"] = "2018-09-15"
    del doc["features"][4]["properties"]["guid"]
    events, skipped = nsw_rfs.parse_report(dumps(doc))
    assert len(events) == 47
    assert [index for index, _ in skipped] == [2, 4]
    assert skipped[0][1].startswith("pubDate:") and skipped[1][1].startswith("guid:")


@pytest.mark.parametrize("payload", [
    b"\x89PNG\r\n", b"null", b'{"type": "Feature"}', b'{"type": "FeatureCollection", "features": [1, 2]}',
    sample("geonet_nz_quake_deleted_2019.geojson"),
])
def test_refused_payloads(payload):
    with pytest.raises(PayloadRefused):
        nsw_rfs.parse(payload)


def test_detect():
    assert nsw_rfs.detect(sample(SAMPLE))
    assert not nsw_rfs.detect(sample("usgs_all_day_2018-09-16.geojson"))


def test_out_of_range_perimeter_number_drops_the_area_not_the_fire():
    doc = sample_json(SAMPLE)
    doc["features"][0]["geometry"]["geometries"][1]["geometries"][0]["coordinates"][0][3][0] = 10 ** 400
    fire = nsw_rfs.parse(dumps(doc))[0]
    assert fire.area is None and (fire.lat, fire.lon) == (-36.57059663599995, 149.70279693600003)
    assert fire.guessed == ("area dropped, the source's geometry is not valid GeoJSON: "
                            "area.geometries[1].coordinates[0][3]: a position must be [lon, lat] numbers",)
