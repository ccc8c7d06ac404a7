"""GeoRSS adapter on the GDACS multi-hazard RSS: alert levels, event types, points and gdacs:bbox areas."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from feed_samples import sample
from test_georss import variant

from feeds.adapters import georss

UTC = timezone.utc
GDACS = "gdacs_multi_hazard_rss_2019-12-30.xml"


def test_the_file_starts_with_a_bom_and_still_parses():
    assert sample(GDACS).startswith(b"\xef\xbb\xbf")
    events, skipped = georss.parse_report(sample(GDACS))
    assert [e.external_id for e in events] == ["TC1000643", "EQ1199929", "DR1013682", "DR1013588"]
    assert skipped == []


def test_tropical_cyclone():
    cyclone = georss.parse(sample(GDACS))[0]
    assert cyclone.headline.startswith("Green alert for tropical cyclone CALVINIA-19.")
    assert (cyclone.event, cyclone.category) == ("Tropical cyclone", "met")
    assert (cyclone.severity, cyclone.raw_level) == ("minor", "Green")
    assert (cyclone.lat, cyclone.lon) == (-19.4, 59.8)  # georss:point and geo:Point agree
    assert cyclone.area == {"type": "Polygon", "coordinates": [[
        [55.0780533046962, -46.7828750315965], [81.0780533046962, -46.7828750315965],
        [81.0780533046962, -20.7828750315965], [55.0780533046962, -20.7828750315965],
        [55.0780533046962, -46.7828750315965]]]}  # bbox "lonmin lonmax latmin latmax"
    assert cyclone.sent_at == datetime(2019, 12, 29, 12, 0, tzinfo=UTC)
    assert cyclone.version == "2019-12-29T12:00:00.000+00:00"
    assert cyclone.address == "Mauritius"
    assert cyclone.description.endswith(
        "CAP message: http://www.gdacs.org/contentdata/resources/TC/1000643/cap_1000643.xml")
    assert cyclone.sender == "GDACS (European Commission JRC / UN OCHA)"
    assert cyclone.guessed == ()


def test_earthquake_and_droughts():
    _, quake, turkey, australia = georss.parse(sample(GDACS))
    assert (quake.event, quake.category, quake.severity) == ("Earthquake", "geo", "minor")
    assert (quake.lat, quake.lon) == (-44.5653, 37.087)
    assert quake.occurred_at == datetime(2019, 12, 28, 15, 36, 35, tzinfo=UTC)
    assert "The earthquake had Magnitude 5.5M, Depth:10km." in quake.description
    assert (turkey.event, turkey.category) == ("Drought", "met")
    assert turkey.occurred_at == datetime(2019, 10, 21, tzinfo=UTC)  # gdacs:fromdate, the drought's start
    assert turkey.sent_at == datetime(2019, 12, 30, 1, 27, tzinfo=UTC)
    assert turkey.address == "Bulgaria, Iraq, Iran, Turkey"
    assert (australia.lat, australia.lon) == (-31.67, 117.197)
    assert australia.area["coordinates"][0][2] == [121.197, -27.67]


@pytest.mark.parametrize(("level", "severity"), [
    ("Green", "minor"), ("Orange", "severe"), ("Red", "extreme"), ("Purple", "unknown"),
])
def test_alert_level_to_severity(level, severity):
    payload = variant(GDACS, "<gdacs:alertlevel>Green</gdacs:alertlevel>",
                      f"<gdacs:alertlevel>{level}</gdacs:alertlevel>")
    cyclone = georss.parse(payload)[0]
    assert (cyclone.severity, cyclone.raw_level) == (severity, level)


def test_a_broken_bbox_keeps_the_point():
    payload = variant(GDACS, "<gdacs:bbox>55.0780533046962 81.0780533046962",
                      "<gdacs:bbox>81.0780533046962 55.0780533046962")  # lonmin > lonmax
    cyclone = georss.parse(payload)[0]
    assert (cyclone.lat, cyclone.lon, cyclone.area) == (-19.4, 59.8, None)
    assert "ignored: not a box on the globe" in cyclone.guessed[0]
