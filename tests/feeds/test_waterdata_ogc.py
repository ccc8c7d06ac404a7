"""USGS Water Data OGC API latest-continuous readings -> flood events through thresholds."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from feed_samples import dumps, sample, sample_json

from feeds.adapters import waterdata_ogc
from feeds.adapters.errors import PayloadRefused

BUNDLE = "usgs_waterdata_ogcapi_bundle_2026-08-07.json"
UTC = timezone.utc


def _collection(name: str = "latest-continuous") -> dict:
    return sample_json(BUNDLE)[name]


def test_bundle_is_read_through_its_latest_continuous_member():
    events, skipped = waterdata_ogc.parse_report(sample(BUNDLE))
    assert skipped == []
    gage, flow = events
    assert (gage.external_id, gage.msg_type, gage.severity) == ("USGS-06904500:00065:flood", "cancel", "unknown")
    assert gage.headline == "Chariton River near Novinger, MO: gage height 1.59 ft, below the warning level (10 ft)"
    assert (flow.external_id, flow.msg_type, flow.severity) == ("USGS-06904500:00060:flood", "alert", "moderate")
    assert flow.headline == ("Chariton River near Novinger, MO: discharge 535 ft³/s, at or above the warning level "
                             "(500 ft³/s)")
    assert flow.raw_level == "535 ft³/s"
    assert flow.sent_at == flow.occurred_at == datetime(2026, 8, 7, 18, 45, tzinfo=UTC)
    assert flow.version == "2026-08-07T18:45:00.000+00:00"
    assert (flow.lat, flow.lon) == (40.2343333333333, -92.6863888888889)  # GeoJSON [lon, lat]
    assert flow.description.endswith("Data: Provisional")
    assert (flow.category, flow.certainty, flow.guessed) == ("met", "observed", ())


def test_the_feature_collection_alone_gives_the_same_events():
    from_bundle = waterdata_ogc.parse(sample(BUNDLE))
    assert waterdata_ogc.parse(dumps(_collection())) == from_bundle


def test_null_geometry_falls_back_to_the_thresholds_position():
    collection = _collection()
    collection["features"][1]["geometry"] = None
    collection["features"][1]["properties"]["value"] = "2500"
    flow = waterdata_ogc.parse(dumps(collection))[1]
    assert flow.severity == "severe" and flow.headline.endswith("at or above the danger level (2000 ft³/s)")
    assert (flow.lat, flow.lon) == (40.2343333333333, -92.6863888888889)
    assert flow.guessed == ("position from the thresholds file example; the feed gave none usable",)


def test_the_continuous_collection_latest_reading_per_series_decides():
    collection = _collection("continuous")
    collection["features"][0]["properties"]["value"] = "11.5"  # 2025-01-01T00:00, overtaken below
    later = sample_json(BUNDLE)["continuous"]["features"][1]
    (event,) = waterdata_ogc.parse(dumps(collection))
    assert event.external_id == "USGS-06904500:00065:flood"
    assert event.sent_at == datetime.fromisoformat(later["properties"]["time"])
    assert event.raw_level == f"{later['properties']['value']} ft" and event.msg_type == "cancel"


def test_daily_statistics_are_not_readings():
    with pytest.raises(PayloadRefused, match="statistic 00003 is not an instantaneous reading"):
        waterdata_ogc.parse(dumps(_collection("daily")))


def test_broken_features_are_skipped():
    collection = _collection()
    collection["features"][0]["properties"]["time"] = "2026-08-07"
    collection["features"].append({"type": "Feature", "properties": {"monitoring_location_id": "USGS-06904500"}})
    events, skipped = waterdata_ogc.parse_report(dumps(collection))
    assert [e.external_id for e in events] == ["USGS-06904500:00060:flood"]
    assert skipped == [(0, "time: '2026-08-07' has no UTC offset"),
                       (2, "monitoring_location_id or parameter_code is missing or not a USGS site id")]


@pytest.mark.parametrize(("payload", "reason"), [
    (b"nope", "not valid JSON"),
    (b'{"daily": {}}', "nor a bundle with 'latest-continuous'"),
    (b"[]", "not a GeoJSON FeatureCollection"),
    (dumps(sample_json(BUNDLE)["monitoring-locations"]), "none of the 2 features"),
    (sample("usgs_nwis_iv_choptank_seneca_2019-02-14.json"), "nor a bundle"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        waterdata_ogc.parse(payload)


def test_detect():
    assert waterdata_ogc.detect(sample(BUNDLE))
    assert waterdata_ogc.detect(dumps(_collection()))
    assert not waterdata_ogc.detect(sample("usgs_nwis_iv_choptank_seneca_2019-02-14.json"))
    assert not waterdata_ogc.detect(sample("usgs_all_day_2018-09-16.geojson"))
