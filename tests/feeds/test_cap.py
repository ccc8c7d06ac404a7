"""CAP 1.1/1.2 alerts -> FeedEvents: NWS, BOM, IMO, WRA Taiwan, USGS, PAGASA, Krisinformation, AtHoc, hostile XML."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from feed_samples import sample

from feeds.adapters import cap
from feeds.adapters.errors import PayloadRefused
from feeds.event import InvalidEvent

UTC = timezone.utc
LAURA = "nws_hurricane_laura_warning_update_multipolygon_2020-08-26.cap"
ICELAND = "imo_iceland_wind_warning_is_en_2021-09-10.cap"
CANCEL = "ipaws_athoc_cancel_no_info_2016-02-25.cap"
SWEDEN = "krisinformation_se_vma_nonstandard_area_2018-11-21.cap"
TSUNAMI = "nws_wcatwc_tsunami_warning_update_2011-09-02.cap"
PAGASA = "pagasa_ph_tropical_cyclone_TEST_2014-11-03.cap"
USGS = "usgs_earthquake_iso-8859-1_2012-10-14.cap"
XXE = "SECURITY_xxe_attack_on_nws_thunderstorm.cap"
MONTANA = "nws_flash_flood_watch_montana_2010-08-30.cap"
TAIWAN = "wra_taiwan_reservoir_discharge_2014-05-14.cap"
BOM = "bom_au_severe_thunderstorm_warning_2019-01-16.cap"
CAP_SAMPLES = [LAURA, ICELAND, CANCEL, SWEDEN, TSUNAMI, PAGASA, USGS, MONTANA, TAIWAN, BOM]


def _edited(name: str, old: str, new: str) -> bytes:
    """The sample with one piece of text replaced (the piece must be there)."""
    text = sample(name).decode("latin-1" if name == USGS else "utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("latin-1" if name == USGS else "utf-8")


def _alert(info: str = "", head: str = "<status>Actual</status><msgType>Alert</msgType>") -> bytes:
    return (f'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>T-1</identifier>'
            f"<sender>test@example.org</sender><sent>2024-05-01T08:00:00+08:00</sent>{head}{info}</alert>").encode()


def _one(payload: bytes) -> cap.FeedEvent:
    (event,) = cap.parse(payload)
    return event


def test_hurricane_laura_update_with_two_polygons():
    laura = _one(sample(LAURA))
    assert laura.external_id == "NWS-IDP-PROD-4412298-3677414"
    assert laura.headline == "Hurricane Warning issued August 26 at 4:14AM CDT by NWS Lake Charles LA"
    assert (laura.msg_type, laura.status, laura.scope) == ("update", "actual", "public")
    assert (laura.severity, laura.urgency, laura.certainty) == ("extreme", "immediate", "likely")
    assert (laura.category, laura.event, laura.response_type) == ("met", "Hurricane Warning", "avoid")
    assert laura.sent_at == datetime(2020, 8, 26, 9, 14, tzinfo=UTC)  # 04:14-05:00
    assert laura.occurred_at == laura.effective_at == datetime(2020, 8, 26, 9, 14, tzinfo=UTC)
    assert laura.expires_at == datetime(2020, 8, 26, 17, 15, tzinfo=UTC)
    assert laura.version == "2020-08-26T09:14:00.000+00:00"
    assert len(laura.references) == 8
    assert laura.references[0] == "w-nws.webmaster@noaa.gov,NWS-IDP-PROD-4410291-3675936,2020-08-25T10:32:00-05:00"
    assert laura.references[-1] == "w-nws.webmaster@noaa.gov,NWS-IDP-PROD-4411932-3677173,2020-08-25T22:05:00-05:00"
    assert laura.area["type"] == "MultiPolygon" and len(laura.area["coordinates"]) == 2
    assert laura.area["coordinates"][0][0][0] == [-92.619, 30.094]  # CAP "30.094,-92.619" is lat,lon
    assert [-92.245, 30.480] in laura.area["coordinates"][1][0]
    assert (laura.lat, laura.lon) == (None, None)
    assert laura.point() == pytest.approx((30.2655, -92.387))  # centre of the bounding box
    assert (laura.address, laura.region_code, laura.language) == ("Acadia", "UGC=LAZ043", "en-US")
    assert laura.raw_level == "/O.CON.KLCH.HU.W.1013.000000T0000Z-000000T0000Z/"
    assert laura.sender == "w-nws.webmaster@noaa.gov"
    assert laura.description.startswith("* LOCATIONS AFFECTED\n- Crowley\n- Rayne")
    assert laura.guessed == ()


def test_iceland_two_languages_are_one_incident_in_two_versions():
    icelandic, english = cap.parse(sample(ICELAND))
    assert icelandic.external_id == english.external_id == "is-IMO-2a4c2db8-07fd-4a0f-b372-9667280d46d1"
    assert icelandic.version == "2021-09-10T13:30:26.000+00:00#is-IS"
    assert english.version == "2021-09-10T13:30:26.000+00:00#en-US"
    assert (icelandic.language, english.language) == ("is-IS", "en-US")
    assert (icelandic.headline, english.headline) == ("Hvöss suðaustanátt", "Southeast gales")
    assert icelandic.event == "Veðurviðvörun: Vindur" and english.event == "Weather Warning: Wind"
    assert english.severity == "moderate" and english.raw_level == "Yellow"
    assert english.occurred_at == datetime(2021, 9, 12, 18, 0, tzinfo=UTC)  # onset
    assert english.sent_at == english.effective_at == datetime(2021, 9, 10, 13, 30, 26, tzinfo=UTC)
    assert english.expires_at == datetime(2021, 9, 13, 10, 0, tzinfo=UTC)
    assert english.area["type"] == "Polygon"
    ring = english.area["coordinates"][0]
    assert ring[0] == ring[-1] == [-22.04, 64.17] and len(ring) == 8
    assert icelandic.address == "Höfuðborgarsvæðið" and english.address == "Reykjavik - Capital Region"


def test_same_language_blocks_get_numbered_versions():
    info = "<info><language>en-US</language><event>Flood</event><headline>{}</headline></info>"
    first, second = cap.parse(_alert(info.format("North") + info.format("South")))
    assert first.external_id == second.external_id == "T-1"
    assert first.version == "2024-05-01T00:00:00.000+00:00#en-US#1"
    assert second.version == "2024-05-01T00:00:00.000+00:00#en-US#2"


def test_cancel_without_info_is_one_event_naming_what_it_cancels():
    cancel = _one(sample(CANCEL))
    assert cancel.external_id == "1017033100951096-517189320160225203219800_Cancel"
    assert cancel.msg_type == "cancel" and cancel.status == "actual"
    assert cancel.headline == ("Cancelled: 1017033100951096-517189320160225203219800 "
                               "(AtHoc, sent 2016-02-25T12:32:19-08:00)")
    assert cancel.references == ("AtHoc,1017033100951096-517189320160225203219800,2016-02-25T12:32:19-08:00",)
    assert cancel.severity == "unknown" and cancel.sender == "AtHoc"
    assert cancel.sent_at == datetime(2016, 2, 25, 20, 47, 9, tzinfo=UTC)
    assert cancel.occurred_at is None  # a cancel does not move when the incident happened
    assert cancel.guessed == ("the XML signature was not verified",)


def test_ack_without_info_says_who_and_what():
    ack = _one(_alert(head="<status>Actual</status><msgType>Ack</msgType><note>Received</note>"
                           "<references>a,B-7,2024-05-01T07:00:00+08:00</references>"))
    assert ack.msg_type == "ack" and ack.headline == "Ack from test@example.org: Received"
    assert ack.description == "Received"


def test_tsunami_update_keeps_references_and_incidents():
    tsunami = _one(sample(TSUNAMI))
    assert tsunami.msg_type == "update" and tsunami.category == "geo"
    assert tsunami.references == ("PAAQ,PAAQ-1-lqw6d6,2011-09-02T10:55:55-00:00", "incident:lqw6d6")
    assert (tsunami.severity, tsunami.urgency) == ("extreme", "immediate")
    assert tsunami.raw_level == "/O.CON.PAAQ.TS.W.0021.000000T0000Z-000000T0000Z/"  # <valueName>NWSVTEC
    assert tsunami.sent_at == tsunami.occurred_at == datetime(2011, 9, 2, 11, 36, 50, tzinfo=UTC)
    assert tsunami.area is None and tsunami.region_code == "UGC=AKZ185"
    assert tsunami.address.startswith("Coastal areas between and including Unimak Pass")


def test_pagasa_test_message_is_a_drill_and_signature_is_ignored():
    test = _one(sample(PAGASA))
    assert test.status == "test" and test.is_drill
    assert test.headline == "Tropical Cyclone Alert : Typhoon Paeng  [TEST]"
    assert (test.severity, test.urgency, test.certainty) == ("minor", "expected", "possible")
    assert test.area["type"] == "Polygon"
    assert test.area["coordinates"][0][:2] == [[120.0, 21.0], [130.0, 21.0]]
    assert test.expires_at == datetime(2014, 11, 3, 19, 57, 28, tzinfo=UTC)
    assert "the XML signature was not verified" in test.guessed
    assert "no <onset>: the occurred time is the sent time" in test.guessed
    assert test.occurred_at == datetime(2014, 11, 3, 6, 57, 33, tzinfo=UTC)


def test_usgs_iso_8859_1_quake_point_from_radius_zero_circle():
    quake = _one(sample(USGS))
    assert quake.headline == "EQ 4.6 Usulután, Usulután, El Salvador - PRELIMINARY REPORT"
    assert (quake.lat, quake.lon) == (12.747, -88.783)
    assert quake.area is None
    assert quake.occurred_at == datetime(2012, 10, 14, 22, 40, 56, tzinfo=UTC)  # onset, before sent
    assert quake.sent_at == datetime(2012, 10, 14, 22, 53, 4, tzinfo=UTC)
    assert (quake.severity, quake.raw_level, quake.urgency) == ("unknown", "Unknown", "past")
    assert quake.address.startswith("47 miles (76 km) SSW of Usulután")


def test_circle_with_radius_becomes_a_polygon_around_the_centre():
    quake = _one(_edited(USGS, "<circle>12.747,-88.783 0.0</circle>", "<circle>12.747,-88.783 10</circle>"))
    assert quake.area["type"] == "Polygon" and (quake.lat, quake.lon) == (None, None)
    assert quake.point() == pytest.approx((12.747, -88.783), abs=0.01)
    assert quake.area["coordinates"][0][0] == pytest.approx([-88.783, 12.837], abs=0.001)  # 10 km north


def test_polygons_and_several_points_make_a_geometry_collection():
    area = ("<area><areaDesc>A</areaDesc><polygon>1,1 1,2 2,2 1,1</polygon><polygon></polygon>"
            "<circle>5,6 0</circle></area><area><areaDesc>B</areaDesc><circle>7,8 0</circle></area>")
    event = _one(_alert(f"<info><event>Fire</event>{area}</info>"))
    assert event.area == {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "coordinates": [[[1.0, 1.0], [2.0, 1.0], [2.0, 2.0], [1.0, 1.0]]]},
        {"type": "MultiPoint", "coordinates": [[6.0, 5.0], [8.0, 7.0]]}]}
    assert (event.lat, event.lon) == (5.0, 6.0)
    assert event.address == "A; B"
    assert event.headline == "Fire (A; B)"
    assert "no <headline>: made from the event and the area description" in event.guessed


def test_bad_shapes_are_dropped_with_a_note_and_the_event_stays():
    area = ("<area><areaDesc>A</areaDesc><polygon>120,21 130,21 5,130 120,21</polygon>"
            "<polygon>1,1 oops</polygon><circle>91,0 5</circle><circle>1,1 -4</circle></area>")
    event = _one(_alert(f"<info><event>Fire</event><headline>H</headline>{area}</info>"))
    assert event.area is None and event.lat is None
    assert "a shape with a position off the globe was ignored (CAP writes lat,lon)" in event.guessed
    assert any(note.startswith("a <polygon> was ignored") for note in event.guessed)
    assert any(note.startswith("a <circle> was ignored: bad circle radius") for note in event.guessed)


def test_krisinformation_nonstandard_lon_lat_points_are_swapped():
    vma = _one(sample(SWEDEN))
    assert vma.headline == "Viktigt meddelande till allmänheten i Gävle"
    assert (vma.lat, vma.lon) == (61.4418656555802, 16.5695265628148)  # Gävleborg, written "16.56,61.44"
    assert vma.area == {"type": "MultiPoint",
                        "coordinates": [[16.5695265628148, 61.4418656555802], [17.166667, 60.666667]]}
    assert vma.guessed[0] == "non-standard <Polygon><Polygons> area read as lon,lat (Krisinformation order) and swapped"
    assert (vma.language, vma.category, vma.severity) == ("sv-SE", "other", "unknown")
    assert vma.address == "Gävleborgs län; Gävle"


def test_nws_cap_1_1_flash_flood_watch_geocodes_only():
    watch = _one(sample(MONTANA))
    assert watch.headline.startswith("Flash Flood Watch issued August 30 at 4:07AM MDT")
    assert (watch.severity, watch.urgency, watch.certainty) == ("severe", "expected", "possible")
    assert watch.sent_at == watch.effective_at == datetime(2010, 8, 30, 10, 7, tzinfo=UTC)
    assert watch.expires_at == datetime(2010, 8, 30, 18, 0, tzinfo=UTC)
    assert watch.occurred_at == watch.effective_at
    assert "no <onset>: the occurred time is the effective time" in watch.guessed
    assert watch.area is None and watch.lat is None
    assert watch.address == "Central and Southern Lewis and Clark; Lewis and Clark"
    assert watch.region_code == "FIPS6=030049"
    assert watch.raw_level == "/O.CON.KTFX.FF.A.0003.000000T0000Z-100830T1800Z/"  # P-VTEC line only
    assert watch.language == "en-US"  # CAP's default: the file has no <language>


def test_taiwan_reservoir_discharge_keeps_cap_severity_and_colour():
    discharge = _one(sample(TAIWAN))  # UTF-8 with BOM
    assert discharge.headline == "明德水庫:洩洪中"
    assert (discharge.event, discharge.category, discharge.language) == ("水庫洩洪", "infra", "zh-TW")
    assert discharge.severity == "moderate" and discharge.raw_level == "紅色"  # CAP severity wins when known
    assert discharge.instruction == "請沿岸附近民眾注意。"
    assert discharge.address == "苗栗縣頭屋鄉" and discharge.region_code == "Taiwan_Geocode_100=1000512"
    assert discharge.area is None
    assert discharge.sent_at == datetime(2014, 5, 14, 12, 10, tzinfo=UTC)
    assert discharge.expires_at == datetime(2014, 5, 14, 13, 10, tzinfo=UTC)
    assert (discharge.sender, discharge.response_type) == ("ddmt01@wra.gov.tw", "monitor")


@pytest.mark.parametrize(("colour", "severity"), [
    ("紅色", "extreme"), ("橙色", "severe"), ("黃色", "moderate"), ("藍色", "minor"),
    ("红色", "extreme"), ("黄色", "moderate"), ("蓝色", "minor"), ("橙色预警", "severe"),
    ("Red", "extreme"), ("2; yellow; Moderate", "moderate"), ("Green", "unknown"), ("白色", "unknown"),
])
def test_colour_decides_only_when_cap_severity_is_unknown(colour, severity):
    payload = _edited(TAIWAN, "<severity>Moderate</severity>", "<severity>Unknown</severity>")
    event = _one(payload.replace("紅色".encode(), colour.encode()))
    assert event.severity == severity and event.raw_level == colour
    guessed = [note for note in event.guessed if note.startswith("severity Unknown replaced by")]
    assert guessed == ([] if severity == "unknown" else [f"severity Unknown replaced by {severity} "
                                                        f"from the {colour!r} colour parameter"])


def test_bom_prefixed_cap_with_unknown_levels():
    storm = _one(sample(BOM))
    assert storm.headline.startswith("Severe Thunderstorm Warning for Mid North Coast, Hunter")
    assert (storm.severity, storm.urgency, storm.certainty) == ("unknown", "unknown", "unknown")
    assert storm.raw_level == "Unknown" and storm.language == "en-AU"
    assert storm.sender == "CAP.Message@bom.gov.au"
    assert storm.region_code == "http://www.iso.org/iso/country_codes.html=AU-NSW"
    assert storm.effective_at == storm.occurred_at == datetime(2019, 1, 16, 3, 15, 52, tzinfo=UTC)
    assert storm.description.startswith("Severe thunderstorms are likely")  # surrounding whitespace gone


def test_a_bad_optional_time_is_dropped_not_the_warning():
    event = _one(_edited(MONTANA, "<expires>2010-08-30T12:00:00-06:00</expires>", "<expires>noon</expires>"))
    assert event.expires_at is None
    assert "expires: 'noon' is not an ISO 8601 time; ignored" in event.guessed


def test_odd_status_and_msg_type_are_read_as_actual_alert_with_a_note():
    event = _one(_alert("<info><event>Fire</event></info>", head="<status>Live</status>"))
    assert (event.status, event.msg_type) == ("actual", "alert")
    assert "status 'Live' is not a CAP value; read as Actual" in event.guessed
    assert "msgType '(missing)' is not a CAP value; read as Alert" in event.guessed


def test_long_description_is_cut_with_a_note():
    event = _one(_alert(f"<info><event>Fire</event><description>{'x' * 25000}</description></info>"))
    assert len(event.description) == 20000
    assert "<description> cut to 20000 characters" in event.guessed


@pytest.mark.parametrize(("payload", "reason"), [
    (b"", "empty payload"),
    (b"{}", "not well-formed XML"),
    (b"<alert><identifier>x</identifier>", "not well-formed XML"),
    (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "root element is <feed>, not a CAP <alert>"),
    (sample("nsw_rfs_edxlde_incidents_2011-10.xml"), "root element is <EDXLDistribution>, not a CAP <alert>"),
    (b'<?xml version="1.0" encoding="klingon"?><alert/>', "unreadable XML \\(unknown encoding: klingon\\)"),
    (b"<alert><sent>2024-05-01T08:00:00Z</sent></alert>", "none of the 1 items .* identifier: a CAP alert needs"),
    (b"<alert><identifier>x</identifier><sent>2024-05-01T08:00</sent></alert>", "sent: .* has no UTC offset"),
    (b"<alert><identifier>x</identifier><sent>2024</sent>" + b"<info/>" * 501 + b"</alert>", "501 <info> blocks"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        cap.parse(payload)


def test_xxe_sample_is_refused():
    with pytest.raises(PayloadRefused, match="DTD or entities"):
        cap.parse(sample(XXE))


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE alert [<!ENTITY x SYSTEM "{secret}">]>',
    '<!DOCTYPE alert SYSTEM "http://127.0.0.1:9/evil.dtd">',
    '<!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
])
def test_crafted_entities_are_refused_without_reading_anything(doctype, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    payload = (doctype.format(secret=secret.as_uri()) + '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
               "<identifier>&x;</identifier><sent>2024-05-01T08:00:00Z</sent><info><event>&x;</event></info></alert>")
    with pytest.raises(PayloadRefused, match="DTD or entities") as refused:
        cap.parse(payload.encode())
    assert "TOP-SECRET" not in refused.value.reason and "root:" not in refused.value.reason


def test_invalid_source_is_the_callers_mistake():
    with pytest.raises(InvalidEvent, match="source"):
        cap.parse(sample(LAURA), source="Bad Name")
    assert {e.source for e in cap.parse(sample(ICELAND), source="imo-cap")} == {"imo-cap"}


def test_detect():
    assert all(cap.detect(sample(name)) for name in CAP_SAMPLES)
    assert cap.detect(sample(XXE))  # detected as CAP, then refused by parse
    assert not cap.detect(sample("nsw_rfs_edxlde_incidents_2011-10.xml"))
    assert not cap.detect(sample("nsw_rfs_major_incidents_2018-09.geojson"))
    assert not cap.detect(b'<!-- <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"> --><feed/>')
    assert not cap.detect("<alert/>")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", CAP_SAMPLES)
def test_every_sample_parses_to_aware_utc_times(name):
    for event in cap.parse(sample(name)):
        assert event.source == "cap" and event.sent_at.utcoffset().total_seconds() == 0
        assert event.version.startswith(event.sent_at.isoformat(timespec="milliseconds"))
