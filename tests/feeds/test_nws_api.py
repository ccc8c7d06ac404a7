"""api.weather.gov alerts -> FeedEvents, on the NWS Portland Flood Watch update of 20 Dec 2019 (no geometry)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from feed_samples import SAMPLES_DIR, dumps, sample, sample_json

from feeds.adapters import nws_api
from feeds.adapters.errors import PayloadRefused

SAMPLE = "nws_api_flood_watch_update_no_geometry_2019-12-20.json"
UTC = timezone.utc
ZONES = "ORZ001, ORZ006, WAZ039, WAZ022, ORZ005, ORZ004, WAZ020, WAZ021, ORZ002, ORZ003, WAZ040"


def _one(geometry="keep", **props) -> nws_api.FeedEvent:
    doc = sample_json(SAMPLE)
    feature = doc["features"][0]
    feature["properties"].update(props)
    if geometry != "keep":
        feature["geometry"] = geometry
    (event,) = nws_api.parse(dumps(doc))
    return event


def test_flood_watch_update():
    (watch,) = nws_api.parse(sample(SAMPLE))
    assert watch.external_id == "NWS-IDP-PROD-3965873-3369046"
    assert watch.headline == ("Flood Watch issued December 20 at 1:34PM PST until December 22 at 10:00AM PST "
                              "by NWS Portland OR")
    assert (watch.msg_type, watch.status, watch.category, watch.event) == ("update", "actual", "met", "Flood Watch")
    assert (watch.severity, watch.urgency, watch.certainty, watch.response_type) == (
        "severe", "future", "possible", "prepare")
    assert watch.sent_at == datetime(2019, 12, 20, 21, 34, tzinfo=UTC)  # 13:34-08:00
    assert watch.effective_at == watch.occurred_at == datetime(2019, 12, 20, 21, 34, tzinfo=UTC)
    assert watch.expires_at == datetime(2019, 12, 21, 13, 30, tzinfo=UTC)  # the message expires; the hazard ends later
    assert watch.version == "2019-12-20T21:34:00.000+00:00"
    assert watch.sender == "w-nws.webmaster@noaa.gov" and watch.language == "en-US"
    assert watch.raw_level == "/O.CON.KPQR.FA.A.0004.000000T0000Z-191222T1800Z/"
    assert watch.instruction.startswith("A Flood Watch means there is a potential for flooding")


def test_no_geometry_means_zones_only():
    (watch,) = nws_api.parse(sample(SAMPLE))
    assert (watch.area, watch.lat, watch.lon) == (None, None, None)
    assert watch.address.startswith("North Oregon Coast; Greater Portland Metro Area; Greater Vancouver Area")
    assert watch.region_code == "ORZ001"
    assert watch.guessed == ("no geometry in the alert; area only by 11 zone codes "
                             "(ORZ001, ORZ006, WAZ039, WAZ022, ORZ005, ORZ004…); region_code is the first",)
    paragraphs = watch.description.split("\n\n")
    assert paragraphs[0] == "FLOOD WATCH REMAINS IN EFFECT THROUGH SUNDAY MORNING"  # parameters.NWSheadline
    assert paragraphs[1] == "The Flood Watch continues for"
    assert paragraphs[-3:] == ["Hazard ends: 2019-12-22T10:00:00-08:00", "Issued by: NWS Portland OR",
                               f"Zones (UGC): {ZONES}"]


def test_references_are_cap_triples():
    (watch,) = nws_api.parse(sample(SAMPLE))
    assert watch.references == (
        "w-nws.webmaster@noaa.gov,NWS-IDP-PROD-3964821-3368352,2019-12-19T12:52:00-08:00",
        "w-nws.webmaster@noaa.gov,NWS-IDP-PROD-3965324-3368680,2019-12-20T01:47:00-08:00",
        "w-nws.webmaster@noaa.gov,NWS-IDP-PROD-3965155-3368578,2019-12-19T21:23:00-08:00",
        "w-nws.webmaster@noaa.gov,NWS-IDP-PROD-3963421-3367361,2019-12-18T12:29:00-08:00",
    )


def test_an_alert_with_a_polygon_keeps_it():
    ring = [[-123.9, 45.5], [-123.0, 45.5], [-123.0, 46.2], [-123.9, 46.2], [-123.9, 45.5]]
    watch = _one(geometry={"type": "Polygon", "coordinates": [ring]})
    assert watch.area == {"type": "Polygon", "coordinates": [ring]}
    assert watch.point() == (45.85, -123.45)  # lat, lon: the GeoJSON [lon, lat] read the right way round
    assert watch.region_code == "ORZ001" and watch.guessed == ()


def test_a_broken_polygon_is_dropped_and_said():
    watch = _one(geometry={"type": "Polygon", "coordinates": [[[-123.9, 45.5], [-123.0, 45.5]]]})
    assert watch.area is None
    assert watch.guessed[-1].startswith("area dropped, the source's geometry is not valid GeoJSON")


@pytest.mark.parametrize(("props", "expected"), [
    ({"messageType": "Cancel"}, ("cancel", "actual")),
    ({"messageType": "Alert", "status": "Test"}, ("alert", "test")),
    ({"status": "Exercise"}, ("update", "exercise")),
])
def test_message_type_and_status(props, expected):
    watch = _one(**props)
    assert (watch.msg_type, watch.status) == expected


def test_an_odd_status_is_read_as_actual_and_said():
    watch = _one(status="Bogus")
    assert watch.status == "actual"
    assert "status 'Bogus' is not a CAP value; read as Actual" in watch.guessed


def test_a_broken_onset_is_ignored_a_broken_sent_skips_the_alert():
    watch = _one(onset="Friday afternoon")
    assert watch.occurred_at == datetime(2019, 12, 20, 21, 34, tzinfo=UTC)  # falls back to effective
    assert "onset: 'Friday afternoon' is not an ISO 8601 time; ignored" in watch.guessed
    doc = sample_json(SAMPLE)
    doc["features"].append(dict(doc["features"][0], properties=dict(doc["features"][0]["properties"],
                                                                    id="X", sent="2019-12-20T13:34:00")))
    events, skipped = nws_api.parse_report(dumps(doc))
    assert [e.external_id for e in events] == ["NWS-IDP-PROD-3965873-3369046"]
    assert skipped == [(1, "sent: '2019-12-20T13:34:00' has no UTC offset")]


def test_json_ld_graph_and_single_feature_are_read():
    doc = sample_json(SAMPLE)
    graph = {"@context": doc["@context"], "@graph": [doc["features"][0]["properties"]]}
    (from_graph,) = nws_api.parse(dumps(graph))
    (single,) = nws_api.parse(dumps(doc["features"][0]))
    assert from_graph.external_id == single.external_id == "NWS-IDP-PROD-3965873-3369046"
    assert from_graph.references == single.references and len(single.references) == 4


def test_no_active_alerts_is_no_events():
    assert nws_api.parse(b'{"type": "FeatureCollection", "features": [], "title": "none"}') == []


@pytest.mark.parametrize(("payload", "reason"), [
    (b"<html>502</html>", "not valid JSON"),
    (b'{"correlationId": "1f2e", "title": "Bad Request", "type": "https://api.weather.gov/problems/BadRequest",'
     b' "status": 400, "detail": "Parameter \\"zone\\" is invalid"}', 'answered 400: Parameter "zone" is invalid'),
    (b"[]", "not a GeoJSON FeatureCollection"),
    (b'{"type": "FeatureCollection", "features": {}}', "no features list"),
    (b'{"type": "FeatureCollection", "features": [{"properties": {"id": "x"}}]}', "none of the 1 items"),
    (sample("usgs_all_day_2018-09-16.geojson"), "none of the 188 items"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        nws_api.parse(payload)


def test_detect_only_the_nws_api():
    assert nws_api.detect(sample(SAMPLE))
    others = [p.name for p in Path(SAMPLES_DIR).iterdir() if p.name != SAMPLE and nws_api.detect(p.read_bytes())]
    assert others == []
