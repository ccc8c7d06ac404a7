"""Hostile and broken GeoRSS payloads: the adapter either returns valid events or raises PayloadRefused."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from feed_samples import sample
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import georss
from feeds.errors import PayloadRefused
from feeds.event import TIME_FIELDS, FeedEvent
from feeds.xml_util import parse_xml

FILES = [
    "gdacs_multi_hazard_rss_2019-12-30.xml",
    "krisinformation_se_cap_atom_swapped_circle_2018-11-21.xml",
    "naad_pelmorex_cap_atom_invalid_utf8_2014-05-10.xml",
    "nws_oregon_cap_atom_index_2014-05-09.xml",
    "usgs_m45_week_atom_2014-05-10.xml",
    "qld_qfes_bushfire_alerts_2018-09.xml",
    "wa_dfes_incidents_2018-08.xml",
    "wa_dfes_warnings_2018-09.xml",
    "ign_spain_sismologia_2019-03.xml",
    "nrcan_canada_earthquakes_fr_2018-10.xml",
]
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXTS = st.text(max_size=30) | st.sampled_from([
    "", " ", "nan", "inf", "-inf", "1e400", "91 181", "-91,200 5", "45,-75 1e9", "45,-75 -1", "0,0 0",
    "1 2 3", "10 20 30 40 10 20", "10,20 30,40", "1_0 2_0", "Sun, 31 Feb 2018 10:00:00 GMT",
    "Mon, 01 Jan 0001 00:00:00 +1400", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2018-13-45",
    "31/12/99 13:61 PM", "00/00/0000 00:00:00", "2018-09-29 13:32 UT", "-0000", "Red", "Orange", "Cancel",
    "Update", "Exercise", "bogus", "msgType=Cancel", "severity=Extreme", "M=9,9", "magnitud 12.5 en X en la fecha",
    "After Storm: Cancellation for X", "Bushfire (A, B, FCAD: 1)", "24°10'19.56\"S & 151°47'30.12\"E, X",
    "#999999S/9999999E, X", "<b>x</b>&amp;", "<region>X</region>", "Alert Level: Emergency Warning Details: x",
    "-200 -100 100 200", "Expires: never", "x" * 300,
])


def _assert_only_events_or_refusal(payload: bytes) -> None:
    try:
        events = georss.parse(payload)
    except PayloadRefused as refused:
        assert refused.reason
        return
    for event in events:
        assert isinstance(event, FeedEvent) and event.source == georss.SOURCE
        for field in TIME_FIELDS:
            moment = getattr(event, field)
            assert moment is None or moment.utcoffset() == timedelta(0)
        assert event.lat is None or (-90 <= event.lat <= 90 and -180 <= event.lon <= 180)


_TREES = {name: parse_xml(sample(name), name)[0] for name in FILES}
_SIZES = {name: sum(1 for _ in tree.iter()) for name, tree in _TREES.items()}


@FUZZ
@given(payload=st.binary(max_size=2000))
def test_random_bytes(payload):
    _assert_only_events_or_refusal(payload)


@pytest.mark.parametrize("name", FILES)
@FUZZ
@given(data=st.data())
def test_mutated_sample_bytes(name, data):
    payload = bytearray(sample(name))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(payload) - 1))
        edit = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        if edit == "replace":
            payload[at] = data.draw(st.integers(0, 255))
        elif edit == "delete":
            del payload[at]
        else:
            payload[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    _assert_only_events_or_refusal(bytes(payload))


@pytest.mark.parametrize("name", FILES)
@FUZZ
@given(data=st.data())
def test_mutated_element_texts(name, data):
    """Well-formed XML whose element texts, attributes or elements are replaced by hostile values."""
    root = copy.deepcopy(_TREES[name])
    nodes = list(root.iter())
    for _ in range(data.draw(st.integers(1, 6))):
        node = nodes[data.draw(st.integers(0, len(nodes) - 1))]
        edit = data.draw(st.sampled_from(["text", "attribute", "clear"]))
        if edit == "text":
            node.text = data.draw(TEXTS)
        elif edit == "attribute":
            node.set(data.draw(st.sampled_from(["term", "label", "href", "type"])), data.draw(TEXTS))
        else:
            node.clear()
    _assert_only_events_or_refusal(ET.tostring(root, encoding="utf-8"))


@pytest.mark.parametrize("payload", [
    b"", b"   ", b"<rss/>", b"<feed/>", b"<rss><channel/></rss>", b"\xef\xbb\xbf",
    b"<feed xmlns:georss='http://www.georss.org/georss'>" + b"<entry>" * 5000 + b"</entry>" * 5000 + b"</feed>",
    b"<feed>" + b"<x>" * 50_000 + b"</x>" * 50_000 + b"</feed>",
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss>&b;</rss>',
    "<feed/>".encode("utf-16"),
])
def test_pathological_payloads(payload):
    _assert_only_events_or_refusal(payload)
