"""GeoRSS adapter on earthquake feeds: IGN Spain, NRCan (French), USGS M4.5+ Atom; magnitude bands as usgs_quake."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from feed_samples import sample
from test_georss import variant

from feeds.adapters import georss
from feeds.adapters.usgs_quake import MAGNITUDE_BANDS

UTC = timezone.utc
IGN = "ign_spain_sismologia_2019-03.xml"
NRCAN = "nrcan_canada_earthquakes_fr_2018-10.xml"
USGS = "usgs_m45_week_atom_2014-05-10.xml"
NEWS = "not an event (a news item): no position, no CAP field and no level"


def test_ign_magnitude_comes_from_the_description():
    events = georss.parse(sample(IGN))
    assert len(events) == 25
    hierro = events[0]
    assert hierro.external_id.endswith("detailTerremoto?evid=es2019dfcfp")
    assert hierro.headline == "M 3.1 - SW EL PINAR DE EL HIERRO.IHI"  # IGN's title is only a time
    assert (hierro.severity, hierro.raw_level) == ("minor", "M3.1")
    assert (hierro.lat, hierro.lon) == (27.62, -18.0859)
    assert hierro.occurred_at == datetime(2019, 3, 18, 19, 34, 55, tzinfo=UTC)
    assert hierro.sent_at is None and hierro.version.startswith("sha256:")  # no pubDate, no feed time
    assert (hierro.category, hierro.event, hierro.language) == ("geo", "Earthquake", "es")
    assert hierro.guessed[:2] == (
        "the item has no updated or pubDate time; sent time left empty, version is a digest of the item",
        "title time '18/03/2019 19:34:55' has no UTC offset; read as UTC (the IGN catalogue's time base)")
    cadiz = events[1]
    assert cadiz.address == "GOLFO DE CÁDIZ" and cadiz.occurred_at == datetime(2019, 3, 18, 5, 11, 1, tzinfo=UTC)


def test_ign_versions_change_with_the_item():
    before = georss.parse(sample(IGN))[0].version
    after = georss.parse(variant(IGN, "magnitud 3.1 en SW EL PINAR", "magnitud 3.4 en SW EL PINAR"))[0]
    assert before == georss.parse(sample(IGN))[0].version and after.version != before
    assert after.raw_level == "M3.4"


@pytest.mark.parametrize(("magnitude", "severity"), [
    ("4.4", "minor"), ("4.5", "moderate"), ("6.0", "severe"), ("7.2", "extreme"),
])
def test_ign_magnitude_bands_match_usgs_quake(magnitude, severity):
    assert dict((s, m) for m, s in MAGNITUDE_BANDS) == {"extreme": 7.0, "severe": 6.0, "moderate": 4.5}
    event = georss.parse(variant(IGN, "magnitud 3.1 en", f"magnitud {magnitude} en"))[0]
    assert event.severity == severity


def test_nrcan_french_feed_skips_the_news_item():
    events, skipped = georss.parse_report(sample(NRCAN))
    assert skipped == [(0, NEWS)]
    assert len(events) == 5
    yarmouth = events[0]
    assert yarmouth.headline == "2018-09-29: M=3,1 - 32 km NNO de Yarmouth, NS - ressenti"
    assert (yarmouth.severity, yarmouth.raw_level) == ("minor", "M3.1")  # "3,1" is a French decimal
    assert (yarmouth.lat, yarmouth.lon) == (44.11, -66.23)  # gml:pos "44.11 -66.23"
    assert yarmouth.occurred_at == datetime(2018, 9, 29, 13, 32, tzinfo=UTC)  # "time: 2018-09-29 13:32 UT"
    assert yarmouth.sent_at == datetime(2018, 9, 29, 13, 32, tzinfo=UTC)
    assert yarmouth.address == "32 km NNO de Yarmouth, NS"
    assert yarmouth.language == "fr-CA" and yarmouth.sender == "Natural Resources Canada"
    assert yarmouth.external_id == "http://www.seismescanada.rncan.gc.ca/recent_eq/2018/20180929.1332/index-fr.php"
    port_hardy = events[3]
    assert (port_hardy.raw_level, port_hardy.severity) == ("M4.8", "moderate")
    assert port_hardy.address == "209 km O de Port Hardy, BC"


def test_a_quiet_nrcan_feed_holds_only_news_and_is_not_refused():
    payload = sample(NRCAN)
    start = payload.index(b"<item>", payload.index(b"</item>"))
    end = payload.rindex(b"</item>") + len(b"</item>")
    assert georss.parse_report(payload[:start] + payload[end:]) == ([], [(0, NEWS)])


def test_usgs_m45_atom_entry():
    (quake,) = georss.parse(sample(USGS))
    assert quake.external_id == "urn:earthquake-usgs-gov:us:b000qfgs"
    assert quake.headline == "M 4.9, 209km WSW of Ile Hunter, New Caledonia"
    assert (quake.severity, quake.raw_level) == ("moderate", "M4.9")  # from <category label="Magnitude">
    assert (quake.lat, quake.lon) == (-23.3213, 170.27)
    assert quake.occurred_at == datetime(2014, 5, 9, 13, 55, 12, tzinfo=UTC)  # dc:date
    assert quake.sent_at == datetime(2014, 5, 9, 21, 57, 52, tzinfo=UTC)  # updated
    assert "Depth: 32.48 km (20.18 mi)" in quake.description  # georss:elev is a depth, not a coordinate
    assert quake.description.endswith("CAP message: http://earthquake.usgs.gov/earthquakes/eventpage/usb000qfgs.cap")
    assert quake.guessed == ("category geo and event 'Earthquake' taken from the feed (U.S. Geological Survey), "
                             "not the item",)


def test_usgs_depth_line_is_added_when_the_summary_lacks_it():
    (quake,) = georss.parse(variant(USGS, "&lt;strong&gt;Depth&lt;/strong&gt;: 32.48 km", "x"))
    assert "Depth: 32.48 km" in quake.description.splitlines()
