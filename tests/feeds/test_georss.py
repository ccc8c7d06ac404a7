"""GeoRSS adapter, generic reading and the CAP-in-Atom feeds: NWS Oregon index, NAAD Pelmorex, Krisinformation."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from feed_samples import SAMPLES_DIR, sample

from feeds.adapters import georss
from feeds.adapters.errors import PayloadRefused
from feeds.adapters.registry import ADAPTERS
from feeds.adapters.xml_util import LATIN1_GUESS

UTC = timezone.utc
NWS = "nws_oregon_cap_atom_index_2014-05-09.xml"
NAAD = "naad_pelmorex_cap_atom_invalid_utf8_2014-05-10.xml"
KRIS = "krisinformation_se_cap_atom_swapped_circle_2018-11-21.xml"
DFES_WARNINGS = "wa_dfes_warnings_2018-09.xml"
DFES_INCIDENTS = "wa_dfes_incidents_2018-08.xml"
GEORSS_SAMPLES = {
    "gdacs_multi_hazard_rss_2019-12-30.xml", KRIS, NAAD, NWS, "usgs_m45_week_atom_2014-05-10.xml",
    "qld_qfes_bushfire_alerts_2018-09.xml", DFES_INCIDENTS, DFES_WARNINGS,
    "ign_spain_sismologia_2019-03.xml", "nrcan_canada_earthquakes_fr_2018-10.xml",
}


def variant(name: str, old: str | bytes, new: str | bytes, count: int = 1) -> bytes:
    """Return a sample with ``old`` replaced by ``new`` (which must be there)."""
    payload = sample(name)
    old = old.encode() if isinstance(old, str) else old
    new = new.encode() if isinstance(new, str) else new
    assert old in payload, old
    return payload.replace(old, new, count)


def test_detect_claims_exactly_the_georss_samples():
    for path in sorted(SAMPLES_DIR.iterdir()):
        assert georss.detect(path.read_bytes()) == (path.name in GEORSS_SAMPLES), path.name
    for name in GEORSS_SAMPLES:
        assert [n for n, adapter in ADAPTERS.items() if adapter.detect(sample(name))] in ([], ["georss"])


def test_detect_does_not_claim_cap_alerts_quakeml_or_edxl():
    cap = b'<?xml version="1.0"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><georss/></alert>'
    edxl = b'<edxlde:EDXLDistribution xmlns:edxlde="urn:oasis:names:tc:emergency:EDXL:DE:1.0"/>'
    quakeml = b'<q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2"/>'
    assert not any(georss.detect(payload) for payload in (cap, edxl, quakeml))
    assert georss.detect(b"<!-- index --><?pi x?>\n<feed xmlns:cap='urn:oasis:names:tc:emergency:cap:1.1'/>")
    assert not georss.detect(b"<feed><title>plain blog</title></feed>")


def test_nws_oregon_index_entry():
    (statement,) = georss.parse(sample(NWS))
    assert statement.external_id.startswith("http://alerts.weather.gov/cap/wwacapget.php?x=OR125153E5DB78.")
    assert statement.headline == "Special Weather Statement issued May 09 at 3:38PM PDT by NWS"
    assert statement.event == "Special Weather Statement"
    assert (statement.msg_type, statement.status, statement.category) == ("alert", "actual", "met")
    assert (statement.severity, statement.urgency, statement.certainty) == ("minor", "expected", "observed")
    assert statement.raw_level == "Minor"
    assert statement.sent_at == datetime(2014, 5, 9, 22, 38, tzinfo=UTC)  # updated 15:38-07:00
    assert statement.version == "2014-05-09T22:38:00.000+00:00"
    assert statement.effective_at == datetime(2014, 5, 9, 22, 38, tzinfo=UTC)
    assert statement.expires_at == datetime(2014, 5, 10, 22, 38, tzinfo=UTC)
    assert (statement.lat, statement.lon, statement.area) == (None, None, None)  # <cap:polygon/> is empty
    assert statement.address == "Central Willamette Valley; Northern Oregon Cascade Foothills; South Willamette Valley"
    assert statement.description.startswith("...WILLAMETTE BASIN SPECIAL RIVER STATEMENT...")
    assert statement.description.endswith(
        "Codes: FIPS6 041003 041005 041039 041043 041047 041051 041053 041071; UGC ORZ007 ORZ008 ORZ010")
    assert statement.sender == "w-nws.webmaster@noaa.gov"  # the index's cap sender is "!"
    assert statement.guessed == ()


def test_nws_entry_without_cap_event_takes_it_from_the_title():
    (statement,) = georss.parse(variant(NWS, "<event>Special Weather Statement</event>", ""))
    assert statement.event == "Special Weather Statement"
    assert "no cap:event; event read from the title" in statement.guessed


def test_naad_cancelled_bulletin_in_latin1():
    (bulletin,) = georss.parse(sample(NAAD))
    assert bulletin.headline == "bulletin météorologique spécial annulé"
    assert bulletin.guessed[0] == LATIN1_GUESS
    assert bulletin.msg_type == "cancel"
    assert "msgType update read as cancel: the headline ends in 'annulé' and urgency is Past" in bulletin.guessed
    assert (bulletin.status, bulletin.scope, bulletin.category, bulletin.event) == ("actual", "public", "met", "météo")
    assert (bulletin.severity, bulletin.urgency, bulletin.certainty) == ("minor", "past", "observed")
    assert bulletin.language == "fr-CA" and bulletin.sender == "Environnement Canada"
    assert bulletin.sent_at == datetime(2014, 5, 10, 2, 17, tzinfo=UTC)
    assert bulletin.expires_at == datetime(2014, 5, 10, 3, 17, tzinfo=UTC)  # from the summary's "Expires:"
    assert bulletin.address.startswith("Windsor - Leamington - comté d'Essex, Gananoque - Mallorytown")
    assert bulletin.area["type"] == "MultiPolygon" and len(bulletin.area["coordinates"]) == 8
    assert bulletin.area["coordinates"][0][0][0] == [-82.9314, 42.3481]  # georss "42.3481 -82.9314"
    assert bulletin.point() == pytest.approx((43.6554, -79.1813))  # bbox centre (Windsor to Gatineau)


def test_naad_explicit_msg_types():
    (cancel,) = georss.parse(variant(NAAD, "msgType=Update", "msgType=Cancel"))
    assert cancel.msg_type == "cancel" and not any("read as cancel" in note for note in cancel.guessed)
    (update,) = georss.parse(variant(NAAD, "spécial annulé</title>".encode("latin-1"), b"special</title>"))
    assert update.msg_type == "update"


def test_krisinformation_circles_written_lon_lat_are_swapped():
    events = georss.parse(sample(KRIS))
    assert len(events) == 4
    gavle = events[0]
    assert gavle.headline == "Viktigt meddelande till allmänheten i Gävle"
    assert (gavle.lat, gavle.lon) == (61.4418656555802, 16.5695265628148)  # written "16.5695…,61.4418… 0"
    assert gavle.area == {"type": "MultiPoint", "coordinates": [[16.5695265628148, 61.4418656555802],
                                                                [17.166667, 60.666667]]}
    assert gavle.address == "Gävleborgs län; Gävle"
    assert gavle.sent_at == datetime(2018, 11, 21, 11, 52, 6, tzinfo=UTC)  # updated 12:52:06+01:00
    assert gavle.event == "News" and gavle.severity == "unknown" and gavle.category == "other"
    assert gavle.guessed[0].startswith("cap:circle '16.5695265628148,61.4418656555802 0' read as lon,lat")
    storm = events[1]
    assert (storm.lat, storm.lon, storm.area) == (62.811484968080336, 16.596265846848024, None)
    assert storm.headline == "Varning för storm i Norrbottens län, norra Lapplandsfjällen"


def test_a_circle_written_the_cap_way_is_kept():
    payload = variant(KRIS, "16.5695265628148,61.4418656555802 0", "61.4418656555802,16.5695265628148 0")
    gavle = georss.parse(payload)[0]
    assert (gavle.lat, gavle.lon) == (61.4418656555802, 16.5695265628148)
    assert len(gavle.guessed) == 1 and "17.166667,60.666667" in gavle.guessed[0]  # only the other circle


@pytest.mark.parametrize(("circle", "point", "lat_lon", "reason"), [
    ("120.5,45.25 0", "", (45.25, 120.5), "its first number is outside ±90"),
    ("45.25,50.5 0", "<georss:point>50.4 45.3</georss:point>", (50.5, 45.25), "next to the entry's other point"),
    ("45.25,50.5 0", "", (45.25, 50.5), None),  # no evidence either way: CAP order
])
def test_swap_rules_outside_a_home_area(circle, point, lat_lon, reason):
    payload = variant(KRIS, "krisinformation.se", "example.org", count=-1)
    payload = payload.replace(b"<cap:circle>16.5695265628148,61.4418656555802 0</cap:circle>",
                              f"{point}<cap:circle>{circle}</cap:circle>".encode(), 1)
    payload = payload.replace(b"<cap:circle>17.166667,60.666667 0</cap:circle>", b"", 1)
    payload = payload.replace(b'<feed xmlns:cap', b'<feed xmlns:georss="http://www.georss.org/georss" xmlns:cap')
    event = georss.parse(payload)[0]
    centres = [tuple(reversed(p)) for p in event.area["coordinates"]] if event.area else [(event.lat, event.lon)]
    assert lat_lon in centres
    notes = " ".join(event.guessed)
    assert (reason in notes) if reason else "read as lon,lat" not in notes


def test_a_circle_with_a_radius_is_drawn():
    event = georss.parse(variant(KRIS, "16.596265846848024,62.811484968080336 0",
                                 "62.811484968080336,16.596265846848024 10"))[1]
    assert (event.lat, event.lon) == (62.811484968080336, 16.596265846848024)
    ring = event.area["coordinates"][0]
    assert event.area["type"] == "Polygon" and len(ring) == 33 and ring[0] == ring[-1]
    assert ring[0] == [16.596266, 62.901204]  # 10 km due north


def test_bad_geometry_is_dropped_with_a_note_and_the_event_kept():
    payload = variant(NAAD, b"<georss:polygon>42.3481 -82.9314 42.3363", b"<georss:polygon>91 200 42.3363")
    bulletin = georss.parse(payload)[0]
    assert len(bulletin.area["coordinates"]) == 7
    assert any("ignored: not positions on the globe" in note for note in bulletin.guessed)


def test_unreadable_pubdate_uses_the_feed_time_and_a_digest_version():
    payload = variant(DFES_WARNINGS, "<pubDate>Sun, 30 Sep 2018 13:41:23 GMT</pubDate>", "<pubDate>soon</pubDate>")
    cancel, advice, _ = georss.parse(payload)
    assert cancel.sent_at == datetime(2018, 9, 30, 21, 42, 47, tzinfo=UTC)  # the channel's lastBuildDate
    assert cancel.version.startswith("sha256:") and cancel.version == georss.parse(payload)[0].version
    assert "pubDate 'soon' is unreadable; used the feed's lastBuildDate time, version is a digest of the item" \
        in cancel.guessed
    assert advice.sent_at == datetime(2018, 9, 30, 10, 4, 7, tzinfo=UTC) and advice.guessed == ()


def test_no_time_at_all_leaves_sent_at_empty():
    payload = variant(DFES_INCIDENTS, "<pubDate>2018-08-30 19:47:47</pubDate>", "<pubDate></pubDate>")
    first = georss.parse(payload)[0]
    assert first.sent_at is None and first.version.startswith("sha256:")
    assert "the item has no updated or pubDate time; sent time left empty, version is a digest of the item" \
        in first.guessed


def test_an_item_without_guid_is_known_by_its_link():
    first = georss.parse(variant(DFES_INCIDENTS, "<guid>1593365</guid>", ""))[0]
    assert first.external_id == "https://www.emergency.wa.gov.au/#map/incident/1593365"
    assert "the item has no guid or id; its link is used as the id" in first.guessed


def test_an_item_without_any_id_is_skipped():
    payload = variant(DFES_INCIDENTS, "<guid>1593365</guid>", "")
    payload = payload.replace(b"<link>https://www.emergency.wa.gov.au/#map/incident/1593365</link>", b"")
    events, skipped = georss.parse_report(payload)
    assert len(events) == 49 and skipped == [(0, "id: the item has no guid, id, link or cap:identifier")]


@pytest.mark.parametrize(("payload", "reason"), [
    (b"", "empty payload"),
    (b'{"type": "FeatureCollection"}', "not well-formed XML"),
    (b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>', "root element <alert>"),
    (b'<rss version="2.0"><item/></rss>', "no <channel>"),
    (sample("SECURITY_xxe_attack_on_nws_thunderstorm.cap"), "DTD or entities"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        georss.parse(payload)


def test_an_empty_feed_is_no_events():
    assert georss.parse_report(b'<rss version="2.0"><channel><title>x</title></channel></rss>') == ([], [])
    assert georss.parse(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>') == []


def test_a_feed_of_unreadable_items_is_refused():
    payload = variant(NWS, "<title>Special Weather Statement issued May 09 at 3:38PM PDT by NWS</title>", "")
    payload = payload.replace(b"<event>Special Weather Statement</event>", b"")
    with pytest.raises(PayloadRefused, match="none of the 1 items .* headline: is required"):
        georss.parse(payload)


def test_a_bad_source_name_is_the_callers_error():
    with pytest.raises(ValueError, match="source"):
        georss.parse(sample(NWS), source="Bad Name")


def test_georss_box_line_and_elevation_in_a_generic_feed():
    payload = variant("usgs_m45_week_atom_2014-05-10.xml",
                      "<georss:point>-23.3213 170.27</georss:point><georss:elev>32.48</georss:elev>",
                      "<georss:box>-24 170 -23 171.5</georss:box><georss:line>-23 170 -23.5 170.5</georss:line>"
                      "<georss:elev>120</georss:elev>").replace(b"earthquake.usgs.gov", b"example.org")
    (event,) = georss.parse(payload)
    box, line = event.area["geometries"]
    assert box == {"type": "Polygon", "coordinates": [[[170, -24], [171.5, -24], [171.5, -23], [170, -23],
                                                       [170, -24]]]}
    assert line == {"type": "LineString", "coordinates": [[170, -23], [170.5, -23.5]]}
    assert (event.lat, event.lon) == (None, None) and event.point() == (-23.5, 170.75)
    assert "Elevation: 120 m" in event.description.splitlines()  # GeoRSS elev is a height in metres
    assert (event.category, event.severity, event.guessed) == ("other", "unknown", ())
