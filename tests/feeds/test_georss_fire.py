"""GeoRSS adapter on the fire agencies: QFES bushfire alerts (Atom) and WA DFES incidents and warnings (RSS)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from feed_samples import sample
from test_georss import variant

from feeds.adapters import georss

UTC = timezone.utc
QFES = "qld_qfes_bushfire_alerts_2018-09.xml"
INCIDENTS = "wa_dfes_incidents_2018-08.xml"
WARNINGS = "wa_dfes_warnings_2018-09.xml"
QFES_UTC = ("updated '2018-09-21T04:25:41' has no UTC offset; read as UTC "
            "(the entry's 'Reported (UTC)' line shows the feed's times are UTC)")


def test_qfes_alert_levels_and_counts():
    events = georss.parse(sample(QFES))
    assert len(events) == 27
    assert [e.raw_level for e in events].count("Notification") == 25
    advices = [e for e in events if e.raw_level == "Advice"]
    assert [(e.external_id, e.severity) for e in advices] == [("QF4-18-193247", "moderate"),
                                                             ("QF4-18-193253", "moderate")]
    assert {e.severity for e in events if e.raw_level == "Notification"} == {"minor"}
    assert {(e.category, e.event, e.sender) for e in events} == {
        ("fire", "Bushfire", "Queensland Fire and Emergency Services")}


def test_qfes_first_entry():
    eurimbula = georss.parse(sample(QFES))[0]
    assert eurimbula.external_id == "QF2-18-186203"
    assert eurimbula.headline == "24°10'19.56\"S & 151°47'30.12\"E, Eurimbula"
    assert eurimbula.address == "Eurimbula"
    assert (eurimbula.lat, eurimbula.lon) == (-24.1721, 151.7917)
    assert eurimbula.sent_at == datetime(2018, 9, 21, 4, 25, 41, tzinfo=UTC)
    assert eurimbula.occurred_at == datetime(2018, 9, 8, 5, 1, 50, tzinfo=UTC)  # "Reported (UTC)"
    assert eurimbula.description.splitlines()[:2] == [
        "Status: Patrolled", "Eurimbula – vegetation fire as at 5.10pm Sun 17 Sept"]
    assert "<div>" not in eurimbula.description and "&lt;" not in eurimbula.description
    assert eurimbula.guessed == (QFES_UTC, "category fire and event 'Bushfire' taken from the feed "
                                           "(Queensland Fire and Emergency Services), not the item")


@pytest.mark.parametrize(("entry", "point", "lat_lon", "address"), [
    (0, "-24.1721 151.7917", (-24.1721, 151.7917), "Eurimbula"),  # 24°10'19.56"S & 151°47'30.12"E
    (6, "-21.396066 148.542074", (-21.395833, 148.541944), "Mount Britton"),  # #212345S/1483231E
])
def test_qfes_position_from_the_title_when_the_point_is_missing(entry, point, lat_lon, address):
    event = georss.parse(variant(QFES, f"<georss:point>{point}</georss:point>", ""))[entry]
    assert (event.lat, event.lon) == lat_lon and event.address == address
    assert any(note.startswith("position read from the title's coordinates") for note in event.guessed)


def test_qfes_emergency_warning_is_extreme():
    payload = variant(QFES, '<category term="Notification"/>', '<category term="Emergency Warning"/>')
    assert georss.parse(payload)[0].severity == "extreme"


def test_dfes_incidents():
    events = georss.parse(sample(INCIDENTS))
    assert len(events) == 50
    first = events[0]
    assert (first.external_id, first.event, first.category) == ("1593365", "Bushfire", "fire")
    assert first.headline == "Bushfire (, unknown LGA,PILBARA, FCAD: 402250)"
    assert first.address == "unknown LGA, PILBARA"
    assert first.sent_at == datetime(2018, 8, 30, 11, 47, 47, tzinfo=UTC)  # 19:47:47 in Perth
    assert first.guessed == ("pubDate '2018-08-30 19:47:47' is not RFC 822 and has no UTC offset; "
                             "read as Western Australia time (AWST, UTC+08:00)",)
    assert (first.lat, first.lon) == (-23.126413, 119.948006)  # geo:long comes before geo:lat
    assert first.description == ("Bushfire\nRegion: PILBARA\nIncident number: 402250\n"
                                 "Publication time: 30/08/2018 19:47:47")
    assert (first.severity, first.raw_level) == ("unknown", None)  # the incidents feed has no level
    kununurra = events[1]
    assert kununurra.address == "KUNUNURRA, SHIRE OF WYNDHAM-EAST KIMBERLEY, KIMBERLEY"  # title wrapped over lines


def test_dfes_incident_types_to_categories():
    categories = {e.event: e.category for e in georss.parse(sample(INCIDENTS))}
    assert categories == {"Bushfire": "fire", "Fire": "fire", "Active Alarm": "fire", "Burn Off": "fire",
                          "Road Crash": "transport", "Rescue": "rescue", "Smell of Gas": "safety",
                          "Storm Damage": "met", "Incident": "fire"}
    incident = next(e for e in georss.parse(sample(INCIDENTS)) if e.event == "Incident")
    assert incident.guessed[-1] == ("category fire taken from the feed "
                                    "(Department of Fire and Emergency Services, Western Australia), not the item")


def test_dfes_storm_cancellation_is_a_cancel():
    cancel, advice, park = georss.parse(sample(WARNINGS))
    assert cancel.external_id == "130816231"
    assert cancel.headline == "After Storm: Cancellation for Goldfields-Midlands"
    assert (cancel.msg_type, cancel.category, cancel.event) == ("cancel", "met", "After Storm")
    assert (cancel.severity, cancel.raw_level) == ("minor", "Cancellation")
    assert cancel.guessed == ("msgType cancel read from the title's level 'Cancellation' (it ends the warning)",)
    assert cancel.sent_at == datetime(2018, 9, 30, 13, 41, 23, tzinfo=UTC)
    assert (cancel.lat, cancel.lon) == (-30.973045888092912, 121.30196394523573)
    assert cancel.address == "Goldfields-Midlands"
    assert cancel.description.startswith("Category: Storm\nAlert Summary: Cancellation of thunderstorms warning")
    assert "@Start" not in cancel.description and "<p>" not in cancel.description

    assert (advice.msg_type, advice.severity, advice.raw_level) == ("alert", "moderate", "Advice")
    assert (advice.event, advice.category, advice.address) == ("Bushfire", "fire", "Kimberley")
    assert (park.event, park.category, park.severity) == ("Park Closure", "other", "moderate")
    assert park.sent_at == datetime(2018, 9, 23, 3, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize(("title", "msg_type", "severity"), [
    ("Bushfire Emergency Warning for Kununurra", "alert", "extreme"),
    ("Bushfire Watch and Act for Kununurra", "alert", "severe"),
    ("Bushfire All Clear for Kununurra", "cancel", "minor"),
    ("Bushfire update for Kununurra", "alert", "unknown"),
])
def test_dfes_warning_levels(title, msg_type, severity):
    payload = variant(WARNINGS, b"Bushfire Advice for Victoria Highway near the eastern part\n"
                                b"                of Kununurra in the SHIRE OF WYNDHAM-EAST KIMBERLEY", title)
    advice = georss.parse(payload)[1]
    assert (advice.msg_type, advice.severity) == (msg_type, severity)
