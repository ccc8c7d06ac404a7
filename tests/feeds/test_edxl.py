"""EDXL-DE envelopes -> FeedEvents: the NSW RFS distribution of seven CAP fire alerts."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from feed_samples import sample

from feeds.adapters import edxl
from feeds.adapters.errors import PayloadRefused

UTC = timezone.utc
RFS = "nsw_rfs_edxlde_incidents_2011-10.xml"
HEADLINES = ["One Tree MVA (Unmapped Incident)", "Quinambyie", "Sturt NP - Middle Road", "Border Downs",
             "Langs Rd Fire", "Alambie near Harden Golf Course", "Old Mill Bush Fire"]
ENVELOPE = ('<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0"><distributionID>D</distributionID>'
            "{}</EDXLDistribution>")


def _content(alert: str) -> str:
    return f"<contentObject><xmlContent><embeddedXMLContent>{alert}</embeddedXMLContent></xmlContent></contentObject>"


def _envelope(*contents: str) -> bytes:
    return ENVELOPE.format("".join(contents)).encode()


def test_seven_embedded_fire_alerts():
    events = edxl.parse(sample(RFS))
    assert [e.headline for e in events] == HEADLINES
    assert all(e.source == "edxl_de" and e.category == "fire" and e.status == "actual" for e in events)
    assert [e.severity for e in events] == ["minor"] + ["moderate"] * 6
    assert len({e.external_id for e in events}) == 7


def test_first_alert_fields_come_from_its_own_cap():
    mva = edxl.parse(sample(RFS))[0]
    assert mva.external_id == "tag:www.rfs.nsw.gov.au2011-10-18:40500"
    assert mva.sender == "webmaster@rfs.nsw.gov.au" and mva.msg_type == "alert"
    assert (mva.lat, mva.lon) == (-30.546, 151.9576)  # <circle>-30.546,151.9576 0.0</circle>
    assert mva.area is None
    assert mva.sent_at == mva.occurred_at == datetime(2011, 10, 17, 11, 18, tzinfo=UTC)
    assert mva.expires_at == datetime(2011, 10, 18, 11, 18, tzinfo=UTC)
    assert mva.version == "2011-10-17T11:18:00.000+00:00"
    assert (mva.event, mva.urgency, mva.certainty, mva.language) == ("Other", "expected", "observed", "en-AU")
    assert mva.region_code == "ISO 3166-2=AU-NSW"
    assert mva.raw_level == "Minor"
    assert mva.description.splitlines()[0] == "ALERT LEVEL: Not Applicable"  # escaped <br /> became lines
    assert "UPDATED: 17 Oct 2011 22:18" in mva.description.splitlines()
    assert "no <onset>: the occurred time is the sent time" in mva.guessed


def test_last_alert_position():
    old_mill = edxl.parse(sample(RFS))[-1]
    assert old_mill.external_id == "tag:www.rfs.nsw.gov.au2011-10-18:40435"
    assert (old_mill.lat, old_mill.lon) == (-33.7614, 149.1685)
    assert old_mill.sent_at == datetime(2011, 10, 17, 2, 30, tzinfo=UTC)


def test_one_broken_alert_is_skipped_not_the_envelope():
    good = ('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>G</identifier>'
            "<sent>2011-10-17T11:18:00Z</sent><status>Actual</status><msgType>Alert</msgType>"
            "<info><event>Grassfire</event><severity>Severe</severity></info></alert>")
    broken = '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><sent>2011-10-17T11:18:00Z</sent></alert>'
    events, skipped = edxl.parse_report(_envelope(_content(broken), _content(good)))
    assert [(e.external_id, e.headline, e.severity) for e in events] == [("G", "Grassfire", "severe")]
    assert skipped == [(0, "identifier: a CAP alert needs its <identifier>")]


@pytest.mark.parametrize(("payload", "reason"), [
    (b"", "empty payload"),
    (b"not xml", "not well-formed XML"),
    (sample("imo_iceland_wind_warning_is_en_2021-09-10.cap"), "root element is <alert>, not an EDXL-DE"),
    (_envelope(), "carries no embedded CAP <alert>"),
    (_envelope("<contentObject><nonXMLContent><uri>http://x</uri></nonXMLContent></contentObject>"),
     "carries no embedded CAP <alert>"),
    (_envelope(_content("<alert><identifier>x</identifier></alert>")), "none of the 1 items .* sent: a CAP alert"),
    (b'<!DOCTYPE EDXLDistribution [<!ENTITY x SYSTEM "file:///etc/passwd">]><EDXLDistribution>&x;'
     b"</EDXLDistribution>", "DTD or entities"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        edxl.parse(payload)


def test_detect():
    assert edxl.detect(sample(RFS))
    assert not edxl.detect(sample("imo_iceland_wind_warning_is_en_2021-09-10.cap"))
    assert not edxl.detect(sample("nsw_rfs_major_incidents_2018-09.geojson"))
    assert not edxl.detect(b"<EDXLDistribution/>")  # no EDXL-DE namespace
