"""GeoNet quake GeoJSON -> FeedEvents, on the real MMI>=4 answer (2019) and a deleted quake."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from feed_samples import dumps, sample, sample_json

from feeds.adapters import geonet
from feeds.adapters.errors import PayloadRefused

SAMPLE = "geonet_nz_quakes_mmi4_2019.geojson"
DELETED = "geonet_nz_quake_deleted_2019.geojson"
UTC = timezone.utc
DELETED_IDS = {"2019p497615", "2019p174778", "2019p174754", "2019p166058", "2019p166055", "2019p159004",
               "2019p098570"}


@pytest.fixture(scope="module")
def events():
    return {e.external_id: e for e in geonet.parse(sample(SAMPLE))}


def _one(**props) -> geonet.FeedEvent:
    doc = sample_json(SAMPLE)
    doc["features"] = doc["features"][:1]
    doc["features"][0]["properties"].update(props)
    (event,) = geonet.parse(dumps(doc))
    return event


def test_every_quake_becomes_one_event_and_deleted_ones_are_cancels(events):
    assert len(events) == 88
    cancels = {e.external_id for e in events.values() if e.msg_type == "cancel"}
    assert cancels == DELETED_IDS
    assert all(e.msg_type == "alert" for e in events.values() if e.external_id not in DELETED_IDS)


def test_christchurch_quake_fields(events):
    quake = events["2019p545576"]
    assert quake.headline == "M3.9 quake, Within 5 km of Christchurch"
    assert quake.occurred_at == datetime(2019, 7, 21, 20, 43, 22, 303000, tzinfo=UTC)
    assert (quake.lat, quake.lon) == (-43.5546608, 172.6222076)  # GeoJSON [172.6222076, -43.5546608]
    assert quake.severity == "moderate" and quake.raw_level == "MMI 5"
    assert (quake.category, quake.event, quake.status, quake.sender) == ("geo", "Earthquake", "actual", "GeoNet")
    assert quake.address == "Within 5 km of Christchurch"
    assert "Magnitude 3.90" in quake.description and "Depth 5.0 km" in quake.description


def test_deleted_quake_file_is_one_cancel():
    (quake,) = geonet.parse(sample(DELETED))
    assert quake.external_id == "2019p159004"
    assert quake.msg_type == "cancel"
    assert quake.headline == "Deleted by GeoNet: M5.0 quake, 5 km north-west of Tokomaru Bay"
    assert (quake.lat, quake.lon) == (-38.07928467, 178.2567291)
    assert quake.occurred_at == datetime(2019, 2, 28, 19, 55, 40, 786000, tzinfo=UTC)
    assert quake.severity == "moderate" and quake.raw_level == "MMI 6"
    assert quake.version.startswith("deleted:")


def test_version_follows_the_data(events):
    (deleted,) = geonet.parse(sample(DELETED))
    assert events["2019p159004"].version == deleted.version  # same data in both answers: a duplicate
    best = _one(quality="best")
    assert best.version.startswith("best:")
    assert _one(quality="best", magnitude=4.1).version != best.version
    assert _one(quality="deleted").version != best.version


def test_all_positions_are_in_new_zealand(events):
    lats = [e.lat for e in events.values()]
    lons = [e.lon for e in events.values()]
    # from north-west of the Snares Islands to north-east of Te Araroa: a lat/lon swap fails every bound
    assert (min(lats), max(lats)) == (-47.65468216, -37.12293243)
    assert (min(lons), max(lons)) == (165.4665985, 179.0472107)
    assert all(e.occurred_at.utcoffset() == timedelta(0) for e in events.values())


@pytest.mark.parametrize(("mmi", "severity"), [
    (9, "extreme"), (8, "extreme"), (7, "severe"), (6, "moderate"), (5, "moderate"), (4, "minor"), (1, "minor"),
    (-1, "unknown"), (None, "unknown"), ("6", "unknown"),
])
def test_severity_from_mmi(mmi, severity):
    assert _one(mmi=mmi).severity == severity


def test_bad_quakes_are_skipped():
    doc = sample_json(SAMPLE)
    del doc["features"][0]["properties"]["publicID"]
    doc["features"][1]["properties"]["time"] = "2019-07-20T11:51:42"  # no offset: refuse to guess one
    events, skipped = geonet.parse_report(dumps(doc))
    assert len(events) == 86
    assert skipped[0][0] == 0 and skipped[0][1].startswith("publicID:")
    assert skipped[1][0] == 1 and "no UTC offset" in skipped[1][1]


@pytest.mark.parametrize("payload", [
    b"not json", b"{}", b'{"type": "FeatureCollection"}', b'"FeatureCollection"',
    sample("usgs_all_day_2018-09-16.geojson"),  # no publicID anywhere
    sample("qweather_cn_alert_v1_huidong_rainstorm_downgrade_2025-09-17.json"),
])
def test_refused_payloads(payload):
    with pytest.raises(PayloadRefused):
        geonet.parse(payload)


def test_detect():
    assert geonet.detect(sample(SAMPLE)) and geonet.detect(sample(DELETED))
    assert not geonet.detect(sample("usgs_all_day_2018-09-16.geojson"))
