"""QuakeML 1.2 -> FeedEvents, on INGV's FDSN answer for the M2.6 Campotosto quake of 1 March 2022."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from feed_samples import SAMPLES_DIR, sample

from feeds.adapters import quakeml
from feeds.adapters.errors import PayloadRefused

SAMPLE = "ingv_italy_quakeml_2022-03-01.xml"
UTC = timezone.utc
EVENT_ID = "smi:webservices.ingv.it/fdsnws/event/1/query?eventId=30116321"
ORIGIN_ID = "smi:webservices.ingv.it/fdsnws/event/1/query?originId=101595191"


def _edited(*replacements: tuple[str, str]) -> bytes:
    """Return the INGV sample with text replaced (each old text must occur in it)."""
    text = sample(SAMPLE).decode("ascii")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def _one(*replacements: tuple[str, str]) -> quakeml.FeedEvent:
    (event,) = quakeml.parse(_edited(*replacements))
    return event


def test_campotosto_quake():
    (quake,) = quakeml.parse(sample(SAMPLE))
    assert quake.external_id == EVENT_ID
    assert quake.headline == "M2.6 – 4 km S Campotosto (AQ)"
    assert (quake.severity, quake.raw_level) == ("minor", "ML 2.6")
    assert (quake.lat, quake.lon) == (42.5218, 13.3833)
    # No offset in the file: QuakeML times are UTC by the standard.
    assert quake.occurred_at == datetime(2022, 3, 1, 22, 53, 55, 680000, tzinfo=UTC)
    assert quake.sent_at == datetime(2022, 3, 1, 23, 2, 47, tzinfo=UTC)  # the reviewed origin (event: 22:54:13)
    assert quake.version == "2022-03-01T23:02:47.000+00:00"
    assert (quake.msg_type, quake.status, quake.category, quake.certainty) == ("alert", "actual", "geo", "observed")
    assert (quake.event, quake.sender, quake.address) == ("Earthquake", "INGV", "4 km S Campotosto (AQ)")
    assert quake.description.splitlines() == [
        "Magnitude 2.6 ML", "Depth 14.5 km", "Region: 4 km S Campotosto (AQ)",
        "Evaluation: manual (reviewed)", "Event type: earthquake"]
    assert quake.area is None and quake.guessed == ()


@pytest.mark.parametrize(("magnitude", "severity"), [
    ("7.1", "extreme"), ("6.0", "severe"), ("4.5", "moderate"), ("4.4", "minor"), ("-0.3", "minor")])
def test_magnitude_bands_are_usgs_bands(magnitude, severity):
    quake = _one(("<value>2.6</value>", f"<value>{magnitude}</value>"))
    assert quake.severity == severity
    assert quake.headline == f"M{float(magnitude):.1f} – 4 km S Campotosto (AQ)"


def test_a_not_existing_event_is_a_cancel():
    quake = _one(("<type>earthquake</type>", "<type>not existing</type>"))
    assert quake.msg_type == "cancel"
    assert quake.headline == "Withdrawn (not existing): M2.6 – 4 km S Campotosto (AQ)"
    assert quake.version == "2022-03-01T23:02:47.000+00:00 not existing"  # never a duplicate of the last revision
    assert quake.certainty == "unknown" and quake.event == "Not existing"


def test_a_withdrawn_event_without_origin_still_cancels():
    text = sample(SAMPLE).decode("ascii")
    start, end = text.index("<origin "), text.index("</origin>") + len("</origin>")
    payload = (text[:start] + text[end:]).replace("<type>earthquake</type>", "<type>not existing</type>").encode()
    (quake,) = quakeml.parse(payload)
    assert quake.msg_type == "cancel" and quake.external_id == EVENT_ID
    assert (quake.lat, quake.lon, quake.occurred_at) == (None, None, None)
    assert quake.sent_at == datetime(2022, 3, 1, 23, 2, 46, tzinfo=UTC)  # the magnitude's creation time is left


def test_without_preferred_ids_the_first_origin_and_magnitude_are_used():
    quake = _one((f"<preferredOriginID>{ORIGIN_ID}</preferredOriginID>", ""),
                 ("<preferredMagnitudeID>smi:webservices.ingv.it/fdsnws/event/1/query?magnitudeId=108867501"
                  "</preferredMagnitudeID>", ""))
    assert (quake.lat, quake.lon, quake.severity) == (42.5218, 13.3833, "minor")
    assert quake.guessed == ("no preferredOriginID; used the first origin",
                             "no preferredMagnitudeID; used the first magnitude")


def test_a_preferred_id_matching_nothing_is_said():
    quake = _one((f"<preferredOriginID>{ORIGIN_ID}</preferredOriginID>",
                  "<preferredOriginID>smi:elsewhere/origin/1</preferredOriginID>"))
    assert quake.guessed == ("preferredOriginID 'smi:elsewhere/origin/1' matches no origin; used the first origin",)


def test_times_with_an_offset_are_converted():
    quake = _one(("<value>2022-03-01T22:53:55.680000</value>", "<value>2022-03-01T23:53:55.68+01:00</value>"))
    assert quake.occurred_at == datetime(2022, 3, 1, 22, 53, 55, 680000, tzinfo=UTC)


def test_an_event_without_origin_is_skipped_not_the_payload():
    text = sample(SAMPLE).decode("ascii")
    event_start, event_end = text.index("<event "), text.index("</event>") + len("</event>")
    broken = text[event_start:event_end].replace("<latitude>", "<lat>").replace("</latitude>", "</lat>")
    broken = broken.replace("eventId=30116321", "eventId=1")
    payload = (text[:event_end] + broken + text[event_end:]).encode()
    events, skipped = quakeml.parse_report(payload)
    assert [e.external_id for e in events] == [EVENT_ID]
    assert skipped == [(1, "origin: a quake needs an origin with numeric latitude and longitude")]


def test_no_events_is_no_events():
    payload = (b'<q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2" xmlns="http://quakeml.org/xmlns/bed/1.2">'
               b'<eventParameters publicID="smi:x"/></q:quakeml>')
    assert quakeml.parse(payload) == []


@pytest.mark.parametrize(("payload", "reason"), [
    (b"", "empty payload"),
    (b"not xml at all", "not well-formed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]><quakeml>&x;</quakeml>',
     "DTD or entities"),
    (b'<quakeml xmlns="http://quakeml.org/xmlns/quakeml/1.2"></quakeml>', "no <eventParameters>"),
    (b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>',
     "not a QuakeML <quakeml>"),
    (_edited(("<latitude>", "<lat>"), ("</latitude>", "</lat>")), "none of the 1 items"),
])
def test_refused_payloads(payload, reason):
    with pytest.raises(PayloadRefused, match=reason):
        quakeml.parse(payload)


def test_detect_only_quakeml():
    assert quakeml.detect(sample(SAMPLE))
    others = [p.name for p in Path(SAMPLES_DIR).iterdir() if p.name != SAMPLE and quakeml.detect(p.read_bytes())]
    assert others == []
